"""Table-driven: every deadline rule of the GUIDELINE, recurrence and target."""
from datetime import date

import pytest

from tasks.extraction import extract_text, resolve_deadline
from tasks.extraction.annotate import pick_deadline, pick_target
from tasks.extraction.deadline import EVENT_WORDS, find_recurrence

R = date(2024, 5, 28)      # a Tuesday
R2 = date(2024, 7, 15)     # a Monday

CASES = [
    # N月底 / 月末 / 月份 / 月 -> last day; first date on or after the reference date
    ("6月底前", R, "2024-06-30"),
    ("5月底前", R, "2024-05-31"),
    ("5月末", R, "2024-05-31"),
    ("6月份前", R, "2024-06-30"),
    ("7月", R, "2024-07-31"),
    ("3月底", R, "2025-03-31"),            # already past in 2024 -> next year
    ("十月底", R, "2024-10-31"),            # Chinese numerals
    ("十二月底前", R, "2024-12-31"),
    # 上旬 / 月初 / 中旬 / 下旬
    ("10月上旬", R, "2024-10-10"),
    ("10月初", R, "2024-10-10"),
    ("10月中旬", R, "2024-10-20"),
    ("10月下旬", R, "2024-10-31"),
    # N月M日(前) / N月M日至K日
    ("6月15日前", R, "2024-06-15"),
    ("6月1日至15日", R, "2024-06-15"),
    ("6月28日到7月5日", R, "2024-07-05"),
    ("12月5号之前", date(2020, 12, 1), "2020-12-05"),
    ("25号之前", date(2020, 12, 1), "2020-12-25"),
    ("本月25号以前", date(2020, 12, 1), "2020-12-25"),
    # year-level
    ("年底", R, "2024-12-31"), ("年内", R, "2024-12-31"), ("全年", R, "2024-12-31"),
    ("年末", R, "2024-12-31"), ("年底前", R, "2024-12-31"), ("今年", R, "2024-12-31"),
    ("上半年", R, "2024-06-30"), ("下半年", R, "2024-12-31"),
    ("上半年", R2, "2025-06-30"),
    # quarters (also with 末/底), 首季
    ("一季度", R, "2025-03-31"), ("二季度", R, "2024-06-30"), ("三季度", R, "2024-09-30"),
    ("四季度", R, "2024-12-31"), ("第三季度末", R, "2024-09-30"), ("三季度底前", R, "2024-09-30"),
    ("首季", date(2018, 12, 20), "2019-03-31"),
    # 明年 / explicit years / Chinese-numeral years
    ("明年6月底", R, "2025-06-30"), ("明年", R, "2025-12-31"), ("明年一季度", R, "2025-03-31"),
    ("2024年底", R, "2024-12-31"), ("2025年6月底前", R, "2025-06-30"), ("二〇二四年底", R, "2024-12-31"),
    ("二〇二五年三月底", R, "2025-03-31"),
    # relative
    ("本周", R, "2024-06-02"), ("本周内", R, "2024-06-02"), ("下周", R, "2024-06-09"),
    ("本月", R, "2024-05-31"), ("本月内", R, "2024-05-31"), ("本月底", R, "2024-05-31"),
    ("下个月", R, "2024-06-30"),
    ("10天内", R, "2024-06-07"), ("7日内", R, "2024-06-04"), ("十天内", R, "2024-06-07"),
    ("一个月内", R, "2024-06-28"), ("两个月内", R, "2024-07-28"),
    ("3个工作日内", date(2024, 9, 27), "2024-10-08"),   # 9-29 is a make-up workday, 10-1..7 holiday
    # multi-year -> unresolved
    ("三年内", R, "unresolved"), ("三到五年", R, "unresolved"), ("3至5年内", R, "unresolved"),
    # recurring with a given day
    ("每月15日前", R, "2024-06-15"), ("每月底", R, "2024-05-31"), ("每月5日", R, "2024-06-05"),
    ("从8月份开始，每月", R, "2024-08-31"), ("每季度末", R, "2024-06-30"), ("每周一", R, "2024-06-03"),
    # asap
    ("尽快", R, "asap"), ("立即", R, "asap"), ("马上", R, "asap"), ("抓紧", R, "asap"),
    ("抓紧时间", R, "asap"), ("今天会后", R, "asap"), ("会后", R, "asap"), ("近期", R, "asap"),
    ("第一时间", R, "asap"),
    # events and seasons
    ("今冬供暖季到来前", R, "event"), ("主汛期前", R, "event"), ("春节前", R, "event"),
    ("开学前", R, "event"), ("国庆节前", R, "event"),
    # anonymised digits
    ("X月底", R, "unresolved"), ("X月底前", R, "unresolved"), ("今年X月底前", R, "unresolved"),
    ("*月中旬", R, "unresolved"), ("XX日前", R, "unresolved"), ("＊月", R, "unresolved"),
    ("*月、*月", R, "unresolved"), ("20XX年底", R, "unresolved"), ("*年", R, "unresolved"),
    # no time limit
    ("认真研究", R, None), ("", R, None),
]


@pytest.mark.parametrize("phrase,ref,expected", CASES)
def test_resolve_deadline(phrase, ref, expected):
    assert resolve_deadline(phrase, ref) == expected


def test_named_events_resolve_when_given():
    ev = {"供暖季": date(2024, 11, 15), "主汛期": date(2024, 6, 1)}
    assert resolve_deadline("今冬供暖季到来前", R, events=ev) == "2024-11-15"
    assert resolve_deadline("主汛期前", R, events=ev) == "2024-06-01"
    assert resolve_deadline("春节前", R, events=ev) == "event"


@pytest.mark.parametrize("clause,text,value", [
    ("县发改局要尽快对接，确保6月底前完成入库", "6月底前", "2024-06-30"),        # a date beats asap
    ("预计7月开工建设，计划在2024年底建成通车", "2024年底", "2024-12-31"),       # a limit marker beats a bare month
    ("我们要在这个月底或者下个月专门听取汇报", "这个月底或者下个月", "2024-06-30"),  # alternatives: the later
    ("坚决打赢三季度经济工作的翻身仗", None, None),                               # attributive only -> weak
    ("确保完成年度19亿元投资目标", "年度", "2024-12-31"),                           # 年度 before a figure
    # a date in a perfective statement ("…就进入封冻期了") is when something happens, not the limit
    ("11月中旬就进入封冻期了，各单位要抓住有效施工时段，确保全年投资完成率达到80%以上", "全年", "2024-12-31"),
])
def test_pick_deadline(clause, text, value):
    t, v, weak = pick_deadline(clause, R)
    if text is None:
        assert weak or t is None
    else:
        assert (t, v) == (text, value)


@pytest.mark.parametrize("text,rec", [
    ("以后每个月要召开一次专门的项目推进汇报会", "monthly"),
    ("实行每月一督查、季度一通报", "monthly"),
    ("按月、按季对纳税人申报情况进行分析", "monthly"),
    ("建立月督查、月通报、季点评制度", "monthly"),
    ("每季度集中开工一批项目", "quarterly"),
    ("每天报送疫情数据", "daily"),
    ("每周召开一次调度会", "weekly"),
    ("每旬报送一次进度", "dekad"),
    ("每年开展一次评估", "yearly"),
    ("定期开展现场督导", "periodic"),
    ("认真研究政策", None),
])
def test_recurrence(text, rec):
    assert find_recurrence(text) == rec


@pytest.mark.parametrize("text,target", [
    ("确保年内完成投资26.7亿元", "26.7亿元"),
    ("我们只完成今年任务的28%，确保6月底前完成50%", "50%"),
    ("力争39个新开工项目在三季度全部开工", "39个"),
    ("确保全年完成一般公共预算收入3.58亿元的目标", "3.58亿元"),
    ("后几个月必须控制在XX以内", "XX以内"),
    ("新增规模企业4家", "4家"),
    ("要认真研究政策", None),
    # a quantity that qualifies a noun (…的, “…”) is not the goal when another figure is
    ("县住建局要加快推进总投资2.9亿元的污水治理项目、10个示范村建设", "10个"),
    ("力争培育主营业务收入过100亿元的企业1家以上", "1家以上"),
    ("要加快推进总投资2.9亿元的污水治理项目", "2.9亿元"),
    # 同比 after a goal word is part of the goal, not a statistic
    ("力争GDP同比增长5%，规模以上工业产值增长6%", "5%"),
    ("GDP同比增长5%，规模以上工业产值力争增长6%", "6%"),
])
def test_target(text, target):
    assert pick_target(text) == target


def test_recurring_without_day_has_no_deadline():
    res = extract_text("县纪委监委要实行每月一督查、季度一通报。", R)
    d = res["directives"][0]
    assert d["recurrence"] == "monthly" and d["deadline"] is None


def test_recurring_with_day_gets_first_due_date():
    res = extract_text("各乡镇要在每月15日前报送项目进度。", R)
    d = res["directives"][0]
    assert d["recurrence"] == "monthly" and d["deadline"] == "2024-06-15"


def test_every_literal_time_word_passes_the_first_character_guard():
    """DEADLINE_RE's cheap look-ahead lets words with a common first character (大约, 中秋, 开学…) through."""
    from tasks.extraction.deadline import _WORDS, DEADLINE_RE
    for w in _WORDS:
        text = f"要在{w}前完成" if w in EVENT_WORDS.split("|") else f"要{w}3个月完成" if w == "大约" else f"要{w}完成"
        assert any(w in m.group(0) for m in DEADLINE_RE.finditer(text)), w


@pytest.mark.parametrize("phrase", ["全年", "会后", "抓紧", "抓紧时间", "上半年", "下半年", "下周", "下个月", "下月底", "下个星期",
                                    "年底前", "年内", "年末", "年终", "年度", "第2季度", "第三季度", "第一时间", "月底前",
                                    "“春节”前", "“十四五”期间", "上冻前", "X季度"])
def test_time_words_after_a_common_first_character_are_found(phrase):
    from tasks.extraction.deadline import DEADLINE_RE
    assert any(m.group(0) == phrase for m in DEADLINE_RE.finditer(f"要在{phrase}完成")), phrase

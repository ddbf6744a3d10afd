"""Stage 5 helpers: pick the deadline phrase, the target and the recurrence of a clause."""
import re
from functools import lru_cache

from .deadline import DEADLINE_RE, find_recurrence, resolve_deadline
from .recache import rx

UNIT = (r"(?:个百分点|百分点|%|％|‰|(?:万|亿|千|百)?(?:元|美元|吨|亩|平方米|千瓦时|人次|人|户|家|个|项|处|件|所|条|公里|千米|米|座|套|间|辆|台|"
        r"次|场|批|名|倍|栋|张|床|头|只|口|棵|株|村|镇|乡|园|区|部|篇|期)|亿|万)")
QTY = (rf"(?:\d+(?:\.\d+)?(?:[—\-~～至到]\d+(?:\.\d+)?)?|[X×Ｘ*＊]{{1,3}})\s*(?:个亿|{UNIT})(?:以上|以内|以下|左右)?|[X×Ｘ*＊\d.]+(?:以上|以内|以下)")
TARGET_RE = rx(
    rf"(?P<verb>完成|达到|达|实现|确保|力争|突破|控制在|增长|新增|建成|引进|招引|开工|筹建|培育|创成|至少|超过|超|争取|新建|改造|打造|"
    rf"培养|减少|下降|提高到|提升到|提高|提升|全部|累计|保有量|总产值|收入|投资|签约|落地|化解|消除|必须控制在|保持在|"
    rf"剩余|至少要在|要在|创收|压减|偿还|新聘|安置|兴建)"
    rf"[^，。；：]{{0,12}}?(?P<q>{QTY})")
# the final state a figure must reach ("新增2.6万亩、达到220万亩", "采购份额提高到40%以上"): the main target
FINAL_RE = rx(rf"(?P<verb>达到|提高到|提升到|增长到|增加到|突破|达)[^，。；：]{{0,6}}?(?P<q>{QTY})")
# process verbs: the quantity is the scope of the work rather than its goal
TARGET_WEAK_RE = rx(rf"(?P<verb>推进|实施|办好|办结|做好|抓好|投入|整合|补贴|建设|等)[^，。；：]{{0,12}}?(?P<q>{QTY})")
QTY_RE = rx(QTY)
QTY_HINT = rx(r"[\dX×Ｘ*＊]")
# goals stated without a number (a class of result phrases: growth sign, half-year progress, zero stock)
QUALITATIVE = rx(r"(?=[正双任时清转全零翻过一二三四五六七八九前第])(?:正增长|双过半|任务过半|时间过半|清零|转正|全覆盖|零发生|零事故|翻一番|翻番|"
                         r"过[一二三四五六七八九]成|[一二三四五六七八九]成以上|(?:全[省市州区国])?前[一二三四五六七八九十两]名?(?![年个月天])|第一方阵)")
STAT_BEFORE = rx(r"(?:同比|比上年|较上年|目前|现在|已经|已|只完成|仅完成|完成了|实现了|上半年|去年|今年以来|截至)[^，。；]{0,8}$")

# a quantity that qualifies a noun ("总投资2.9亿元的项目", "收入过100亿元的企业"): it describes, it is no goal
ATTRIB_QTY = rx(r"的|“")
GOAL_WORD = rx(r"力争|确保|争取|目标|预期|计划")   # words that make the figure after them a goal
YEAR_ONLY = rx(r"(?:\d{4}|[X*]+)年")
BOUNDED = rx(r"前|底|末|内|为止|以前|之前")
FORECAST_END = rx(r"(?:预计|估计|预测)[是为在于将]?$")
NEAR_ARRIVAL = rx(r"(?:就|要|就要)?到(?:了|年底|月底)?")
PROTECTED = rx(r"前|内|为止")
OR_JOIN = rx(r"或者?|或是|至|到|、")
YEAR_NUMBER = rx(r"^\d{4}$")

PERFECT_PIECE = rx(r"[^，。；：,;:]{0,12}了(?:[，。；,;]|$)")   # the rest of the comma-piece ends in 了
PAST_YEAR_BEFORE = rx(r"(?:去年|上年|前年|上一年)(?:的|同期)?$")
CIRCUMSTANCE = rx(r"随着|伴随|面对|鉴于|由于|受")   # openers of a background clause
GOAL_BEFORE = rx(r"(?:确保|力争|争取|必须|务必)$")
RELATIVE_AFTER = rx(r"[\u4e00-\u9fff]{1,4}的(?![\u4e00-\u9fff]{0,2}(?:目标|任务))")
RELATIVE_VERB = rx(r"下达|出台|确定|安排|签约|开工|批复|印发|召开|部署")  # verbs of what was issued or decided

# strength of a deadline phrase: explicit limit markers first, urgency words last
def _strength(kind, text):
    if kind == "asap":
        return 0
    if text in ("今年", "明年", "全年", "年度", "本年度", "今年度"):
        return 1
    if kind in ("yearend",) and text in ("今年", "明年"):
        return 1
    if kind == "yearend" and YEAR_ONLY.fullmatch(text):
        return 1
    if BOUNDED.search(text):
        return 3
    return 2


WEAK_KIND = rx(r"^(?:(?:\d{2}[X*＊xＸ]{2}|\d{4}|[X*＊]+|本)年(?:度)?|(?:\d{4}|[X*＊]+)年[上下]半年)$")
YEAR_LEVEL = rx(r"^(?:(?:\d{4}|[X*＊]+|今|明|本)?年(?:度)?|全年|今年|明年|年度|(?:今年|本年)?[上下]半年|\d{4}年[上下]半年)$")
ATTRIB_AFTER = rx(r"^(?:的|经济|工作|各项|目标|任务|发展|期间|以来|运行|项目|计划|重点|这段|形势|成绩|情况|指标|全会|会议|总结|以后|后|"
                          r"中央|召开|时间|过半|以及|主要|各|全市|全县|全区|全省|考核|考评|投资计划|党建|再|冲刺|攻坚|我们已|已|就已)")
ATTRIB_AFTER_DATE = rx(r"^(?:的|是|经济|工作|全会|会议|考核|考评|以来|运行|形势|成绩|情况|指标|中央|召开的|冲刺|攻坚|决战|重点|作为|已|我们已|就已|突破季)")
QUOTED = rx(r"“[^”]{0,200}”")
BARE_YEAR_OK = rx(r"^(?:[，,]|我们要|我们的|全[市县区省]要|要|力争|争取|确保|计划|全面|实现|必须|务必|一定|将|底|内|年底|完成|建成|成为|创成|开工|投产|[一二三四]季度|[上下]半年)")
ATTRIB_BEFORE = rx(r"(?:作为|围绕|关于|对|从|把|打好|以月保|决战|冲刺|奋战|贯穿|打好|打赢|决胜|大干|实干|谋划|部署|安排|总结|盘点|研究)$")
# goal verbs before a year-level word make it the object's attribute ("完成全年目标"), not before a month
ATTRIB_BEFORE_YEAR = rx(r"(?:实现|完成|确保)$")
NEAR_BOUND = rx(r"^(?:[，,]|要|内|将|务必|必须|集中|开展|组织|召开|抓紧|安排|专门|研究)")


def deadline_candidates(text, ref, events=None, found=None):
    """[(start, end, kind, phrase, value, weak)] for the time-limit phrases of a clause.
    ``found``: the DEADLINE_RE matches of text as (start, end, kind, phrase), when already scanned."""
    cands = []
    quotes = [(q.start(), q.end()) for q in QUOTED.finditer(text)] if "“" in text else []
    if found is None:
        found = [(m.start(), m.end(), m.lastgroup, m.group(0)) for m in DEADLINE_RE.finditer(text)]
    for m_start, m_end, kind, phrase in found:
        if kind == "asap" and any(a < m_start < b for a, b in quotes):
            continue   # urgency inside a quoted slogan or someone else's words
        after = text[m_end:m_end + 4]
        before = text[max(0, m_start - 4):m_start]
        if after.startswith("左右") or FORECAST_END.search(before):
            continue
        if after.startswith(("以来", "至今", "的基础上", "基础上")):
            continue
        if phrase == "近期" and not NEAR_BOUND.match(after) and not before.endswith(("在", "于")):
            continue
        if phrase == "抓紧" and after.startswith(("抓", "落实")):
            continue   # "抓紧抓实抓细": a slogan, not urgency
        if kind == "asap" and NEAR_ARRIVAL.match(after):
            continue   # "马上要到年底了": time is near, not an instruction
        protected = PROTECTED.search(phrase) is not None
        if YEAR_LEVEL.match(phrase):
            attrib = ATTRIB_AFTER.match(after) is not None
        else:
            attrib = ATTRIB_AFTER_DATE.match(after) is not None
        weak = (bool(WEAK_KIND.match(phrase)) and not BARE_YEAR_OK.match(after)) or (kind != "asap" and attrib and not protected)
        if kind != "asap" and CIRCUMSTANCE.search(text, max(0, text.rfind("，", 0, m_start) + 1), m_start):
            weak = True   # "随着毕业季即将来临，…": the time of a circumstance, not a limit
        if kind != "asap" and PERFECT_PIECE.match(text, m_end):
            continue      # "11月中旬就进入封冻期了，": when something happens (perfective), not a limit
        if kind != "asap" and RELATIVE_AFTER.match(text, m_end) and RELATIVE_VERB.search(text, m_end, m_end + 5):
            weak = True   # "20XX年3月底前下达的项目": a date inside a relative clause describes the noun
        if ((phrase in ("今年", "明年", "今年度") or WEAK_KIND.match(phrase)) and not BARE_YEAR_OK.match(after)
                and not GOAL_BEFORE.search(before)):
            continue   # "今年50个项目", "20XX年下达的": the year qualifies a noun, it is no time limit
        if kind != "asap" and not protected and (ATTRIB_BEFORE.search(before)
                                                  or (YEAR_LEVEL.match(phrase) and ATTRIB_BEFORE_YEAR.search(before))):
            weak = True
        if kind != "asap" and PAST_YEAR_BEFORE.search(before):
            continue   # "去年9月": when something happened
        val = resolve_deadline(phrase, ref, events)
        if val is None:
            continue
        if val[:4].isdigit() and val < ref.isoformat():
            weak = True   # "今年3月30日，…主持召开": a date already past at the meeting is no time limit
        if (kind in ("md", "quarter", "half") and val[:4].isdigit() and int(val[:4]) > ref.year
                and not re.search(r"前|底|末|内|明年|\d{4}|[〇零○一二三四五六七八九]{4}", phrase)):
            weak = True   # a bare period already over this year: a look back, not a time limit
        cands.append((m_start, m_end, kind, phrase, val, weak))
    return cands


def pick_deadline(text, ref, events=None, found=None):
    """(deadline_text, deadline, weak) for the main time limit of a clause."""
    cands = []
    for c in deadline_candidates(text, ref, events, found):
        cands.append(c)
    if not cands:
        return None, None, None
    merged = []
    for c in cands:
        if merged and OR_JOIN.fullmatch(text[merged[-1][1]:c[0]]):
            p = merged[-1]
            later = c if str(c[4]) >= str(p[4]) else p
            if text[p[1]:c[0]] == "、" and c[2] == p[2] == "md" and p[4][:1].isdigit():
                later = p      # "5月30日、10月30日": a list of dates, the first one is due first
            merged[-1] = (p[0], c[1], later[2], text[p[0]:c[1]], later[4], p[5] and c[5])
        else:
            merged.append(c)
    # a dated limit, even a weak (year-level, attributive) one, says more than an urgency word
    best = max(merged, key=lambda c: (c[2] != "asap", not c[5], _strength(c[2], c[3]), -c[0]))
    return best[3], best[4], best[5]


def pick_target(text, goal_only=False):
    """The main quantified goal. goal_only: only a quantity governed by a goal verb (完成/达到/新增…)."""
    goal, target = targets(text)
    return goal if goal_only else target


@lru_cache(maxsize=4096)
def targets(text):
    """(goal, target) of a clause in one pass: the quantity governed by a goal verb, and the main target
    (that goal, else a scope quantity, else a qualitative goal)."""
    if not QTY_HINT.search(text):      # no digit at all (most clauses): only a qualitative goal is possible
        m = QUALITATIVE.search(text)
        return None, (m.group(0) if m else None)
    goal = _governed(FINAL_RE, text) or _governed(TARGET_RE, text)
    if goal:
        # the main target: a goal quantity that does not merely qualify a noun, when there is one
        main = goal
        if ATTRIB_QTY.match(text, text.find(goal) + len(goal)):
            main = (_governed(FINAL_RE, text, False) or _governed(TARGET_RE, text, False)
                    or _scope_target(text, False) or goal)
        return goal, main
    return None, _scope_target(text)


def _statistic(text, q_start):
    """Is the quantity at q_start a statistic (同比, 目前, 已…)?  Not when a goal word governs the comparison
    ("力争GDP同比增长5%")."""
    m = STAT_BEFORE.search(text, max(0, q_start - 12), q_start)
    return m is not None and not GOAL_WORD.search(text, max(0, m.start() - 8), m.start())


def _governed(rx, text, attributive=True):
    for m in rx.finditer(text):
        q = m.group("q")
        if _statistic(text, m.start("q")) or YEAR_NUMBER.match(q.strip()):
            continue
        if not attributive and ATTRIB_QTY.match(text, m.end("q")):
            continue
        return q.strip()
    return None


def _scope_target(text, attributive=True):
    weak = _governed(TARGET_WEAK_RE, text, attributive)
    if weak:
        return weak
    # no goal verb: the first quantity that is not a statistic is the scope of the task
    # ("对5个正在办理…的项目，要…", "尽早将2722户搬迁安置到位"), else a qualitative goal
    for m in QTY_RE.finditer(text):
        q = m.group(0).strip()
        if YEAR_NUMBER.match(q) or _statistic(text, m.start()):
            continue
        if not attributive and ATTRIB_QTY.match(text, m.end()):
            continue
        return q
    if not attributive:
        return None
    m = QUALITATIVE.search(text)
    return m.group(0) if m else None


def recurrence(text):
    return find_recurrence(text)

"""台账导入 rules of issue #11: years never from today, status and ongoing tasks, recurrence,
headings/合计/hidden/duplicate rows, official unit names, leader titles, honest summaries."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Person, Role, Unit, UnitAlias
from tasks.models import Task
from tasks.services.ledger import LedgerError, import_ledger
from tests.reports.conftest import write_xlsx

DEC1 = dt.datetime(2024, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # the day of the reported bug
H = ["序号", "督办事项", "牵头单位", "配合单位", "责任领导", "时限要求"]


def run(path, user, **kw):
    kw.setdefault("now", DEC1)
    with open(path, "rb") as fh:
        return import_ledger(fh, by=user, **kw)


def test_year_from_the_title_never_from_today(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "a.xlsx", [["XX县2024年重点工作督办台账"], H,
                                            [1, "清理拖欠企业账款", "财政局", "", "", "11月30日"],
                                            [2, "完成预算绩效评价", "财政局", "", "", "年底前"]])
    result = run(path, staff_user, dry_run=True)
    # imported on 2024-12-01, "11月30日" is 2024-11-30 (overdue), not next year
    assert [r.deadline for r in result.rows] == [dt.date(2024, 11, 30), dt.date(2024, 12, 31)]
    assert result.year == 2024 and "标题" in result.year_source
    assert "时限“11月30日”按2024年理解：2024-11-30（年份依据：台账标题中的“2024年”）" in result.rows[0].warnings
    out = io.StringIO()
    call_command("import_ledger", str(path), "--dry-run", "--user", "duchashi", stdout=out)
    assert "没写年份的时限按" in out.getvalue() and "按2024年理解" in out.getvalue()


def test_no_year_anywhere_is_an_error_unless_given(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "b.xlsx", [H, [1, "清理拖欠企业账款", "财政局", "", "", "11月30日"],
                                            [2, "日期写全的事项", "财政局", "", "", "2025年3月31日前"]])
    with pytest.raises(LedgerError) as e:
        run(path, staff_user, dry_run=True)
    msgs = e.value.result.error_messages()
    assert len(msgs) == 1 and msgs[0].startswith("第2行：完成时限“11月30日”没有写年份")
    result = run(path, staff_user, dry_run=True, year=2024)
    assert result.rows[0].deadline == dt.date(2024, 11, 30) and result.rows[1].deadline == dt.date(2025, 3, 31)
    assert any("导入时指定的年份2024" in w for w in result.rows[0].warnings)
    with pytest.raises(LedgerError, match="年份"):
        run(path, staff_user, dry_run=True, year=24)


def test_year_from_each_rows_assignment_date(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "c.xlsx", [H + ["交办日期"],
                                            [1, "去年年底交办", "财政局", "", "", "11月30日", dt.datetime(2024, 12, 5)],
                                            [2, "年初交办", "财政局", "", "", "11月30日", "2024-03-01"]])
    result = run(path, staff_user, dry_run=True, now=dt.datetime(2025, 1, 10, tzinfo=dt.timezone.utc))
    assert [r.deadline for r in result.rows] == [dt.date(2025, 11, 30), dt.date(2024, 11, 30)]
    assert "年份依据：交办日期2024-12-05" in result.rows[0].warnings[0]


def test_status_column_grades_and_closing(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "d.xlsx", [
        ["2024年台账"], H + ["状态", "办结日期", "办结评定", "挂牌督办", "完成进度"],
        [1, "已经办完的事", "财政局", "", "", "2024-06-30", "已办结", "2024-06-20", "良好", "", 1],
        [2, "逾期办完的事", "财政局", "", "", "2024-05-31", "已完成", dt.datetime(2024, 6, 10), "", "是", ""],
        [3, "还在推进的事", "县发改局", "", "", "2024-12-31", "已完成40%", "", "", "是", 0.4],
        [4, "状态写错的事", "县发改局", "", "", "2024-12-31", "差不多了", "", "", "", ""],
    ])
    with pytest.raises(LedgerError) as e:
        run(path, staff_user, dry_run=True)
    assert e.value.result.error_messages() == ["第6行：状态“差不多了”无法识别（可填写 已办结、推进中 等）"]
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.delete_rows(6)
    wb.active["K3"].number_format = "0%"  # 100 %, stored as 1
    wb.save(path)
    result = run(path, staff_user)
    assert result.created == 3
    t = {x.title: x for x in Task.objects.all()}
    done = t["已经办完的事"]
    assert done.status == "closed" and done.grade == "good" and done.progress == 100
    assert done.closed_at.astimezone().date() == dt.date(2024, 6, 20) and not done.flagged
    late = t["逾期办完的事"]
    assert late.status == "closed" and late.closed_at.date() == dt.date(2024, 6, 10) and late.flagged
    live = t["还在推进的事"]
    assert live.status == "in_progress" and live.progress == 40 and live.flagged


def test_ongoing_and_recurring(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "e.xlsx", [["2024年台账"], H,
                                            [1, "安全生产专项整治", "县发改局", "", "", "长期坚持"],
                                            [2, "营商环境改革", "县发改局", "", "", "持续推进"],
                                            [3, "报送统计数据", "统计局", "", "", "每月25日前"]])
    result = run(path, staff_user)
    t = {x.title: x for x in Task.objects.all()}
    for title in ("安全生产专项整治", "营商环境改革"):
        assert (t[title].deadline, t[title].deadline_kind) == (None, "none")
    assert any("长期/持续性工作" in w for w in result.rows[0].warnings)
    monthly = t["报送统计数据"]
    assert monthly.recurrence == "monthly" and monthly.deadline == dt.date(2024, 12, 25)  # the next 25th
    assert monthly.deadline_text == "每月25日前"


def test_headings_totals_and_hidden_rows_are_skipped_and_reported(tmp_path, staff_user, units):
    rows = [["XX县2024年重点工作督办台账"], H,
            ["一、经济发展", "一、经济发展", "一、经济发展", "一、经济发展", "一、经济发展", "一、经济发展"],
            [1, "推进重点项目开工", "县发改局", "", "", "2024-12-31"],
            [None, "（二）社会事业", None, None, None, None],
            [2, "老旧小区改造", "县住建局", "", "", "2024-12-31"],
            [3, "隐藏的事项", "县住建局", "", "", "2024-12-31"],
            ["合计", "3项", None, None, None, None]]
    path = write_xlsx(tmp_path / "f.xlsx", rows, merges=["A3:F3"])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.row_dimensions[7].hidden = True
    wb.save(path)
    result = run(path, staff_user)
    assert result.created == 2
    states = {r.row: r.skipped for r in result.rows}
    assert states[3] == "分类标题行：一、经济发展" and states[5] == "分类标题行：（二）社会事业"
    assert states[7].startswith("隐藏行") and states[8] == "合计行"
    assert "跳过4行" in result.summary() and "分类标题行2行" in result.summary() and "合计行1行" in result.summary()
    t = {x.title: x for x in Task.objects.all()}
    assert t["推进重点项目开工"].category == "经济发展" and t["老旧小区改造"].category == "社会事业"
    Task.objects.all().delete()
    assert run(path, staff_user, include_hidden=True).created == 3


def test_official_names_brackets_and_leader_titles(tmp_path, staff_user, units):
    gov = Unit.objects.create(name="县政府办公室", short_name="县政府办", sort_order=10)
    UnitAlias.objects.create(unit=gov, alias="政府办")
    town = Unit.objects.create(name="麻栗镇", short_name="麻栗", kind="township", sort_order=11)
    Person.objects.create(name="张三", title="县委常委、副县长", role=Role.LEADER, is_leader=True)
    path = write_xlsx(tmp_path / "g.xlsx", [["2024年台账"], H,
                                            [1, "督办甲", "县人民政府办公室", "麻栗镇人民政府", "县委常委、副县长张三", "2024-12-31"],
                                            [2, "督办乙", "县财政局（局长 王某某）", "县发改局牵头、统计局", "张三同志", "2024-12-31"],
                                            [3, "督办丙", "马关县财政局", "", "县委常委、副县长李四", "2024-12-31"]])
    with pytest.raises(LedgerError) as e:
        run(path, staff_user, dry_run=True)
    assert e.value.result.error_messages() == ["第5行：责任领导“李四”不在人员名录中"]
    r1, r2, r3 = e.value.result.rows
    assert (r1.lead, r1.co, r1.leaders) == (["县政府办"], ["麻栗"], ["县委常委、副县长张三"])
    assert (r2.lead, r2.co) == (["财政局"], ["县发改局", "统计局"]) and r3.lead == ["财政局"]
    assert gov.pk and town.pk


def test_duplicates_in_the_file_and_against_existing_tasks(tmp_path, staff_user, units):
    rows = [["2024年台账"], H, [1, "推进重点项目开工", "县发改局", "", "", "2024-12-31"],
            [2, "推进重点项目开工", "县发改局", "", "", "2024-12-31"],
            [3, "同名但单位不同", "县发改局", "", "", "2024-12-31"], [4, "同名但单位不同", "财政局", "", "", "2024-12-31"]]
    path = write_xlsx(tmp_path / "h.xlsx", rows)
    result = run(path, staff_user)
    assert result.created == 3 and result.rows[1].skipped == "与第3行重复"
    again = io.StringIO()
    with pytest.raises(CommandError, match="没有可导入的事项"):
        call_command("import_ledger", str(path), "--user", "duchashi", stdout=again, stderr=io.StringIO())
    assert "与已有事项 DB-" in again.getvalue() and "已创建" not in again.getvalue()
    assert Task.objects.count() == 3
    assert run(path, staff_user, allow_duplicates=True).created == 4
    assert Task.objects.count() == 7 and len(set(Task.objects.values_list("code", flat=True))) == 7


def test_a_refused_import_never_says_created(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "i.xlsx", [["2024年台账"], H, [1, "好的一行", "县发改局", "", "", "2024-12-31"],
                                            [2, "坏的一行", "县宣传部", "", "", "2024-12-31"]])
    out = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何事项"):
        call_command("import_ledger", str(path), "--user", "duchashi", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "已创建" not in text and "第3行\t未导入" in text and "第4行\t错误" in text
    assert Task.objects.count() == 0


def test_heading_in_the_number_column_and_names_with_a_separator(tmp_path, staff_user, units):
    Unit.objects.create(name="县委、县政府督查室", short_name="督查室", sort_order=12)
    path = write_xlsx(tmp_path / "j.xlsx", [["2024年台账"], H,
                                            ["一、经济发展", None, None, None, None, None],
                                            [1, "督办甲", "县委、县政府督查室", "", "", "2024-12-31"],
                                            [2, None, None, None, None, None],  # a pre-numbered empty row
                                            [3, "督办乙", "财政局、县委、县政府督查室", "", "", "2024-12-31"]])
    result = run(path, staff_user, dry_run=True)
    assert [(r.row, r.skipped) for r in result.rows] == [(3, "分类标题行：一、经济发展"), (4, ""), (6, "")]
    assert result.rows[1].lead == ["督查室"] and result.rows[2].lead == ["督查室", "财政局"]


def test_own_codes_are_kept_and_new_ones_never_collide(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "k.xlsx", [["2024年台账"], ["编号"] + H,
                                            ["", 1, "没有编号的事项", "财政局", "", "", "2024-12-31"],
                                            ["DB-2024-0001", 2, "带编号的事项", "财政局", "", "", "2024-12-31"]])
    run(path, staff_user)
    assert dict(Task.objects.values_list("title", "code")) == {"带编号的事项": "DB-2024-0001", "没有编号的事项": "DB-2024-0002"}

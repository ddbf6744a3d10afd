"""Round trip: our own 事项明细 sheet re-imports into an empty database and the next report has the
same totals (issue #11: it used to read 时限要求 over 完成时限, 100 % as 1 %, reopen closed tasks,
drop codes, meetings, grades and 挂牌, and show 0 overdue instead of 434)."""
import datetime as dt

from openpyxl import Workbook, load_workbook

from accounts.models import Person, Role
from tasks.models import Meeting, Notice, ProgressReport, Task
from tasks.selectors import stats
from tasks.services.ledger import import_ledger
from tasks.services.reports import generate_report
from tests.reports.conftest import ON

NOW = dt.datetime(2024, 6, 5, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
KEYS = ("total", "open", "closed", "closed_on_time", "closed_late", "overdue", "lagging", "due_soon", "on_track",
        "no_deadline", "flagged", "closed_in_period", "new_in_period", "on_time_rate", "completion_rate")


def test_detail_sheet_round_trip(units, make_task, staff_user, tmp_path):
    leader = Person.objects.create(name="张三", title="县委常委、副县长", role=Role.LEADER, is_leader=True)
    meeting = Meeting.objects.create(title="县委常委会第12次会议", date=dt.date(2024, 4, 28))
    fg, cz, tj, zj, jt = (units[k] for k in ("县发改局", "财政局", "统计局", "县住建局", "交通局"))
    make_task("清理拖欠企业账款", lead=cz, co=[fg], deadline=dt.date(2024, 5, 26), progress=50, flagged=True,
              deadline_text="5月底前", meeting=meeting, leaders=[leader])
    make_task("盘活闲置国有资产", lead=cz, deadline=dt.date(2024, 6, 3), progress=100, deadline_text="6月上旬")
    make_task("统计数据质量核查", lead=tj, deadline=dt.date(2024, 7, 31), start=dt.date(2024, 4, 1))
    make_task("报送一季度统计公报", lead=tj, co=[jt], deadline=dt.date(2024, 6, 7), progress=90)
    make_task("编制十五五规划纲要", lead=fg, deadline=dt.date(2024, 12, 31), progress=30, deadline_text="年底前")
    make_task("供暖季前完成管网改造", lead=zj, deadline=None, deadline_text="供暖季前", progress=10)
    make_task("老旧小区改造验收", lead=zj, deadline=dt.date(2024, 6, 30), status="closed", progress=100,
              closed_on=dt.date(2024, 6, 4), grade="good", assigned=dt.date(2024, 6, 1), start=dt.date(2024, 6, 1))
    make_task("预算绩效评价", lead=cz, deadline=dt.date(2024, 6, 1), status="closed", progress=100,
              closed_on=dt.date(2024, 6, 3), grade="pass", meeting=meeting)
    make_task("=HYPERLINK(\"x\")以等号开头的标题", lead=fg, deadline=dt.date(2024, 8, 1), progress=0)
    before = stats.totals(ON)
    ranking_before = [(r["unit"], r["counted"], r["overdue"], r["score"]) for r in stats.unit_ranking(ON)]
    rf = generate_report(on=ON, trigger="command", announce=False)

    # the 事项明细 sheet alone, as an office would save it from the workbook
    with rf.file.open("rb") as fh:
        src = load_workbook(fh)
    out = Workbook()
    ws = out.active
    ws.title = "事项明细"
    for row in src["事项明细"].iter_rows():
        ws.append([c.value for c in row])
        for c, new in zip(row, ws[ws.max_row]):
            new.number_format = c.number_format
            if c.data_type == "s":  # a text cell stays text (as Excel keeps it), even when it starts with "="
                new.data_type = "s"
    path = tmp_path / "事项明细.xlsx"
    out.save(path)

    codes = set(Task.objects.values_list("code", flat=True))
    for model in (Notice, ProgressReport, Task, Meeting):
        model.objects.all().delete()
    from tasks.services.ledger import LedgerError

    try:
        with open(path, "rb") as fh:
            result = import_ledger(fh, by=staff_user, now=NOW)
    except LedgerError as exc:
        raise AssertionError(exc.result.error_messages() if exc.result else exc.message) from None
    assert result.created == 9 and not result.skipped
    assert set(Task.objects.values_list("code", flat=True)) == codes  # codes kept
    t = Task.objects.get(title="清理拖欠企业账款")
    assert t.flagged and t.meeting.title == "县委常委会第12次会议" and t.deadline == dt.date(2024, 5, 26)
    assert t.deadline_text == "5月底前" and t.progress == 50 and [p.name for p in t.leaders.all()] == ["张三"]
    assert {(a.unit.short_name, a.role) for a in t.assignments.select_related("unit")} == {("财政局", "lead"), ("县发改局", "co")}
    assert Task.objects.get(title="盘活闲置国有资产").progress == 100  # 100 %, not 1 %
    done = Task.objects.get(title="老旧小区改造验收")
    assert done.status == "closed" and done.grade == "good" and done.closed_at.astimezone().date() == dt.date(2024, 6, 4)
    assert Task.objects.get(title__startswith="=HYPERLINK").title == "=HYPERLINK(\"x\")以等号开头的标题"

    after = stats.totals(ON)
    assert {k: after[k] for k in KEYS} == {k: before[k] for k in KEYS}
    assert after["overdue"] == 2 and after["closed"] == 2
    assert [(r["unit"], r["counted"], r["overdue"], r["score"]) for r in stats.unit_ranking(ON)] == ranking_before

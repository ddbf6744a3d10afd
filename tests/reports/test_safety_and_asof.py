"""Cells are data, never formulas; a past date's report shows that day's state from the history."""
import datetime as dt
import re
import zipfile

import pytest
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import load_workbook

from accounts.models import Role
from accounts.services import create_login
from tasks.models import ProgressReport, Task
from tasks.selectors import stats
from tasks.services import workflow
from tasks.services.reports import generate_report
from tests.reports.conftest import ON

NASTY = ["=1+1", "+1", "-1", "@SUM(1)", "＝1", '=HYPERLINK("http://127.0.0.1/x","点我")', "-2+3", "\t=1"]


def test_no_formula_anywhere(units, make_task):
    cz = units["财政局"]
    for i, text in enumerate(NASTY):
        t = make_task(text, lead=cz, deadline=dt.date(2024, 6, 1), deadline_text=text)
        p = ProgressReport.objects.create(task=t, unit=cz, text=text, percent=10, period=text[:20])
        ProgressReport.objects.filter(pk=p.pk).update(created_at=timezone.make_aware(dt.datetime(2024, 6, 4, 9, i)))
    units["财政局"].name = "=1+1单位"
    units["财政局"].save()
    rf = generate_report(on=ON, trigger="command", announce=False)
    with rf.file.open("rb") as fh, zipfile.ZipFile(fh) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 7
        for name in sheets:
            xml = z.read(name).decode()
            assert not re.search(r"<(\w+:)?f[ >/]", xml), name
    with rf.file.open("rb") as fh:
        wb = load_workbook(fh)
    header = [c.value for c in wb["事项明细"][2]]
    col = {h: i for i, h in enumerate(header)}
    detail = {r[2]: r for r in wb["事项明细"].iter_rows(min_row=3, values_only=True)}
    for text in NASTY:
        assert text in detail, text  # kept exactly, as text
        assert detail[text][col["时限要求"]] == text and detail[text][col["最新进展"]] == text
    progress_texts = {r[6] for r in wb["本周进展"].iter_rows(min_row=3, values_only=True)}
    assert set(NASTY) <= progress_texts
    cell = next(c for c in wb["事项明细"]["C"] if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix
    assert "=1+1单位" in [r[1] for r in wb["单位排名"].iter_rows(min_row=3, values_only=True)]


@pytest.fixture
def history(units, staff_user):
    """One task assigned on 06-03, signed and reported on 06-04, extended on 06-06, closed on 06-10,
    each through the workflow service at that day (freezegun), so the history holds every state."""
    cz = units["财政局"]
    op = create_login(username="op-cz", password="Op-2024-secret!", name="联络员", role=Role.OPERATOR, unit=cz).user
    with freeze_time("2024-06-03 09:00:00+08:00"):
        task = workflow.create_task(title="清理拖欠企业账款", by=staff_user, units=[(cz, "lead")],
                                    deadline=dt.date(2024, 6, 5))
    with freeze_time("2024-06-04 10:00:00+08:00"):
        workflow.acknowledge(task=task, unit=cz, by=op)
        workflow.report_progress(task=task, unit=cz, by=op, text="已清理三成", percent=30)
    with freeze_time("2024-06-06 10:00:00+08:00"):
        workflow.set_deadline(task=task, by=staff_user, deadline=dt.date(2024, 6, 20))
    with freeze_time("2024-06-10 10:00:00+08:00"):
        workflow.report_progress(task=task, unit=cz, by=op, text="全部清理完毕", percent=100)
        req = workflow.request_completion(task=task, unit=cz, by=op, summary="已完成")
        workflow.decide_completion(request=req, by=staff_user, approve=True, grade="excellent")
    return task


def test_past_day_uses_that_days_state(history):
    task = Task.objects.get(pk=history.pk)
    assert task.status == "closed" and task.progress == 100  # today
    with freeze_time("2024-06-12 12:00:00+08:00"):
        on_3 = stats.totals(dt.date(2024, 6, 3))
        on_4 = stats.totals(dt.date(2024, 6, 4))
        on_7 = stats.totals(dt.date(2024, 6, 7))  # the old deadline had passed, but it was extended on 06-06
        on_11 = stats.totals(dt.date(2024, 6, 11))
        before = stats.totals(dt.date(2024, 6, 2))
        detail_4 = list(stats.detail_tasks(dt.date(2024, 6, 4)).values("status", "progress", "light", "deadline"))
        latest = stats.latest_progress_for([task.pk], dt.date(2024, 6, 4))
        rank_4 = stats.unit_ranking(dt.date(2024, 6, 4))
        rank_11 = stats.unit_ranking(dt.date(2024, 6, 11))
    assert before["total"] == 0
    assert (on_3["open"], on_3["closed"], on_3["by_status"]["assigned"]) == (1, 0, 1)
    assert on_4["by_status"]["in_progress"] == 1 and on_4["due_soon"] + on_4["lagging"] == 1
    assert detail_4 == [{"status": "in_progress", "progress": 30, "light": "yellow", "deadline": dt.date(2024, 6, 5)}]
    assert latest == {task.pk: "已清理三成"}
    assert on_7["overdue"] == 0 and on_7["open"] == 1
    assert on_11["closed"] == 1 and on_11["closed_on_time"] == 1 and on_11["open"] == 0
    assert rank_4[0]["acked"] == 0 or rank_4[0]["counted"] == 0  # due on 06-05: not yet counted on 06-04
    assert rank_11[0]["on_time"] == 1 and rank_11[0]["rank"] == 1


def test_past_report_says_so_in_its_title(history):
    with freeze_time("2024-06-12 12:00:00+08:00"):
        rf = generate_report(on=dt.date(2024, 6, 4), trigger="command", announce=False)
        today_rf = generate_report(trigger="command", announce=False)
    assert "据历史记录" in rf.title and "6月4日" in rf.title
    assert "据历史记录" not in today_rf.title
    with rf.file.open("rb") as fh:
        wb = load_workbook(fh)
    assert "据系统历史记录还原" in wb["总体情况"]["A1"].value
    col = {c.value: i for i, c in enumerate(wb["事项明细"][2])}
    rows = {r[2]: r for r in wb["事项明细"].iter_rows(min_row=3, values_only=True)}
    assert rows["清理拖欠企业账款"][col["状态"]] == "推进中" and rows["清理拖欠企业账款"][col["进度"]] == 0.3

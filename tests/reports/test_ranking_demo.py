"""The ranking of the `bin/run` demo: after one unit signs, reports and closes a task on time, that
unit is ahead of the idle ones — in the selector and on the leaders' dashboard (same function)."""
import io
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Role
from accounts.services import create_login
from tasks.models import Assignment, Task
from tasks.selectors import stats
from tasks.services import workflow


def test_demo_unit_that_works_ranks_ahead_of_idle_ones(db, client):
    call_command("bootstrap_demo", stdout=io.StringIO(), stderr=io.StringIO())
    User = get_user_model()
    staff = User.objects.get(username="duchashi")
    assert Task.objects.count() >= 5
    before = stats.unit_ranking()
    assert before and all(r["rank"] is None for r in before)  # nothing due, closed or overdue yet: nobody "先进"
    lead = (Assignment.objects.filter(role=Assignment.Role.LEAD, task__deadline__isnull=False)
            .select_related("unit", "task").order_by("task__deadline", "id").first())
    unit, task = lead.unit, lead.task
    op = create_login(username="demo-op", password="Op-2024-secret!", name="联络员", role=Role.OPERATOR, unit=unit).user
    workflow.acknowledge(task=task, unit=unit, by=op)
    workflow.report_progress(task=task, unit=unit, by=op, text="已完成主体工作", percent=80)
    req = workflow.request_completion(task=task, unit=unit, by=op, summary="已按要求完成")
    workflow.decide_completion(request=req, by=staff, approve=True, grade="good")
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED and task.closed_at.date() <= task.deadline

    rows = stats.unit_ranking()
    mine = next(r for r in rows if r["unit_id"] == unit.pk)
    assert mine["rank"] == 1 and mine["on_time"] == 1 and mine["acked"] == 1 and mine["score"] > 0
    idle = [r for r in rows if r["unit_id"] != unit.pk]
    assert idle, "the demo has other units with lead tasks"
    for r in idle:
        assert rows.index(r) > rows.index(mine)
        assert r["rank"] is None or r["rank"] > mine["rank"], r

    leader = create_login(username="demo-leader", password="Ld-2024-secret!", name="领导", role=Role.LEADER).user
    client.force_login(leader)
    html = client.get("/portal/dashboard/").content.decode()
    units_in_table = re.findall(r'<tr data-unit="([^"]+)"', html)
    assert units_in_table and units_in_table[0] == unit.name

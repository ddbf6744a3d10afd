"""13710 checkpoints (issue #9 item 5): done when their event happens; none after the task's deadline."""
import datetime as dt

import pytest

from accounts.services import create_login
from tasks.models import Reminder, Task
from tasks.selectors.reminders import task_checkpoints
from tasks.services import reminders, workflow

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(units):
    u1, u2, _ = units
    staff = create_login(username="dcs", password="Tracker-2026!", name="王督查", role="staff")
    lead = create_login(username="fgj", password="Tracker-2026!", name="张联络", role="operator", unit=u1)
    co = create_login(username="zjj", password="Tracker-2026!", name="李联络", role="operator", unit=u2)
    return staff.user, lead.user, co.user


def test_deploy_checkpoint_is_done_when_the_lead_unit_signs(units, people):
    u1, u2, _ = units
    staff, lead, co = people
    t = workflow.create_task(title="推进老旧小区改造", by=staff, units=[(u1, "lead"), (u2, "co")],
                             deadline=dt.date(2026, 12, 31), now=at("2026-11-16"))
    cps = {c["key"]: c for c in task_checkpoints(t, on=dt.date(2026, 11, 16))}
    assert not cps["deploy"]["done"] and cps["deploy"]["waiting"] == ["县发改局", "县住建局"]
    workflow.acknowledge(task=t, unit=u1, by=lead, now=at("2026-11-16", 15))
    cps = {c["key"]: c for c in task_checkpoints(t, on=dt.date(2026, 11, 23))}
    # the lead signed on time: 部署签收 is done (the co-unit that has not signed is shown, not blocking)
    assert cps["deploy"]["done"] and cps["deploy"]["met"] and not cps["deploy"]["missed"]
    assert cps["deploy"]["waiting"] == ["县住建局"]
    assert not cps["report"]["done"]
    workflow.report_progress(task=Task.objects.get(pk=t.pk), unit=u1, by=lead, text="已制定方案", percent=10)
    cps = {c["key"]: c for c in task_checkpoints(t)}
    assert cps["report"]["done"] and cps["report"]["done_at"] is not None
    # the portal shows it as done, not 待完成
    from django.test import Client

    c = Client()
    c.force_login(lead)
    page = c.get(f"/portal/tasks/{t.pk}/").content.decode()
    deploy_line = page.split('data-key="deploy"')[1].split("</li>")[0]
    assert "待完成" not in deploy_line and "完成" in deploy_line


def test_no_checkpoint_falls_after_an_instructions_deadline(units, people):
    u1, _, _ = units
    staff, lead, _ = people
    # an urgent 批示件: 5 working days from Monday 11-16 → Monday 11-23; 办结 (7 working days) would be 11-25
    t = workflow.create_task(title="领导批示：立即核查处置", by=staff, units=[(u1, "lead")], source="instruction",
                             urgency="urgent", deadline=dt.date(2026, 11, 23), now=at("2026-11-16"))
    cps = task_checkpoints(t, on=dt.date(2026, 11, 17))
    assert all(c["due"] <= t.deadline for c in cps), [(c["key"], c["due"]) for c in cps]
    assert {c["key"]: c["due"] for c in cps} == {"deploy": dt.date(2026, 11, 17), "report": dt.date(2026, 11, 19),
                                                  "settle": dt.date(2026, 11, 23)}
    # a deadline sooner than the 进展 checkpoint pulls it in too
    t2 = workflow.create_task(title="领导批示：两日内报告", by=staff, units=[(u1, "lead")], source="instruction",
                              urgency="urgent", deadline=dt.date(2026, 11, 18), now=at("2026-11-16"))
    assert max(c["due"] for c in task_checkpoints(t2)) == dt.date(2026, 11, 18)
    # the reminders follow the deadline there (临期/逾期), not a later checkpoint date
    reminders.sweep(at("2026-11-26"))
    assert not Reminder.objects.filter(kind="checkpoint", period__in=["settle", "report"], task=t2).exists()
    assert Reminder.objects.filter(kind="overdue", unit=u1).exists()

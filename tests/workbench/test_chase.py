"""人工催办: one click records who chased whom, how and when, and sends through the reminders'
own rows (kind "manual") — in-app notice always, email when the unit has an address."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tasks.models import Chase, Notice, Reminder
from tasks.services import workflow
from tasks.services.chase import chase_task
from tasks.services.workflow import WorkflowError
from tests.workbench.conftest import future, unit

pytestmark = pytest.mark.django_db

WORKDAY = timezone.make_aware(dt.datetime(2026, 12, 2, 10, 0))  # a Wednesday


def _task(users):
    fgj, czj = unit("县发展和改革局"), unit("县财政局")
    czj.email = "czj@example.invalid"
    czj.save()
    return workflow.create_task(title="推进项目建设", by=users["staff"], units=[(fgj, "lead"), (czj, "co")], deadline=future(30))


def test_chase_records_and_sends(users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    task = _task(users)
    workflow.acknowledge(task=task, unit=unit("县发展和改革局"), by=users["operator"])
    before = Notice.objects.count()
    c = chase_task(task=task, by=users["staff"], message="请于本周五前报送进展", now=WORKDAY)
    assert c.by == users["staff"] and c.created_at is not None
    assert list(c.units.all()) == [unit("县财政局")]  # only the unit that has not signed
    assert c.channels == "站内通知、邮件"
    rows = Reminder.objects.filter(kind="manual", task=task)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "inbox"]
    assert all("请于本周五前报送进展" in r.body and "王督查" in r.body for r in rows)
    assert c.sent["sent"] == 2 and set(rows.values_list("state", flat=True)) == {"sent"}
    assert Notice.objects.count() == before + 1
    assert Notice.objects.latest("id").unit == unit("县财政局")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["czj@example.invalid"]
    # a second chase is a new record with its own reminders (not swallowed by the exactly-once key)
    c2 = chase_task(task=task, by=users["staff"], units=[unit("县发展和改革局")], now=WORKDAY)
    assert Chase.objects.filter(task=task).count() == 2 and list(c2.units.all()) == [unit("县发展和改革局")]
    assert Reminder.objects.filter(kind="manual", task=task).count() == 3


def test_chase_refusals(users):
    task = _task(users)
    with pytest.raises(WorkflowError, match="只有督查室"):
        chase_task(task=task, by=users["operator"], now=WORKDAY)
    with pytest.raises(WorkflowError, match="责任单位"):
        chase_task(task=task, by=users["staff"], units=[unit("县教育体育局")], now=WORKDAY)
    with pytest.raises(WorkflowError, match="不能超过"):
        chase_task(task=task, by=users["staff"], message="催" * 501, now=WORKDAY)
    workflow.cancel_task(task=task, by=users["staff"], reason="重复立项")
    with pytest.raises(WorkflowError, match="不需要催办"):
        chase_task(task=task, by=users["staff"], now=WORKDAY)
    assert not Chase.objects.exists() and not Reminder.objects.filter(kind="manual").exists()


def test_chase_view(staff_client, client, users):
    task = _task(users)
    r = staff_client.post(f"/workbench/tasks/{task.pk}/chase/", {"next": "/workbench/tasks/"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == "/workbench/tasks/"
    assert f"已催办 {task.code}" in html and "县发展和改革局、县财政局" in html and "王督查" in html
    assert Chase.objects.filter(task=task).count() == 1
    html = staff_client.get(f"/workbench/tasks/{task.pk}/").content.decode()
    assert "王督查 催办" in html
    # an outside "next" is not followed
    r = staff_client.post(f"/workbench/tasks/{task.pk}/chase/", {"next": "https://example.com/"})
    assert r["Location"] == f"/workbench/tasks/{task.pk}/"
    client.force_login(users["operator"])
    assert client.post(f"/workbench/tasks/{task.pk}/chase/").status_code == 403
    assert Chase.objects.filter(task=task).count() == 2


def test_chase_selected_from_the_unacknowledged_queue(staff_client, users):
    from tasks.models import Assignment

    t1 = workflow.create_task(title="事项一", by=users["staff"], units=[(unit("县发展和改革局"), "lead"), (unit("县财政局"), "co")],
                              deadline=future(30), now=timezone.now() - dt.timedelta(days=5))
    t2 = workflow.create_task(title="事项二", by=users["staff"], units=[(unit("县财政局"), "lead")], deadline=future(30),
                              now=timezone.now() - dt.timedelta(days=5))
    ids = list(Assignment.objects.filter(task__in=[t1, t2]).values_list("pk", flat=True))
    r = staff_client.post("/workbench/queues/unacknowledged/", {"ids": ids, "message": "请今天签收"}, follow=True)
    assert "已催办 2 项事项的 3 个单位" in r.content.decode()
    assert Chase.objects.count() == 2 and Chase.objects.get(task=t1).units.count() == 2
    assert all(c.message == "请今天签收" for c in Chase.objects.all())
    workflow.cancel_task(task=t2, by=users["staff"], reason="重复")
    r = staff_client.post("/workbench/queues/unacknowledged/", {"ids": ids}, follow=True)
    html = r.content.decode()
    assert f"未催办：{t2.code}：该事项已撤销" in html and "已催办" not in html.replace("未催办", "")
    assert Chase.objects.count() == 2  # all or nothing
    r = staff_client.post("/workbench/queues/unacknowledged/", {"ids": []}, follow=True)
    assert "请先勾选要催办的单位" in r.content.decode()

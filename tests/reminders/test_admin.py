"""Staff see failed / given-up reminders in the admin and can retry them."""
import pytest
from freezegun import freeze_time

from tasks.models import Reminder
from tasks.services import reminders

from .conftest import at, make_task

pytestmark = pytest.mark.django_db


def test_admin_filters_and_retry_action(units, receiver, admin_client):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    receiver.fail_first = 1
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.run(at("2026-11-23"))
    r = Reminder.objects.get(channel="wecom", state="failed")
    page = admin_client.get("/admin/tasks/reminder/?state__exact=failed")
    assert page.status_code == 200 and r.subject in page.content.decode()
    with freeze_time("2026-11-23T03:00:00Z"):  # a working day (the action uses the current time)
        resp = admin_client.post("/admin/tasks/reminder/", {"action": "retry_now", "_selected_action": [r.pk]}, follow=True)
    assert "已重试 1 条：成功 1 条" in resp.content.decode()
    r.refresh_from_db()
    assert r.state == "sent" and len(receiver.calls) == 2


def test_admin_shows_which_digest_a_reminder_went_out_in(units, admin_client):
    u1 = units[0]
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    make_task([u1], deadline="2026-11-20", acknowledged=True)
    reminders.run(at("2026-11-23"))
    merged = Reminder.objects.filter(state="merged", channel="email").first()
    assert merged is not None and merged.digest.state == "sent"
    page = admin_client.get("/admin/tasks/reminder/?state__exact=merged").content.decode()
    assert f"汇总 #{merged.digest_id}（已发送）" in page and "已并入汇总" in page

"""Exactly once: repeated sweeps, the command, retries with backoff, giving up, leases, concurrency."""
import datetime as dt
import threading
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tasks.models import Notice, Reminder
from tasks.reminders import policy
from tasks.services import reminders

from .conftest import at, make_task

NOW = at("2026-11-23")


def _scenario(units, leader):
    u1, u2, u3 = units
    make_task([u1, u2], deadline="2026-11-24", acknowledged=True)        # due soon
    make_task([u1, u3], deadline="2026-11-20", acknowledged=True)        # overdue digest
    make_task([u2], deadline="2026-11-10", leaders=[leader], acknowledged=True)  # escalation
    make_task([u3], deadline="2026-12-31", assigned="2026-11-16")      # checkpoints missed


@pytest.mark.django_db
def test_second_sweep_queues_nothing_and_each_reminder_is_sent_once(units, leader, staff, receiver):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    _scenario(units, leader)
    first = reminders.run(NOW)
    assert first["queued"] > 10 and first["sent"] == first["queued"]
    assert reminders.sweep(NOW) == []
    assert reminders.sweep(at("2026-11-23", 16)) == []
    again = reminders.send_pending(at("2026-11-23", 16))
    assert again["sent"] == 0
    assert Reminder.objects.filter(state="sent").count() == first["queued"]
    # each in-app reminder made exactly one notice, each webhook one call
    assert Notice.objects.count() == Reminder.objects.filter(channel="inbox").count()
    assert len(receiver.calls) == Reminder.objects.filter(channel="wecom").count() > 0


@pytest.mark.django_db
def test_remind_command_prints_new_reminders_then_nothing(units, leader, staff):
    _scenario(units, leader)
    out = StringIO()
    call_command("remind", "--now", "2026-11-23T09:00", stdout=out)
    text = out.getvalue()
    n = Reminder.objects.count()
    assert f"新生成提醒 {n} 条。" in text
    assert "[临期提醒][邮件] 县发改局：" in text and "[逾期催办][站内通知]" in text and "[二次督办]" in text
    assert len([line for line in text.splitlines() if line.startswith("[")]) == n
    out2 = StringIO()
    call_command("remind", "--now", "2026-11-23T09:30", stdout=out2)
    assert out2.getvalue().strip() == "没有新的提醒"
    assert Reminder.objects.count() == n


@pytest.mark.django_db
def test_remind_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now 格式不正确"):
        call_command("remind", "--now", "明天")


@pytest.mark.django_db
def test_failed_send_is_retried_with_backoff_then_sent_once(units, receiver):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    receiver.fail_first = 2
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.run(NOW)
    r = Reminder.objects.get(channel="wecom")
    assert (r.state, r.attempts, r.next_attempt_at) == ("failed", 1, NOW + dt.timedelta(minutes=5))
    assert reminders.send_pending(NOW + dt.timedelta(minutes=4))["failed"] == 0  # still backing off
    assert len(receiver.calls) == 1
    reminders.send_pending(NOW + dt.timedelta(minutes=5))
    r.refresh_from_db()
    assert (r.state, r.attempts, r.next_attempt_at) == ("failed", 2, NOW + dt.timedelta(minutes=15))
    assert reminders.send_pending(NOW + dt.timedelta(minutes=16))["sent"] == 1
    r.refresh_from_db()
    assert (r.state, r.attempts, r.last_error) == ("sent", 3, "")
    assert len(receiver.calls) == 3
    assert reminders.send_pending(NOW + dt.timedelta(hours=2))["sent"] == 0
    assert len(receiver.calls) == 3


@pytest.mark.django_db
def test_send_given_up_after_max_attempts_and_staff_told(units, staff, receiver):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    receiver.fail_first = 10**6
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    t = NOW
    for _ in range(policy.MAX_ATTEMPTS + 2):
        reminders.send_pending(t)
        t += policy.BACKOFF_CAP + dt.timedelta(minutes=1)
    r = Reminder.objects.get(channel="wecom")
    assert r.state == "given_up" and r.attempts == policy.MAX_ATTEMPTS == len(receiver.calls)
    notice = Notice.objects.get(person=staff, title__startswith="【提醒发送失败】")
    assert "县发改局" in notice.body and "errcode=310000" in notice.body and "立即重试" in notice.body
    # staff fix the robot and press 立即重试
    receiver.fail_first = 0
    assert reminders.retry_now([r.pk], t)["sent"] == 1
    r.refresh_from_db()
    assert r.state == "sent"


@pytest.mark.django_db
def test_claim_of_a_killed_worker_is_reclaimed_after_the_lease(units, receiver):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    r = Reminder.objects.get(channel="wecom")
    assert reminders._claim(r.pk, NOW)  # a worker claims it, then dies before sending
    assert not reminders._claim(r.pk, NOW)  # the compare-and-swap lets nobody else in
    assert reminders.send_pending(NOW + dt.timedelta(minutes=9), ids=[r.pk])["sent"] == 0
    assert receiver.calls == []
    assert reminders.send_pending(NOW + policy.CLAIM_LEASE, ids=[r.pk])["sent"] == 1
    r.refresh_from_db()
    assert (r.state, r.attempts) == ("sent", 2) and len(receiver.calls) == 1


def _threads(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors, errors
    return results


needs_pg = pytest.mark.skipif(connection.vendor != "postgresql",
                              reason="concurrent writers from several threads need PostgreSQL (SQLite serialises writers)")


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_queue_each_reminder_once(units, leader, staff):
    _scenario(units, leader)
    for i in range(30):
        make_task([units[i % 3]], deadline="2026-11-24", acknowledged=True)
    a, b = _threads(2, lambda: reminders.sweep(NOW))
    total = Reminder.objects.count()
    assert total > 60
    assert not set(a) & set(b)  # nobody reports a row the other one inserted
    assert sorted(a + b) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert Reminder.objects.values("key").distinct().count() == total


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_reminder_once(units, leader, staff, receiver):
    for u in units:
        u.webhook_kind, u.webhook_url = "wecom", f"{receiver.url}/send?key={u.pk}"
        u.save()
    for i in range(40):
        make_task([units[i % 3]], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    results = _threads(4, lambda: reminders.send_pending(NOW))
    total = Reminder.objects.count()
    assert sum(r["sent"] for r in results) == total
    assert Reminder.objects.filter(state="sent").count() == total
    webhook = Reminder.objects.filter(channel="wecom").count()
    contents = Counter(c["json"]["markdown"]["content"] + c["path"] + str(c["query"]) for c in receiver.calls)
    assert len(receiver.calls) == webhook == 40 and max(contents.values()) == 1
    assert Notice.objects.count() == Reminder.objects.filter(channel="inbox").count()


@pytest.mark.django_db
def test_a_robot_gets_at_most_its_rate_per_run_and_the_rest_later(units, receiver):
    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    for _ in range(policy.WEBHOOK_PER_RUN + 5):
        make_task([u1], deadline="2026-11-24", acknowledged=True)
    first = reminders.run(NOW)
    assert len(receiver.calls) == policy.WEBHOOK_PER_RUN and first["deferred"] == 5
    waiting = Reminder.objects.filter(channel="wecom", state="pending")
    assert waiting.count() == 5 and all(r.attempts == 0 for r in waiting)  # no attempt spent
    second = reminders.send_pending(at("2026-11-23", 10))
    assert second["sent"] == 5 and len(receiver.calls) == policy.WEBHOOK_PER_RUN + 5
    assert Reminder.objects.filter(channel="wecom", state="sent").count() == policy.WEBHOOK_PER_RUN + 5

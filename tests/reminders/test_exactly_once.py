"""Exactly once: repeated sweeps, the command, retries with backoff, giving up, leases, concurrency."""
import datetime as dt
import threading
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from freezegun import freeze_time

from tasks.models import Notice, Reminder
from tasks.reminders import policy
from tasks.services import reminders

from .conftest import at, delivered, make_task, messages

NOW = at("2026-11-23")


def _scenario(units, leader):
    u1, u2, u3 = units
    make_task([u1, u2], deadline="2026-11-24", acknowledged=True)        # due soon
    make_task([u1, u3], deadline="2026-11-20", acknowledged=True)        # overdue digest
    make_task([u2], deadline="2026-11-10", leaders=[leader], acknowledged=True)  # escalation
    make_task([u3], deadline="2026-12-31", assigned="2026-11-16")      # checkpoints missed


def _robot(unit, receiver, key="k"):
    unit.webhook_kind, unit.webhook_url = "wecom", f"{receiver.url}/send?key={key}"
    unit.save()


@pytest.mark.django_db
def test_second_sweep_queues_nothing_and_each_reminder_is_sent_once(units, leader, staff, receiver):
    _robot(units[0], receiver)
    _scenario(units, leader)
    first = reminders.run(NOW)
    queued = Reminder.objects.exclude(kind="digest")
    assert first["queued"] == queued.count() > 10
    assert first["sent"] == messages().count() and delivered().count() == queued.count()
    assert reminders.sweep(NOW) == []
    assert reminders.sweep(at("2026-11-23", 16)) == []
    again = reminders.send_pending(at("2026-11-23", 16))
    assert again["sent"] == 0
    # each message made exactly one notice / one robot post; every queued reminder went out in one
    assert Notice.objects.count() == messages("inbox").count()
    assert len(receiver.calls) == messages("wecom").count() > 0


@pytest.mark.django_db
def test_remind_command_prints_new_reminders_then_nothing(units, leader, staff):
    _scenario(units, leader)
    out = StringIO()
    call_command("remind", "--now", "2026-11-23T09:00", stdout=out)
    text = out.getvalue()
    n = Reminder.objects.exclude(kind="digest").count()
    assert f"新生成提醒 {n} 条" in text
    assert "[临期提醒][邮件] 县发改局：" in text and "[逾期催办][站内通知]" in text and "[二次督办]" in text
    assert len([line for line in text.splitlines() if line.startswith("[")]) == n
    assert f"发送：成功 {messages().count()} 条" in text
    out2 = StringIO()
    call_command("remind", "--now", "2026-11-23T09:30", stdout=out2)
    assert out2.getvalue().strip() == "没有新的提醒"
    assert Reminder.objects.exclude(kind="digest").count() == n


@pytest.mark.django_db
def test_remind_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now 格式不正确"):
        call_command("remind", "--now", "明天")


@pytest.mark.django_db
def test_failed_send_is_retried_with_backoff_from_the_failure_then_sent_once(units, receiver):
    _robot(units[0], receiver)
    receiver.fail_first = 2
    make_task([units[0]], deadline="2026-11-24", acknowledged=True)
    with freeze_time(NOW) as clock:
        reminders.run(NOW)
        r = Reminder.objects.get(channel="wecom")
        assert (r.state, r.attempts, r.next_attempt_at) == ("failed", 1, NOW + dt.timedelta(minutes=5))
        clock.tick(dt.timedelta(minutes=4))
        assert reminders.send_pending(NOW)["failed"] == 0  # still backing off
        assert len(receiver.calls) == 1
        clock.tick(dt.timedelta(minutes=1))
        reminders.send_pending(NOW)
        r.refresh_from_db()
        assert (r.state, r.attempts, r.next_attempt_at) == ("failed", 2, NOW + dt.timedelta(minutes=15))
        clock.tick(dt.timedelta(minutes=11))
        assert reminders.send_pending(NOW)["sent"] == 1
        r.refresh_from_db()
        assert (r.state, r.attempts, r.last_error) == ("sent", 3, "")
        assert len(receiver.calls) == 3
        clock.tick(dt.timedelta(hours=2))
        assert reminders.send_pending(NOW)["sent"] == 0
    assert len(receiver.calls) == 3


@pytest.mark.django_db
def test_given_up_rows_make_one_summary_per_staff_member_and_retry_uses_the_new_address(units, staff, receiver):
    from .conftest import Receiver

    u1, u2 = units[0], units[1]
    _robot(u1, receiver, "a")
    _robot(u2, receiver, "b")
    receiver.fail_first = 10**6
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    make_task([u2], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    with freeze_time(NOW) as clock:
        for _ in range(policy.MAX_ATTEMPTS + 2):
            reminders.send_pending(NOW)
            clock.tick(policy.BACKOFF_CAP + dt.timedelta(minutes=1))
    rows = Reminder.objects.filter(channel="wecom")
    assert [r.state for r in rows] == ["given_up"] * 2
    assert all(r.attempts == policy.MAX_ATTEMPTS for r in rows) and len(receiver.calls) == 2 * policy.MAX_ATTEMPTS
    summaries = Notice.objects.filter(person=staff, title__startswith="【提醒发送失败】")
    assert summaries.count() == 1  # both rows gave up in the same run: one notice, not one per row
    body = summaries.get().body
    assert "县发改局" in body and "县住建局" in body and "errcode=310000" in body and "立即重试" in body
    # staff fix 县发改局's robot (a new URL) and press 立即重试: the new robot gets it
    fixed = Receiver()
    try:
        u1.webhook_url = f"{fixed.url}/send?key=new"
        u1.save()
        r = rows.get(unit=u1)
        assert reminders.retry_now([r.pk], NOW)["sent"] == 1
        r.refresh_from_db()
        assert r.state == "sent" and r.target == u1.webhook_url and len(fixed.calls) == 1
    finally:
        fixed.stop()


@pytest.mark.django_db
def test_claim_of_a_killed_worker_is_reclaimed_after_the_lease_on_the_wall_clock(units, receiver):
    _robot(units[0], receiver)
    make_task([units[0]], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    r = Reminder.objects.get(channel="wecom")
    with freeze_time("2026-11-30 01:00:00") as clock:
        assert reminders._claim(r.pk)  # a worker claims it, then dies before sending
        assert not reminders._claim(r.pk)  # the compare-and-swap lets nobody else in
        # a run started with a `now` long after the claim still sees the lease (wall clock)
        assert reminders.send_pending(NOW + dt.timedelta(hours=5), ids=[r.pk])["sent"] == 0
        clock.tick(dt.timedelta(minutes=9))
        assert reminders.send_pending(NOW, ids=[r.pk])["sent"] == 0
        assert receiver.calls == []
        clock.tick(dt.timedelta(minutes=1))
        assert reminders.send_pending(NOW, ids=[r.pk])["sent"] == 1
    r.refresh_from_db()
    assert (r.state, r.attempts) == ("sent", 2) and len(receiver.calls) == 1


@pytest.mark.django_db
def test_a_mark_that_loses_its_claim_is_not_counted(units, receiver):
    """The sender's lease lapsed and another sender took the row: the first one's send is 'lost'."""
    _robot(units[0], receiver)
    make_task([units[0]], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    r = Reminder.objects.get(channel="wecom")
    assert reminders._claim(r.pk)
    mine = Reminder.objects.get(pk=r.pk)
    Reminder.objects.filter(pk=r.pk).update(next_attempt_at=None)  # the lease lapsed…
    assert reminders._claim(r.pk)                                   # …and someone else claimed it
    assert reminders._mark_sent(mine) == 0
    assert reminders._mark_failed(mine, "x") == "lost"
    assert Reminder.objects.get(pk=r.pk).state == "sending"


def _threads(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
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
    a, b = _threads(2, lambda i: reminders.sweep(NOW))
    total = Reminder.objects.exclude(kind="digest").count()
    assert total > 60
    assert not set(a) & set(b)  # nobody reports a row the other one inserted
    assert sorted(a + b) == sorted(Reminder.objects.exclude(kind="digest").values_list("pk", flat=True))
    assert Reminder.objects.values("key").distinct().count() == Reminder.objects.count()
    # every queued reminder is in exactly one message (itself, or one digest)
    assert not Reminder.objects.filter(state="merged", digest__isnull=True).exists()


@needs_pg
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_with_different_nows_send_each_message_once(units, leader, staff, receiver):
    """Four senders at once, started with `now`s 11 minutes apart (the old stale-`now` lease let
    the later ones take over the earlier ones' claims)."""
    for u in units:
        _robot(u, receiver, str(u.pk))
    s = reminders.office_settings()
    s.robot_mentions = False
    s.save()
    for i in range(40):
        make_task([units[i % 3]], deadline="2026-11-24", acknowledged=True, title=f"事项{i}")
    reminders.sweep(NOW)
    Reminder.objects.filter(kind="digest").delete()  # send every reminder as itself: many rows to fight over
    Reminder.objects.filter(state="merged").update(state="pending", digest=None)
    results = _threads(4, lambda i: reminders.send_pending(NOW + dt.timedelta(minutes=11 * i), concurrent=False))
    total = Reminder.objects.count()
    assert sum(r["sent"] for r in results) == Reminder.objects.filter(state="sent").count()
    webhook = Reminder.objects.filter(channel="wecom", state="sent").count()
    contents = Counter(c["json"]["markdown"]["content"] + c["path"] + str(c["query"]) for c in receiver.calls)
    assert len(receiver.calls) == webhook and max(contents.values()) == 1
    assert Notice.objects.count() == Reminder.objects.filter(channel="inbox", state="sent").count()
    # robots share one budget per minute: whatever was not sent waits untouched
    assert Reminder.objects.filter(state="pending", attempts=0).count() == total - Reminder.objects.filter(state="sent").count()

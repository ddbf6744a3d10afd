"""Reminders under faults: the figures of issue #13, each next to its peer measured in the same run.

    .venv/bin/python bench/reminder_faults.py                 # PostgreSQL database tracker_bench_faults
    .venv/bin/python bench/reminder_faults.py --db sqlite     # a SQLite file under /tmp
    options: --mails 400  --smtp-delay 0.01  --tasks 20000

1. overlap   Two sending runs started 1 s apart with `now`s 11 minutes apart (what `remind --now
             09:00` and `remind --now 09:11` did), against a local SMTP sink answering each
             command after --smtp-delay seconds: mails delivered twice. Peer: the pre-fix claim,
             whose lease counted from the run's `now` (patched back in for that half only).
2. robots    One sending run with 5 robots that never answer in time and 5 that answer in
             0.1 s, 10 messages each: wall time and what was delivered. Peer: the same run with
             the robots one after the other (concurrent=False).
3. digests   The first sweep on --tasks open tasks (bench/reminder_sweep.py's county): messages
             (rows the sender sends) and the largest number any one staff member receives per
             channel, with digests vs one message per reminder (the peer: digests switched off).
Prints Markdown tables for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _db import setup_django  # noqa: E402


def _at(hour: int, minute: int = 0) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(2026, 11, 23, hour, minute), timezone.get_current_timezone())


def _clear():
    from django.db import transaction

    from accounts.models import Person, Unit
    from tasks.models import Assignment, Notice, ProgressReport, Reminder, Task

    with transaction.atomic():
        for model in (Reminder, Notice, ProgressReport, Task.leaders.through, Assignment, Task, Person, Unit):
            model.objects.all()._raw_delete(model.objects.db)


# --- 1. overlapping runs ------------------------------------------------------------------------

class _StaleNowClaim:
    """The pre-fix behaviour, for the peer half only: a run's claims lease from the `now` the run
    was started with, and the run treats leases as expired by that `now`."""

    def __init__(self):
        self.local = threading.local()

    def __enter__(self):
        from django.db.models import F, Q

        from tasks.models import Reminder
        from tasks.reminders import policy
        from tasks.selectors import reminders as sel
        from tasks.services import reminders

        self.saved = (reminders._claim, reminders.send_pending, sel.reminders_due)
        local, orig_send, orig_due = self.local, reminders.send_pending, sel.reminders_due

        def claim(reminder_id, now=None):
            stale = local.now
            return bool(Reminder.objects.filter(pk=reminder_id, state__in=reminders.CLAIMABLE)
                        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=stale))
                        .update(state=Reminder.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=stale + policy.CLAIM_LEASE))

        def send_pending(now=None, **kw):
            local.now = now
            return orig_send(now, **kw)

        reminders._claim, reminders.send_pending = claim, send_pending
        sel.reminders_due = lambda clock, working_day=True: orig_due(local.now)
        return self

    def __exit__(self, *exc):
        from tasks.selectors import reminders as sel
        from tasks.services import reminders

        reminders._claim, reminders.send_pending, sel.reminders_due = self.saved


def overlap(n_mails: int, smtp_delay: float, peer: bool) -> dict:
    from django.conf import settings
    from django.db import connection

    from accounts.models import Unit
    from tasks.services import reminders
    from tests.reminders.faults import SmtpSink

    _clear()
    sink = SmtpSink(delay=smtp_delay)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    units = Unit.objects.bulk_create([Unit(name=f"单位{i}", email=f"u{i}@example.gov.cn") for i in range(n_mails)])
    reminders.insert_reminders([{"key": f"due_soon:t{i}:u{u.pk}:d1:email", "kind": "due_soon", "channel": "email", "period": "d1",
                                 "unit_id": u.pk, "subject": f"【临期提醒】事项{i}", "body": "请抓紧办理。"} for i, u in enumerate(units)])
    results = [None, None]

    def run(i, now, wait):
        time.sleep(wait)
        try:
            results[i] = reminders.send_pending(now, concurrent=False)
        finally:
            connection.close()

    import logging

    ctx = _StaleNowClaim() if peer else None
    if ctx:
        ctx.__enter__()
        logging.getLogger("tasks.services.reminders").setLevel(logging.CRITICAL)  # one "lost" line per duplicate
    try:
        t0 = time.perf_counter()
        threads = [threading.Thread(target=run, args=(0, _at(9), 0)), threading.Thread(target=run, args=(1, _at(9, 11), 1.0))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - t0
    finally:
        if ctx:
            ctx.__exit__(None, None, None)
            logging.getLogger("tasks.services.reminders").setLevel(logging.NOTSET)
        sink.stop()
    per = Counter((tuple(m["to"]), m["subject"]) for m in sink.messages)
    return {"queued": n_mails, "delivered": len(sink.messages), "distinct": len(per),
            "twice": sum(1 for v in per.values() if v > 1), "seconds": took,
            "counted_sent": sum(r["sent"] for r in results)}


# --- 2. hanging robots --------------------------------------------------------------------------

def robots(concurrent: bool) -> dict:
    from accounts.models import Unit
    from tasks.reminders import channels
    from tasks.services import reminders
    from tests.reminders.conftest import Receiver

    _clear()
    good = [Receiver() for _ in range(5)]
    hanging = [Receiver() for _ in range(5)]
    for r in good:
        r.delay = 0.1
    for r in hanging:
        r.delay = 30
    rows = []
    for i, r in enumerate(good + hanging):
        u = Unit.objects.create(name=f"机器人单位{i}", webhook_kind="wecom", webhook_url=f"{r.url}/send?key={i}-{time.time()}")
        rows += [{"key": f"due_soon:t{j}:u{u.pk}:d1:wecom", "kind": "due_soon", "channel": "wecom", "period": "d1",
                  "unit_id": u.pk, "subject": f"【临期提醒】事项{j}", "body": "请抓紧办理。"} for j in range(10)]
    reminders.insert_reminders(rows)
    t0 = time.perf_counter()
    counts = reminders.send_pending(_at(9), concurrent=concurrent)
    took = time.perf_counter() - t0
    out = {"seconds": took, "good_delivered": sum(len(r.calls) for r in good), **counts,
           "timeout": sum(channels.WEBHOOK_TIMEOUT)}
    for r in good + hanging:
        r.stop()
    return out


# --- 3. digests ---------------------------------------------------------------------------------

def digests(n_tasks: int, on_digest: bool) -> dict:
    from django.db.models import Count

    import reminder_sweep
    from tasks.models import Reminder
    from tasks.services import reminders

    reminder_sweep.reset(dt.date(2026, 11, 23))
    saved = reminders.plan_digests
    if not on_digest:
        reminders.plan_digests = lambda *a, **k: {}
    try:
        t0 = time.perf_counter()
        new = reminders.sweep(_at(9))
        took = time.perf_counter() - t0
    finally:
        reminders.plan_digests = saved
    sendable = Reminder.objects.exclude(state="merged")
    per_person = (sendable.filter(person__role="staff").values("person_id", "channel").annotate(n=Count("id"))
                  .order_by("-n").first() or {"n": 0})
    per_unit = (sendable.filter(unit__isnull=False).values("unit_id", "channel").annotate(n=Count("id"))
                .order_by("-n").first() or {"n": 0})
    return {"seconds": took, "queued": len(new), "messages": sendable.count(), "staff_max": per_person["n"],
            "unit_max": per_unit["n"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="postgres", choices=["postgres", "sqlite"])
    ap.add_argument("--mails", type=int, default=400)
    ap.add_argument("--smtp-delay", type=float, default=0.01)
    ap.add_argument("--tasks", type=int, default=20000)
    args = ap.parse_args()
    setup_django("tracker_bench_faults", args.db, debug=False)
    import os

    print(f"database: {args.db}; load average {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")

    print("### Overlapping runs (`now` 09:00 and 09:11, started 1 s apart), slow SMTP sink\n")
    print("| claim | mails queued | mails received | distinct | received twice | counted sent | wall time |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for peer in (True, False):
        r = overlap(args.mails, args.smtp_delay, peer)
        name = "peer: lease from the run's `now` (before)" if peer else "**lease from the clock at claim time (now)**"
        print(f"| {name} | {r['queued']} | {r['delivered']} | {r['distinct']} | **{r['twice']}** | {r['counted_sent']} | {r['seconds']:.1f} s |")

    print("\n### 5 hanging robots + 5 answering in 0.1 s, 10 messages each\n")
    print("| robots | wall time | delivered to the good robots | failed (one timeout per hanging robot) | held for the next run |")
    print("|---|---:|---:|---:|---:|")
    for conc in (False, True):
        r = robots(conc)
        name = "peer: one after the other" if not conc else "**in parallel (one thread per robot)**"
        print(f"| {name} | {r['seconds']:.1f} s | {r['good_delivered']} / 50 | {r['failed']} | {r['held']} |")

    print(f"\n### First sweep on {args.tasks:,} open tasks: messages per recipient\n")
    import reminder_sweep

    reminder_sweep.build(args.tasks, dt.date(2026, 11, 23))
    reminder_sweep.analyze()
    print("| | sweep time | reminders queued | messages to send | most messages to one staff member (one channel) | most to one unit (one channel) |")
    print("|---|---:|---:|---:|---:|---:|")
    for on in (False, True):
        r = digests(args.tasks, on)
        name = "peer: one message per reminder" if not on else "**digests per recipient and channel**"
        print(f"| {name} | {r['seconds']:.2f} s | {r['queued']:,} | {r['messages']:,} | {r['staff_max']} | {r['unit_max']} |")


if __name__ == "__main__":
    main()

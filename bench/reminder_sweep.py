"""Reminder sweep speed: the set-based sweep vs a naive per-task Python loop, same data, same run.

    .venv/bin/python bench/reminder_sweep.py --db sqlite            # a fresh SQLite file under /tmp
    .venv/bin/python bench/reminder_sweep.py --db postgres          # database tracker_bench_reminders
    options: --tasks 1000,10000,100000 (sizes measured in turn), --naive 3000 (tasks in the naive run)

For each size it builds a "lived-in" county (80 units, 1–2 units per task, leaders, progress
reports; tasks already past the escalation threshold are flagged, as earlier sweeps would have
done; ~5 % overdue, deadlines spread over the coming year) with bulk_create, then on Monday 2026-11-23 09:00 measures:
  first   the first sweep of the day (queue every reminder due today; send excluded)
  again   the next beat 30 minutes later (nothing new)
  queries the SQL statements each sweep ran (must not grow with the number of tasks)
and the naive loop (per task: its assignments, checks, get_or_create per reminder) on a
subset, extrapolated linearly to the full size. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402


def setup(db: str, reuse: bool = False) -> None:
    setup_django("tracker_bench_reminders", db, reuse=reuse, debug=os.environ.get("DEBUG", "1") == "1")


def build(n_tasks: int, on: dt.date, seed: int = 7) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Person, Role, Unit
    from tasks.models import Assignment, ProgressReport, Reminder, Task
    from tasks.selectors.reminders import WorkCalendar

    rnd = random.Random(seed)
    with transaction.atomic():  # raw deletes: the bench owns this database
        for model in (Reminder, ProgressReport, Task.leaders.through, Assignment, Task, Person, Unit):
            model.objects.all()._raw_delete(model.objects.db)
    units = Unit.objects.bulk_create([
        Unit(name=f"示范单位{i:03d}", short_name=f"单位{i:03d}", email=f"u{i}@example.gov.cn" if i % 2 == 0 else "",
             webhook_kind="wecom" if i % 5 == 0 else "", webhook_url="http://127.0.0.1:9/robot" if i % 5 == 0 else "")
        for i in range(80)])
    leaders = Person.objects.bulk_create([Person(name=f"领导{i}", role=Role.LEADER, is_leader=True, email=f"l{i}@example.gov.cn") for i in range(12)])
    Person.objects.bulk_create([Person(name=f"督查{i}", role=Role.STAFF, email=f"s{i}@example.gov.cn") for i in range(3)])
    cutoff = WorkCalendar().escalation_cutoff(on, 3)
    tz = timezone.get_current_timezone()
    batch = 5000
    for start in range(0, n_tasks, batch):
        tasks = []
        for i in range(start, min(start + batch, n_tasks)):
            # open tasks: ~5 % overdue (up to 20 days), the rest due within a year
            deadline = on + dt.timedelta(days=rnd.randint(-20, 380))
            assigned = min(on, deadline - dt.timedelta(days=rnd.randint(10, 400)))
            overdue = deadline < on
            tasks.append(Task(
                code=f"B{i:07d}", title=f"示范督办事项{i}", deadline=deadline, status="in_progress" if i % 10 else "assigned",
                assigned_at=timezone.make_aware(dt.datetime.combine(assigned, dt.time(10)), tz), start_date=assigned,
                progress=rnd.randint(0, 90), recurrence="monthly" if i % 20 == 0 else ("weekly" if i % 50 == 1 else ""),
                flagged=deadline <= cutoff, level=2 if deadline <= cutoff else (1 if overdue else 0),
            ))
        tasks = Task.objects.bulk_create(tasks)
        assignments, links, reports = [], [], []
        for t in tasks:
            k = 1 + (t.pk % 3 == 0)
            for j, u in enumerate(rnd.sample(units, k)):
                acked = (on - t.start_date).days > 2 and rnd.random() < 0.95
                assignments.append(Assignment(task=t, unit=u, role="lead" if j == 0 else "co",
                                              acknowledged_at=t.assigned_at + dt.timedelta(hours=5) if acked else None))
                if (on - t.start_date).days > 4 and rnd.random() < 0.8:
                    reports.append(ProgressReport(task=t, unit=u, text="按计划推进", percent=t.progress))
            links.append(Task.leaders.through(task_id=t.pk, person_id=leaders[t.pk % len(leaders)].pk))
        Assignment.objects.bulk_create(assignments)
        Task.leaders.through.objects.bulk_create(links)
        ProgressReport.objects.bulk_create(reports)


def reset(on: dt.date) -> None:
    """Back to the built state: no reminders, flags/levels as earlier sweeps would have left them."""
    from django.db import transaction

    from tasks.models import Reminder, Task
    from tasks.selectors.reminders import WorkCalendar

    cutoff = WorkCalendar().escalation_cutoff(on, 3)
    with transaction.atomic():
        Reminder.objects.all()._raw_delete(Reminder.objects.db)
        Task.objects.update(flagged=False, level=0)
        Task.objects.filter(deadline__lt=on).update(level=1)
        Task.objects.filter(deadline__lte=cutoff).update(flagged=True, level=2)


def profile(now) -> None:
    """--profile: the slowest statements of one sweep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.services import reminders

    with CaptureQueriesContext(connection) as ctx:
        reminders.sweep(now)
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"{q['time']}s  {q['sql'][:120]} … {q['sql'][q['sql'].find('WHERE'):][:400]}", file=sys.stderr)


def timed_sweep(now):
    """(seconds, "queries + INSERT batches", new reminders) of one sweep; queries counted by a
    light execute wrapper (no SQL formatting inside the timing)."""
    from django.db import connection

    from tasks.services import reminders

    counts = {"q": 0, "ins": 0}

    def count(execute, sql, params, many, context):
        counts["ins" if sql.startswith('INSERT INTO "tasks_reminder"') else "q"] += 1
        return execute(sql, params, many, context)

    import psycopg

    raw_execute = psycopg.Cursor.execute  # the PostgreSQL insert uses a raw server-binding cursor

    def raw_count(self, query, *a, **kw):
        if type(self) is psycopg.Cursor:  # Django's own (client) cursors are counted by the wrapper
            counts["ins" if str(query).startswith('INSERT INTO "tasks_reminder"') else "q"] += 1
        return raw_execute(self, query, *a, **kw)

    psycopg.Cursor.execute = raw_count
    try:
        with connection.execute_wrapper(count):
            t0 = time.perf_counter()
            new = reminders.sweep(now)
            secs = time.perf_counter() - t0
    finally:
        psycopg.Cursor.execute = raw_execute
    return secs, f"{counts['q']} + {counts['ins']} INSERT", len(new)


def live_in(now, days: int = 14) -> None:
    """Run the sweeps of the previous `days` days (untimed): the state a running office is in."""
    from tasks.services import reminders

    for i in range(days, 0, -1):
        reminders.sweep(now - dt.timedelta(days=i))


def analyze() -> None:
    """PostgreSQL: fresh statistics, as autovacuum keeps them in a live database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")


def naive_sweep(now, limit: int) -> tuple[float, int]:
    """The obvious implementation: loop over tasks in Python, a few queries per task."""
    from django.db import connection
    from django.utils import timezone

    from tasks import workdays
    from tasks.models import CompletionRequest, ProgressReport, Reminder, Task
    from tasks.reminders import policy
    from tasks.selectors.lights import office_settings

    on = timezone.localdate(now)
    s = office_settings()
    days = policy.due_soon_days(s.due_soon_days)
    cps = policy.checkpoints(s.checkpoints)
    q0 = len(connection.queries)
    t0 = time.perf_counter()
    for t in Task.objects.filter(status__in=("assigned", "in_progress")).order_by("id")[:limit]:
        assignments = list(t.assignments.select_related("unit"))
        todo = []
        if t.deadline and 0 <= (t.deadline - on).days and (t.deadline - on).days in days:
            todo += [("due_soon", a.unit, f"{t.deadline}-d{(t.deadline - on).days}") for a in assignments]
        if t.deadline and t.deadline < on:
            if t.level < 1:
                t.level = 1
                t.save(update_fields=["level"])
            if workdays.workdays_between(t.deadline, on) >= s.escalate_after_workdays and not t.flagged:
                t.flagged, t.level = True, 2
                t.save(update_fields=["flagged", "level"])
                todo += [("escalation", p, str(t.deadline)) for p in t.leaders.all()]
        start = timezone.localdate(t.assigned_at)
        for cp in cps:
            off, wd = cp.offset_for(t.urgency)
            due = workdays.add_workdays(start, off) if wd else start + dt.timedelta(days=off)
            if not (on - dt.timedelta(days=policy.CHECKPOINT_LOOKBACK_DAYS) <= due < on):
                continue
            for a in assignments:
                missing = (a.acknowledged_at is None if cp.requires == "acknowledge" else
                           not ProgressReport.objects.filter(task=t, unit=a.unit).exists() if cp.requires == "progress" else
                           not CompletionRequest.objects.filter(task=t).exists())
                if missing:
                    todo.append(("checkpoint", a.unit, cp.key))
        for kind, who, period in todo:
            for channel in ("inbox", "email"):
                Reminder.objects.get_or_create(
                    key=f"naive:{kind}:t{t.pk}:{who.pk}:{period}:{channel}",
                    defaults=dict(kind=kind, channel=channel, period=period, task=t, subject="x", body="x"))
    return time.perf_counter() - t0, len(connection.queries) - q0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--tasks", default="1000,10000,100000")
    ap.add_argument("--naive", type=int, default=3000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep the database of the previous run when it has N tasks")
    args = ap.parse_args()
    setup(args.db, args.reuse)
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.utils import timezone

    settings.DEBUG = True  # connection.queries for the naive count
    tz = timezone.get_current_timezone()
    now = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0), tz)
    print(f"## {connection.vendor} — sweep on Monday 2026-11-23 09:00\n")
    print("| open tasks | cold start: first sweep ever (10-day backlog) | queries + INSERT batches | queued "
          "| lived-in: first sweep of the day | queries + INSERT batches | queued | next beat (+30 min) | queries "
          "| naive loop (measured on) | naive, extrapolated |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    from tasks.models import Task

    for n in [int(x) for x in args.tasks.split(",")]:
        t0 = time.perf_counter()
        if args.reuse and Task.objects.count() == n:
            reset(now.date())
        else:
            build(n, now.date())
        print(f"<!-- data ready in {time.perf_counter() - t0:.1f} s -->", file=sys.stderr)
        reset_queries()
        if args.profile:
            profile(now)
            profile(now + dt.timedelta(minutes=30))
            continue
        analyze()
        cold, qc, nc = timed_sweep(now)
        reset(now.date())
        live_in(now)
        analyze()
        first, q1, queued = timed_sweep(now)
        again, q2, queued2 = timed_sweep(now + dt.timedelta(minutes=30))
        assert queued2 == 0, "the second sweep must queue nothing"
        reset(now.date())  # the naive loop starts from the same state
        m = min(args.naive, n)
        reset_queries()
        nsecs, nq = naive_sweep(now, m)
        extrap = nsecs * n / m
        print(f"| {n:,} | {cold:.2f} s | {qc} | {nc:,} | {first:.2f} s | {q1} | {queued:,} | {again:.2f} s | {q2} "
              f"| {nsecs:.2f} s, {nq:,} queries ({m:,} tasks) | ≈{extrap:.0f} s, ≈{nq * n // m:,} queries |", flush=True)

if __name__ == "__main__":
    main()

"""Weekly 督查通报 export speed and memory, side by side with django-import-export's xlsx export.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/report_export.py --db sqlite       # a fresh SQLite file under /tmp
    .venv/bin/python bench/report_export.py --db postgres     # database tracker_bench_reports
    options: --sizes 2500,5000,10000,20000  --units 80  --repeat 3  --peer-repeat 1

For each size the database is grown with the lead's `seed_demo` (bulk inserts: tasks spread over
past and future deadlines, 25 % closed with grades, progress reports, leaders, co units), then:
  ours   tasks.reports.workbook.write_report: the five-sheet workbook (lights in SQL, streamed
         write-only openpyxl, rows via values().iterator()), best of --repeat runs, wall time
  peer   django-import-export: a ModelResource over the same task rows as our 事项明细 sheet
         (code, title, meeting, meeting date, deadline text, deadline, status, progress, lead
         units), exported to xlsx through tablib — one sheet only, no lights, no styles
  peak   tracemalloc peak of one more run of each (separate from the timed runs, since tracing
         slows Python down)
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402


def setup(db: str) -> None:
    setup_django("tracker_bench_reports", db, debug=os.environ.get("DEBUG", "1") == "1")


def peer_export(on: dt.date) -> bytes:
    """django-import-export: the same rows as our 事项明细 sheet, as one xlsx sheet."""
    from import_export import fields, resources

    from tasks.models import Task
    from tasks.selectors import stats

    class TaskResource(resources.ModelResource):
        meeting_title = fields.Field(attribute="meeting__title", column_name="会议")
        meeting_date = fields.Field(attribute="meeting__date", column_name="会议日期")
        lead = fields.Field(column_name="牵头单位")

        class Meta:
            model = Task
            fields = ("code", "title", "meeting_title", "meeting_date", "deadline_text", "deadline", "status", "progress", "lead")
            export_order = fields

        def dehydrate_lead(self, task):
            return "、".join(a.unit.short_name or a.unit.name for a in task.assignments.all() if a.role == "lead")

    qs = stats.detail_tasks(on).prefetch_related("assignments__unit")
    dataset = TaskResource().export(queryset=qs)
    return dataset.export("xlsx")


def ours(on: dt.date) -> bytes:
    from tasks.reports.workbook import write_report

    buf = io.BytesIO()
    write_report(buf, on)
    return buf.getvalue()


def timed(fn, on, repeat):
    best, size = None, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = fn(on)
        dt_ = time.perf_counter() - t0
        best = dt_ if best is None else min(best, dt_)
        size = len(data)
    return best, size


def peak(fn, on):
    tracemalloc.start()
    try:
        fn(on)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--sizes", default="2500,5000,10000,20000")
    ap.add_argument("--units", type=int, default=80)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs of the (slow) peer per size")
    args = ap.parse_args()
    setup(args.db)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.models import Task
    from tasks.selectors import stats
    from tasks.services.demo import seed_demo

    on = dt.date(2026, 11, 23)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# report export, {args.db}, {args.units} units, reference day {on}, "
          f"ours best of {args.repeat}, peer best of {args.peer_repeat}\n")
    print("| tasks | detail rows | ours: time | ours: peak mem | ours: queries | ours: size | peer: time | peer: peak mem | peer: size |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    have = 0
    for n in sizes:
        seed_demo(units=args.units, tasks=n - have, on=on, seed=n)
        have = Task.objects.count()
        if connection.vendor == "postgresql":  # what autovacuum does after bulk inserts in production
            with connection.cursor() as c:
                c.execute("ANALYZE")
        rows = stats.detail_tasks(on).count()
        with CaptureQueriesContext(connection) as q:
            ours(on)
        t_ours, s_ours = timed(ours, on, args.repeat)
        t_peer, s_peer = timed(peer_export, on, args.peer_repeat)
        m_ours, m_peer = peak(ours, on), peak(peer_export, on)
        print(f"| {have:,} | {rows:,} | {t_ours:.2f} s | {m_ours / 1e6:.1f} MB | {len(q.captured_queries)} | {s_ours / 1e3:.0f} kB "
              f"| {t_peer:.2f} s | {m_peer / 1e6:.1f} MB | {s_peer / 1e3:.0f} kB |", flush=True)


if __name__ == "__main__":
    main()

"""Weekly 督查通报 export speed and memory, side by side with django-import-export's xlsx export.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/report_export.py --db sqlite       # a fresh SQLite file under /tmp
    .venv/bin/python bench/report_export.py --db postgres     # database tracker_bench_reports
    options: --sizes 2500,5000,10000,20000  --units 80  --repeat 3  --peer-repeat 1

For each size the database is grown with the lead's `seed_demo` (bulk inserts: tasks spread over
past and future deadlines, 25 % closed with grades, progress reports, leaders, co units), and each
task gets a history row (simple-history's bulk_history_create: seed_demo writes none, every real
task has them), then, for the report day = today, as a user runs it:
  ours   tasks.reports.workbook.write_report (the seven-sheet workbook: totals this week and last,
         主办/协办 rankings, every open/recently closed task with lights, overdue, the week's progress
         — the seeded progress reports are this week's, as after a real seed — 说明) plus
         tasks.reports.bulletin.write_bulletin (the 通报 .docx), best of --repeat runs; wall and CPU
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


SIZES: dict[str, int] = {}


def ours(on: dt.date) -> bytes:
    from tasks.reports.bulletin import write_bulletin
    from tasks.reports.workbook import write_report

    buf, doc = io.BytesIO(), io.BytesIO()
    summary = write_report(buf, on)
    write_bulletin(doc, on, summary, issue_year=on.year, issue_no=1)
    SIZES["docx"] = len(doc.getvalue())
    SIZES["progress_rows"] = summary["progress_rows"]
    return buf.getvalue()


def timed(fn, on, repeat):
    """(best wall, its CPU time, output size)."""
    best, size = None, 0
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        data = fn(on)
        run = (time.perf_counter() - t0, time.process_time() - c0)
        best = run if best is None or run[0] < best[0] else best
        size = len(data)
    return best[0], best[1], size


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
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from tasks.models import Task
    from tasks.selectors import stats
    from tasks.services.demo import seed_demo

    from django.utils import timezone

    on = timezone.localdate()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# report export, {args.db}, {args.units} units, report day {on} (today), "
          f"ours best of {args.repeat}, peer best of {args.peer_repeat}, load average {os.getloadavg()[0]:.1f} at start\n")
    print("| tasks | 明细 / 进展 rows | ours: wall | ours: CPU | ours: peak mem | ours: queries | ours: xlsx + docx "
          "| peer: wall | peer: CPU | peer: peak mem | peer: size |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    have = 0
    for n in sizes:
        seed_demo(units=args.units, tasks=n - have, on=on, seed=n)
        Task.history.bulk_history_create(list(Task.objects.filter(id__gt=Task.history.model.objects.aggregate(
            m=Max("id"))["m"] or 0)), batch_size=2000, default_change_reason="seed")
        have = Task.objects.count()
        if connection.vendor == "postgresql":  # what autovacuum does after bulk inserts in production
            with connection.cursor() as c:
                c.execute("ANALYZE")
        rows = stats.detail_tasks(on).count()
        with CaptureQueriesContext(connection) as q:
            ours(on)
        t_ours, c_ours, s_ours = timed(ours, on, args.repeat)
        t_peer, c_peer, s_peer = timed(peer_export, on, args.peer_repeat)
        m_ours, m_peer = peak(ours, on), peak(peer_export, on)
        print(f"| {have:,} | {rows:,} / {SIZES['progress_rows']:,} | {t_ours:.2f} s | {c_ours:.2f} s | {m_ours / 1e6:.1f} MB "
              f"| {len(q.captured_queries)} | {s_ours / 1e3:.0f} + {SIZES['docx'] / 1e3:.0f} kB "
              f"| {t_peer:.2f} s | {c_peer:.2f} s | {m_peer / 1e6:.1f} MB | {s_peer / 1e3:.0f} kB |", flush=True)


if __name__ == "__main__":
    main()

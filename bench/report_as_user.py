"""`export_report` as a user runs it, next to the in-process figure of bench/report_export.py.

    .venv/bin/python bench/report_as_user.py --db sqlite      # fresh SQLite file under /tmp
    .venv/bin/python bench/report_as_user.py --db postgres    # database tracker_bench_asuser
    options: --tasks 10000 --units 80 --repeat 3

Issue #11 measured `manage.py export_report` at about 8 s for 10,000 tasks "after start-up" where
docs/benchmarks.md recorded 2.5 s. This script does what a user does — `manage.py seed_demo`,
then `manage.py export_report` in a new process — and takes the command apart:

  command            wall and CPU time of `manage.py export_report` (whole process), and of
                     `manage.py check` (start-up alone: Django, apps, settings)
  in-process         tasks.services.reports.generate_report (workbook + .docx + storing), first
                     run (cold) and best of --repeat
  workbook only      tasks.reports.workbook.write_report into memory, best of --repeat — what
                     bench/report_export.py times — with the rows of each streamed sheet
  same, older week   the same call after moving the seeded progress reports out of the report
                     week (as they were in the benchmark's data: seeded on another day than its
                     fixed report day), so 本周进展 is empty as it was there
CPU time is given next to wall time: the machine is shared, and wall time under load says little.
Prints Markdown.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def command(args: list[str], env: dict) -> tuple[float, float, str]:
    c0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return wall, cpu, proc.stdout.strip()


def timed(fn, repeat: int) -> tuple[float, float, float, float]:
    """(first wall, first cpu, best wall, best cpu)."""
    runs = []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    return runs[0][0], runs[0][1], min(r[0] for r in runs), min(r[1] for r in runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--tasks", type=int, default=10000)
    ap.add_argument("--units", type=int, default=80)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ["MEDIA_ROOT"] = "/tmp/tracker_bench_asuser_media"  # before Django reads its settings
    setup_django("tracker_bench_asuser", args.db, debug=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "MEDIA_ROOT": "/tmp/tracker_bench_asuser_media",
           "LOG_LEVEL": "ERROR"}
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tasks.models import ProgressReport
    from tasks.reports import workbook
    from tasks.services.reports import generate_report

    call_command("load_units", verbosity=0)
    wall, cpu, out = command(["seed_demo", "--units", str(args.units), "--tasks", str(args.tasks)], env)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    print(f"# export_report as a user runs it — {args.db}, {args.tasks:,} tasks, {args.units} units, "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    print(f"seed_demo: {out}\n")
    print("| what | wall | CPU |")
    print("|---|---:|---:|")
    w, c, _ = command(["check"], env)
    print(f"| `manage.py check` (start-up only) | {w:.2f} s | {c:.2f} s |")
    w, c, out = command(["export_report", "--no-announce"], env)
    print(f"| `manage.py export_report --no-announce` (whole process) | {w:.2f} s | {c:.2f} s |")
    w, c, out = command(["export_report"], env)
    print(f"| `manage.py export_report` (with the weekly notices) | {w:.2f} s | {c:.2f} s |")
    on = timezone.localdate()
    f_w, f_c, b_w, b_c = timed(lambda: generate_report(on=on, trigger="command", announce=False), args.repeat)
    print(f"| in-process `generate_report` (workbook + .docx + store), first run | {f_w:.2f} s | {f_c:.2f} s |")
    print(f"| in-process `generate_report`, best of {args.repeat} | {b_w:.2f} s | {b_c:.2f} s |")
    summary = {}

    def wb_only():
        summary.update(workbook.write_report(io.BytesIO(), on))

    f_w, f_c, b_w, b_c = timed(wb_only, args.repeat)
    rows = f"事项明细 {summary['detail_rows']:,}, 逾期 {summary['overdue_rows']:,}, 本周进展 {summary['progress_rows']:,} rows"
    print(f"| workbook only (`write_report`), best of {args.repeat} — {rows} | {b_w:.2f} s | {b_c:.2f} s |")
    # the benchmark's data: progress reports seeded on another day than its report day
    ProgressReport.objects.update(created_at=timezone.now() - timezone.timedelta(days=30))
    f_w, f_c, b_w, b_c = timed(wb_only, args.repeat)
    rows = f"事项明细 {summary['detail_rows']:,}, 逾期 {summary['overdue_rows']:,}, 本周进展 {summary['progress_rows']:,} rows"
    print(f"| same, progress reports outside the week (as in the benchmark's data) — {rows} | {b_w:.2f} s | {b_c:.2f} s |")


if __name__ == "__main__":
    main()

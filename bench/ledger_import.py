"""台账 import speed and memory: a realistic 2,000-row ledger, ours (bulk) next to the per-row peer.

    .venv/bin/python bench/ledger_import.py --db sqlite      # fresh SQLite file under /tmp
    .venv/bin/python bench/ledger_import.py --db postgres    # database tracker_bench_ledger
    options: --rows 2000 --repeat 3 --peer-rows 2000

The ledger (written with openpyxl, like an office's 台账): a title row with the year, a two-level
header, a section heading every 100 rows and a 合计 row, 牵头/配合 units from the county directory
(short names, full names, “县人民政府办公室”, notes in brackets), leaders with titles, deadlines as
date cells and as phrases (“6月底前”, “年底前”, “每月25日前”, “长期坚持”, “尽快”), 交办日期, progress
text and percent, a 状态 column with 10 % 已办结 rows (办结日期, 评定).

  ours   tasks.services.ledger.import_ledger: the whole import (read, check every row, duplicates
         against the database, bulk INSERTs of tasks + history, assignments, leaders, notices,
         progress), into an empty task table; the dry run (预检) separately. Best of --repeat.
  peer   the same checked rows written one by one through tasks.services.workflow.create_task and
         report_progress (the obvious implementation, and this project's previous one)
  peak   tracemalloc peak of one more run of ours (separate from the timed runs).
CPU time is given next to wall time: the machine is shared. Prints Markdown.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402

PHRASES = ["6月底前", "年底前", "9月30日前", "每月25日前", "长期坚持", "尽快", "三季度末", "11月底前"]
TOPICS = ["完成固定资产投资任务", "推进重点项目开工", "抓好控辍保学自查清理", "完成危房改造整改", "清理拖欠民营企业账款",
          "做好统计入库工作", "推进招商引资项目落地", "抓好安全生产专项整治", "推进高标准农田建设", "推进营商环境改革"]


def write_ledger(path: Path, rows: int, seed: int = 11) -> Path:
    from openpyxl import Workbook

    from accounts.models import Person, Unit

    rng = random.Random(seed)
    units = list(Unit.objects.exclude(kind="group").values_list("name", "short_name"))
    leaders = [f"{p.title}{p.name}" for p in Person.objects.filter(is_leader=True)]
    wb = Workbook()
    ws = wb.active
    ws.append(["XX县2026年重点工作督办台账"])
    ws.append(["序号", "督办事项", "责任单位", None, "责任领导", "时限要求", "交办日期", "进展情况", "完成进度", "状态", "办结日期", "办结评定"])
    ws.append([None, None, "牵头单位", "配合单位"])
    ws.merge_cells("A1:L1")
    ws.merge_cells("C2:D2")
    n = 0
    while n < rows:
        if n % 100 == 0:
            ws.append([f"{'一二三四五六七八九十'[(n // 100) % 10]}、第{n // 100 + 1}部分重点工作"])
        n += 1
        name, short = rng.choice(units)
        lead = rng.choice([name, short, f"{short}（牵头）", f"{name}（负责人 王某某）"])
        co = "、".join(rng.choice(units)[1] for _ in range(rng.randint(0, 2)))
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        deadline = rng.choice([rng.choice(PHRASES), dt.datetime(2026, 12, 31) - dt.timedelta(days=rng.randint(0, 120))])
        closed = rng.random() < 0.1
        pct = 1.0 if closed else rng.choice([0, 0.1, 0.3, 0.5, 0.8])
        ws.append([n, f"{rng.choice(TOPICS)}（第{n}项）", lead, co, rng.choice(leaders), deadline, start,
                   "按计划推进，已完成阶段性工作。" if pct else "", pct, "已办结" if closed else "推进中",
                   start + dt.timedelta(days=30) if closed else None, "良好" if closed else None])
        ws.cell(row=ws.max_row, column=9).number_format = "0%"
    ws.append(["合计", f"{rows}项"])
    wb.save(path)
    return path


def clear():
    from tasks.models import Meeting, Notice, ProgressReport, Task

    for model in (Notice, ProgressReport, Task, Meeting, Task.history.model):
        model.objects.all().delete()


def peer(path: Path, user) -> int:
    """The same rows, checked by our reader, written one by one through the workflow services."""
    from django.db import transaction
    from django.utils import timezone

    from tasks.models import Assignment
    from tasks.reports.ledger import read_ledger
    from tasks.services import ledger as L
    from tasks.services.workflow import create_task, report_progress

    now = timezone.now()
    _, rows = read_ledger(open(path, "rb"), max_rows=L.MAX_ROWS, slack=L.MAX_ROWS // 10 + 50)
    ctx = L.Context(today=timezone.localdate(), now=now, year=2026, year_source="标题")
    resolver = L.Resolver()
    made = 0
    with transaction.atomic():
        for lr in rows:
            _, kw = L.check_row(lr, resolver, ctx)
            if kw is None:
                continue
            task = create_task(title=kw["title"], by=user, units=kw["pairs"], leaders=kw["leaders"],
                               deadline=kw["deadline"], deadline_text=kw["deadline_text"], deadline_kind=kw["deadline_kind"],
                               recurrence=kw["recurrence"], category=kw["category"], source="ledger",
                               start_date=kw["start_date"], now=now)
            if kw["progress"] or kw["percent"]:
                lead = next(u for u, role in kw["pairs"] if role == Assignment.Role.LEAD)
                report_progress(task=task, unit=lead, by=user, text=kw["progress"] or "（台账导入）", percent=kw["percent"])
            made += 1
    return made


def timed(fn, repeat, before=None):
    best = None
    for _ in range(repeat):
        if before:
            before()
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        run = (time.perf_counter() - t0, time.process_time() - c0)
        best = run if best is None or run[0] < best[0] else best
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-rows", type=int, default=2000)
    args = ap.parse_args()
    os.environ["MEDIA_ROOT"] = "/tmp/tracker_bench_ledger_media"
    setup_django("tracker_bench_ledger", args.db, debug=False)
    from django.core.management import call_command

    from accounts.models import Person, Role
    from accounts.services import create_login
    from tasks.services.ledger import import_ledger

    call_command("load_units", verbosity=0)
    for name, title in [("胡世胜", "常务副县长"), ("刘卿", "县委常委、副县长"), ("张友国", "副县长"), ("李明", "副县长")]:
        Person.objects.create(name=name, title=title, is_leader=True, role=Role.LEADER)
    user = create_login(username="bench", password="Bench-2026-secret!", name="督查室", role=Role.STAFF).user
    path = write_ledger(Path(f"/tmp/bench_ledger_{args.rows}.xlsx"), args.rows)
    peer_path = path if args.peer_rows == args.rows else write_ledger(Path(f"/tmp/bench_ledger_{args.peer_rows}.xlsx"), args.peer_rows)

    def ours(dry=False):
        with open(path, "rb") as fh:
            return import_ledger(fh, by=user, dry_run=dry)

    print(f"# 台账 import — {args.db}, {args.rows:,} data rows ({path.stat().st_size // 1024} kB), "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    print("| what | rows | wall | CPU | per row (wall) | peak mem |")
    print("|---|---:|---:|---:|---:|---:|")
    (w, c), res = timed(lambda: ours(dry=True), args.repeat)
    print(f"| ours: 预检 (dry run) | {len(res.importable):,} | {w:.2f} s | {c:.2f} s | {1000 * w / args.rows:.2f} ms | — |")
    (w, c), res = timed(ours, args.repeat, before=clear)
    print(f"| ours: import | {res.created:,} | {w:.2f} s | {c:.2f} s | {1000 * w / args.rows:.2f} ms | ", end="")
    clear()
    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{peak / 1e6:.1f} MB |", flush=True)
    clear()
    (w, c), made = timed(lambda: peer(peer_path, user), 1, before=clear)
    print(f"| peer: create_task + report_progress per row | {made:,} | {w:.2f} s | {c:.2f} s | {1000 * w / args.peer_rows:.2f} ms | — |")
    print(f"\nskipped and reported by ours: {res.skipped_summary()}")


if __name__ == "__main__":
    main()

"""Task list API (GET /api/tasks/, 50 a page) over 100,000 tasks: p50/p95 response time and SQL
statements per request, next to the plain ORM for the same page (peer) in the same run.

    .venv/bin/python bench/api_list.py --db sqlite             # a fresh SQLite file under /tmp
    .venv/bin/python bench/api_list.py --db postgres           # database tracker_bench_api (dropped and recreated)
    options: --tasks 100000  --units 60  --repeat 100

Data: tasks.services.demo.seed_demo (deadlines spread over past and future, 25% closed, progress
reports, 1–2 units and a leader per task). Users: one staff member, one operator of the busiest
unit. Requests go through rest_framework.test.APIClient (the whole Django + DRF stack with
middleware, authentication, filtering, pagination with COUNT, serialization; no network).
The peer is the same page built by the ORM alone: tasks.selectors.tasks.task_list + the COUNT
the paginator needs + the 50 rows with their prefetches, no HTTP, no serialization.
Each figure: `repeat` timed requests after 3 warm-up requests. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402
DB_NAME = "tracker_bench_api"


def setup(db: str, keep: bool = False) -> None:
    setup_django(DB_NAME, db, reuse=keep, debug=False)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def timed(fn, repeat: int) -> list[float]:
    for _ in range(3):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q.captured_queries)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--keep", action="store_true", help="reuse the bench database of an earlier run (no reseeding)")
    args = ap.parse_args()
    setup(args.db, keep=args.keep)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from accounts.models import Unit
    from accounts.services import create_login
    from tasks.models import Task
    from tasks.selectors.tasks import task_list
    from tasks.services.demo import seed_demo

    setup_test_environment()
    t0 = time.perf_counter()
    have = Task.objects.count()
    if have < args.tasks:
        seed_demo(units=args.units, tasks=args.tasks - have)
    seed_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    busiest = Unit.objects.annotate(n=Count("assignments")).order_by("-n").first()
    from accounts.models import Person

    Person.objects.filter(user__username__in=["bench_staff", "bench_op"]).delete()
    get_user_model().objects.filter(username__in=["bench_staff", "bench_op"]).delete()
    staff = create_login(username="bench_staff", password="Bench-pass-2026!", name="督查员", role="staff").user
    op = create_login(username="bench_op", password="Bench-pass-2026!", name="联络员", role="operator", unit=busiest).user
    clients = {}
    for name, user in (("staff", staff), ("operator", op)):
        c = APIClient()
        c.force_authenticate(user)
        clients[name] = c
    # as gunicorn.conf.py does in every worker: the loaded application stays out of full GC passes
    gc.collect()
    gc.freeze()

    cases = [
        ("全部事项第1页", "staff", {}, {}),
        ("红灯筛选 light=red", "staff", {"light": "red"}, {"light": "red"}),
        ("搜索 q=招商", "staff", {"q": "招商"}, {"q": "招商"}),
        ("按单位 unit=…", "staff", {"unit": busiest.pk}, {"unit": busiest.pk}),
        ("联络员本单位第1页", "operator", {}, {}),
        ("逾期天数排序", "staff", {"ordering": "-days_overdue"}, {}),
    ]
    users = {"staff": staff, "operator": op}
    # PostgreSQL: the server default (JIT on) and JIT off for the session, in the same run
    modes = [("", None)] if connection.vendor != "postgresql" else [("", None), ("（jit=off）", "off")]
    rows = []
    for mode_label, jit in modes:
        if jit:
            with connection.cursor() as c:
                c.execute(f"SET jit = {jit}")
        for label, who, params, sel in cases:
            client = clients[who]

            def api():
                r = client.get("/api/tasks/", params, secure=True)
                assert r.status_code == 200, r.status_code
                return r

            order = ["-days_overdue", "id"] if params.get("ordering") == "-days_overdue" else ["deadline", "id"]

            def orm():
                qs = task_list(users[who], **sel).order_by(*order)
                n = qs.count()
                page = list(qs[:50])
                return n, page

            n_rows = len(api().data["results"])
            api_ms = timed(api, args.repeat)
            orm_ms = timed(orm, args.repeat)
            rows.append((label + mode_label, n_rows, api().data["count"], queries(api), queries(orm),
                         statistics.median(api_ms), pct(api_ms, 95), statistics.median(orm_ms), pct(orm_ms, 95)))

    print(f"\n数据库：{connection.vendor}（{connection.settings_dict['NAME']}），事项 {Task.objects.count()}，单位 {args.units}，"
          f"每项 {args.repeat} 次请求；生成数据用时 {seed_s:.0f} 秒；"
          f"测量结束时负载 {os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）\n")
    print("| 场景 | 本页行数 | 命中总数 | API 查询数 | ORM 查询数 | API p50 ms | API p95 ms | ORM p50 ms | ORM p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.1f} | {r[6]:.1f} | {r[7]:.1f} | {r[8]:.1f} |")


if __name__ == "__main__":
    main()

"""Portal page cost: response time and SQL statements of the portal pages as the task count grows,
with the REST API task list and the admin task list (the other two ways to read the same tasks)
measured as peers in the same run, on the same data.

    .venv/bin/python bench/portal_pages.py --db sqlite               # a fresh SQLite file under /tmp
    .venv/bin/python bench/portal_pages.py --db postgres             # database tracker_bench_portal
    options: --tasks 1000,10000,50000   --repeat 15

Data: tasks.services.demo.seed_demo (30 units, deadlines spread over past and future, 25% closed,
progress reports), one operator of the busiest unit, one leader, one staff member. Requests go
through django.test.Client (the full middleware stack, no network). Each figure is the median of
`repeat` requests after two warm-up requests. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402


def setup(db: str) -> None:
    setup_django("tracker_bench_portal", db, debug=True)


def measure(client, url: str, repeat: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    return statistics.median(times) * 1000, len(q.captured_queries), len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--tasks", default="1000,10000")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    setup(args.db)

    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import Unit
    from accounts.services import create_login
    from tasks.models import Assignment, Task
    from tasks.services.demo import seed_demo

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], ALLOWED_HOSTS=["*"]):
        staff = create_login(username="bench_staff", password="Bench#2026pw", name="督查", role="staff").user
        leader = create_login(username="bench_leader", password="Bench#2026pw", name="领导", role="leader").user
        have = 0
        rows = []
        operator = None
        for n in [int(x) for x in args.tasks.split(",")]:
            t0 = time.perf_counter()
            seed_demo(units=30, tasks=n - have)
            have = n
            seed_s = time.perf_counter() - t0
            if operator is None:
                busiest = Assignment.objects.values("unit").annotate(n=Count("id")).order_by("-n")[0]["unit"]
                operator = create_login(username="bench_op", password="Bench#2026pw", name="联络员", role="operator",
                                        unit=Unit.objects.get(pk=busiest)).user
            op_unit = operator.person.unit
            op_tasks = Task.objects.filter(assignments__unit=op_unit).count()
            task_pk = Task.objects.filter(assignments__unit=op_unit).order_by("id").values_list("pk", flat=True).first()
            clients = {}
            for name, user in (("operator", operator), ("leader", leader), ("staff", staff)):
                c = Client()
                c.force_login(user)
                clients[name] = c
            pages = [
                ("portal list, operator (own unit)", "operator", "/portal/"),
                ("portal list, leader (all tasks)", "leader", "/portal/"),
                ("portal list, leader, filter light=red", "leader", "/portal/?light=red"),
                ("portal task page, operator", "operator", f"/portal/tasks/{task_pk}/"),
                ("portal dashboard, leader", "leader", "/portal/dashboard/"),
                ("peer: REST API /api/tasks/, staff", "staff", "/api/tasks/"),
                ("peer: admin task list, staff", "staff", "/admin/tasks/task/"),
            ]
            for label, who, url in pages:
                ms, queries, size = measure(clients[who], url, args.repeat)
                rows.append((n, op_tasks, label, ms, queries, size))
            print(f"# seeded to {n} tasks in {seed_s:.1f}s", file=sys.stderr)

    print(f"\ndatabase: {args.db}; median of {args.repeat} requests via django.test.Client\n")
    print("| tasks | operator's tasks | page | median ms | SQL statements | HTML/JSON bytes |")
    print("|---:|---:|---|---:|---:|---:|")
    for n, op_tasks, label, ms, queries, size in rows:
        print(f"| {n} | {op_tasks} | {label} | {ms:.1f} | {queries} | {size} |")


if __name__ == "__main__":
    main()

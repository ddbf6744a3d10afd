"""seed_demo speed: 100,000 tasks on a fresh SQLite file and a fresh PostgreSQL database, next to the
same rows written with Django's bulk_create (the obvious implementation) in the same run.

    .venv/bin/python bench/seed_demo.py [--tasks 100000] [--peer-tasks 20000] [--no-postgres]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432/{db}"

PEER = r"""
import datetime as dt, random, time
from django.utils import timezone
from accounts.models import Unit
from tasks.models import Assignment, Meeting, Task
n = int(__import__("os").environ["PEER_TASKS"])
rng = random.Random(7)
units = list(Unit.objects.exclude(kind="group")[:60])
m = Meeting.objects.create(title="peer", date=dt.date(2026, 1, 1))
t0 = time.perf_counter()
today = timezone.localdate()
for b in range(0, n, 5000):
    rows = []
    for i in range(b, min(n, b + 5000)):
        start = today - dt.timedelta(days=rng.randint(5, 120))
        rows.append(Task(code=f"PEER-{i:07d}", title="peer", meeting=m, deadline=start + dt.timedelta(days=30),
                         assigned_at=timezone.now(), start_date=start))
    made = Task.objects.bulk_create(rows, batch_size=1000)
    Assignment.objects.bulk_create([Assignment(task=t, unit=rng.choice(units)) for t in made], batch_size=1000)
print(f"{time.perf_counter() - t0:.2f}")
"""


def run(cmd, env):
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)


def measure(label, env, tasks, peer_tasks):
    py = sys.executable
    run([py, "manage.py", "migrate", "-v0"], env)
    run([py, "manage.py", "load_units"], env)
    t0 = time.perf_counter()
    run([py, "manage.py", "seed_demo", "--units", "60", "--tasks", str(tasks)], env)
    ours = time.perf_counter() - t0
    peer = float(run([py, "manage.py", "shell", "-v0", "-c", PEER], {**env, "PEER_TASKS": str(peer_tasks)}).stdout.strip())
    print(f"{label:<11} seed_demo {tasks:>7,} tasks: {ours:6.1f} s ({tasks / ours:,.0f} tasks/s, command incl. start-up) | "
          f"bulk_create peer {peer_tasks:,} tasks: {peer:5.1f} s ({peer_tasks / peer:,.0f} tasks/s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--peer-tasks", type=int, default=20_000)
    ap.add_argument("--no-postgres", action="store_true")
    a = ap.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", {**base, "TRACKER_VAR_DIR": tmp}, a.tasks, a.peer_tasks)
    if not a.no_postgres:
        db = "tracker_bench_seed"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
        try:
            measure("PostgreSQL", {**base, "DATABASE_URL": PG.format(db=db)}, a.tasks, a.peer_tasks)
        finally:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)


if __name__ == "__main__":
    main()

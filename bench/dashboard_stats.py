"""The leaders' dashboard / weekly-report statistics over N tasks: `tasks.selectors.stats` next to the
obvious implementation (counting on the annotated `light` column, `__date` casts), same data, same run.

    .venv/bin/python bench/dashboard_stats.py [--db sqlite|postgres] [--tasks 100000] [--reuse]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import setup_django  # noqa: E402


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--reuse", action="store_true")
    a = ap.parse_args()
    setup_django("tracker_bench_stats", a.db, reuse=a.reuse, debug=False)
    from django.db import connection
    from django.db.models import Count, Q

    from accounts.services import load_units_file
    from accounts.models import Unit
    from tasks.models import Task
    from tasks.selectors import stats
    from tasks.selectors.lights import today, with_light
    from tasks.services.demo import seed_demo

    if Task.objects.count() != a.tasks:
        Task.objects.all().delete()
        if not Unit.objects.exists():
            load_units_file()
        seed_demo(units=60, tasks=a.tasks)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")

    def peer_totals():
        on = today()
        qs = with_light(Task.objects.filter(assigned_at__date__lte=on), on)
        agg = qs.aggregate(**{k: Count("id", filter=Q(light=k)) for k in
                              ("done_on_time", "done_late", "red", "yellow", "green", "no_deadline", "cancelled")})
        by_light = dict(qs.order_by().values_list("light").annotate(n=Count("id")).values_list("light", "n"))
        return agg, by_light

    ours = stats.totals()
    peer, _ = peer_totals()
    assert (ours["overdue"], ours["closed_on_time"], ours["on_track"]) == (peer["red"], peer["done_on_time"], peer["green"])
    print(f"{connection.vendor}, {Task.objects.count():,} tasks")
    for label, fn in [("totals()", stats.totals), ("peer: totals on the light column", peer_totals),
                      ("unit_ranking()", stats.unit_ranking),
                      ("overdue_tasks() first 100", lambda: list(stats.overdue_tasks()[:100]))]:
        b, m = best(fn)
        print(f"  {label:<36} best {b:6.2f} s   median {m:6.2f} s")


if __name__ == "__main__":
    main()

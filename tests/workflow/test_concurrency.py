"""Real concurrency on PostgreSQL: parallel 交办 get distinct codes; two editors holding the same
version: exactly one wins, the other gets ConflictError and stores nothing."""
import threading

import pytest
from django.db import connection, connections

from tasks.models import ProgressReport, Task
from tasks.services import workflow as wf

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def _parallel(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises writers itself")


def test_parallel_create_gets_distinct_codes(pg, make_task, units, users):
    results = _parallel(8, lambda i: make_task(title=f"并发交办{i}").code)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 8 and Task.objects.count() == 8


def test_same_version_two_editors_one_wins(pg, make_task, units, users):
    t = make_task()
    who = [(units["a"], users["op_a"]), (units["b"], users["op_b"])]

    def edit(i):
        unit, user = who[i]
        return wf.report_progress(task=Task.objects.get(pk=t.pk), unit=unit, by=user, text=f"编辑{i}", percent=10 + i, version=1)

    results = _parallel(2, edit)
    wins = [r for r in results if isinstance(r, ProgressReport)]
    conflicts = [r for r in results if isinstance(r, wf.ConflictError)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    t.refresh_from_db()
    assert t.version == 2 and ProgressReport.objects.filter(task=t).count() == 1 and t.progress == wins[0].percent

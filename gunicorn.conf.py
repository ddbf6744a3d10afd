"""gunicorn settings read from the working directory (bin/run and the Docker image both start there)."""
import gc


def post_worker_init(worker):
    """Freeze what the worker loaded (Django, DRF, models, compiled patterns…) out of the garbage
    collector's reach: without it, a full collection over those objects adds 100–200 ms to about one
    request in twenty (measured: task list p95 111 ms → 24 ms on SQLite, docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()

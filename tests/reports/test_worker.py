"""The weekly report job through a real Celery worker and a real Redis broker."""
import os
import time
import uuid

import pytest

from tasks.models import ReportFile


def _redis_url():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        return None
    return url


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_weekly_report_on_a_real_worker(scenario, staff_user):
    url = _redis_url()
    if url is None:
        pytest.skip("没有可连接的 Redis（REDIS_URL 或 127.0.0.1:6379），跳过真实 worker 测试")
    from celery.contrib.testing.worker import start_worker

    from tracker.celery import app

    queue = f"reports-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    keys = ["broker_url", "broker_transport_options", "task_default_queue", "task_always_eager"]
    saved = {k: app.conf.get(k) for k in keys}
    app.conf.update(broker_url=url, broker_transport_options={"socket_connect_timeout": 2}, task_default_queue=queue,
                    task_always_eager=False)
    app._after_fork()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            app.send_task("tasks.jobs.weekly_report", kwargs={"on": "2024-06-05"})
            deadline = time.monotonic() + 60  # no result backend needed: the database is the result
            while not ReportFile.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.update(saved)
        app._after_fork()
    rf = ReportFile.objects.get()
    assert (rf.filename, rf.task_count, rf.trigger) == ("督查通报_2024年第23周.xlsx", 10, "beat")
    assert rf.file.size == rf.size > 0

"""The fault experiments of issue #13 as tests, with real components: a private redis-server that
is stopped and restarted, a real Celery worker process, a slow SMTP sink and slow robots on
127.0.0.1. (bin/run under a Redis outage and a killed worker: tests/foundation/test_run_command.py.)"""
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .faults import PrivateRedis, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(extra)
    return env


@pytest.mark.broker
def test_worker_rides_out_a_redis_outage_with_a_job_in_hand(tmp_path):
    """Redis dies while the worker holds an unacknowledged job (acks_late): the worker keeps
    retrying instead of exiting ("Unrecoverable error: AttributeError … 'hostname'" from kombu's
    restore_unacked before the fix), and runs jobs again once Redis is back."""
    from celery import Celery

    redis = PrivateRedis(tmp_path)
    log = tmp_path / "worker.log"
    cmd = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--loglevel=INFO", "--concurrency=2",
           "--without-gossip", "--without-mingle", "-I", "tests.reminders.faultjobs"]
    with log.open("w") as out:
        worker = subprocess.Popen(cmd, cwd=ROOT, env=_env(REDIS_URL=redis.url, TRACKER_VAR_DIR=str(tmp_path / "var")),
                                  stdout=out, stderr=subprocess.STDOUT)
    text = lambda: log.read_text(errors="replace")  # noqa: E731
    client = Celery(broker=redis.url, set_as_current=False)
    client.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2}
    try:
        wait_for(lambda: "ready." in text(), 60, "the worker")
        client.send_task("tests.faults.hold", args=[5, "first"])
        wait_for(lambda: "hold start first" in text(), 30, "the job to start")
        redis.stop()                                   # the outage, with the job in hand
        wait_for(lambda: "Connection to broker lost" in text() or "Cannot connect" in text(), 30, "the worker to notice")
        import time

        time.sleep(8)
        assert worker.poll() is None, text()[-3000:]   # still running: retrying, not exited
        redis.start()                                  # Redis is back (empty: a restart without persistence)
        client.close()
        client = Celery(broker=redis.url, set_as_current=False)   # a fresh producer (the web side)
        client.send_task("tests.faults.hold", args=[0, "after"])
        try:
            wait_for(lambda: "hold done after" in text(), 90, "a job after the outage")
        except AssertionError:
            raise AssertionError(text()[-5000:]) from None
        assert worker.poll() is None
        assert "Unrecoverable error" not in text(), text()[-3000:]
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis.stop()
        client.close()

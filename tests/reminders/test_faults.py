"""The fault experiments of issue #13 as tests, with real components: a private redis-server that
is stopped and restarted, a real Celery worker process, a slow SMTP sink and slow robots on
127.0.0.1. (bin/run under a Redis outage and a killed worker: tests/foundation/test_run_command.py.)"""
import datetime as dt
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


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_on_a_real_worker_with_slow_smtp_and_slow_robots_deliver_each_message_once(worker_app, settings):
    """Two beats 11 minutes apart (`now` 09:00 and 09:11) and two extra send jobs, all at once on a
    real worker with four threads, against a mail relay answering in 50 ms per command and robots
    answering in 0.4 s: every message arrives exactly once (the issue measured 821 duplicate mails)."""
    from celery.contrib.testing.worker import start_worker

    from accounts.models import Person, Unit
    from tasks.models import Notice, Reminder

    from .conftest import Receiver, at, delivered, make_task, messages
    from .faults import SmtpSink

    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("overlapping jobs in threads need a shared database (PostgreSQL; the SQLite test database is in memory)")

    sink = SmtpSink(delay=0.05)
    robots = [Receiver() for _ in range(4)]
    for r in robots:
        r.delay = 0.4
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    try:
        leader = Person.objects.create(name="李县长", role="leader", is_leader=True, email="li@example.gov.cn")
        for i in range(3):
            Person.objects.create(name=f"督查员{i}", role="staff", email=f"staff{i}@example.gov.cn")
        units = []
        for i in range(16):
            u = Unit.objects.create(name=f"测试单位{i}", email=f"unit{i}@example.gov.cn")
            if i < len(robots):
                u.webhook_kind, u.webhook_url = ("wecom" if i % 2 else "dingtalk"), f"{robots[i].url}/send?key={i}"
                u.save()
            units.append(u)
        for i, u in enumerate(units):
            make_task([u], deadline="2026-11-24", acknowledged=True)                       # due soon
            make_task([u, units[(i + 1) % 16]], deadline="2026-11-20", acknowledged=True)  # overdue
            make_task([u], deadline="2026-11-10", leaders=[leader], acknowledged=True)     # escalation
        nine = at("2026-11-23")
        with start_worker(worker_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30):
            jobs = [worker_app.send_task("tasks.jobs.reminder_sweep", kwargs={"now": nine.isoformat()}),
                    worker_app.send_task("tasks.jobs.reminder_sweep", kwargs={"now": (nine + dt.timedelta(minutes=11)).isoformat()}),
                    worker_app.send_task("tasks.jobs.send_reminders"),
                    worker_app.send_task("tasks.jobs.send_reminders")]
            results = [j.get(timeout=240) for j in jobs]
        sent = Reminder.objects.filter(state="sent")
        assert sum(r["sent"] for r in results) == sent.count() == messages().count()   # nothing left behind
        assert delivered().count() == Reminder.objects.exclude(kind="digest").count()
        mails = Counter((tuple(m["to"]), m["subject"]) for m in sink.messages)
        assert len(sink.messages) == messages("email").count() >= 20 and max(mails.values()) == 1
        posts = [c for r in robots for c in r.calls]
        bodies = Counter(str(c["json"]) + c["path"] + c["query"].get("key", "") for c in posts)
        assert len(posts) == messages("wecom").count() + messages("dingtalk").count() > 0 and max(bodies.values()) == 1
        assert Notice.objects.count() == messages("inbox").count()
        assert sum(r.get("lost", 0) for r in results) == 0
    finally:
        sink.stop()
        for r in robots:
            r.stop()

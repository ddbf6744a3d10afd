"""The beat job on a real Celery worker and a real Redis; the web path with the broker down."""
import os
import socket
import time
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection

from tasks.models import Reminder
from tasks.services.dispatch import enqueue

from tests.conftest import redis_url_or_skip

from .conftest import at, delivered, make_task, messages

NOW = at("2026-11-23")



@contextmanager
def broker(app, url: str, **conf):
    """Point the project's Celery app at another broker for the duration (pools reset)."""
    keys = ["broker_url", "broker_transport_options", "task_default_queue", "task_always_eager", "result_backend",
            "task_ignore_result", *conf]
    saved = {k: app.conf.get(k) for k in keys}
    app.conf.update(broker_url=url, broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
                    task_always_eager=False, **conf)
    _drop_caches(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _drop_caches(app)


def _drop_caches(app):
    """Forget the connection/producer pools and the result backend built from the old settings."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)



@pytest.fixture
def redis_app():
    """The project's Celery app pointed at the real Redis, on a queue of its own."""
    url = redis_url_or_skip()
    from tracker.celery import app

    queue = f"reminders-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # never shared with a running worker
    with broker(app, url, task_default_queue=queue):
        yield app



@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_beat_job_on_a_real_worker_sends_once_even_when_delivered_twice(worker_app, units, leader, staff, receiver):
    from celery.contrib.testing.worker import start_worker

    u1 = units[0]
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/send?key=k"
    u1.save()
    make_task([u1, units[1]], deadline="2026-11-24", acknowledged=True)
    make_task([u1], deadline="2026-11-10", leaders=[leader], acknowledged=True)
    assert "tasks.jobs.reminder_sweep" in worker_app.tasks
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # two beats (or one retried delivery) run the same sweep
        r1 = worker_app.send_task("tasks.jobs.reminder_sweep", kwargs={"now": NOW.isoformat()})
        r2 = worker_app.send_task("tasks.jobs.reminder_sweep", kwargs={"now": NOW.isoformat()})
        first, second = r1.get(timeout=60), r2.get(timeout=60)
    assert first["queued"] > 0 and second["queued"] == 0 and second["sent"] == 0
    assert first["sent"] == messages().count() and delivered().count() == first["queued"]
    # 县发改局's robot: its due-soon reminder and its overdue digest in one message
    assert len(receiver.calls) == messages("wecom").count() == 1
    assert Reminder.objects.filter(kind="escalation").exists()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.django_db
def test_enqueue_returns_false_fast_when_the_broker_is_down(caplog):
    from tracker.celery import app

    with broker(app, f"redis://127.0.0.1:{_closed_port()}/0"):
        t0 = time.monotonic()
        assert enqueue("tasks.jobs.send_reminders") is False
        assert time.monotonic() - t0 < 5
    assert "消息队列不可用" in caplog.text


@pytest.mark.broker
def test_enqueue_returns_true_when_the_broker_is_up(redis_app):
    import redis

    assert enqueue("tasks.jobs.send_reminders", [1, 2]) is True
    r = redis.Redis.from_url(redis_app.conf.broker_url)
    assert r.llen(redis_app.conf.task_default_queue) == 1
    r.delete(redis_app.conf.task_default_queue)


@pytest.mark.django_db
def test_web_request_succeeds_with_the_broker_down_and_the_sweep_catches_up(units, client):
    from accounts.services import create_login
    from tracker.celery import app
    from tasks.services import reminders

    u1 = units[0]
    op = create_login(username="fgj", password="Tracker-2026!", name="张联络", role="operator", unit=u1)
    t = make_task([u1], deadline="2026-11-24", acknowledged=True)
    client.force_login(op.user)
    with broker(app, f"redis://127.0.0.1:{_closed_port()}/0"):
        assert enqueue("tasks.jobs.reminder_sweep") is False
        resp = client.post(f"/portal/tasks/{t.pk}/", {"action": "report", "text": "已完成路基施工", "percent": "40",
                                                      "version": t.version})
        assert resp.status_code == 302, resp.content.decode()[:500]
    t.refresh_from_db()
    assert t.progress == 40 and t.progress_reports.count() == 1
    # the database is the source of truth: the next sweep sends what is due
    reminders.run(NOW)
    assert Reminder.objects.filter(task=t, kind="due_soon", state="sent").exists()
    assert connection.vendor in ("sqlite", "postgresql")

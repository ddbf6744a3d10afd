"""Root test configuration.

The suite runs against whatever DATABASE_URL / REDIS_URL point at: `.ci/run` points them at the
real local PostgreSQL and Redis; unset, the SQLite and embedded-broker defaults are used.
PYTEST_DB_SUFFIX gives parallel runs on one PostgreSQL their own test database.
"""
import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    suffix = os.environ.get("PYTEST_DB_SUFFIX")
    db = settings.DATABASES["default"]
    if suffix and db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})
        db["TEST"]["NAME"] = f"test_{db['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def _media_in_tmp(request, tmp_path):
    """Uploaded files and reports of a test go to its own temporary folder."""
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings").MEDIA_ROOT = tmp_path / "media"


def redis_url_or_skip() -> str:
    """The real Redis the suite talks to (REDIS_URL, else 127.0.0.1:6379); skip with a reason when none answers."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means: no broker to test against
        pytest.skip("没有可连接的 Redis（REDIS_URL 或 127.0.0.1:6379），跳过真实 worker 测试")
    return url


@pytest.fixture
def worker_app():
    """A fresh Celery app configured like tracker.celery (same settings, same jobs) on the real
    Redis, on a queue of its own and with a result backend: nothing shared with other tests or a
    running worker. Start a worker with celery.contrib.testing.worker.start_worker(worker_app, …)."""
    import uuid

    from celery import Celery

    import tasks.jobs  # noqa: F401 - registers the shared jobs with every app

    url = redis_url_or_skip()
    app = Celery("tracker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=url, result_backend=url, task_ignore_result=False, task_always_eager=False,
                    broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
                    task_default_queue=f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    app.finalize()
    yield app
    app.close()

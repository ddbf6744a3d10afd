"""Enqueue a Celery job from the web path without ever failing (or stalling) the request.

The database is the source of truth: if the broker (Redis) is unreachable the job is simply not
queued, the error is logged, and the next beat sweep catches up. Use `enqueue` instead of
`.delay()` everywhere outside Celery itself.

Speed when Redis is down: redis-py retries a refused connection with backoff (about 6 s), far too
long for a web request, so a plain TCP probe (PROBE_TIMEOUT) runs first; a failed probe is
remembered for DOWN_CACHE_SECONDS so a burst of requests does not probe again each time.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlparse

log = logging.getLogger(__name__)

PUBLISH_OPTIONS = {"retry": False}  # no publish retries while a web request waits
PROBE_TIMEOUT = 0.5
DOWN_CACHE_SECONDS = 5.0
_down: dict[str, float] = {}  # broker url → monotonic time until which it is considered down
_lock = threading.Lock()


class BrokerDown(Exception):
    pass


def _probe(url: str) -> None:
    """Raise BrokerDown unless a TCP connection to the Redis broker opens quickly."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        return  # the embedded filesystem broker (or another transport) needs no probe
    with _lock:
        until = _down.get(url, 0.0)
    if until > time.monotonic():
        raise BrokerDown("最近一次检测消息队列不可用")
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=PROBE_TIMEOUT):
            pass
    except OSError as exc:
        with _lock:
            _down[url] = time.monotonic() + DOWN_CACHE_SECONDS
        raise BrokerDown(f"无法连接 {parsed.hostname}:{parsed.port or 6379}（{exc}）") from exc
    with _lock:
        _down.pop(url, None)


def enqueue(task_name_or_signature, *args, **kwargs) -> bool:
    """Send a job to the broker; True when queued, False (logged) when the broker is unreachable.

    `task_name_or_signature`: a registered task name ("tasks.jobs.reminder_sweep"), a task object,
    or a Celery signature (extra args/kwargs are added to it).
    """
    from tracker.celery import app

    target = task_name_or_signature
    name = target if isinstance(target, str) else (getattr(target, "name", None) or getattr(target, "task", None) or repr(target))
    try:
        if not app.conf.task_always_eager:
            _probe(str(app.conf.broker_url or ""))
        if isinstance(target, str):
            app.send_task(target, args=args, kwargs=kwargs, **PUBLISH_OPTIONS)
        else:  # a task or a signature (a signature merges the extra args)
            target.apply_async(args=args, kwargs=kwargs, **PUBLISH_OPTIONS)
    except Exception as exc:  # noqa: BLE001 - a broker outage must never fail a web request
        log.warning("消息队列不可用，任务 %s 未能入队（下一次定时扫描会补上）：%s: %s", name, type(exc).__name__, exc)
        return False
    return True

"""Enqueue a Celery job from the web path without ever failing the request.

The database is the source of truth: if the broker (Redis) is unreachable the job is simply not
queued, the error is logged, and the next beat sweep catches up. Use `enqueue` instead of
`.delay()` everywhere outside Celery itself.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# No publish retries while a web request waits; the connection itself times out after
# CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] (2 s, tracker/env.py).
PUBLISH_OPTIONS = {"retry": False}


def enqueue(task_name_or_signature, *args, **kwargs) -> bool:
    """Send a job to the broker; True when queued, False (logged) when the broker is unreachable.

    `task_name_or_signature`: a registered task name ("tasks.jobs.reminder_sweep"), a task object,
    or a Celery signature (extra args/kwargs are added to it).
    """
    from tracker.celery import app

    target = task_name_or_signature
    try:
        if isinstance(target, str):
            app.send_task(target, args=args, kwargs=kwargs, **PUBLISH_OPTIONS)
        else:  # a task or a signature (a signature merges the extra args)
            target.apply_async(args=args, kwargs=kwargs, **PUBLISH_OPTIONS)
    except Exception as exc:  # noqa: BLE001 - a broker outage must never fail a web request
        name = getattr(target, "name", None) or getattr(target, "task", None) or target
        log.warning("消息队列不可用，任务 %s 未能入队（下一次定时扫描会补上）：%s: %s", name, type(exc).__name__, exc)
        return False
    return True

"""The Celery app. Broker: REDIS_URL when set, else an embedded filesystem broker under var/.

A worker must ride out a broker outage: it retries the connection forever
(CELERY_BROKER_CONNECTION_MAX_RETRIES = None in settings) and the kombu defect below, which made
it exit when Redis went away with a message in hand, is worked around.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def _survive_lost_redis() -> None:
    """kombu 5.7 + celery 5.7: on a lost Redis connection the consumer collects the connection,
    which detaches the transport from its channels, and later still uses those channels — closing
    one restores the unacknowledged messages, and a job that finished during the outage is
    acknowledged on it after the reconnection. Each builds a new Redis client from the detached
    transport → AttributeError ('NoneType' object has no attribute 'hostname' / 'client'), which
    is not a connection error, so the worker stopped with "Unrecoverable error". Here a detached
    channel raises redis's ConnectionError instead: kombu and celery treat that as the broker
    being away (logged, retried). The unacknowledged message stays in Redis's unacked hash and is
    delivered again after the visibility timeout (every job here is safe to run twice)."""
    try:
        import redis
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover - redis is a pinned dependency
        return
    original = kombu_redis.Channel._connparams
    if getattr(original, "_tracker_safe", False):
        return

    def _connparams(self, asynchronous=False):
        transport = getattr(self, "connection", None)
        if transport is None or getattr(transport, "client", None) is None:
            raise redis.exceptions.ConnectionError("消息队列连接已关闭（该通道属于已断开的连接）")
        return original(self, asynchronous)

    _connparams._tracker_safe = True
    kombu_redis.Channel._connparams = _connparams


_survive_lost_redis()

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

"""The Celery app. Broker: REDIS_URL when set, else an embedded filesystem broker under var/.

A worker must ride out a broker outage: it retries the connection forever
(CELERY_BROKER_CONNECTION_MAX_RETRIES = None in settings) and the kombu defect below, which made
it exit when Redis went away with a message in hand, is worked around.
"""
import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

log = logging.getLogger(__name__)


def _survive_lost_redis() -> None:
    """kombu 5.7 + celery 5.7: on a lost Redis connection the consumer first collects the
    connection (which detaches the transport: `transport.client = None`) and then closes it;
    closing the channel restores the unacknowledged messages through a *new* Redis client, built
    from `transport.client.hostname` → AttributeError, which is not a connection error, so the
    worker stops with "Unrecoverable error: AttributeError('NoneType' object has no attribute
    'hostname')". When the transport is already detached there is nothing to talk to: leave the
    messages where they are — in Redis's unacked hash, from which kombu puts them back on the
    queue after the visibility timeout (and every job here is safe to run twice)."""
    try:
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover - redis is a pinned dependency
        return
    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "_tracker_safe", False):
        return

    def restore_unacked(self, client=None):
        if client is None and getattr(getattr(self.channel, "connection", None), "client", None) is None:
            log.warning("与消息队列的连接已断开：%s 条未确认的任务留在 Redis 中，将在可见性超时后重新投递。", len(self._delivered))
            self._delivered.clear()
            return None
        return original(self, client)

    restore_unacked._tracker_safe = True
    kombu_redis.QoS.restore_unacked = restore_unacked


_survive_lost_redis()

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

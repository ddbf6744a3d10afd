"""One budget per group robot shared by every sending run and every worker: at most
`per_minute` posts in any 60 seconds (a sliding window).

With Redis (REDIS_URL): one sorted set per robot, checked and appended atomically by a Lua
script, so two workers on two machines share it. On the embedded defaults (no Redis: SQLite and
the filesystem broker, i.e. one machine) the same window lives in a small file per robot under
var/robot-rate/, updated under an exclusive file lock. When Redis is configured but does not
answer, the file budget is used (logged) — a robot is never flooded because the broker is down.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
  return 1
end
return 0
"""


def robot_key(url: str) -> str:
    """A robot is its URL without the query's signature parts; hashed (the key is a secret)."""
    return hashlib.sha256(url.split("&timestamp=")[0].encode("utf-8")).hexdigest()[:24]


class RobotBudget:
    def __init__(self, per_minute: int, redis_url: str | None = None, folder: Path | None = None, clock=time.time):
        self.per_minute = per_minute
        self.clock = clock
        self.redis_url = redis_url if redis_url and redis_url.startswith(("redis://", "rediss://")) else None
        self.folder = folder
        self._redis = None
        self._script = None

    def _client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=2)
            self._script = self._redis.register_script(_SCRIPT)
        return self._redis

    def take(self, url: str) -> bool:
        """Spend one post of this robot's budget: True if allowed now, False if used up."""
        key = robot_key(url)
        if self.redis_url:
            try:
                self._client()
                return bool(self._script(keys=[f"tracker:robot-rate:{key}"],
                                          args=[self.clock(), WINDOW_SECONDS, self.per_minute, uuid.uuid4().hex]))
            except Exception as exc:  # noqa: BLE001 - Redis down: fall back to the local budget
                log.warning("群机器人限流：Redis 不可用（%s），改用本机计数。", exc)
        return self._take_file(key)

    def _take_file(self, key: str) -> bool:
        folder = self.folder or Path("var") / "robot-rate"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key}.json"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                stamps = json.loads(f.read() or "[]")
            except ValueError:
                stamps = []
            now = self.clock()
            stamps = [t for t in stamps if t > now - WINDOW_SECONDS]
            ok = len(stamps) < self.per_minute
            if ok:
                stamps.append(now)
            f.seek(0)
            f.truncate()
            f.write(json.dumps(stamps))
            return ok


def default_budget(per_minute: int) -> RobotBudget:
    """The budget for this deployment: the Redis broker's server when there is one, else files under var/."""
    from django.conf import settings

    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    return RobotBudget(per_minute, broker or None, Path(settings.VAR_DIR) / "robot-rate")

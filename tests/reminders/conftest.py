"""Fixtures for the reminder tests: units, people, tasks built directly, a webhook receiver."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from accounts.models import Person, Role, Unit
from tasks.models import Assignment, Task


def at(day: str, hour: int = 9) -> dt.datetime:
    """An aware Asia/Shanghai datetime for a day (09:00 by default)."""
    d = dt.date.fromisoformat(day)
    return timezone.make_aware(dt.datetime.combine(d, dt.time(hour)), timezone.get_current_timezone())


class Receiver:
    """A webhook receiver on 127.0.0.1 that records requests; it can fail the first K calls."""

    def __init__(self):
        self.calls: list[dict] = []
        self.fail_first = 0
        self.fail_mode = "errcode"  # or "http"
        self.delay = 0.0            # seconds before answering (a slow or hanging robot)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                url = urlparse(self.path)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    n = len(receiver.calls)
                    receiver.calls.append({"path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                                           "json": json.loads(raw.decode("utf-8")), "headers": dict(self.headers),
                                           "at": time.monotonic()})
                    fail = n < receiver.fail_first
                if fail and receiver.fail_mode == "http":
                    self.send_response(502)
                    self.end_headers()
                    self.wfile.write(b"bad gateway")
                    return
                answer = {"errcode": 310000, "errmsg": "keywords not in content"} if fail else {"errcode": 0, "errmsg": "ok"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

            def handle(self):
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def units(db):
    u1 = Unit.objects.create(name="县发展和改革局", short_name="县发改局", email="fgj@example.gov.cn")
    u2 = Unit.objects.create(name="县住房和城乡建设局", short_name="县住建局", email="zjj@example.gov.cn")
    u3 = Unit.objects.create(name="城关镇人民政府", short_name="城关镇", kind="township")  # inbox only
    return u1, u2, u3


@pytest.fixture
def staff(db):
    return Person.objects.create(name="王督查", role=Role.STAFF, email="dcs@example.gov.cn")


@pytest.fixture
def leader(db):
    return Person.objects.create(name="李县长", title="副县长", role=Role.LEADER, is_leader=True, email="li@example.gov.cn")


_seq = iter(range(1, 10**6))


def make_task(units, *, deadline=None, assigned="2026-11-02", title=None, leaders=(), status=Task.Status.IN_PROGRESS,
              recurrence="", urgency=Task.Urgency.NORMAL, acknowledged=False, progress=0, source=Task.Source.MANUAL) -> Task:
    n = next(_seq)
    assigned_at = at(assigned) if isinstance(assigned, str) else assigned
    t = Task.objects.create(
        code=f"DB-T{n:05d}", title=title or f"测试督办事项{n}", deadline=dt.date.fromisoformat(deadline) if deadline else None,
        status=status, recurrence=recurrence, urgency=urgency, assigned_at=assigned_at, source=source,
        start_date=timezone.localdate(assigned_at), progress=progress,
    )
    for i, u in enumerate(units):
        Assignment.objects.create(task=t, unit=u, role="lead" if i == 0 else "co",
                                  acknowledged_at=assigned_at if acknowledged else None)
    if leaders:
        t.leaders.set(leaders)
    return t


def delivered(qs=None):
    """Queued reminders that reached their recipient: sent themselves, or merged into a sent digest."""
    from django.db.models import Q

    from tasks.models import Reminder

    qs = Reminder.objects.exclude(kind="digest") if qs is None else qs
    return qs.filter(Q(state="sent") | Q(state="merged", digest__state="sent"))


def messages(channel=None):
    """Rows the sender sends (digests and reminders sent as they are), optionally of one channel."""
    from tasks.models import Reminder

    qs = Reminder.objects.exclude(state="merged")
    return qs.filter(channel=channel) if channel else qs

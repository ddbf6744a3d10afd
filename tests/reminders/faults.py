"""Real components for the fault experiments: a private redis-server (which the tests may stop and
restart — never the shared one), an SMTP sink with a per-answer delay, a slow test job, helpers
to wait for log lines. Everything on 127.0.0.1, ports from the OS."""
from __future__ import annotations

import email
import email.policy
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class PrivateRedis:
    """A redis-server of the test's own on a free port, in a temporary folder; stop() and start()
    simulate an outage and a restart (same port, empty data)."""

    def __init__(self, folder: Path):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server 不可用，跳过 Redis 故障测试")
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, "the private redis-server")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except Exception:  # noqa: BLE001
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()   # an outage: no goodbye to the clients
            self.proc.wait(10)


class SmtpSink:
    """A minimal SMTP server that records every message and answers each command after `delay`
    seconds (a slow mail relay)."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                if sink.delay:
                    time.sleep(sink.delay)
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.reply("220 sink ESMTP")
                rcpt: list[str] = []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    cmd = raw.decode("utf-8", "replace").strip()
                    verb = cmd[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-sink\r\n")
                        self.reply("250 8BITMIME")
                    elif verb in ("HELO", "NOOP", "RSET", "MAIL"):
                        if verb == "RSET":
                            rcpt = []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        rcpt.append(cmd.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        lines = []
                        while True:
                            line = self.rfile.readline()
                            if line in (b".\r\n", b".\n", b""):
                                break
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        msg = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                        with sink.lock:
                            sink.messages.append({"to": list(rcpt), "subject": str(msg["subject"])})
                        rcpt = []
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 unknown")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

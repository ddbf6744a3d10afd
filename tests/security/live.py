"""A live tracker for black-box tests: gunicorn on a free loopback port, its own database (SQLite in
a temporary folder, or a throwaway PostgreSQL database when DATABASE_URL points at PostgreSQL),
DEBUG=0 as in production, demo data, and one staff and one operator login with known passwords."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Live-tracker-2026!x"

SETUP = """
from accounts.models import Role, Unit
from accounts.services import create_login
from django.core.management import call_command
call_command("bootstrap_demo", stdout=open("/dev/null", "w"))
call_command("seed_demo", units=12, tasks=40, seed=3, stdout=open("/dev/null", "w"))
unit = Unit.objects.filter(aliases__alias="发改局").first()
create_login(username="st_staff", password="{pw}", name="模糊测试督查员", role=Role.STAFF)
create_login(username="st_op", password="{pw}", name="模糊测试联络员", role=Role.OPERATOR, unit=unit)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _throwaway_postgres(url: str) -> tuple[str, str]:
    import psycopg

    name = f"tracker_live_{os.environ.get('PYTEST_DB_SUFFIX', 'x')}_{secrets.token_hex(4)}"
    p = urlparse(url)
    with psycopg.connect(urlunparse(p._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(p._replace(path=f"/{name}")), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    p = urlparse(url)
    with psycopg.connect(urlunparse(p._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_tracker(tmp: Path, workers: int = 2):
    """Yields {"url", "tokens": {"staff", "operator"}, "log"}."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(TRACKER_VAR_DIR=str(tmp / "var"), MEDIA_ROOT=str(tmp / "media"), STATIC_ROOT=str(tmp / "static"), DEBUG="0",
               SECRET_KEY=secrets.token_urlsafe(40), SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0",
               DJANGO_SETTINGS_MODULE="tracker.settings", CELERY_TASK_ALWAYS_EAGER="0")
    pg = os.environ.get("DATABASE_URL", "")
    dropped = None
    if pg.startswith("postgres"):
        env["DATABASE_URL"], dbname = _throwaway_postgres(pg)
        dropped = (pg, dbname)
    log = tmp / "gunicorn.log"
    proc = None
    try:
        run = lambda *a: subprocess.run([sys.executable, "manage.py", *a], cwd=ROOT, env=env,  # noqa: E731
                                        capture_output=True, text=True, timeout=600)
        p = run("migrate", "--noinput", "-v0")
        assert p.returncode == 0, p.stderr[-3000:]
        p = run("collectstatic", "--noinput", "-v0")
        assert p.returncode == 0, p.stderr[-3000:]
        p = run("shell", "-c", SETUP.format(pw=PASSWORD))
        assert p.returncode == 0, p.stderr[-3000:]
        port = free_port()
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "tracker.wsgi", "--bind", f"127.0.0.1:{port}",
                                     "--workers", str(workers), "--threads", "2", "--timeout", "60"],
                                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/portal/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.3)
        tokens = {}
        for role, username in (("staff", "st_staff"), ("operator", "st_op")):
            r = requests.post(f"{url}/api/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10)
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["token"]
        yield {"url": url, "tokens": tokens, "log": log, "env": env}
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if dropped:
            _drop_postgres(*dropped)

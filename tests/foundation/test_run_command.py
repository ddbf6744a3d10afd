"""The README's first command, for real: bin/run on the embedded defaults (SQLite + filesystem broker)
starts web, a Celery worker and Celery beat; the printed one-time password logs in; a job sent
through the embedded broker is executed by the worker."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def stop_session(proc: subprocess.Popen) -> None:
    """Stop bin/run and everything it started (its own session): TERM, then KILL after 30 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_bin_run_starts_web_worker_and_beat_with_demo_data(tmp_path):
    port = free_port()
    var = tmp_path / "var"
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PORT=str(port), TRACKER_VAR_DIR=str(var))
    with log.open("w") as out:
        proc = subprocess.Popen(["bash", "bin/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    text = lambda: log.read_text(errors="replace")  # noqa: E731
    base = f"http://127.0.0.1:{port}"
    try:
        def web_up():
            try:
                return requests.get(f"{base}/portal/login/", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(web_up, 240, "the web server")
        wait_for(lambda: "ready." in text() and "beat: Starting" in text(), 60, "worker and beat")
        assert (var / "tracker.sqlite3").exists() and (var / "broker").is_dir()
        m = re.search(r"用户名 duchashi\s+一次性密码 (\S+)", text())
        assert m, text()[-2000:]
        assert re.search(r"已导入内置讲话稿：抽取 \d+ 条，交办 \d+ 项", text())

        # the printed one-time password logs into the admin
        s = requests.Session()
        s.get(f"{base}/admin/login/", timeout=5)
        r = s.post(f"{base}/admin/login/?next=/admin/", timeout=10, data={
            "username": "duchashi", "password": m.group(1), "csrfmiddlewaretoken": s.cookies["csrftoken"], "next": "/admin/"})
        assert r.status_code == 200 and "督查室工作台" in r.text

        # a job sent through the embedded broker runs on the worker
        client = Celery(broker="filesystem://", broker_transport_options={
            "data_folder_in": str(var / "broker" / "out"), "data_folder_out": str(var / "broker" / "out"),
            "control_folder": str(var / "broker" / "control")})
        client.send_task("tasks.jobs.reminder_sweep")
        wait_for(lambda: re.search(r"Task tasks\.jobs\.reminder_sweep\[[^\]]+\] succeeded", text()), 60, "the job on the worker")
    finally:
        stop_session(proc)


def _pid(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # a zombie is not alive
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_bin_run_keeps_the_web_up_through_a_redis_outage_and_a_killed_worker(tmp_path):
    """bin/run on Redis (a private redis-server): one beat entry per job however often the set-up
    runs; kill -9 the worker (then beat) → the web keeps answering and it is started again; Redis goes
    down → the web keeps answering and the worker stays alive; Redis is back → jobs run again."""
    import sqlite3

    from tests.reminders.faults import PrivateRedis

    redis = PrivateRedis(tmp_path)
    port = free_port()
    var = tmp_path / "var"
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PORT=str(port), TRACKER_VAR_DIR=str(var), REDIS_URL=redis.url, RESTART_DELAY="1")
    with log.open("w") as out:
        proc = subprocess.Popen(["bash", "bin/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    text = lambda: log.read_text(errors="replace")  # noqa: E731
    base = f"http://127.0.0.1:{port}"

    def web_up():
        try:
            return requests.get(f"{base}/portal/login/", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def entries():
        with sqlite3.connect(var / "tracker.sqlite3") as db:
            return dict(db.execute("SELECT task, COUNT(*) FROM django_celery_beat_periodictask GROUP BY task").fetchall())

    try:
        wait_for(web_up, 240, "the web server")
        wait_for(lambda: "ready." in text() and "beat: Starting" in text(), 90, "worker and beat")
        # one schedule entry per job, however often the set-up commands run, with beat running
        for cmd in (["setup_schedule"], ["setup_schedule"], ["bootstrap_demo"]):
            subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", *cmd], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=120)
        time.sleep(3)
        assert entries() == {"tasks.jobs.reminder_sweep": 1, "tasks.jobs.weekly_report": 1}

        # kill -9 the worker: the web stays up and the worker comes back
        run_dir = var / "run"
        first = _pid(run_dir / "worker.pid")
        assert first and _alive(first)
        os.kill(first, signal.SIGKILL)
        for _ in range(10):
            assert web_up()
            time.sleep(0.3)
        wait_for(lambda: _pid(run_dir / "worker.pid") not in (0, first) and text().count("ready.") >= 2, 90, "a new worker")
        assert "worker 已退出" in text()
        assert proc.poll() is None
        # the same for beat
        beat = _pid(run_dir / "beat.pid")
        assert beat and _alive(beat)
        os.kill(beat, signal.SIGKILL)
        assert web_up()
        wait_for(lambda: _pid(run_dir / "beat.pid") not in (0, beat) and text().count("beat: Starting") >= 2, 90, "a new beat")
        assert "beat 已退出" in text() and web_up()

        # Redis goes down: the web keeps answering, the worker keeps waiting for it
        worker = _pid(run_dir / "worker.pid")
        redis.stop()
        for _ in range(20):
            assert web_up()
            time.sleep(0.5)
        assert _alive(worker) and _alive(_pid(run_dir / "web.pid"))
        redis.start()
        # back: a job published to Redis runs on the same worker
        client = Celery(broker=redis.url, set_as_current=False)
        wait_for(lambda: text().count("Connected to redis") >= 3, 90, "the worker to reconnect")
        client.send_task("tasks.jobs.send_reminders")
        wait_for(lambda: re.search(r"Task tasks\.jobs\.send_reminders\[[^\]]+\] succeeded", text()), 90, "a job after the outage")
        client.close()
        assert _alive(worker) and web_up()
        assert "Unrecoverable error" not in text()
    finally:
        stop_session(proc)
        redis.stop()

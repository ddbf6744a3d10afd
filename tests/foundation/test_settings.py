"""Start-up configuration: one clear Chinese line for a bad setting, a clean deploy check."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    drop = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")
    full = {k: v for k, v in os.environ.items() if k not in drop}
    full.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "env, setting",
    [
        ({"DATABASE_URL": "mysql://root@127.0.0.1/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:notaport/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:port/0"}, "REDIS_URL"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
    ],
)
def test_bad_setting_is_one_clear_line(env, setting):
    p = manage("check", **env)
    assert p.returncode == 2
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(f"配置错误：{setting}")
    assert "Traceback" not in p.stderr


def test_deploy_check_is_clean_with_production_settings():
    p = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY="x" * 20 + "-production-secret-key-0123456789abcdef",
               ALLOWED_HOSTS="duban.example.gov.cn")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "no issues" in p.stdout


def test_no_missing_migrations():
    p = manage("makemigrations", "--check", "--dry-run")
    assert p.returncode == 0, p.stdout + p.stderr


def test_defaults_are_sqlite_and_embedded_broker(tmp_path):
    from tracker.env import broker_config, database_config

    db = database_config(None, tmp_path / "var")
    assert db["ENGINE"] == "django.db.backends.sqlite3" and db["NAME"] == str(tmp_path / "var" / "tracker.sqlite3")
    url, opts = broker_config(None, tmp_path)
    assert url == "filesystem://" and Path(opts["data_folder_in"]).is_dir()
    url, _ = broker_config("redis://127.0.0.1:6379/0", tmp_path)
    assert url == "redis://127.0.0.1:6379/0"
    assert database_config("postgres://postgres@127.0.0.1:5432/tracker", tmp_path)["ENGINE"].endswith("postgresql")


def test_chinese_timezone_and_language(settings):
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_postgres_connections_run_without_jit(tmp_path):
    from tracker.env import database_config

    cfg = database_config("postgres://postgres@127.0.0.1:5432/tracker", tmp_path)
    assert cfg["OPTIONS"]["options"] == "-c jit=off"


@pytest.mark.django_db
def test_api_docs_are_local_and_need_a_login(client, django_user_model):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    user = django_user_model.objects.create_user("reader", password="Zz-reader-1")
    client.force_login(user)
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content

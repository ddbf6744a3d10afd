"""Reading settings from the environment, with one clear Chinese line per bad value.

Pure functions (no Django import) so they can be tested on their own. A bad value raises
`SettingError`; settings.py turns it into one line on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

DEV_SECRET_KEY = "dev-insecure-tracker-key-change-me"


class SettingError(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(f"配置错误：{name} {message}")
        self.name = name


def local_secret_key(var_dir: Path) -> str:
    """The embedded default's SECRET_KEY: random, made once per installation and kept in
    var_dir/secret_key (mode 600), so that no two installations share a published key. Production
    (DEBUG=0) must set SECRET_KEY itself."""
    import secrets

    path = var_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (web, worker, beat) made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def env_bool(name: str, default: bool, environ=os.environ) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise SettingError(name, f"应为 0 或 1（当前为 {raw!r}）。")


def env_int(name: str, default: int, environ=os.environ) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(name, f"应为整数（当前为 {raw!r}）。") from None


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [x.strip() for x in raw.split(",") if x.strip()]


def database_config(url: str | None, var_dir: Path) -> dict:
    """DATABASE_URL → Django DATABASES['default']; SQLite in the var folder when unset."""
    if not url:
        var_dir.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir / "tracker.sqlite3"),
            "OPTIONS": {"timeout": 30},
        }
    import dj_database_url

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise SettingError("DATABASE_URL", f"不是可用的数据库地址（应以 postgres:// 或 sqlite:/// 开头，当前为 {url!r}）。")
    if parsed.scheme != "sqlite" and not (parsed.path or "").strip("/"):
        raise SettingError("DATABASE_URL", f"缺少数据库名（例如 postgres://user@127.0.0.1:5432/tracker，当前为 {url!r}）。")
    try:
        parsed.port  # noqa: B018 - raises on a bad port
        cfg = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as exc:
        raise SettingError("DATABASE_URL", f"格式不正确：{exc}（当前为 {url!r}）。") from None
    if cfg["ENGINE"].endswith("postgresql"):
        # short OLTP queries: PostgreSQL's JIT costs more than it saves (the task list's COUNT went
        # from 47 ms to 233 ms with it, docs/benchmarks.md)
        cfg.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return cfg


def broker_config(url: str | None, var_dir: Path) -> tuple[str, dict]:
    """REDIS_URL → (broker_url, transport options); an embedded filesystem broker when unset."""
    if not url:
        folder = var_dir / "broker"
        for sub in ("out", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return "filesystem://", {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise SettingError("REDIS_URL", f"不是可用的 Redis 地址（应形如 redis://127.0.0.1:6379/0，当前为 {url!r}）。")
    try:
        parsed.port  # noqa: B018
    except ValueError:
        raise SettingError("REDIS_URL", f"端口不正确（当前为 {url!r}）。") from None
    return url, {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 2}

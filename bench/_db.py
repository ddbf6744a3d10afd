"""Shared set-up for the bench scripts: a fresh (or reused) benchmark database, Django ready, migrated.

    from _db import setup_django
    setup_django("tracker_bench_api", "postgres", reuse=False, debug=False)
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django(name: str, db: str, *, reuse: bool = False, debug: bool = True) -> None:
    """Point DATABASE_URL at `name` on SQLite (/tmp) or the local PostgreSQL (BENCH_PG), then migrate."""
    if db == "sqlite":
        path = Path(f"/tmp/{name}.sqlite3")
        if not reuse:
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (reuse and exists):
                c.execute(f"DROP DATABASE IF EXISTS {name}")
                c.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DEBUG"] = "1" if debug else "0"
    if not debug:
        os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-deployment-0123456789abcdef")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

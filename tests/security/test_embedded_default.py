"""The embedded default (bin/run: DEBUG on, SQLite, no SECRET_KEY set) exposes nothing production
would not: no published signing key, no /media/ folder, no technical error pages (the last two:
test_files.py and test_smaller_findings.py, DEBUG on and off)."""
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def key_of(var: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    env.update(TRACKER_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="tracker.settings")
    p = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def test_each_installation_gets_its_own_signing_key(tmp_path):
    from tracker.env import DEV_SECRET_KEY

    a, b = key_of(tmp_path / "a"), key_of(tmp_path / "b")
    assert a != b and DEV_SECRET_KEY not in (a, b) and len(a) >= 50
    assert key_of(tmp_path / "a") == a  # kept: sessions survive a restart
    mode = stat.S_IMODE((tmp_path / "a" / "secret_key").stat().st_mode)
    assert mode == 0o600

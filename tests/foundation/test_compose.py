"""docker-compose.yml runs the worker the way bin/run does: the flags bin/run gives its worker
(--without-gossip, --without-mingle…) are on the compose worker's command too, so production and
the one-command run behave alike through a Redis outage."""
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def bin_run_worker_flags() -> set[str]:
    text = (ROOT / "bin/run").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if "celery -A tracker worker" in ln)
    args = shlex.split(line[line.index("celery"):].split("&")[0])
    # the flags, without the values that differ on purpose (concurrency: 2 on a laptop, 4 in compose)
    return {a for a in args if a.startswith("--") and not a.startswith("--concurrency")}


def test_compose_worker_has_bin_runs_worker_flags():
    flags = bin_run_worker_flags()
    assert {"--without-gossip", "--without-mingle"} <= flags, flags
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]
    assert command[:4] == ["celery", "-A", "tracker", "worker"], command
    missing = flags - set(command)
    assert not missing, f"docker-compose.yml 的 worker 缺少 bin/run 的参数：{sorted(missing)}"
    assert any(re.fullmatch(r"--concurrency=\d+", a) for a in command), command

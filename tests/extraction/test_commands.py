"""The two extraction commands as a user runs them (subprocesses: these tests import no Django)."""
import json
import os
import subprocess
import sys

import pytest

from tasks.extraction.gold import REPO, find_corpus
from tasks.extraction.model import WEIGHTS_PATH


def run(args, tmp_path, timeout=180):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'none.sqlite3'}"   # no database: the bundled directory
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_extract_json_of_a_speech_without_directives_is_valid_and_exits_0(tmp_path):
    speech = tmp_path / "nothing.txt"
    speech.write_text("今天天气很好，我们一起学习了文件精神，大家都很受鼓舞。", encoding="utf-8")
    p = run(["extract", str(speech), "--date", "2024-05-28", "--format", "json"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["directives"] == []
    assert "未在讲话稿中找到" in p.stderr and "Traceback" not in p.stderr


def test_extract_finds_a_directive_with_an_owner_of_another_level(tmp_path):
    speech = tmp_path / "s.txt"
    speech.write_text("同志们：\n市财政局、县发改局要在6月底前完成项目储备。\n", encoding="utf-8")
    p = run(["extract", str(speech), "--date", "2024-05-28", "--format", "json"], tmp_path)
    assert p.returncode == 0, p.stderr
    (d,) = json.loads(p.stdout)["directives"]
    assert d["deadline"] == "2024-06-30" and 0 < d["confidence"] <= 1
    city, county = d["owners"]
    assert city["name"] == "市财政局" and city["unit_id"] is None and city["level_mismatch"] is True
    assert county["name"] == "县发展和改革局" and "level_mismatch" not in county


@pytest.mark.skipif(find_corpus() is None, reason="shared corpus not available")
def test_train_extractor_rebuilds_the_shipped_weights(tmp_path):
    out, report = tmp_path / "weights.json", tmp_path / "report.md"
    p = run(["train_extractor", "--output", str(out), "--report", str(report)], tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    text = report.read_text(encoding="utf-8")
    assert "**leave-one-document-out** | all 32" in text and "| seed000 |" in text and "rules F1" in text


def test_train_extractor_without_gold_is_a_chinese_error(tmp_path):
    p = run(["train_extractor", "--manifest", str(tmp_path / "missing.json"), "--output", str(tmp_path / "w.json")],
            tmp_path)
    assert p.returncode != 0 and "找不到标注清单" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "w.json").exists()

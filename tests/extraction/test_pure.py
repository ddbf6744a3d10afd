"""The engine must stay importable without Django."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "tasks" / "extraction"


def test_no_django_import_in_the_package():
    for path in PKG.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:import|from)\s+django\b", src, re.M), path


def test_importing_the_engine_does_not_load_django():
    code = ("import sys; import tasks.extraction as e; "
            "e.extract_text('县财政局要在6月底前完成拨付。', __import__('datetime').date(2024, 5, 28)); "
            "print('django' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_public_api_names():
    import tasks.extraction as e
    for name in ["ExtractionError", "Directory", "decode", "extract_text", "extract_bytes",
                 "resolve_deadline", "format_table", "DEFAULT_MAX_BYTES", "DEFAULT_UNITS_PATH"]:
        assert hasattr(e, name), name
    assert e.DEFAULT_UNITS_PATH == ROOT / "accounts" / "data" / "default_units.json"
    assert e.DEFAULT_UNITS_PATH.exists()


def test_result_shape_and_table():
    from datetime import date
    from tasks.extraction import extract_text, format_table
    res = extract_text("同志们：\n县发改局、统计局要在6月底前对目标完成情况进行研判。", date(2024, 5, 28), title="测试讲话")
    assert set(res) == {"document", "directives"}
    assert res["document"] == {"title": "测试讲话", "meeting_date": "2024-05-28", "encoding": "utf-8",
                               "chars": len("同志们：\n县发改局、统计局要在6月底前对目标完成情况进行研判。")}
    d = res["directives"][0]
    assert set(d) == {"text", "start", "end", "section", "owners", "deadline", "deadline_text", "recurrence",
                      "target", "confidence"}
    assert set(d["owners"][0]) == {"name", "mention", "kind", "role", "unit_id"}
    assert [o["mention"] for o in d["owners"]] == ["县发改局", "统计局"]
    assert d["deadline"] == "2024-06-30" and d["deadline_text"] == "6月底前"
    assert 0 < d["confidence"] <= 1
    table = format_table(res)
    assert "县发展和改革局" in table and "2024-06-30" in table and len(table.splitlines()) == 6

"""Speech ingestion through the service and the `extract` command: results, duplicates, bad input."""
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.services import load_units_file
from tasks.models import Directive, Meeting, Speech, Task
from tasks.services.ingest import IngestError, accept_directive, ingest_speech, reject_directive

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tasks" / "fixtures" / "demo_speech.txt"


@pytest.fixture
def units(db):
    load_units_file()


@pytest.fixture
def staff(db, django_user_model):
    from accounts.services import create_login

    return create_login(username="staff1", password="Zz-staff-pass-1", name="督查员", role="staff").user


def test_ingest_stores_the_directives_and_accepting_creates_the_task(units, staff):
    data = SPEECH.read_bytes()
    speech = ingest_speech(data=data, filename="讲话.txt", meeting_title="经济运行分析会", meeting_date=dt.date(2024, 5, 28), by=staff)
    assert speech.directives.count() >= 10
    assert speech.meeting.date == dt.date(2024, 5, 28) and speech.sha256 and speech.chars == len(speech.text)
    d = speech.directives.get(text__contains="对“十三五”的目标完成情况进行研判")
    assert d.deadline == dt.date(2024, 6, 30) and d.deadline_text == "6月底前"
    assert speech.text[d.start:d.end].replace("\n", "").startswith(d.text[:10])
    task = accept_directive(directive=d, by=staff, deadline=dt.date(2099, 6, 30))
    d.refresh_from_db()
    assert d.review_state == Directive.Review.ACCEPTED and task.source_directive == d
    names = {a.unit.name for a in task.assignments.select_related("unit")}
    assert any("发展和改革" in n or "发改" in n for n in names) and any("统计" in n for n in names)
    assert task.meeting == speech.meeting and task.deadline == dt.date(2099, 6, 30)
    with pytest.raises(IngestError, match="已已采纳|已采纳"):
        accept_directive(directive=d, by=staff)


def test_same_file_twice_is_not_extracted_twice(units, staff):
    data = SPEECH.read_bytes()
    first = ingest_speech(data=data, filename="a.txt", meeting_date=dt.date(2024, 5, 28), by=staff)
    n = Directive.objects.count()
    with pytest.raises(IngestError) as exc:
        ingest_speech(data=data, filename="b.txt", meeting_date=dt.date(2024, 5, 28), by=staff)
    assert exc.value.code == "duplicate" and exc.value.speech == first and "不会重复抽取" in exc.value.message
    assert Directive.objects.count() == n and Speech.objects.count() == 1


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "empty.txt", "空"),
        (bytes(range(256)) * 50, "garbage.txt", ""),
        (b"PK\x03\x04 this is not really a zip", "fake.docx", ""),
        ("今天天气很好，我们一起学习了文件精神，大家都很受鼓舞。".encode(), "nothing.txt", "未在讲话稿中找到"),
        (b"%PDF-1.4 broken", "x.pdf", ""),
        (b"hello", "x.exe", ""),
    ],
)
def test_bad_files_store_nothing(units, staff, data, filename, message):
    with pytest.raises(IngestError) as exc:
        ingest_speech(data=data, filename=filename, meeting_date=dt.date(2024, 5, 28), by=staff)
    assert exc.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert message in exc.value.message
    assert Speech.objects.count() == 0 and Directive.objects.count() == 0 and Meeting.objects.count() == 0


def test_oversize_file_is_refused(units, staff, settings):
    settings.TRACKER_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(IngestError, match="超过大小上限"):
        ingest_speech(data=SPEECH.read_bytes(), filename="big.txt", meeting_date=dt.date(2024, 5, 28), by=staff)
    assert Speech.objects.count() == 0


def test_meeting_date_is_required(units, staff):
    with pytest.raises(IngestError, match="会议日期"):
        ingest_speech(data=SPEECH.read_bytes(), filename="a.txt", by=staff)


def test_directive_without_known_unit_cannot_be_assigned_and_can_be_rejected(units, staff):
    speech = ingest_speech(data=SPEECH.read_bytes(), filename="a.txt", meeting_date=dt.date(2024, 5, 28), by=staff)
    d = next(x for x in speech.directives.all() if not any(o.get("unit_id") for o in x.owners))
    with pytest.raises(IngestError, match="没有可识别的责任单位"):
        accept_directive(directive=d, by=staff)
    assert Task.objects.count() == 0
    reject_directive(directive=d, by=staff)
    d.refresh_from_db()
    assert d.review_state == Directive.Review.REJECTED


def test_extract_command_json_contract_and_no_database_writes(units):
    out = io.StringIO()
    call_command("extract", str(SPEECH), "--date", "2024-05-28", "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["document"]["meeting_date"] == "2024-05-28" and doc["document"]["chars"] > 1000
    assert doc["document"]["encoding"]
    keys = {"text", "start", "end", "section", "owners", "deadline", "deadline_text", "recurrence", "target", "confidence"}
    assert doc["directives"] and all(set(d) == keys for d in doc["directives"])
    owner = next(o for d in doc["directives"] for o in d["owners"] if o["unit_id"])
    assert set(owner) == {"name", "mention", "kind", "role", "unit_id"}
    assert Speech.objects.count() == 0 and Directive.objects.count() == 0


def test_extract_command_bad_input_is_a_chinese_error(tmp_path, units):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError) as exc:
        call_command("extract", str(empty), "--date", "2024-05-28")
    assert "空" in str(exc.value)
    with pytest.raises(CommandError, match="会议日期格式不正确"):
        call_command("extract", str(SPEECH), "--date", "2024-13-01")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("extract", str(tmp_path / "missing.txt"))


def test_extract_command_works_without_any_database(tmp_path):
    """A fresh checkout: no database at all → the bundled unit directory, exit 0, JSON on stdout."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    p = subprocess.run([sys.executable, "manage.py", "extract", str(SPEECH), "--date", "2024-05-28", "--format", "json"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    owners = [o for d in doc["directives"] for o in d["owners"]]
    # matched against the bundled directory (entries without database ids), not a database
    assert doc["directives"] and any(o["kind"] == "unit" and "发展和改革" in o["name"] for o in owners)
    assert all(o["unit_id"] is None for o in owners)
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    p = subprocess.run([sys.executable, "manage.py", "extract", str(empty)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and "Traceback" not in p.stderr and "空" in p.stderr

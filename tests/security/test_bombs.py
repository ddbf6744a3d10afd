"""Finding 2: a small .docx exhausted memory (344 KB → 100 MB unpacked took 2.7 GB and 127 s).

Every decompressing reader is bounded (tasks/safezip.py for .docx/.xlsx, a limited child process
for .pdf). Each bomb is read in a fresh Python process (address space capped at 2 GB, so the old
unbounded readers fail here fast instead of taking the machine down): the answer is the clear
Chinese refusal, the process's peak memory stays within 64 MB of its baseline and returns to it.
Then the same bombs go through the real upload paths: a Chinese error and nothing stored.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.security import bombs

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    return {
        "docx": bombs.docx_bomb(d / "讲话.docx"),
        "docx_entries": bombs.docx_many_entries(d / "条目.docx"),
        "xlsx": bombs.xlsx_bomb(d / "台账.xlsx"),
        "pdf": bombs.pdf_flate_bomb(d / "讲话.pdf"),
        "pdf_pages": bombs.pdf_many_pages(d / "页数.pdf"),
    }


PROBE = textwrap.dedent("""
    import gc, json, os, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, resource.RLIM_INFINITY))
    kind, path = sys.argv[1], sys.argv[2]
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    def high_water():  # VmHWM: this process's own peak (ru_maxrss would include the forking parent's)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    if kind == "directory":
        import django; django.setup()
        from accounts.services import DirectoryError, read_directory_file
        import openpyxl, tasks.safezip  # imported lazily by the reader: not part of what it allocates
        def run(): read_directory_file(path)
        errors = (DirectoryError,)
        message = lambda e: e.errors[0]
    elif kind == "ledger":
        from tasks.reports.ledger import LedgerFormatError, read_ledger
        def run():
            sheet, rows = read_ledger(path, max_rows=2000)
            list(rows)
        errors = (LedgerFormatError,)
        message = lambda e: e.message
    else:
        from tasks.extraction import ExtractionError, decode
        def run(): decode(open(path, "rb").read(), os.path.basename(path))
        errors = (ExtractionError,)
        message = lambda e: e.message
    gc.collect()
    base = rss()
    started = time.monotonic()
    try:
        run()
        answer = {"refused": False}
    except errors as e:
        answer = {"refused": True, "message": message(e)}
    except MemoryError:
        answer = {"refused": False, "message": "MemoryError"}
    gc.collect()
    answer.update(base=base, after=rss(), peak=high_water(),
                  child_peak=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                  seconds=time.monotonic() - started)
    print(json.dumps(answer, ensure_ascii=False))
""")


def probe(kind: str, path: Path, tmp_path: Path) -> dict:
    env = {**os.environ, "TRACKER_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    env.pop("DATABASE_URL", None)
    p = subprocess.run([sys.executable, "-c", PROBE, kind, str(path)], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=180)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind, bomb, words", [
    ("decode", "docx", ["Word 文档", "压缩炸弹"]),
    ("decode", "docx_entries", ["Word 文档", "条目过多"]),
    ("decode", "pdf", ["PDF", "内存超过上限"]),
    ("decode", "pdf_pages", ["PDF", "超过 300 页"]),
    ("ledger", "xlsx", ["台账文件", "压缩炸弹"]),
    ("directory", "xlsx", ["单位名录文件", "压缩炸弹"]),
])
def test_bomb_is_refused_with_bounded_memory(bomb_files, tmp_path, kind, bomb, words):
    answer = probe(kind, bomb_files[bomb], tmp_path)
    assert answer["refused"], answer
    for w in words:
        assert w in answer["message"], answer["message"]
    assert "Error" not in answer["message"] and "Traceback" not in answer["message"]
    assert answer["peak"] - answer["base"] < 64 * MB, answer  # nothing was unpacked into this process
    assert answer["after"] - answer["base"] < 16 * MB, answer  # and memory is back to its baseline
    assert answer["seconds"] < 25, answer
    if bomb.startswith("pdf"):  # pdfminer's child process is held to its own cap
        from tasks.extraction.decode import PDF_MAX_MEMORY

        assert answer["child_peak"] <= PDF_MAX_MEMORY, answer


def test_ordinary_office_files_still_pass_the_checks(tmp_path):
    """The caps are far above real speeches and ledgers: a 2 MB speech .docx and a 3,000-row
    ledger go through."""
    import docx
    from openpyxl import Workbook

    from tasks.extraction import decode
    from tasks.reports.ledger import read_ledger
    from tasks.safezip import DOCX_LIMITS, XLSX_LIMITS, check_zip

    d = docx.Document()
    for i in range(4000):
        d.add_paragraph(f"第{i}条：县发改局要在年底前完成项目储备，县财政局配合做好资金保障工作。")
    d.save(tmp_path / "s.docx")
    assert check_zip(tmp_path / "s.docx", DOCX_LIMITS) > 1 * MB
    assert "第3999条" in decode((tmp_path / "s.docx").read_bytes(), "s.docx").text

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "督办事项", "责任单位", "完成时限"])
    for i in range(3000):
        ws.append([i + 1, f"推进第{i}个重点项目建设", "县发展和改革局", "2026-12-31"])
    wb.save(tmp_path / "l.xlsx")
    check_zip(tmp_path / "l.xlsx", XLSX_LIMITS)
    sheet, rows = read_ledger(tmp_path / "l.xlsx", max_rows=5000)
    assert sum(1 for _ in rows) == 3000


def test_safezip_counts_what_members_really_unpack_to():
    """Declared sizes can lie: a member whose header says 10 bytes but inflates to 30 MB is caught
    by counting, and a ratio cap catches a small, dense member."""
    import io
    import struct
    import zipfile
    import zlib

    from tasks.safezip import ZipBombError, ZipLimits, check_zip

    payload = b"\0" * (30 * MB)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", payload)
    raw = bytearray(buf.getvalue())
    # rewrite the declared uncompressed size (local header and central directory) to 10 bytes
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = raw.find(sig)
        raw[i + off:i + off + 4] = struct.pack("<I", 10)
    with pytest.raises(ZipBombError) as e:
        check_zip(bytes(raw), ZipLimits(max_member=20 * MB, max_total=40 * MB, max_ratio=10_000))
    assert e.value.code in ("too_large", "bad_zip")
    with pytest.raises(ZipBombError) as e:
        check_zip(buf.getvalue(), ZipLimits(max_member=64 * MB, max_total=64 * MB, max_ratio=100))
    assert e.value.code == "ratio" and "压缩比异常" in e.value.message
    assert len(zlib.compress(payload)) < 64 * 1024


# --- the real upload paths: a Chinese error, nothing stored -------------------------------------

@pytest.fixture
def staff_user(db):
    from accounts.services import create_login

    return create_login(username="dcs", password="Dc-tracker-2026!x", name="督查员", role="staff").user


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", ["docx", "pdf"])
def test_speech_bomb_upload_by_api_is_refused_and_stores_nothing(bomb_files, staff_user, settings, bomb):
    from rest_framework.test import APIClient

    from tasks.models import Meeting, Speech

    c = APIClient()
    c.force_authenticate(staff_user)
    path = bomb_files[bomb]
    r = c.post("/api/speeches/", {"file": SimpleUploadedFile(path.name, path.read_bytes()),
                                  "meeting_title": "全县经济工作会议", "meeting_date": "2026-11-20"}, format="multipart")
    assert r.status_code == 400, r.content
    assert "压缩炸弹" in r.json()["detail"] or "内存超过上限" in r.json()["detail"]
    assert Speech.objects.count() == 0 and Meeting.objects.count() == 0
    assert _media_files(settings) == []


@pytest.mark.django_db
def test_ledger_bomb_import_is_refused_and_creates_nothing(bomb_files, staff_user):
    from tasks.models import Task
    from tasks.services.ledger import LedgerError, import_ledger

    with pytest.raises(LedgerError) as e:
        import_ledger(bomb_files["xlsx"], by=staff_user)
    assert "压缩炸弹" in e.value.message
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_unit_directory_bomb_in_the_admin_is_refused_and_changes_nothing(bomb_files, staff_user, client, settings):
    from accounts.models import Unit

    client.force_login(staff_user)
    before = Unit.objects.count()
    path = bomb_files["xlsx"]
    r = client.post(reverse("admin:accounts_unit_import"), {"file": SimpleUploadedFile("名录.xlsx", path.read_bytes())})
    assert r.status_code == 200
    assert "压缩炸弹" in r.content.decode()
    assert Unit.objects.count() == before
    assert _media_files(settings) == []


def test_entry_count_is_refused_from_the_end_record_before_parsing(tmp_path):
    """200,000 empty members: refused from the archive's end record, without building 200,000
    ZipInfo objects (the probe's memory stays flat)."""
    import zipfile

    from tasks.safezip import DOCX_LIMITS, ZipBombError, _declared_entries, check_zip

    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(200_000):
            z.writestr(f"{i}", b"")
    with path.open("rb") as f:
        assert _declared_entries(f) == 200_000
    with pytest.raises(ZipBombError) as e:
        check_zip(path, DOCX_LIMITS)
    assert e.value.code == "too_many_entries" and "200000" in e.value.message
    answer = probe("decode", path, tmp_path)
    assert answer["refused"] and answer["peak"] - answer["base"] < 64 * MB, answer

"""Issue #12, item 6 (ledger part): a bad ledger gets a clear Chinese message — never a Python class
name (BadZipFile, KeyError…) — and a refused upload does not stay on disk.

Every way in is tried: the service, the command, the admin upload (预检 and 确认导入) and the
worker's import of a stashed upload."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role, Unit
from accounts.services import create_login
from tasks.models import Task
from tasks.services.ledger import LedgerError, import_ledger, import_ledger_upload

CLASS_NAME = re.compile(r"\b(?:[A-Z][A-Za-z]*(?:Error|Exception|Warning)|BadZipFile|KeyError|ValueError|TypeError|"
                        r"OSError|Traceback|zipfile|openpyxl|lxml|NoneType)\b")
HEADER = ["序号", "督办事项", "牵头单位", "完成时限"]


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _corrupt_sheet() -> bytes:
    """A real xlsx whose sheet XML is cut in the middle of a row."""
    good = _xlsx([HEADER] + [[i, f"事项{i}", "县发改局", "2099-12-31"] for i in range(50)])
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            z.writestr(item, data)
    return out.getvalue()


BAD_FILES = {
    "text": b"this is not a spreadsheet at all",
    "empty": b"",
    "old-xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    "broken-zip": b"PK\x03\x04" + b"\x00" * 64,
    "zip-without-workbook": _zip({"hello.txt": b"hi"}),
    "docx-renamed": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "truncated-xlsx": _xlsx([HEADER, [1, "事项", "县发改局", "2099-12-31"]])[:300],
    "corrupt-sheet": _corrupt_sheet(),
}


@pytest.fixture
def ledger_units(db):
    return Unit.objects.create(name="县发展和改革局", short_name="县发改局", sort_order=1)


@pytest.fixture
def staff(db):
    return create_login(username="duchashi", password="Dc-2024-secret!", name="李督查", role=Role.STAFF).user


def assert_clear(message: str):
    assert message and re.search(r"[\u4e00-\u9fff]", message), message
    assert not CLASS_NAME.search(message), message


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_service_and_command_say_it_in_chinese(kind, staff, ledger_units, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(BAD_FILES[kind])
    with open(path, "rb") as fh, pytest.raises(LedgerError) as e:
        import_ledger(fh, by=staff)
    assert_clear(e.value.message)
    for m in (e.value.result.error_messages() if e.value.result else []):
        assert_clear(m)
    with pytest.raises(CommandError) as ce:
        call_command("import_ledger", str(path), "--user", "duchashi", stdout=io.StringIO(), stderr=io.StringIO())
    assert_clear(str(ce.value))
    assert Task.objects.count() == 0


def uploads() -> list[Path]:
    d = Path(settings.MEDIA_ROOT) / "ledger-uploads"
    return sorted(d.iterdir()) if d.exists() else []


@pytest.mark.parametrize("kind", ["text", "broken-zip", "zip-without-workbook", "corrupt-sheet"])
def test_admin_refused_upload_leaves_nothing_on_disk(kind, client, staff, ledger_units):
    client.force_login(staff)
    url = reverse("admin:tasks_task_import_ledger")
    resp = client.post(url, {"file": _named(BAD_FILES[kind], f"{kind}.xlsx"), "action": "preview"})
    html = resp.content.decode()
    assert resp.status_code == 200 and 'class="error"' in html
    error = re.search(r'<li class="error">(.*?)</li>', html, re.S).group(1)
    assert_clear(error)
    assert "xlsx" in error or "无法读取" in error or "表头" in error, error
    assert not CLASS_NAME.search(html.split("<body", 1)[1]), kind
    assert uploads() == []
    # nothing to confirm afterwards
    client.post(url, {"action": "confirm"})
    assert Task.objects.count() == 0 and uploads() == []


def _named(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_admin_rows_with_errors_are_not_kept_either(client, staff, ledger_units):
    client.force_login(staff)
    data = _xlsx([HEADER, [1, "好的", "县发改局", "2099-12-31"], [2, "坏的", "县宣传部", "2099-12-31"]])
    resp = client.post(reverse("admin:tasks_task_import_ledger"), {"file": _named(data, "台账.xlsx"), "action": "preview"})
    assert "第3行：责任单位“县宣传部”不在单位名录中" in resp.content.decode()
    assert uploads() == []


def test_admin_good_upload_is_kept_until_confirmed_then_removed(client, staff, ledger_units):
    client.force_login(staff)
    url = reverse("admin:tasks_task_import_ledger")
    data = _xlsx([HEADER, [1, "好的", "县发改局", "2099-12-31"]])
    client.post(url, {"file": _named(data, "台账.xlsx"), "action": "preview"})
    assert len(uploads()) == 1  # kept between 预检 and 确认导入
    resp = client.post(url, {"action": "confirm"}, follow=True)
    assert "导入成功：共创建1个督办事项" in resp.content.decode()
    assert uploads() == [] and Task.objects.count() == 1


def test_admin_replacing_an_upload_removes_the_previous_one(client, staff, ledger_units):
    client.force_login(staff)
    url = reverse("admin:tasks_task_import_ledger")
    data = _xlsx([HEADER, [1, "好的", "县发改局", "2099-12-31"]])
    client.post(url, {"file": _named(data, "a.xlsx"), "action": "preview"})
    first = uploads()
    client.post(url, {"file": _named(data, "b.xlsx"), "action": "preview"})
    assert len(uploads()) == 1 and uploads() != first


@pytest.mark.parametrize("kind", ["broken-zip", "corrupt-sheet"])
def test_worker_import_of_a_bad_stash_says_it_in_chinese_and_deletes_it(kind, staff, ledger_units):
    d = Path(settings.MEDIA_ROOT) / "ledger-uploads"
    d.mkdir(parents=True, exist_ok=True)
    path = d / "0123456789abcdef.xlsx"
    path.write_bytes(BAD_FILES[kind])
    out = import_ledger_upload(path, by=staff, original_name="台账.xlsx")
    assert not out["ok"] and not path.exists()
    assert_clear(out["message"])
    from tasks.models import Notice

    notice = Notice.objects.get()
    assert notice.title == "台账《台账.xlsx》导入失败"
    assert_clear(notice.body)

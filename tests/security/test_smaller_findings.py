"""Finding 6, the smaller items, each with a test: the admin unit filter, the total attachment
size per request, JSON 404 under /api/, the schema of /api/tasks/{id}/history/ and of the
nullable Directive.task, a strict Content-Security-Policy, Chinese 403/404/500 pages that leak
nothing with DEBUG on and off. (The API lockout: test_revocation.py.)"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tasks.models import Attachment, ProgressReport
from tests.api.world import client_for
from tests.workflow.factories import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_admin_task_list_with_a_bad_unit_filter_is_not_a_500(world, client):
    client.force_login(world["users"]["staff"])
    for value in ("abc", "1'--", "-1", "9999999999999999999999"):
        r = client.get("/admin/tasks/task/", {"unit": value})
        assert r.status_code in (200, 302), (value, r.status_code)
    r = client.get("/admin/tasks/task/", {"unit": "abc"}, follow=True)
    assert r.status_code == 200
    r = client.get("/admin/tasks/task/", {"unit": world["units"]["a"].pk})
    assert r.status_code == 200 and world["t"].code in r.content.decode()


def test_total_attachment_size_per_report_is_capped(world, settings):
    settings.TRACKER_MAX_ATTACHMENTS_TOTAL_BYTES = 1024 * 1024
    before = ProgressReport.objects.count(), Attachment.objects.count()
    files = [SimpleUploadedFile(f"佐证{i}.pdf", pdf_bytes(400 * 1024), content_type="application/pdf") for i in range(3)]
    r = client_for(world["users"], "op_assigned").post(
        "/api/progress-reports/", {"task": world["t"].pk, "text": "推进中", "percent": 40, "files": files}, format="multipart")
    assert r.status_code == 400, r.content
    assert "合计" in r.json()["detail"] and "上限" in r.json()["detail"] and r.json()["field"] == "files"
    assert (ProgressReport.objects.count(), Attachment.objects.count()) == before
    # two of them fit
    files = [SimpleUploadedFile(f"佐证{i}.pdf", pdf_bytes(400 * 1024), content_type="application/pdf") for i in range(2)]
    r = client_for(world["users"], "op_assigned").post(
        "/api/progress-reports/", {"task": world["t"].pk, "text": "推进中", "percent": 40, "files": files}, format="multipart")
    assert r.status_code == 201, r.content


def test_an_oversized_request_is_refused_before_it_is_read(world, settings, client):
    settings.TRACKER_MAX_REQUEST_BYTES = 512 * 1024
    files = [SimpleUploadedFile("大.pdf", pdf_bytes(600 * 1024), content_type="application/pdf")]
    r = client_for(world["users"], "op_assigned").post(
        "/api/progress-reports/", {"task": world["t"].pk, "text": "推进中", "percent": 40, "files": files}, format="multipart")
    assert r.status_code == 413 and "上限" in r.json()["detail"]
    client.force_login(world["users"]["op_a"])
    files = [SimpleUploadedFile("大.pdf", pdf_bytes(600 * 1024), content_type="application/pdf")]
    r = client.post(f"/portal/tasks/{world['t'].pk}/", {"action": "report", "text": "x", "percent": 50, "files": files})
    assert r.status_code == 413 and "上限" in r.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_unmatched_api_paths_answer_json_404(world, settings, debug):
    settings.DEBUG = debug
    c = client_for(world["users"], "staff")
    for path in ("/api/no-such-thing/", "/api/tasks/abc/history/", "/api/attachments/-1/download/x/", "/api/v2/"):
        r = c.get(path)
        assert r.status_code == 404, path
        assert r["Content-Type"].startswith("application/json"), (path, r["Content-Type"])
        assert r.json()["code"] == "not_found" and "未找到" in r.json()["detail"]


def test_schema_history_is_an_array_and_directive_task_is_nullable(world):
    c = client_for(world["users"], "staff")
    schema = c.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    history = schema["paths"]["/api/tasks/{id}/history/"]["get"]
    body = history["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array", body
    assert not any(p["name"] in ("page", "ordering") for p in history.get("parameters", []))
    task = schema["components"]["schemas"]["Directive"]["properties"]["task"]
    assert task.get("nullable") is True and task["type"] == "integer"
    # and the answers agree
    r = c.get(f"/api/tasks/{world['t'].pk}/history/")
    assert isinstance(r.json(), list)
    d = c.get(f"/api/directives/{world['directive'].pk}/").json()
    assert d["task"] is None
    # every operation documents its JSON errors
    for path, item in schema["paths"].items():
        for method, op in item.items():
            assert {"400", "401", "403", "404", "500"} <= set(op["responses"]), (method, path)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_inline_script_in_any_project_template():
    templates = [p for base in ("tasks", "accounts", "tracker") for p in (ROOT / base).rglob("templates/**/*.html")]
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), f"inline <script> in {path}"
        assert not HANDLER_ATTR.search(text), f"inline event handler in {path}"
        assert "javascript:" not in text, path


@pytest.mark.parametrize("path, who", [("/portal/login/", None), ("/portal/", "op_a"), ("/admin/", "staff"),
                                       ("/api/docs/", "staff"), ("/api/tasks/", "staff"), ("/files/x", "staff")])
def test_strict_csp_on_every_kind_of_page(world, client, path, who):
    if who:
        client.force_login(world["users"][who])
    r = client.get(path)
    csp = r["Content-Security-Policy"]
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (x.strip() for x in csp.split(";")) if d)
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in directives.get("style-src", "") and "unsafe-eval" not in csp
    if path == "/api/docs/":
        html = r.content.decode()
        assert not INLINE_SCRIPT.search(html), "Swagger UI must load its start-up code as a file"


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path, status, words", [
    ("/boom/", 500, "服务器出错了"), ("/denied/", 403, "没有访问权限"), ("/missing/", 404, "页面不存在"),
    ("/no/such/page/", 404, "页面不存在"), ("/api/boom/", 500, "服务器内部错误"),
])
def test_chinese_error_pages_leak_nothing_in_either_mode(world, settings, path, status, words, debug):
    from django.test import Client

    settings.DEBUG = debug
    settings.ROOT_URLCONF = "tests.security.urls_boom"
    c = Client(raise_request_exception=False)
    c.force_login(world["users"]["staff"])
    r = c.get(path)
    assert r.status_code == status
    text = r.content.decode()
    assert words in text
    for leak in ("SECRET-INTERNAL-DETAIL", "Traceback", "settings.py", "DEBUG", "urls_boom", "Django", "Request Method"):
        assert leak not in text, leak
    if path.startswith("/api/"):
        assert r["Content-Type"].startswith("application/json")


def test_csrf_failure_is_a_chinese_403(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    r = c.post("/portal/login/", {"username": "op_a", "password": "x"})
    assert r.status_code == 403 and "CSRF" in r.content.decode() and "刷新" in r.content.decode()
    assert "Forbidden" not in r.content.decode()


@pytest.mark.parametrize("path", ["/api/progress-reports/?unit=-4.78e198", "/api/extension-requests/?task=1e200",
                                  "/api/tasks/?unit=99999999999999999999999", "/api/directives/?speech=1.5"])
def test_id_filters_out_of_range_are_a_400_on_every_database(world, path):
    """Found by schemathesis on SQLite (OverflowError → 500)."""
    r = client_for(world["users"], "staff").get(path)
    assert r.status_code == 400, r.content
    assert r.json()["field"] in ("unit", "task", "speech")


def test_evidence_archive_with_too_many_entries_is_refused_and_nothing_stored(world):
    """A .docx evidence file is not parsed, but listing its entries is bounded like every other
    zip-based upload (tasks/safezip.py): 20,000 empty members are refused before zipfile lists them."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(20_000):
            z.writestr(f"word/media/x{i}.bin", b"")
    before = ProgressReport.objects.count(), Attachment.objects.count()
    r = client_for(world["users"], "op_assigned").post(
        "/api/progress-reports/", {"task": world["t"].pk, "text": "推进中", "percent": 40,
                                   "files": [SimpleUploadedFile("佐证.docx", buf.getvalue())]}, format="multipart")
    assert r.status_code == 400, r.content
    assert "条目过多" in r.json()["detail"] and "佐证.docx" in r.json()["detail"] and r.json()["field"] == "files"
    assert (ProgressReport.objects.count(), Attachment.objects.count()) == before

"""Uploading a speech on the workbench: bad files get a Chinese message and store nothing; the
same file twice opens the speech already uploaded."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tasks.models import Meeting, Speech
from tests.workbench.conftest import DEMO_SPEECH

pytestmark = pytest.mark.django_db


def _post(client, name, data, **extra):
    fields = {"meeting_title": "全县经济运行分析会议", "meeting_date": timezone.localdate().isoformat(), "level": "county",
              "file": SimpleUploadedFile(name, data)}
    fields.update(extra)
    return client.post("/workbench/speeches/upload/", fields)


@pytest.mark.parametrize("name,data,extra,message", [
    ("讲话.txt", b"", {}, "文件是空的"),
    ("讲话.exe", b"MZ\x90\x00binary", {}, ""),
    ("讲话.txt", "今天天气很好，大家辛苦了。".encode(), {}, "未在讲话稿中找到可督办的交办事项"),
    ("讲话.txt", DEMO_SPEECH.read_bytes(), {"meeting_date": "2026-13-45"}, "日期格式不正确"),
    ("讲话.txt", DEMO_SPEECH.read_bytes(), {"meeting_title": ""}, "请填写会议名称"),
])
def test_bad_uploads_store_nothing(staff_client, name, data, extra, message):
    r = _post(staff_client, name, data, **extra)
    html = r.content.decode()
    assert r.status_code == 400
    assert 'class="errorlist' in html or "form-errors" in html
    if message:
        assert message in html
    assert not Speech.objects.exists() and not Meeting.objects.exists()


def test_too_big_refused_before_reading(staff_client, settings):
    settings.TRACKER_MAX_UPLOAD_BYTES = 1000
    r = _post(staff_client, "讲话.txt", DEMO_SPEECH.read_bytes())
    assert r.status_code == 400 and "讲话稿不能超过" in r.content.decode()
    assert not Speech.objects.exists()


def test_upload_then_same_file_again(staff_client):
    r = _post(staff_client, "讲话.txt", DEMO_SPEECH.read_bytes())
    speech = Speech.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/workbench/speeches/{speech.pk}/"
    assert speech.meeting.level == "county" and speech.directives.exists()
    r = _post(staff_client, "再次上传.txt", DEMO_SPEECH.read_bytes())
    assert r.status_code == 302 and r["Location"] == f"/workbench/speeches/{speech.pk}/"
    assert Speech.objects.count() == 1
    html = staff_client.get(r["Location"]).content.decode()
    assert "该文件已于" in html and "已为您打开该讲话稿" in html


def test_editing_a_candidate_handled_meanwhile(staff_client, users, demo_speech):
    from tasks.services.ingest import reject_directive

    d = demo_speech.directives.first()
    reject_directive(directive=d, by=users["staff"])
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", {
        "action": "save", "text": d.text, "deadline_kind": "none", "chip": [], "chip_role": []}, follow=True)
    html = r.content.decode()
    assert "已驳回，不能再修改" in html and 'data-testid="editor-done"' in html


def test_docx_speech(staff_client):
    import io

    from docx import Document

    doc = Document()
    for line in DEMO_SPEECH.read_text(encoding="utf-8").splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    r = _post(staff_client, "讲话.docx", buf.getvalue())
    assert r.status_code == 302
    speech = Speech.objects.get()
    assert speech.encoding == "docx" or "docx" in speech.encoding
    assert speech.directives.count() > 10
    assert staff_client.get(r["Location"]).status_code == 200

"""The API end to end: 交办 → 签收 → 进展 → 延期 → 办结, filters, 409 on concurrent edits, and bad
input answered with a Chinese 400 that stores nothing."""
import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks.models import (
    Assignment, Attachment, CompletionRequest, ExtensionRequest, OfficeSettings, ProgressReport, Task,
)
from tests.api.world import client_for
from tests.workflow.factories import PASSWORD, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def counts():
    return (Task.objects.count(), Assignment.objects.count(), ProgressReport.objects.count(), Attachment.objects.count(),
            ExtensionRequest.objects.count(), CompletionRequest.objects.count(), Task.history.count())


def chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_full_flow_over_http(users, units):
    staff, op = client_for(users, "staff"), client_for(users, "op_assigned")
    today = dt.date.today()
    r = staff.post("/api/tasks/", {"title": "县城供水管网改造", "units": [{"unit": units["a"].pk, "role": "lead"},
                                                                 {"unit": units["b"].pk, "role": "co"}],
                                   "deadline": str(today + dt.timedelta(days=20)), "requirement": "年底前完工"}, format="json")
    assert r.status_code == 201, r.data
    tid = r.data["id"]
    assert r.data["code"].startswith("DB-") and r.data["light"] == "green" and r["ETag"] == '"1"'
    assert {u["unit_name"]: u["role"] for u in r.data["units"]} == {"县发展和改革局": "lead", "县财政局": "co"}

    r = op.post(f"/api/tasks/{tid}/acknowledge/", {}, format="json")  # unit defaults to the operator's
    assert r.status_code == 200 and r.data["status"] == "in_progress"
    r = op.post("/api/progress-reports/", {"task": tid, "text": "管材已进场", "percent": "40",
                                           "files": [SimpleUploadedFile("照片.png", png_bytes(), "image/png"),
                                                     SimpleUploadedFile("合同.pdf", pdf_bytes(), "application/pdf")]},
                format="multipart")
    assert r.status_code == 201, r.data
    assert r.data["percent"] == 40 and [a["name"] for a in r.data["attachments"]] == ["照片.png", "合同.pdf"]
    dl = op.get(r.data["attachments"][1]["url"])
    assert dl.status_code == 200 and b"".join(dl.streaming_content).startswith(b"%PDF-")

    r = op.post("/api/extension-requests/", {"task": tid, "proposed_deadline": str(today + dt.timedelta(days=40)),
                                             "reason": "冬季停工"}, format="json")
    assert r.status_code == 201
    r = staff.post(f"/api/extension-requests/{r.data['id']}/approve/", {}, format="json")
    assert r.status_code == 200 and r.data["state"] == "approved"
    assert staff.get(f"/api/tasks/{tid}/").data["deadline"] == str(today + dt.timedelta(days=40))

    r = op.post("/api/completion-requests/", {"task": tid, "summary": "全部完工并通过验收"}, format="json")
    assert r.status_code == 201
    r = staff.post(f"/api/completion-requests/{r.data['id']}/approve/", {"grade": "excellent"}, format="json")
    assert r.status_code == 200
    detail = staff.get(f"/api/tasks/{tid}/").data
    assert detail["status"] == "closed" and detail["grade"] == "excellent" and detail["light"] == "done_on_time"

    hist = staff.get(f"/api/tasks/{tid}/history/").data
    kinds = [h["kind"] for h in hist]
    assert kinds[0] == "history" and {"acknowledge", "report", "extension", "completion", "completion_decision"} <= set(kinds)
    assert any(h["kind"] == "report" and len(h["attachments"]) == 2 for h in hist)
    notices = op.get("/api/notices/").data["results"]
    assert any("延期申请已同意" in n["title"] for n in notices) and any("交办通知" in n["title"] for n in notices)


def test_session_and_token_login(users, client):
    assert client.get("/api/tasks/").status_code == 401
    r = APIClient().post("/api/auth/token/", {"username": "op_a", "password": PASSWORD}, format="json")
    assert r.status_code == 200
    token = r.data["token"]
    assert Token.objects.get(key=token).user == users["op_a"]
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get("/api/tasks/").status_code == 200
    c.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert c.get("/api/tasks/").status_code == 401
    s = APIClient()
    s.force_login(users["leader"])
    assert s.get("/api/tasks/").status_code == 200
    # a session client must send the CSRF token on writes
    s = APIClient(enforce_csrf_checks=True)
    s.force_login(users["staff"])
    r = s.post("/api/tasks/", {"title": "x"}, format="json")
    assert r.status_code == 403 and "CSRF" in str(r.data["detail"])


def test_concurrent_edits_get_409(make_task, users, units):
    t = make_task()
    op_a, op_b = client_for(users, "op_assigned"), client_for(users, "op_other")
    v = client_for(users, "staff").get(f"/api/tasks/{t.pk}/")["ETag"]
    assert v == '"1"'
    r1 = op_a.post("/api/progress-reports/", {"task": t.pk, "text": "一", "percent": 10, "version": 1}, format="json")
    assert r1.status_code == 201
    before = counts()
    r2 = op_b.post("/api/progress-reports/", {"task": t.pk, "text": "二", "percent": 20, "version": 1}, format="json")
    assert r2.status_code == 409 and "已被他人修改" in r2.data["detail"]
    r3 = client_for(users, "staff").post(f"/api/tasks/{t.pk}/deadline/", {"deadline": str(t.deadline + dt.timedelta(days=1))},
                                         format="json", HTTP_IF_MATCH=v)
    assert r3.status_code == 409
    assert counts() == before
    r4 = client_for(users, "staff").post(f"/api/tasks/{t.pk}/deadline/", {"deadline": str(t.deadline + dt.timedelta(days=1))},
                                         format="json", HTTP_IF_MATCH='"2"')
    assert r4.status_code == 200 and r4["ETag"] == '"3"'


@pytest.mark.parametrize("case", ["percent_high", "percent_negative", "percent_lower", "closed", "exe", "fake_pdf", "oversize"])
def test_bad_progress_is_a_chinese_400_and_stores_nothing(make_task, users, units, case):
    OfficeSettings.objects.update_or_create(pk=1, defaults={"max_attachment_bytes": 3000})
    staff, op = client_for(users, "staff"), client_for(users, "op_assigned")
    t = make_task()
    assert op.post("/api/progress-reports/", {"task": t.pk, "text": "起步", "percent": 30}, format="json").status_code == 201
    body = {"task": t.pk, "text": "补充", "percent": 50}
    if case == "percent_high":
        body["percent"] = 101
    elif case == "percent_negative":
        body["percent"] = -5
    elif case == "percent_lower":
        body["percent"] = 20
    elif case == "closed":
        cr = op.post("/api/completion-requests/", {"task": t.pk, "summary": "完成"}, format="json").data
        assert staff.post(f"/api/completion-requests/{cr['id']}/approve/", {"grade": "合格"}, format="json").status_code == 200
    elif case == "exe":
        body["files"] = [SimpleUploadedFile("setup.exe", b"MZ\x90\x00" * 10)]
    elif case == "fake_pdf":
        body["files"] = [SimpleUploadedFile("报告.pdf", b"MZ\x90\x00" * 10)]
    elif case == "oversize":
        body["files"] = [SimpleUploadedFile("大文件.pdf", pdf_bytes(4000))]
    before = counts()
    r = op.post("/api/progress-reports/", body, format="multipart")
    assert r.status_code == 400, r.data
    assert chinese(r.data["detail"]) and r.data["field"] in ("percent", "task", "files")
    assert counts() == before


def test_bad_extension_and_deadline_are_400(make_task, users, units):
    staff, op = client_for(users, "staff"), client_for(users, "op_assigned")
    t = make_task()
    before = counts()
    r = op.post("/api/extension-requests/", {"task": t.pk, "proposed_deadline": str(t.deadline - dt.timedelta(days=1)),
                                             "reason": "来不及"}, format="json")
    assert r.status_code == 400 and "必须晚于现时限" in r.data["detail"] and r.data["field"] == "proposed_deadline"
    r = staff.post("/api/tasks/", {"title": "倒填时限", "units": [{"unit": units["a"].pk, "role": "lead"}],
                                   "start_date": "2026-11-10", "deadline": "2026-11-01"}, format="json")
    assert r.status_code == 400 and "不能早于交办日期" in r.data["detail"] and r.data["field"] == "deadline"
    r = staff.post("/api/tasks/", {"title": "没有主办", "units": [{"unit": units["a"].pk, "role": "co"}],
                                   "deadline": "2099-01-01"}, format="json")
    assert r.status_code == 400 and "主办" in r.data["detail"]
    r = staff.post("/api/tasks/", {"title": "", "units": []}, format="json")
    assert r.status_code == 400 and chinese(r.data["detail"]) and r.data["field"] == "title"
    r = staff.post(f"/api/tasks/{t.pk}/deadline/", {"deadline": "不是日期"}, format="json")
    assert r.status_code == 400 and r.data["field"] == "deadline" and chinese(r.data["detail"])
    assert counts() == before


def test_list_filters_and_search(make_task, users, units):
    staff = client_for(users, "staff")
    today = dt.date.today()
    late = make_task(title="逾期的道路硬化", deadline=today + dt.timedelta(days=1), start_date=today - dt.timedelta(days=10))
    Task.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=2))
    soon = make_task(title="临期的防汛检查", deadline=today + dt.timedelta(days=1), units=[(units["c"], "lead")])
    green = make_task(title="绿灯的项目储备", deadline=today + dt.timedelta(days=200))
    event = make_task(title="供暖季前完成", deadline=None, deadline_kind="event")

    def ids(**params):
        r = staff.get("/api/tasks/", params)
        assert r.status_code == 200, r.data
        return {row["id"] for row in r.data["results"]}

    assert ids(light="red") == {late.pk}
    assert ids(light=["red", "yellow"]) == {late.pk, soon.pk}
    assert ids(light="no_deadline") == {event.pk}
    assert ids(unit=units["c"].pk) == {soon.pk}
    assert ids(q="防汛") == {soon.pk}
    assert ids(q="交通") == {soon.pk}  # by unit name
    assert ids(q=soon.code.lower()) == {soon.pk}  # letters: case-insensitive
    assert ids(q=soon.code[-4:]) == {soon.pk}
    assert ids(deadline_from=str(today + dt.timedelta(days=100))) == {green.pk}
    assert ids(deadline_to=str(today)) == {late.pk}
    assert ids(status="closed") == set()
    r = staff.get("/api/tasks/", {"light": "purple"})
    assert r.status_code == 400 and chinese(r.data["detail"])
    rows = staff.get("/api/tasks/", {"ordering": "-days_overdue"}).data["results"]
    assert rows[0]["id"] == late.pk and rows[0]["days_overdue"] == 2 and rows[0]["light_label"] == "红灯"


def _seed(make_task, units, n):
    for i in range(n):
        make_task(title=f"事项{i}", units=[(units["a"], "lead"), (units["b"], "co"), (units["c"], "co")])


@pytest.mark.parametrize("role", ["staff", "op_assigned", "leader"])
def test_list_costs_a_constant_number_of_queries(make_task, users, units, role):
    c = client_for(users, role)
    _seed(make_task, units, 5)
    with CaptureQueriesContext(connection) as small:
        r = c.get("/api/tasks/")
    assert r.status_code == 200 and len(r.data["results"]) == 5
    _seed(make_task, units, 45)
    with CaptureQueriesContext(connection) as big:
        r = c.get("/api/tasks/")
    assert r.status_code == 200 and len(r.data["results"]) == 50
    assert len(big.captured_queries) == len(small.captured_queries) <= 8, [q["sql"][:80] for q in big.captured_queries]


def test_speech_upload_and_directive_review(users):
    from accounts.services import load_units_file

    load_units_file()
    staff = client_for(users, "staff")
    data = (ROOT / "tasks" / "fixtures" / "demo_speech.txt").read_bytes()
    r = staff.post("/api/speeches/", {"file": SimpleUploadedFile("讲话.txt", data), "meeting_title": "经济运行分析会",
                                      "meeting_date": "2024-05-28", "speaker": "县长"}, format="multipart")
    assert r.status_code == 201, r.data
    assert r.data["meeting"]["title"] == "经济运行分析会" and len(r.data["directives"]) >= 10
    again = staff.post("/api/speeches/", {"file": SimpleUploadedFile("副本.txt", data), "meeting_date": "2024-05-28"},
                       format="multipart")
    assert again.status_code == 409 and "上传过" in again.data["detail"]
    # the first candidate whose owner the directory knows (the engine keeps low-confidence ones for review)
    d1 = next(d for d in r.data["directives"] if any(o.get("unit_id") for o in d["owners"]))
    d2 = next(d for d in r.data["directives"] if d["id"] != d1["id"])
    pending = staff.get("/api/directives/", {"review_state": "pending", "speech": r.data["id"]}).data["count"]
    assert pending == len(r.data["directives"])
    acc = staff.post(f"/api/directives/{d1['id']}/accept/", {"deadline": "2099-06-30"}, format="json")
    assert acc.status_code == 201, acc.data
    assert acc.data["deadline"] == "2099-06-30" and acc.data["source_directive"] == d1["id"] and acc.data["units"]
    assert staff.post(f"/api/directives/{d1['id']}/accept/", {}, format="json").status_code == 400
    rej = staff.post(f"/api/directives/{d2['id']}/reject/", {}, format="json")
    assert rej.status_code == 200 and rej.data["review_state"] == "rejected"
    bad = staff.post("/api/speeches/", {"file": SimpleUploadedFile("空.txt", b""), "meeting_date": "2024-05-28"}, format="multipart")
    assert bad.status_code == 400 and chinese(bad.data["detail"])


def test_report_generate_and_download(users, make_task):
    make_task()
    staff = client_for(users, "staff")
    r = staff.post("/api/report-files/generate/", {}, format="json")
    assert r.status_code == 201, r.data
    dl = staff.get(f"/api/report-files/{r.data['id']}/download/")
    assert dl.status_code == 200 and b"".join(dl.streaming_content)[:2] == b"PK"
    # the 通报 document (.docx) made by the same generation, linked from the record
    assert r.data["docx_download_url"].endswith(f"/api/report-files/{r.data['id']}/download-docx/") and r.data["issue_no"] >= 1
    doc = staff.get(f"/api/report-files/{r.data['id']}/download-docx/")
    body = b"".join(doc.streaming_content)
    assert doc.status_code == 200 and body[:2] == b"PK" and b"word/document.xml" in body
    assert "wordprocessingml" in doc["Content-Type"]
    assert client_for(users, "op_assigned").get(f"/api/report-files/{r.data['id']}/download-docx/").status_code in (403, 404)
    r = staff.post("/api/report-files/generate/", {"on": "2999-01-01"}, format="json")
    assert r.status_code == 400 and chinese(r.data["detail"])


def test_fast_list_rows_equal_the_generic_serializer(make_task, users, units):
    """TaskListSerializer builds rows by hand for speed; they must equal DRF's generic output."""
    from rest_framework import serializers as drf

    from tasks.api.serializers import TaskListSerializer
    from tasks.models import Meeting
    from tasks.selectors.tasks import task_list
    from tasks.services import workflow as wf

    m = Meeting.objects.create(title="推进会", date=dt.date.today())
    a = make_task(meeting=m, leaders=[users["leader_person"]])
    wf.acknowledge(task=a, unit=units["a"], by=users["op_a"])
    b = make_task(title="无时限", deadline=None, deadline_kind="event", recurrence="monthly")
    req = wf.request_completion(task=b, unit=units["a"], by=users["op_a"], summary="完成")
    wf.decide_completion(request=req, by=users["staff"], approve=True, grade="良好")
    rows = list(task_list(users["staff"]))
    assert len(rows) == 2
    for t in rows:
        fast = TaskListSerializer(t).data
        generic = drf.ModelSerializer.to_representation(TaskListSerializer(), t)
        assert dict(fast) == dict(generic), t.code


def test_history_costs_a_constant_number_of_queries(make_task, users, units):
    from tasks.services import workflow as wf

    staff = client_for(users, "staff")
    t = make_task()

    def add_reports(n, start):
        for i in range(n):
            wf.report_progress(task=t, unit=units["a" if i % 2 else "b"], by=users["op_a" if i % 2 else "op_b"],
                               text=f"第{start + i}次", percent=start + i, files=[SimpleUploadedFile("a.png", png_bytes())])

    add_reports(2, 1)
    with CaptureQueriesContext(connection) as small:
        r = staff.get(f"/api/tasks/{t.pk}/history/")
    n_small = len(r.data)
    add_reports(8, 10)
    with CaptureQueriesContext(connection) as big:
        r = staff.get(f"/api/tasks/{t.pk}/history/")
    assert len(r.data) > n_small + 10
    assert len(big.captured_queries) == len(small.captured_queries)


def test_task_detail_shows_its_13710_checkpoints(client, django_user_model):
    """The API detail carries the checkpoints the reminder sweep enforces (签收 / 进展 / 办结)."""
    import datetime as dt

    from accounts.services import create_login
    from tasks.services.workflow import acknowledge, create_task
    from accounts.models import Unit

    unit = Unit.objects.create(name="节点测试局", kind="department")
    staff = create_login(username="cpstaff", password="Zz-staff-pass-1", name="督查员", role="staff").user
    op = create_login(username="cpop", password="Zz-op-pass-123", name="联络员", role="operator", unit=unit).user
    task = create_task(title="节点事项", by=staff, units=[(unit, "lead")], deadline=dt.date(2099, 1, 1))
    acknowledge(task=task, unit=unit, by=op)
    client.force_login(op)
    body = client.get(f"/api/tasks/{task.pk}/").json()
    cps = {c["key"]: c for c in body["checkpoints"]}
    assert len(cps) == 3
    ack = next(c for c in body["checkpoints"] if c["done_at"])
    assert ack["met"] is True and ack["missed"] is False
    assert sum(1 for c in body["checkpoints"] if c["done_at"] is None) == 2

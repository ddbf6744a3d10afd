"""The portal's pages and forms against the real workflow services."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import Attachment, CompletionRequest, ExtensionRequest, Notice, ProgressReport, Task
from tests.portal.conftest import make_task

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _detail(task):
    return reverse("portal:task_detail", args=[task.pk])


def _light_of(body: str) -> str:
    m = re.search(r'data-testid="task-light">\s*<span class="light light-(\w+)"', body)
    return m.group(1) if m else ""


def test_acknowledge_then_report_with_evidence(client_for, task, units):
    c = client_for("op_fgj")
    body = c.get(_detail(task)).content.decode()
    assert "签收" in body and 'value="acknowledge"' in body
    r = c.post(_detail(task), {"action": "acknowledge", "version": task.version})
    assert r.status_code == 302
    a = task.assignments.get(unit=units["fgj"])
    assert a.acknowledged_at is not None
    body = c.get(_detail(task)).content.decode()
    lead = body.split('data-testid="lead-units"')[1].split("</dd>")[0]
    assert "已签收" in lead and 'value="acknowledge"' not in body
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS

    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(_detail(task), {"action": "report", "text": "已完成管网勘测设计", "percent": "50", "version": task.version,
                               "files": [SimpleUploadedFile("勘测照片.png", PNG, content_type="image/png")]})
    assert r.status_code == 302, r.content.decode()[:2000]
    task.refresh_from_db()
    assert task.progress == 50
    report = ProgressReport.objects.get(task=task)
    assert report.attachments.get().name == "勘测照片.png"
    body = c.get(_detail(task)).content.decode()
    assert "已完成管网勘测设计" in body and "勘测照片.png" in body and "进展已报送" in body
    timeline = body[body.index('data-testid="timeline"'):]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.count("<li") == 3  # 交办, 签收, 进展 (their history records folded in)
    assert "县发改局 签收" in timeline and "状态：已交办 → 推进中" in timeline
    assert "县发改局 报送进展 50%" in timeline and "进度：0 → 50" in timeline


def test_report_errors_are_shown_next_to_the_field_and_store_nothing(client_for, task, units, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tasks.services.workflow import report_progress

    report_progress(task=task, unit=units["fgj"], by=users["op_fgj"], text="第一次", percent=40)
    task.refresh_from_db()
    c = client_for("op_fgj")
    cases = [
        ({"text": "倒退", "percent": "30"}, "不能低于上次报送的进度（40%）"),
        ({"text": "", "percent": "60"}, "请填写进展情况"),
        ({"text": "超出", "percent": "120"}, "完成进度必须在 0 到 100 之间"),
        ({"text": "文件", "percent": "60", "files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/octet-stream")]},
         "类型不允许"),
        ({"text": "假图", "percent": "60", "files": [SimpleUploadedFile("fake.png", b"not a png at all", content_type="image/png")]},
         "内容与扩展名不符"),
    ]
    for data, message in cases:
        r = c.post(_detail(task), {"action": "report", "version": task.version, **data})
        assert r.status_code == 400
        body = r.content.decode()
        assert message in body, message
        # the message sits in the report form, in an error list
        form_html = body[body.index('id="act-report"'):]
        assert "errorlist" in form_html[: form_html.index("</form>")]
    assert ProgressReport.objects.filter(task=task).count() == 1
    assert Attachment.objects.count() == 0
    assert Task.objects.get(pk=task.pk).progress == 40


def test_stale_version_is_a_conflict_message(client_for, task, users, units):
    from tasks.services.workflow import acknowledge

    c = client_for("op_fgj")
    old_version = task.version
    acknowledge(task=task, unit=units["fgj"], by=users["staff"])  # someone else changes the task
    r = c.post(_detail(task), {"action": "report", "text": "进展", "percent": "20", "version": old_version})
    assert r.status_code == 400
    assert "该事项已被他人修改，请刷新后重试" in r.content.decode()
    assert not ProgressReport.objects.filter(task=task).exists()


def test_extension_request(client_for, task):
    c = client_for("op_fgj")
    early = (task.deadline - dt.timedelta(days=1)).isoformat()
    r = c.post(_detail(task), {"action": "extension", "proposed_deadline": early, "reason": "资金未到位", "version": task.version})
    assert r.status_code == 400 and "必须晚于现时限" in r.content.decode()
    r = c.post(_detail(task), {"action": "extension", "proposed_deadline": "明年", "reason": "x", "version": task.version})
    assert r.status_code == 400 and "日期格式不正确" in r.content.decode()
    assert not ExtensionRequest.objects.exists()
    later = (task.deadline + dt.timedelta(days=30)).isoformat()
    r = c.post(_detail(task), {"action": "extension", "proposed_deadline": later, "reason": "资金未到位", "version": task.version})
    assert r.status_code == 302
    req = ExtensionRequest.objects.get()
    assert req.proposed_deadline.isoformat() == later and req.state == "pending"
    body = c.get(_detail(task)).content.decode()
    assert f"已有延期申请（延至 {later}）待督查室审批" in body


def test_completion_request_then_staff_approval_shows_closed_light(client_for, task, users):
    from tasks.services.workflow import decide_completion

    c = client_for("op_fgj")
    r = c.post(_detail(task), {"action": "completion", "summary": "", "version": task.version})
    assert r.status_code == 400 and "请填写办结情况" in r.content.decode()
    r = c.post(_detail(task), {"action": "completion", "summary": "改造全部完成", "version": task.version})
    assert r.status_code == 302
    body = c.get(_detail(task)).content.decode()
    assert "已提交办结申请" in body and 'value="completion"' not in body
    decide_completion(request=CompletionRequest.objects.get(), by=users["staff"], approve=True, grade="优秀")
    body = c.get(_detail(task)).content.decode()
    assert _light_of(body) == "done_on_time"
    assert "按时办结" in body and "办结评定：优秀" in body
    assert 'name="action"' not in body  # no more forms on a closed task


def test_task_page_shows_speech_source_and_deadline_as_spoken(client_for, users, units):
    from tasks.models import Directive, Meeting, Speech
    from tasks.services.workflow import create_task

    meeting = Meeting.objects.create(title="全县经济工作会议", date=dt.date(2026, 11, 2), speaker="县长")
    speech = Speech.objects.create(meeting=meeting, original_name="讲话.txt", text="……", encoding="utf-8", sha256="a" * 64)
    d = Directive.objects.create(speech=speech, seq=1, text="县发改局要在年底前完成项目入库工作。", start=0, end=10)
    task = create_task(title="完成项目入库", by=users["staff"], units=[(units["fgj"], "lead")], deadline=dt.date(2026, 12, 31),
                       deadline_text="年底前", source="speech", source_directive=d, meeting=meeting, start_date=dt.date(2026, 11, 2))
    body = client_for("op_fgj").get(_detail(task)).content.decode()
    assert "县发改局要在年底前完成项目入库工作。" in body
    assert "全县经济工作会议" in body and "2026年12月31日" in body and "年底前" in body


def test_list_lights_counts_and_filters(client_for, users, units):
    today = timezone.localdate()
    red = make_task(users["staff"], units["fgj"], title="逾期事项", start=today - dt.timedelta(days=30), deadline=today - dt.timedelta(days=2))
    yellow = make_task(users["staff"], units["fgj"], title="临期事项", deadline=today + dt.timedelta(days=1))
    green = make_task(users["staff"], units["fgj"], title="正常事项", deadline=today + dt.timedelta(days=90))
    make_task(users["staff"], units["jyj"], title="别人的逾期事项", start=today - dt.timedelta(days=30), deadline=today - dt.timedelta(days=1))
    c = client_for("op_fgj")
    body = c.get(reverse("portal:task_list")).content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', body))
    assert counts == {"all": "3", "red": "1", "yellow": "1", "green": "1", "no_deadline": "0", "done_on_time": "0", "done_late": "0"}
    assert re.search(r'data-testid="to-acknowledge">本单位有 <b>3</b> 项', body)
    assert body.count('<span class="tag warn">待签收</span>') == 3
    assert "逾期 2 天" in body
    for t, light, label in ((red, "red", "红灯"), (yellow, "yellow", "黄灯"), (green, "green", "绿灯")):
        row = body[body.index(f'data-task="{t.code}"'):]
        row = row[: row.index("</tr>")]
        assert f'data-light="{light}"' in row and label in row
    body = c.get(reverse("portal:task_list"), {"light": "red"}).content.decode()
    assert red.code in body and yellow.code not in body and green.code not in body
    body = c.get(reverse("portal:task_list"), {"q": "临期"}).content.decode()
    assert yellow.code in body and red.code not in body
    r = c.get(reverse("portal:task_list"), {"light": "purple"})
    assert r.status_code == 200 and "选项“purple”无效" in r.content.decode()


def test_list_costs_a_constant_number_of_queries_and_pages_by_50(client_for, users, units):
    from tasks.services.demo import seed_demo

    c = client_for("staff")
    seed_demo(units=3, tasks=5)
    c.get(reverse("portal:task_list"))  # warm caches (content types, office settings)
    with CaptureQueriesContext(connection) as small:
        assert c.get(reverse("portal:task_list")).status_code == 200
    seed_demo(units=3, tasks=120)
    with CaptureQueriesContext(connection) as big:
        body = c.get(reverse("portal:task_list")).content.decode()
    assert len(big.captured_queries) == len(small.captured_queries), [q["sql"][:120] for q in big.captured_queries]
    assert body.count("<tr data-task=") == 50
    assert "第 1 / 3 页，共 125 项" in body
    body = c.get(reverse("portal:task_list"), {"page": 3}).content.decode()
    assert body.count("<tr data-task=") == 25


def test_notices_unread_count_and_mark_read(client_for, task, units):
    c = client_for("op_fgj")
    body = c.get(reverse("portal:task_list")).content.decode()
    assert re.search(r'data-testid="unread-count">1<', body)
    notice = Notice.objects.get(unit=units["fgj"])
    body = c.get(reverse("portal:notices")).content.decode()
    assert "交办通知" in body and task.code in body
    # another unit cannot mark it read
    r = client_for("op_jyj").post(reverse("portal:notice_read", args=[notice.pk]))
    assert r.status_code == 404
    assert Notice.objects.get(pk=notice.pk).read_at is None
    r = c.post(reverse("portal:notice_read", args=[notice.pk]))
    assert r.status_code == 302
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    body = c.get(reverse("portal:task_list")).content.decode()
    assert 'data-testid="unread-count"' not in body


def test_dashboard_figures(client_for, users, units):
    from tasks.services.workflow import decide_completion, request_completion

    today = timezone.localdate()
    make_task(users["staff"], units["fgj"], title="逾期一", start=today - dt.timedelta(days=40), deadline=today - dt.timedelta(days=5))
    make_task(users["staff"], units["jyj"], title="正常一", deadline=today + dt.timedelta(days=90))
    done = make_task(users["staff"], units["jyj"], title="办结一", deadline=today + dt.timedelta(days=90))
    req = request_completion(task=done, unit=units["jyj"], by=users["op_jyj"], summary="完成")
    decide_completion(request=req, by=users["staff"], approve=True, grade="良好")
    body = client_for("leader").get(reverse("portal:dashboard")).content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', body))
    assert counts["total"] == "3" and counts["red"] == "1" and counts["green"] == "1" and counts["done_on_time"] == "1"
    unit_rows = re.findall(r'<tr data-unit="([^"]+)">', body)
    assert set(unit_rows) == {"县发展和改革局", "县教育体育局"}
    overdue = body[body.index('data-testid="overdue-table"'):]
    assert "逾期一" in overdue and "正常一" not in overdue and "5</td>" in overdue
    assert "只读" in body and 'name="action"' not in body


def test_approved_extension_moves_the_deadline_and_keeps_the_old_one_in_the_history(client_for, task, users):
    from tasks.services.workflow import decide_extension

    c = client_for("op_fgj")
    old = task.deadline
    new = old + dt.timedelta(days=45)
    assert c.post(_detail(task), {"action": "extension", "proposed_deadline": new.isoformat(), "reason": "征地未完成",
                                  "version": task.version}).status_code == 302
    decide_extension(request=ExtensionRequest.objects.get(), by=users["staff"], approve=True, reason="同意")
    body = c.get(_detail(task)).content.decode()
    assert f"{new.year}年{new.month}月{new.day}日" in body.split('data-testid="deadline"')[1][:80]
    timeline = body[body.index('data-testid="timeline"'):]
    timeline = timeline[: timeline.index("</ol>")]
    assert "申请延期至" in timeline and "延期申请已同意" in timeline
    assert f"完成时限：{old.isoformat()} → {new.isoformat()}" in timeline
    assert "已有延期申请" not in body  # nothing pending any more


def _task_page_queries(c, task, units, users):
    from tasks.services.workflow import report_progress

    report_progress(task=task, unit=units["fgj"], by=users["op_fgj"], text="第1次", percent=10, files=[("a.png", PNG)])
    c.get(_detail(task))
    with CaptureQueriesContext(connection) as one:
        assert c.get(_detail(task)).status_code == 200
    for i in range(2, 8):
        report_progress(task=task, unit=units["fgj"], by=users["op_fgj"], text=f"第{i}次", percent=10 * i,
                        files=[(f"p{i}.png", PNG), (f"q{i}.png", PNG)])
    with CaptureQueriesContext(connection) as seven:
        body = c.get(_detail(task)).content.decode()
    assert body.count('data-testid="report"') == 7
    return [q["sql"] for q in one.captured_queries], [q["sql"] for q in seven.captured_queries]


def test_task_page_queries_do_not_grow_with_reports_attachments_and_history(client_for, task, units, users):
    one, seven = _task_page_queries(client_for("op_fgj"), task, units, users)
    assert len(seven) == len(one), seven


def test_task_page_shows_the_13710_checkpoints(task, client_for):
    from django.urls import reverse

    page = client_for("leader").get(reverse("portal:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="checkpoints"' in page
    assert page.count("待完成") == 3  # nothing acknowledged or reported yet, nothing overdue

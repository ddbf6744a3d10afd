"""The 督查室 workbench in the Django admin: upload → review queue → 交办, filters, approvals."""
import datetime as dt
from pathlib import Path

import pytest
from django.contrib import admin as django_admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Unit
from accounts.services import create_login, load_units_file
from tasks.models import CompletionRequest, Directive, Speech, Task
from tasks.services.workflow import acknowledge, create_task, request_completion

SPEECH = Path(__file__).resolve().parents[2] / "tasks" / "fixtures" / "demo_speech.txt"
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    load_units_file()
    person = create_login(username="staff1", password="Zz-staff-pass-1", name="督查员", role="staff")
    client.force_login(person.user)
    client.user = person.user
    return client


def upload(client, data=None, name="讲话.txt", date="2024-05-28"):
    f = SimpleUploadedFile(name, SPEECH.read_bytes() if data is None else data, content_type="text/plain")
    return client.post(reverse("admin:tasks_speech_upload"),
                       {"file": f, "meeting_title": "上半年经济运行分析会", "meeting_date": date}, follow=True)


def test_upload_extracts_into_the_review_queue_and_accepting_assigns(staff_client):
    r = upload(staff_client)
    assert r.status_code == 200
    speech = Speech.objects.get()
    n = speech.directives.count()
    assert n >= 10 and f"已抽取 {n} 条交办语句" in r.content.decode()
    # the duplicate is recognised and goes to the same queue
    r = upload(staff_client, name="again.txt")
    assert "不会重复抽取" in r.content.decode() and Speech.objects.count() == 1
    with_units = [d.pk for d in speech.directives.all() if any(o.get("unit_id") for o in d.owners)][:3]
    r = staff_client.post(reverse("admin:tasks_directive_changelist"),
                          {"action": "accept_selected", "_selected_action": with_units}, follow=True)
    assert r.status_code == 200
    assert Task.objects.filter(source_directive_id__in=with_units).count() == len(with_units)
    assert set(Directive.objects.filter(pk__in=with_units).values_list("review_state", flat=True)) == {"accepted"}
    # the directive page shows its sentence in context
    r = staff_client.get(reverse("admin:tasks_directive_change", args=[with_units[0]]))
    assert "<mark>" in r.content.decode()


def test_bad_upload_shows_a_chinese_error_and_stores_nothing(staff_client):
    r = upload(staff_client, data=b"PK\x03\x04 not a zip", name="bad.docx")
    body = r.content.decode()
    assert r.status_code == 200 and "errorlist" in body
    assert Speech.objects.count() == 0 and Directive.objects.count() == 0
    r = staff_client.post(reverse("admin:tasks_speech_upload"), {"file": SimpleUploadedFile("a.txt", SPEECH.read_bytes())})
    assert "请选择已有会议，或填写新会议的日期" in r.content.decode() and Speech.objects.count() == 0


def test_task_list_filters_by_light_and_unit(staff_client):
    unit = Unit.objects.exclude(kind="group").first()
    other = Unit.objects.exclude(kind="group").exclude(pk=unit.pk).first()
    late = create_task(title="逾期的事项", by=staff_client.user, units=[(unit, "lead")], deadline=dt.date(2030, 1, 31),
                       start_date=dt.date(2029, 12, 1))
    Task.objects.filter(pk=late.pk).update(deadline=dt.date(2020, 1, 1), start_date=dt.date(2019, 12, 1))
    create_task(title="正常的事项", by=staff_client.user, units=[(other, "lead")], deadline=dt.date(2099, 1, 1))
    url = reverse("admin:tasks_task_changelist")
    body = staff_client.get(url, {"light": "red"}).content.decode()
    assert "逾期的事项" in body and "正常的事项" not in body
    body = staff_client.get(url, {"unit": other.pk}).content.decode()
    assert "正常的事项" in body and "逾期的事项" not in body
    page = staff_client.get(reverse("admin:tasks_task_change", args=[late.pk])).content.decode()
    assert "红灯" in page


def test_staff_approve_completion_in_the_admin(staff_client):
    unit = Unit.objects.exclude(kind="group").first()
    op = create_login(username="op1", password="Zz-op-pass-12", name="联络员", role="operator", unit=unit).user
    task = create_task(title="待销号事项", by=staff_client.user, units=[(unit, "lead")], deadline=dt.date(2099, 1, 1))
    acknowledge(task=task, unit=unit, by=op)
    req = request_completion(task=task, unit=unit, by=op, summary="已全部完成")
    r = staff_client.post(reverse("admin:tasks_completionrequest_change", args=[req.pk]),
                          {"decision": "approve", "grade": "good", "decision_reason": "材料齐全"}, follow=True)
    assert r.status_code == 200
    task.refresh_from_db()
    req.refresh_from_db()
    assert task.status == Task.Status.CLOSED and task.grade == "good" and req.state == "approved"


def test_every_admin_page_renders_for_staff(staff_client):
    for model in django_admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        r = staff_client.get(url, follow=True)
        # groups, API tokens, login records and the beat schedule are the system administrator's business
        internal = model._meta.label == "auth.Group" or model._meta.app_label in ("axes", "django_celery_beat", "authtoken")
        expected = 403 if internal else 200
        assert r.status_code == expected, url


def test_operators_and_anonymous_cannot_use_the_admin(client):
    load_units_file()
    unit = Unit.objects.exclude(kind="group").first()
    op = create_login(username="op2", password="Zz-op-pass-12", name="联络员", role="operator", unit=unit).user
    r = client.get(reverse("admin:tasks_task_changelist"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    client.force_login(op)
    r = client.get(reverse("admin:tasks_task_changelist"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert CompletionRequest.objects.count() == 0


def test_staff_edit_a_directive_and_assign_it_to_other_units(staff_client):
    upload(staff_client)
    d = Directive.objects.filter(deadline_kind="asap").first() or Directive.objects.first()
    lead, co = Unit.objects.exclude(kind="group")[:2]
    url = reverse("admin:tasks_directive_change", args=[d.pk])
    page = staff_client.get(url).content.decode()
    assert "保存并采纳交办" in page and "<mark>" in page
    r = staff_client.post(url, {
        "text": d.text, "owners": "[]", "deadline_kind": "date", "deadline": "2099-03-31", "deadline_text": "3月底前",
        "recurrence": "monthly", "target": "100%", "confidence": d.confidence,
        "lead_units": [lead.pk], "co_units": [co.pk], "_accept": "1"}, follow=True)
    assert "已交办，督办事项编号" in r.content.decode()
    task = Task.objects.get(source_directive=d)
    roles = {a.unit_id: a.role for a in task.assignments.all()}
    assert roles == {lead.pk: "lead", co.pk: "co"}
    assert task.deadline == dt.date(2099, 3, 31) and task.recurrence == "monthly" and task.target == "100%"
    # a directive already handled offers no second 交办
    assert "保存并采纳交办" not in staff_client.get(url).content.decode()


def test_admin_bulk_accept_is_all_or_nothing_like_the_workbench(staff_client):
    """采纳并交办 on many rows of the admin list is the workbench's bulk action: one candidate that
    cannot be assigned (no unit of the directory) refuses the whole batch, naming it; nothing changes."""
    upload(staff_client)
    speech = Speech.objects.get()
    with_units = [d.pk for d in speech.directives.order_by("seq") if any(o.get("unit_id") for o in d.owners)][:2]
    lost = speech.directives.exclude(pk__in=with_units).order_by("seq").first()
    lost.owners = [{"name": "市财政局", "kind": "unit", "role": "lead", "unit_id": None}]
    lost.save(update_fields=["owners"])
    url = reverse("admin:tasks_directive_changelist")
    r = staff_client.post(url, {"action": "accept_selected", "_selected_action": [*with_units, lost.pk]}, follow=True)
    texts = [(m.level_tag, str(m)) for m in r.context["messages"]]
    assert [t for t in texts if t[0] == "error"] and not [t for t in texts if t[0] == "success"]
    error = next(t for lvl, t in texts if lvl == "error")
    assert f"第{lost.seq}条" in error and "没有本级名录中的责任单位" in error and "未作任何修改" in error
    assert Task.objects.count() == 0 and not speech.directives.exclude(review_state="pending").exists()
    r = staff_client.post(url, {"action": "accept_selected", "_selected_action": with_units}, follow=True)
    assert any(f"已交办 {len(with_units)} 条" in str(m) for m in r.context["messages"])
    assert Task.objects.count() == len(with_units)
    # 驳回 of rows of which one is already handled: refused as a whole
    r = staff_client.post(url, {"action": "reject_selected", "_selected_action": [with_units[0], lost.pk]}, follow=True)
    assert any("未驳回" in str(m) for m in r.context["messages"])
    assert Directive.objects.get(pk=lost.pk).review_state == "pending"
    r = staff_client.post(url, {"action": "reject_selected", "_selected_action": [lost.pk]}, follow=True)
    assert any("已驳回 1 条" in str(m) for m in r.context["messages"])

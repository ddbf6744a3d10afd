"""The admin as a 督查室 member meets it: Chinese everywhere, approvals that behave like forms,
history without codes or revert, internals out of sight, and no 500 on 督办事项 → 增加."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from tasks.models import Directive, ExtensionRequest, Meeting, Notice, Speech, Task
from tasks.services import workflow as wf

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def staff(client, users):
    client.force_login(users["staff"])
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]] if response.context else []


def test_task_add_goes_to_the_workbench_registration_and_never_500(staff):
    r = staff.get(reverse("admin:tasks_task_add"))
    assert r.status_code == 302 and r["Location"].startswith("/workbench/")
    page = staff.get(reverse("admin:tasks_task_changelist")).content.decode()
    assert "登记督办事项（工作台）" in page and reverse("admin:tasks_task_add") not in page
    assert "/admin/tasks/task/add/" not in staff.get(reverse("admin:index")).content.decode()


def test_a_refused_approval_keeps_what_was_typed_and_shows_only_the_error(staff, make_task, units, users):
    t = make_task()
    req = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=t.deadline + dt.timedelta(days=9),
                               reason="征地延迟")
    url = reverse("admin:tasks_extensionrequest_change", args=[req.pk])
    # 退回 without a reason: the form comes back with the service's message next to 审批意见
    r = staff.post(url, {"decision": "reject", "decision_reason": ""})
    body = r.content.decode()
    assert r.status_code == 200 and "退回延期申请时请填写理由" in body
    assert 'value="reject" selected' in body
    assert not [m for m in messages_of(r) if m[0] == "success"]
    # no decision at all: asked for one, nothing stored
    r = staff.post(url, {"decision": "", "decision_reason": "我写的意见"})
    assert "请选择审批结果" in r.content.decode() and "我写的意见" in r.content.decode()
    assert ExtensionRequest.objects.get(pk=req.pk).state == "pending"
    r = staff.post(url, {"decision": "approve", "decision_reason": "同意"}, follow=True)
    assert ("success", f"已同意延期申请：{t}。") in messages_of(r)
    assert not [m for m in messages_of(r) if m[0] == "error"]
    assert ExtensionRequest.objects.get(pk=req.pk).state == "approved"
    # decided: read-only, and a second post changes nothing
    page = staff.get(url).content.decode()
    assert 'name="decision"' not in page and "已同意" in page
    r = staff.post(url, {"decision": "reject", "decision_reason": "再退回"}, follow=True)
    assert ExtensionRequest.objects.get(pk=req.pk).state == "approved"
    assert any("已处理" in text for _, text in messages_of(r))


def test_completion_approval_without_grade_is_refused_next_to_the_grade(staff, make_task, units, users):
    t = make_task(units=[(units["a"], "lead")])
    req = wf.request_completion(task=t, unit=units["a"], by=users["op_a"], summary="已全部完成")
    url = reverse("admin:tasks_completionrequest_change", args=[req.pk])
    r = staff.post(url, {"decision": "approve", "grade": "", "decision_reason": "材料齐全"})
    body = r.content.decode()
    assert r.status_code == 200 and "请选择评定等次" in body and "材料齐全" in body
    assert Task.objects.get(pk=t.pk).status == Task.Status.COMPLETION_REQUESTED
    r = staff.post(url, {"decision": "approve", "grade": "excellent", "decision_reason": "材料齐全"}, follow=True)
    assert ("success", f"已同意办结申请：{Task.objects.get(pk=t.pk)}。") in messages_of(r)
    assert Task.objects.get(pk=t.pk).grade == "excellent"


INLINES = ("leader_comments", "assignments", "assignments-2", "progress_reports")


def _task_form(t: Task, **changes) -> dict:
    data = {"code": t.code, "title": t.title, "requirement": t.requirement, "category": t.category, "target": t.target,
            "recurrence": t.recurrence, "urgency": t.urgency, "deadline": t.deadline.isoformat() if t.deadline else "",
            "deadline_text": t.deadline_text, "deadline_kind": t.deadline_kind, "start_date": t.start_date.isoformat(),
            "leaders": [p.pk for p in t.leaders.all()], "level": t.level, "meeting": "",
            **{f"{p}-TOTAL_FORMS": "0" for p in INLINES}, **{f"{p}-INITIAL_FORMS": "0" for p in INLINES}}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deadline_edits_in_the_admin_follow_the_workflow(staff, make_task):
    t = make_task()
    url = reverse("admin:tasks_task_change", args=[t.pk])
    before = (t.deadline, Notice.objects.count())
    r = staff.post(url, _task_form(t, deadline=(t.start_date - dt.timedelta(days=1)).isoformat()))
    assert r.status_code == 200 and "不能早于交办日期" in r.content.decode()
    assert (Task.objects.get(pk=t.pk).deadline, Notice.objects.count()) == before
    new = t.deadline + dt.timedelta(days=15)
    r = staff.post(url, _task_form(t, deadline=new.isoformat(), title="推进县城污水管网改造（二期）"), follow=True)
    t.refresh_from_db()
    assert t.deadline == new and t.title.endswith("（二期）")
    assert t.history.filter(history_change_reason__startswith="设置时限").exists()
    assert Notice.objects.filter(task=t, title__startswith="完成时限调整").count() == 2
    assert not [m for m in messages_of(r) if m[0] == "error"]


def test_history_reads_labels_not_codes_and_offers_no_revert(staff, make_task, units, users):
    t = make_task()
    wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    body = staff.get(reverse("admin:tasks_task_history", args=[t.pk])).content.decode()
    assert "状态：</strong>已交办 → 推进中" in body
    assert "assigned" not in body and "in_progress" not in body
    assert "还原" not in body and "CHANGES" not in body and "Changes" not in body
    assert "张联络" in body  # who signed, by name
    assert "版本：" not in body  # bookkeeping columns are not changes
    record = t.history.order_by("history_id").first()
    r = staff.get(reverse("admin:tasks_task_simple_history", args=[t.pk, record.history_id]))
    assert r.status_code == 302 and r["Location"] == reverse("admin:tasks_task_history", args=[t.pk])
    assert staff.post(reverse("admin:tasks_task_simple_history", args=[t.pk, record.history_id]), {"title": "改回"}).status_code == 302
    assert Task.objects.get(pk=t.pk).title == t.title
    # the units' history pages (another app's admin) read the same way
    unit_page = staff.get(reverse("admin:accounts_unit_history", args=[units["a"].pk])).content.decode()
    assert "变更记录" in unit_page and "还原" not in unit_page


def test_internals_are_the_superusers_only(staff, client, users):
    home = staff.get(reverse("admin:index")).content.decode()
    for word in ("AXES", "Access attempts", "周期性任务", "定时", "令牌", "Token"):
        assert word not in home, word
    for url in ("/admin/axes/accessattempt/", "/admin/django_celery_beat/periodictask/", "/admin/authtoken/tokenproxy/"):
        assert staff.get(url).status_code == 403, url
    client.force_login(users["admin"])
    root_home = client.get(reverse("admin:index")).content.decode()
    assert "系统（仅系统管理员可见）" in root_home and "/admin/axes/accessattempt/" in root_home
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_home_page_is_grouped_for_the_office_with_what_waits(staff, make_task, units, users):
    t = make_task()
    wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=t.deadline + dt.timedelta(days=9), reason="征地")
    body = staff.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'data-section="([^"]+)"', body)
    assert sections[:4] == ["日常工作", "催办与通报", "单位与人员", "督查室设置"]
    assert 'data-pending="1"' in body and "1 件待审批" in body
    assert "快捷入口" in body and "上传讲话稿" in body


def test_directive_review_shows_owners_readably_and_lists_only_leaders(staff, units, users):
    meeting = Meeting.objects.create(title="全市经济工作会议", date=TODAY)
    speech = Speech.objects.create(meeting=meeting, title="讲话", original_name="a.txt", text="市财政局、县发改局要抓好落实。",
                                   encoding="utf-8", sha256="1" * 64, chars=15)
    d = Directive.objects.create(speech=speech, seq=1, text="市财政局、县发改局要抓好落实。", start=0, end=15,
                                 owners=[{"name": "县发展和改革局", "kind": "unit", "role": "lead", "unit_id": units["a"].pk},
                                         {"name": "市财政局", "kind": "unit", "role": "co", "unit_id": None}])
    Person.objects.create(name="普通干部", is_leader=False)
    url = reverse("admin:tasks_directive_change", args=[d.pk])
    body = staff.get(url).content.decode()
    assert 'name="owners"' not in body and '"unit_id"' not in body
    assert "县发展和改革局（主办）" in body and "市财政局（协办·名录外）" in body
    pickers = body[body.index('name="leaders"'):]
    pickers = pickers[:pickers.index("</select>")]
    assert "李县长" in pickers and "普通干部" not in pickers and "王督查" not in pickers
    # choosing units and a leader and saving (without 交办) keeps the choice in 建议责任主体
    r = staff.post(url, {"text": d.text, "deadline_kind": "none", "deadline": "", "deadline_text": "", "recurrence": "",
                         "target": "", "lead_units": [units["b"].pk], "co_units": [units["a"].pk],
                         "leaders": [users["leader_person"].pk]}, follow=True)
    assert r.status_code == 200
    d.refresh_from_db()
    got = {(o["name"], o.get("role"), o.get("unit_id")) for o in d.owners}
    assert got == {("县财政局", "lead", units["b"].pk), ("县发展和改革局", "co", units["a"].pk), ("市财政局", "co", None),
                   ("李县长", "lead", None)}
    assert d.review_state == "pending"


def test_task_page_leader_picker_lists_only_leaders(staff, make_task, users):
    Person.objects.create(name="普通干部", is_leader=False)
    t = make_task(leaders=[users["leader_person"]])
    body = staff.get(reverse("admin:tasks_task_change", args=[t.pk])).content.decode()
    picker = body[body.index('name="leaders"'):]
    picker = picker[:picker.index("</select>")]
    assert "李县长" in picker and "普通干部" not in picker and "王督查" not in picker


def test_staff_read_the_leaders_comments_even_with_an_older_staff_group(staff, make_task, users):
    """The 督查室 group of an installation set up before 领导批示 existed lacks its view permission."""
    from django.contrib.auth.models import Group, Permission

    from tasks.services.comments import write_leader_comment

    t = make_task(leaders=[users["leader_person"]])
    write_leader_comment(task=t, by=users["leader"], text="请抓紧办理。")
    Group.objects.get(name="督查室").permissions.remove(*Permission.objects.filter(codename="view_leadercomment"))
    assert "请抓紧办理" in staff.get(reverse("admin:tasks_leadercomment_changelist")).content.decode()
    assert "领导批示" in staff.get(reverse("admin:index")).content.decode()


def test_staff_add_a_unit_on_the_task_page_through_assign_units(staff, make_task, units):
    t = make_task()  # a leads, b co-operates
    url = reverse("admin:tasks_task_change", args=[t.pk])
    page = staff.get(url).content.decode()
    assert "增加责任单位（保存后向新单位发交办通知）" in page
    # a unit already on the task: refused next to the inline, nothing saved, no success message
    r = staff.post(url, _task_form(t, **{"assignments-2-TOTAL_FORMS": "1", "assignments-2-0-unit": units["b"].pk,
                                         "assignments-2-0-role": "co", "title": "不该保存的名称"}))
    assert r.status_code == 200 and "已是该事项的责任单位" in r.content.decode()
    assert Task.objects.get(pk=t.pk).title == t.title
    r = staff.post(url, _task_form(t, **{"assignments-2-TOTAL_FORMS": "1", "assignments-2-0-unit": units["c"].pk,
                                         "assignments-2-0-role": "co"}), follow=True)
    assert not [m for m in messages_of(r) if m[0] == "error"]
    assert dict(t.assignments.values_list("unit__name", "role"))["县交通运输局"] == "co"
    assert Notice.objects.filter(task=t, unit=units["c"], title__startswith="交办通知").count() == 1
    assert Task.objects.get(pk=t.pk).history.filter(history_change_reason__startswith="增加责任单位").exists()


def test_review_and_task_pages_point_to_the_workbench(staff, make_task, units):
    """The daily path is the workbench: the admin's speech and directive pages (and the review list of
    one speech, where an upload lands) link to the speech's workbench review page; a task's page to
    its workbench page."""
    meeting = Meeting.objects.create(title="全县经济工作会议", date=TODAY)
    speech = Speech.objects.create(meeting=meeting, title="县长讲话", original_name="a.txt", text="县发改局要抓好落实。",
                                   encoding="utf-8", sha256="3" * 64, chars=10)
    d = Directive.objects.create(speech=speech, seq=1, text="县发改局要抓好落实。", start=0, end=10, owners=[])
    review = f'href="/workbench/speeches/{speech.pk}/'
    for url in (reverse("admin:tasks_speech_change", args=[speech.pk]), reverse("admin:tasks_speech_changelist"),
                reverse("admin:tasks_directive_change", args=[d.pk]),
                reverse("admin:tasks_directive_changelist") + f"?speech__id__exact={speech.pk}"):
        body = staff.get(url).content.decode()
        assert review in body, url
    body = staff.get(reverse("admin:tasks_directive_change", args=[d.pk])).content.decode()
    assert f'{review}?d={d.pk}#c-{d.pk}"' in body and "在工作台审核" in body
    # the whole review list (no speech chosen, or an unknown one) points to the workbench's 待审核 queue
    for query in ("", "?speech__id__exact=999999", "?speech__id__exact=abc"):
        body = staff.get(reverse("admin:tasks_directive_changelist") + query).content.decode()
        assert 'href="/workbench/queues/candidates/"' in body, query
    t = make_task()
    body = staff.get(reverse("admin:tasks_task_change", args=[t.pk])).content.decode()
    assert f'href="/workbench/tasks/{t.pk}/"' in body and "在工作台办理" in body

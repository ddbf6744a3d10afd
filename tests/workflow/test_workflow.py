"""The workflow services: 交办, 签收, 进展, 延期, 办结, and what they refuse."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Unit
from tasks.models import (
    Assignment, Attachment, CompletionRequest, ExtensionRequest, Notice, OfficeSettings, ProgressReport, Task,
)
from tasks.selectors.lights import office_settings, with_light
from tasks.services import workflow as wf
from tasks.workdays import add_workdays
from tests.workflow.factories import docx_bytes, pdf_bytes, png_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def counts():
    return (Task.objects.count(), Assignment.objects.count(), ProgressReport.objects.count(), Attachment.objects.count(),
            ExtensionRequest.objects.count(), CompletionRequest.objects.count(), Notice.objects.count(),
            Task.history.count())


# --- 交办 -------------------------------------------------------------------------------------

def test_create_task_assigns_units_notifies_and_numbers(make_task, units, users):
    t1 = make_task(leaders=[users["leader_person"]])
    t2 = make_task(title="第二件事")
    year = timezone.localdate().year
    assert t1.code == f"DB-{year}-0001" and t2.code == f"DB-{year}-0002"
    roles = dict(Assignment.objects.filter(task=t1).values_list("unit__name", "role"))
    assert roles == {"县发展和改革局": "lead", "县财政局": "co"}
    assert list(t1.leaders.all()) == [users["leader_person"]]
    notes = Notice.objects.filter(task=t1)
    assert sorted(n.unit.name for n in notes) == ["县发展和改革局", "县财政局"]
    assert all(n.title.startswith("交办通知") for n in notes)
    assert t1.history.first().history_change_reason == "交办"
    assert t1.status == Task.Status.ASSIGNED and t1.start_date == TODAY


def test_group_expands_to_active_members_and_lead_wins(make_task, units):
    t = make_task(units=[(units["group"], "lead"), (units["t1"], "co")])
    got = dict(Assignment.objects.filter(task=t).values_list("unit__name", "role"))
    assert got == {"城关镇": "lead", "河口乡": "lead"}


@pytest.mark.parametrize("kw, field, words", [
    ({"title": "  "}, "title", "事项名称不能为空"),
    ({"units": []}, "units", "主办"),
    ({"units": "co_only"}, "units", "主办"),
    ({"deadline": TODAY - dt.timedelta(days=1)}, "deadline", "不能早于交办日期"),
    ({"deadline": None}, "deadline", "请填写完成时限"),
    ({"deadline": "2026-13-45"}, "deadline", "格式不正确"),
    ({"urgency": "whenever"}, "urgency", "无效"),
    ({"units": "bad_role"}, "units", "角色"),
])
def test_create_task_bad_input_stores_nothing(make_task, units, kw, field, words):
    if kw.get("units") == "co_only":
        kw["units"] = [(units["a"], "co")]
    if kw.get("units") == "bad_role":
        kw["units"] = [(units["a"], "boss")]
    before = counts()
    with pytest.raises(wf.WorkflowError) as exc:
        make_task(**kw)
    assert exc.value.field == field and words in exc.value.message
    assert counts() == before


@pytest.mark.parametrize("who", ["op_a", "leader", "nobody"])
def test_only_staff_create(make_task, users, who):
    with pytest.raises(wf.ForbiddenError) as exc:
        make_task(by=users[who])
    assert exc.value.code == "forbidden" and Task.objects.count() == 0


def test_default_deadlines(make_task):
    s = office_settings()
    start = dt.date(2026, 11, 2)
    asap = make_task(deadline=None, deadline_kind="asap", start_date=start)
    assert asap.deadline == start + dt.timedelta(days=s.asap_days)
    for urgency, n in (("urgent", s.urgent_workdays), ("normal", s.normal_workdays), ("complex", s.complex_workdays)):
        t = make_task(deadline=None, source="instruction", urgency=urgency, start_date=start)
        assert t.deadline == add_workdays(start, n)
    OfficeSettings.objects.filter(pk=1).update(urgent_workdays=2)
    assert make_task(deadline=None, source="instruction", urgency="urgent", start_date=start).deadline == add_workdays(start, 2)
    ev = make_task(deadline=None, deadline_kind="event", deadline_text="供暖季前")
    assert ev.deadline is None and ev.deadline_text == "供暖季前"
    assert with_light(Task.objects.filter(pk=ev.pk)).get().light == "no_deadline"


def test_assign_units_adds_and_refuses_duplicates(make_task, units, users):
    t = make_task()
    wf.assign_units(task=t, by=users["staff"], units=[(units["c"], "co")])
    assert Assignment.objects.filter(task=t).count() == 3
    assert Notice.objects.filter(task=t, unit=units["c"]).count() == 1
    before = counts()
    with pytest.raises(wf.WorkflowError, match="已是该事项的责任单位"):
        wf.assign_units(task=t, by=users["staff"], units=[(units["a"], "co")])
    assert counts() == before


# --- 签收 -------------------------------------------------------------------------------------

def test_acknowledge(make_task, units, users):
    t = make_task()
    a = wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    assert a.acknowledged_at is not None and a.acknowledged_by == users["op_a"]
    t.refresh_from_db()
    assert t.status == Task.Status.IN_PROGRESS and t.version == 2
    with pytest.raises(wf.WorkflowError, match="已于"):
        wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    with pytest.raises(wf.ForbiddenError):
        wf.acknowledge(task=t, unit=units["b"], by=users["op_a"])  # someone else's unit
    with pytest.raises(wf.ForbiddenError):
        wf.acknowledge(task=t, unit=units["b"], by=users["leader"])  # leaders never write
    with pytest.raises(wf.WorkflowError, match="不是该事项的责任单位"):
        wf.acknowledge(task=t, unit=units["c"], by=users["staff"])
    assert not Assignment.objects.get(task=t, unit=units["b"]).acknowledged_at


# --- 进展 -------------------------------------------------------------------------------------

def test_report_progress_with_attachments(make_task, units, users):
    t = make_task()
    files = [SimpleUploadedFile("方案.pdf", pdf_bytes()), SimpleUploadedFile("现场.png", png_bytes()),
             SimpleUploadedFile("台账.xlsx", xlsx_bytes()), SimpleUploadedFile("报告.docx", docx_bytes())]
    r = wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="已完成招标", percent=30, files=files)
    assert r.percent == 30 and r.attachments.count() == 4
    assert sorted(a.content_type.split("/")[0] for a in r.attachments.all()) == ["application"] * 3 + ["image"]
    t.refresh_from_db()
    assert t.progress == 30 and t.status == Task.Status.IN_PROGRESS
    # a co-operating unit reports too, and may not go below 30
    wf.report_progress(task=t, unit=units["b"], by=users["op_b"], text="资金已拨付", percent=30)
    assert ProgressReport.objects.filter(task=t).count() == 2


@pytest.mark.parametrize("percent, words", [(-1, "0 到 100"), (101, "0 到 100"), ("abc", "整数"), (10, "不能低于上次")])
def test_report_progress_bad_percent(make_task, units, users, percent, words):
    t = make_task()
    wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="起步", percent=20)
    before = counts()
    with pytest.raises(wf.WorkflowError) as exc:
        wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="x", percent=percent)
    assert exc.value.field == "percent" and words in exc.value.message
    assert counts() == before
    t.refresh_from_db()
    assert t.progress == 20


@pytest.mark.parametrize("name, data, words", [
    ("病毒.exe", b"MZ\x90\x00", "类型不允许"),
    ("伪装.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名不符"),
    ("伪装.docx", xlsx_bytes(), "内容与扩展名不符"),
    ("伪装.png", pdf_bytes(), "内容与扩展名不符"),
    ("空.pdf", b"", "空文件"),
    ("大.pdf", pdf_bytes(5000), "过大"),
])
def test_report_progress_bad_attachment_stores_nothing(make_task, units, users, name, data, words):
    OfficeSettings.objects.update_or_create(pk=1, defaults={"max_attachment_bytes": 4000})
    t = make_task()
    before = counts()
    with pytest.raises(wf.WorkflowError) as exc:
        wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="见附件", percent=10,
                           files=[SimpleUploadedFile("好.pdf", pdf_bytes()), SimpleUploadedFile(name, data)])
    assert exc.value.field == "files" and words in exc.value.message
    assert counts() == before


def test_no_progress_on_closed_or_cancelled(make_task, units, users):
    t = make_task()
    req = wf.request_completion(task=t, unit=units["a"], by=users["op_a"], summary="已完成")
    wf.decide_completion(request=req, by=users["staff"], approve=True, grade="优秀")
    before = counts()
    with pytest.raises(wf.WorkflowError, match="已办结"):
        wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="x", percent=100)
    assert counts() == before
    t2 = make_task(title="另一件")
    wf.cancel_task(task=t2, by=users["staff"], reason="上级已调整")
    with pytest.raises(wf.WorkflowError, match="已撤销"):
        wf.report_progress(task=t2, unit=units["a"], by=users["op_a"], text="x", percent=5)


def test_version_compare_and_swap(make_task, units, users):
    t = make_task()
    assert t.version == 1
    wf.report_progress(task=Task.objects.get(pk=t.pk), unit=units["a"], by=users["op_a"], text="一", percent=10, version=1)
    before = counts()
    with pytest.raises(wf.ConflictError) as exc:  # a second editor who read version 1
        wf.report_progress(task=Task.objects.get(pk=t.pk), unit=units["b"], by=users["op_b"], text="二", percent=20, version=1)
    assert exc.value.code == "conflict" and "已被他人修改" in exc.value.message
    assert counts() == before
    wf.report_progress(task=Task.objects.get(pk=t.pk), unit=units["b"], by=users["op_b"], text="二", percent=20, version=2)
    assert Task.objects.get(pk=t.pk).version == 3


def test_periodic_period_and_missing_reports(make_task, units, users):
    from tasks.selectors.tasks import missing_periodic_reports, period_of

    t = make_task(recurrence="monthly")
    make_task(title="非周期")
    on = timezone.localdate()
    gaps = missing_periodic_reports(on)
    assert {(g.task.pk, g.unit.name, g.period) for g in gaps} == {
        (t.pk, "县发展和改革局", f"{on:%Y-%m}"), (t.pk, "县财政局", f"{on:%Y-%m}")}
    r = wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="本月情况", percent=10)
    assert r.period == f"{on:%Y-%m}"
    assert [(g.unit.name) for g in missing_periodic_reports(on)] == ["县财政局"]
    assert period_of("weekly", dt.date(2026, 11, 23)) == "2026-W48"
    assert period_of("quarterly", dt.date(2026, 11, 23)) == "2026-Q4"
    assert period_of("dekad", dt.date(2026, 11, 23)) == "2026-11-下旬"


# --- 延期 -------------------------------------------------------------------------------------

def test_extension_flow_keeps_old_deadline_in_history(make_task, units, users):
    t = make_task()
    old = t.deadline
    before = counts()
    for bad in (old, old - dt.timedelta(days=3)):
        with pytest.raises(wf.WorkflowError) as exc:
            wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=bad, reason="设备未到")
        assert exc.value.field == "proposed_deadline" and "必须晚于现时限" in exc.value.message
    with pytest.raises(wf.WorkflowError, match="延期理由"):
        wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=old + dt.timedelta(days=9), reason=" ")
    assert counts() == before
    new = old + dt.timedelta(days=20)
    req = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=new, reason="设备未到")
    assert req.old_deadline == old
    with pytest.raises(wf.WorkflowError, match="待审批"):
        wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=new, reason="再申请")
    with pytest.raises(wf.ForbiddenError):
        wf.decide_extension(request=req, by=users["op_a"], approve=True)
    with pytest.raises(wf.ForbiddenError):
        wf.decide_extension(request=req, by=users["leader"], approve=True)
    wf.decide_extension(request=req, by=users["staff"], approve=True)
    t.refresh_from_db()
    assert t.deadline == new
    assert old in set(t.history.values_list("deadline", flat=True))
    assert "同意延期" in t.history.first().history_change_reason
    with pytest.raises(wf.WorkflowError, match="已处理"):
        wf.decide_extension(request=req, by=users["staff"], approve=False, reason="x")


def test_extension_reject_needs_reason(make_task, units, users):
    t = make_task()
    req = wf.request_extension(task=t, unit=units["b"], by=users["op_b"], proposed_deadline=t.deadline + dt.timedelta(days=5), reason="配合单位人手不足")
    with pytest.raises(wf.WorkflowError, match="理由"):
        wf.decide_extension(request=req, by=users["staff"], approve=False)
    wf.decide_extension(request=req, by=users["staff"], approve=False, reason="时限不可调整")
    req.refresh_from_db()
    t.refresh_from_db()
    assert req.state == "rejected" and t.deadline == req.old_deadline
    assert Notice.objects.filter(task=t, unit=units["b"], title__contains="退回").exists()


# --- 办结 -------------------------------------------------------------------------------------

def test_completion_lead_only_then_close_with_grade(make_task, units, users):
    t = make_task()
    with pytest.raises(wf.WorkflowError, match="只有主办"):
        wf.request_completion(task=t, unit=units["b"], by=users["op_b"], summary="完成")
    req = wf.request_completion(task=t, unit=units["a"], by=users["op_a"], summary="完成验收")
    t.refresh_from_db()
    assert t.status == Task.Status.COMPLETION_REQUESTED
    with pytest.raises(wf.WorkflowError, match="评定等次"):
        wf.decide_completion(request=req, by=users["staff"], approve=True, grade="很好")
    wf.decide_completion(request=req, by=users["staff"], approve=True, grade="良好")
    t.refresh_from_db()
    assert t.status == Task.Status.CLOSED and t.grade == "good" and t.closed_at and t.progress == 100
    assert with_light(Task.objects.filter(pk=t.pk)).get().light == "done_on_time"


def test_completion_send_back_then_reopen_and_cancel(make_task, units, users):
    t = make_task()
    req = wf.request_completion(task=t, unit=units["a"], by=users["op_a"], summary="完成")
    with pytest.raises(wf.WorkflowError, match="理由"):
        wf.decide_completion(request=req, by=users["staff"], approve=False)
    wf.decide_completion(request=req, by=users["staff"], approve=False, reason="佐证材料不全")
    t.refresh_from_db()
    assert t.status == Task.Status.IN_PROGRESS
    assert t.history.first().history_change_reason == "退回重办：佐证材料不全"
    with pytest.raises(wf.WorkflowError, match="只有已办结或已撤销"):
        wf.reopen_task(task=t, by=users["staff"], reason="x")
    pending = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=t.deadline + dt.timedelta(days=1), reason="r")
    wf.cancel_task(task=t, by=users["staff"], reason="任务调整")
    pending.refresh_from_db()
    assert pending.state == "rejected"
    wf.reopen_task(task=t, by=users["staff"], reason="恢复办理")
    t.refresh_from_db()
    assert t.status == Task.Status.IN_PROGRESS


def test_set_deadline(make_task, users):
    t = make_task(deadline=None, deadline_kind="unresolved")
    before = counts()
    with pytest.raises(wf.WorkflowError, match="不能早于交办日期"):
        wf.set_deadline(task=t, by=users["staff"], deadline=t.start_date - dt.timedelta(days=1))
    with pytest.raises(wf.ForbiddenError):
        wf.set_deadline(task=t, by=users["leader"], deadline=t.start_date)
    assert counts() == before
    wf.set_deadline(task=t, by=users["staff"], deadline=t.start_date + dt.timedelta(days=10))
    t.refresh_from_db()
    assert t.deadline == t.start_date + dt.timedelta(days=10) and t.deadline_kind == "date"


def test_timeline_merges_history_reports_and_requests(make_task, units, users):
    from tasks.selectors.tasks import task_timeline

    t = make_task()
    wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="开工", percent=40)
    req = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=t.deadline + dt.timedelta(days=3), reason="雨季")
    wf.decide_extension(request=req, by=users["staff"], approve=True)
    entries = task_timeline(t)
    kinds = [e.kind for e in entries]
    assert {"history", "acknowledge", "report", "extension", "extension_decision"} <= set(kinds)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    deadline_change = [c for e in entries for c in e.changes if c["field"] == "deadline"]
    assert deadline_change and deadline_change[0]["new"] == str(req.proposed_deadline)
    assert entries[0].title == "交办" and entries[0].actor == "王督查"


def test_notices_mark_read(make_task, units, users):
    from tasks.selectors.tasks import unit_notices
    from tasks.services.notices import mark_read

    t = make_task()
    mine = list(unit_notices(users["op_a"]))
    assert [n.task_id for n in mine] == [t.pk]
    assert list(unit_notices(users["leader"])) == []
    with pytest.raises(wf.WorkflowError):
        mark_read(notice=mine[0], by=users["op_b"])
    mark_read(notice=mine[0], by=users["op_a"])
    assert unit_notices(users["op_a"], unread_only=True).count() == 0

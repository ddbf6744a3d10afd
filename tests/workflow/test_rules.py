"""Workflow rules of issue #9: a unit's first act is its 签收; no deadline before the 交办 date,
whoever sets it; every deadline change reaches every unit of the task."""
import datetime as dt

import pytest
from django.utils import timezone

from tasks.models import Assignment, ExtensionRequest, Notice, Task
from tasks.selectors.tasks import task_timeline
from tasks.services import workflow as wf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ack(task, unit):
    return Assignment.objects.get(task=task, unit=unit)


# --- 签收 implied by the first act --------------------------------------------------------------

def test_first_report_is_the_units_acknowledgement(make_task, units, users):
    t = make_task()
    assert ack(t, units["a"]).acknowledged_at is None
    wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="已召开专题会部署", percent=10)
    a = ack(t, units["a"])
    assert a.acknowledged_at is not None and a.acknowledged_by == users["op_a"]
    t.refresh_from_db()
    assert t.status == Task.Status.IN_PROGRESS
    assert t.history.first().history_change_reason.startswith("签收并报送进展")
    # the timeline shows the 签收 as its own entry, before or at the report
    kinds = [e.kind for e in task_timeline(t)]
    assert "acknowledge" in kinds and "report" in kinds
    # signing again is refused as before; the co unit has not signed
    with pytest.raises(wf.WorkflowError, match="已于"):
        wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    assert ack(t, units["b"]).acknowledged_at is None


def test_a_second_report_does_not_sign_again(make_task, units, users):
    t = make_task()
    wf.acknowledge(task=t, unit=units["a"], by=users["op_a"])
    first = ack(t, units["a"]).acknowledged_at
    wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="推进中", percent=30)
    assert ack(t, units["a"]).acknowledged_at == first
    assert Task.objects.get(pk=t.pk).history.first().history_change_reason == "报送进展：县发改局 30%"


def test_extension_and_completion_requests_sign_too(make_task, units, users):
    t = make_task()
    wf.request_extension(task=t, unit=units["b"], by=users["op_b"], proposed_deadline=t.deadline + dt.timedelta(days=9),
                         reason="资金未到位")
    assert ack(t, units["b"]).acknowledged_by == users["op_b"]
    assert Task.objects.get(pk=t.pk).status == Task.Status.IN_PROGRESS
    t2 = make_task(title="另一件事", units=[(units["a"], "lead")])
    wf.request_completion(task=t2, unit=units["a"], by=users["op_a"], summary="已完成")
    assert ack(t2, units["a"]).acknowledged_at is not None
    assert Task.objects.get(pk=t2.pk).status == Task.Status.COMPLETION_REQUESTED


def test_a_refused_report_signs_nothing(make_task, units, users):
    t = make_task()
    with pytest.raises(wf.WorkflowError):
        wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="", percent=10)
    assert ack(t, units["a"]).acknowledged_at is None


# --- deadlines ----------------------------------------------------------------------------------

def test_create_task_refuses_a_deadline_before_the_assignment_date(make_task):
    with pytest.raises(wf.WorkflowError, match="不能早于交办日期") as exc:
        make_task(deadline=TODAY - dt.timedelta(days=1))
    assert exc.value.field == "deadline" and Task.objects.count() == 0


def test_set_deadline_refuses_an_earlier_date_and_notifies_every_unit(make_task, units, users):
    t = make_task()
    before = Notice.objects.count()
    with pytest.raises(wf.WorkflowError, match=f"不能早于交办日期（{t.start_date:%Y-%m-%d}）"):
        wf.set_deadline(task=t, by=users["staff"], deadline=t.start_date - dt.timedelta(days=1))
    assert Notice.objects.count() == before and Task.objects.get(pk=t.pk).deadline == t.deadline
    old, new = t.deadline, t.deadline + dt.timedelta(days=20)
    wf.set_deadline(task=t, by=users["staff"], deadline=new)
    notes = Notice.objects.filter(task=t, title__startswith="完成时限调整")
    assert sorted(n.unit.name for n in notes) == ["县发展和改革局", "县财政局"]
    assert all(f"现为{new:%Y-%m-%d}" in n.title and f"原时限{old:%Y-%m-%d}" in n.title for n in notes)
    # the same date again changes nothing and tells nobody
    wf.set_deadline(task=t, by=users["staff"], deadline=new)
    assert Notice.objects.filter(task=t, title__startswith="完成时限调整").count() == 2


def test_approved_extension_tells_the_requester_and_the_other_units(make_task, units, users):
    t = make_task()
    req = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=t.deadline + dt.timedelta(days=5),
                               reason="征地延迟")
    wf.decide_extension(request=req, by=users["staff"], approve=True)
    titles = {n.unit.name: n.title for n in Notice.objects.filter(task=t).exclude(title__startswith="交办通知")}
    assert titles["县发展和改革局"].startswith("延期申请已同意")
    assert titles["县财政局"].startswith("完成时限调整")


def test_an_extension_to_a_date_before_the_assignment_date_is_refused(make_task, units, users):
    """A task registered ahead (starting in 10 days) with no date yet: asking for a day before its
    start is refused at once; and if staff move the start after a request was made, approving the
    now-too-early request is refused too, changing nothing."""
    t = make_task(deadline=None, deadline_kind="unresolved", start_date=TODAY + dt.timedelta(days=10))
    with pytest.raises(wf.WorkflowError, match="不能早于交办日期") as exc:
        wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=TODAY + dt.timedelta(days=3),
                             reason="请明确时限")
    assert exc.value.field == "proposed_deadline" and not ExtensionRequest.objects.exists()
    req = wf.request_extension(task=t, unit=units["a"], by=users["op_a"], proposed_deadline=TODAY + dt.timedelta(days=12),
                               reason="请明确时限")
    Task.objects.filter(pk=t.pk).update(start_date=TODAY + dt.timedelta(days=20))
    notices = Notice.objects.count()
    with pytest.raises(wf.WorkflowError, match="不能早于交办日期"):
        wf.decide_extension(request=req, by=users["staff"], approve=True)
    req.refresh_from_db()
    t.refresh_from_db()
    assert req.state == "pending" and req.decided_at is None and t.deadline is None and Notice.objects.count() == notices

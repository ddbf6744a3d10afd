"""Staff queues: bulk decisions all or nothing (reason required on refusal, kept on error, never a
red error next to a green success), the 待签收 queue, the candidates queue."""
import datetime as dt

import pytest
from django.utils import timezone

from tasks.models import CompletionRequest, ExtensionRequest, RequestState, Task
from tasks.services import approvals, workflow
from tasks.services.workflow import WorkflowError
from tests.workbench.conftest import future, unit

pytestmark = pytest.mark.django_db


def _task(users, title="推进项目建设", *, now=None, deadline=None):
    return workflow.create_task(title=title, by=users["staff"], units=[(unit("县发展和改革局"), "lead")],
                                deadline=deadline or future(30), now=now)


def _extensions(users, n=2):
    out = []
    for i in range(n):
        t = _task(users, f"事项{i}")
        workflow.acknowledge(task=t, unit=t.units.get(), by=users["operator"])
        out.append(workflow.request_extension(task=t, unit=t.units.get(), by=users["operator"],
                                              proposed_deadline=t.deadline + dt.timedelta(days=10), reason="手续未完成"))
    return out


def _completions(users, n=2):
    out = []
    for i in range(n):
        t = _task(users, f"办结事项{i}")
        workflow.acknowledge(task=t, unit=t.units.get(), by=users["operator"])
        out.append(workflow.request_completion(task=t, unit=t.units.get(), by=users["operator"], summary="已完成"))
    return out


def test_decide_extensions_all_or_nothing(users):
    a, b = _extensions(users)
    workflow.decide_extension(request=b, by=users["staff"], approve=True)  # decided meanwhile by someone else
    with pytest.raises(approvals.BatchError) as exc:
        approvals.decide_extensions(ids=[a.pk, b.pk], by=users["staff"], approve=True)
    assert list(exc.value.errors) == [b.pk] and "不能重复审批" in exc.value.message
    a.refresh_from_db()
    assert a.state == RequestState.PENDING
    assert Task.objects.get(pk=a.task_id).deadline == a.old_deadline
    with pytest.raises(WorkflowError, match="请填写理由"):
        approvals.decide_extensions(ids=[a.pk], by=users["staff"], approve=False, reason="  ")
    done = approvals.decide_extensions(ids=[a.pk], by=users["staff"], approve=False, reason="理由不充分")
    assert done[0].state == RequestState.REJECTED and done[0].decision_reason == "理由不充分"


def test_decide_completions(users):
    reqs = _completions(users)
    ids = [r.pk for r in reqs]
    with pytest.raises(WorkflowError, match="评定等次"):
        approvals.decide_completions(ids=ids, by=users["staff"], approve=True)
    approvals.decide_completions(ids=ids, by=users["staff"], approve=True, grade="good")
    for r in reqs:
        t = Task.objects.get(pk=r.task_id)
        assert t.status == Task.Status.CLOSED and t.grade == "good"


def test_staff_only(users):
    (a,) = _extensions(users, 1)
    with pytest.raises(WorkflowError):
        approvals.decide_extensions(ids=[a.pk], by=users["operator"], approve=True)
    a.refresh_from_db()
    assert a.state == RequestState.PENDING


def test_extension_queue_view_refusal_keeps_selection_and_reason(staff_client, users):
    a, b = _extensions(users)
    url = "/workbench/queues/extensions/"
    r = staff_client.post(url, {"ids": [a.pk, b.pk], "decision": "reject", "reason": ""})
    html = r.content.decode()
    assert r.status_code == 400 and "退回延期申请时请填写理由" in html
    assert 'class="messages"' not in html  # no green message next to the red one
    assert html.count("checked") >= 2
    workflow.decide_extension(request=b, by=users["staff"], approve=True)
    r = staff_client.post(url, {"ids": [a.pk, b.pk], "decision": "reject", "reason": "材料不全，请补充"})
    html = r.content.decode()
    assert r.status_code == 400 and "本次审批未作任何修改" in html and "材料不全，请补充" in html  # the reason is kept
    assert ExtensionRequest.objects.get(pk=a.pk).state == RequestState.PENDING
    r = staff_client.post(url, {"ids": [a.pk], "decision": "reject", "reason": "材料不全，请补充"}, follow=True)
    assert "已退回 1 份延期申请" in r.content.decode()
    assert ExtensionRequest.objects.get(pk=a.pk).state == RequestState.REJECTED


def test_completion_queue_view(staff_client, users):
    reqs = _completions(users)
    r = staff_client.post("/workbench/queues/completions/", {"ids": [x.pk for x in reqs], "decision": "approve", "grade": ""})
    assert r.status_code == 400 and "请选择评定等次" in r.content.decode()
    r = staff_client.post("/workbench/queues/completions/", {"ids": [x.pk for x in reqs], "decision": "approve", "grade": "excellent"},
                          follow=True)
    assert "已同意办结（销号） 2 份办结申请" in r.content.decode()
    assert not CompletionRequest.objects.filter(state=RequestState.PENDING).exists()
    r = staff_client.post("/workbench/queues/completions/", {"ids": ["x"], "decision": "approve", "grade": "good"})
    assert r.status_code == 400 and "所选申请无效" in r.content.decode()


def test_unacknowledged_queue(staff_client, users):
    old = _task(users, "三天前交办的事项", now=timezone.now() - dt.timedelta(days=3))
    new = _task(users, "今天交办的事项")
    html = staff_client.get("/workbench/queues/unacknowledged/?days=2").content.decode()
    assert old.code in html and new.code not in html
    html = staff_client.get("/workbench/queues/unacknowledged/?days=0").content.decode()
    assert old.code in html and new.code in html
    workflow.acknowledge(task=old, unit=old.units.get(), by=users["operator"])
    assert old.code not in staff_client.get("/workbench/queues/unacknowledged/?days=2").content.decode()
    assert staff_client.get("/workbench/queues/unacknowledged/?days=abc").status_code == 200


def test_candidate_queue_bulk(staff_client, demo_speech):
    ids = list(demo_speech.directives.values_list("pk", flat=True))
    r = staff_client.post("/workbench/queues/candidates/", {"action": "reject", "ids": ids[:1]}, follow=True)
    assert "已驳回 1 条候选事项" in r.content.decode()
    html = staff_client.get("/workbench/queues/candidates/").content.decode()
    assert html.count('class="pick" name="ids"') == len(ids) - 1

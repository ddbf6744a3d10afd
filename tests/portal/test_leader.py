"""领导批示: a leader writes it (portal or API), the units and the 督查室 see it and are told."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tasks.models import LeaderComment, Notice
from tasks.services.comments import write_leader_comment
from tasks.services.workflow import ForbiddenError, WorkflowError, cancel_task
from tests.portal.conftest import make_task

pytestmark = pytest.mark.django_db


def test_only_a_leader_writes_and_every_unit_and_staff_member_is_told(task, users, people, units):
    c = write_leader_comment(task=task, by=users["leader"], text="请加快进度，月底前报送改造方案。")
    assert c.author == people["leader"] and str(c).startswith("常务副县长胡世胜 批示")
    notes = Notice.objects.filter(task=task, title__startswith="领导批示")
    assert {n.unit.name for n in notes if n.unit} == {"县发展和改革局", "县住房和城乡建设局"}
    assert {n.person for n in notes if n.person} == {people["staff"]}
    assert all("月底前报送改造方案" in n.body for n in notes)
    for role in ("staff", "op_fgj", "norole"):
        with pytest.raises(ForbiddenError):
            write_leader_comment(task=task, by=users[role], text="批示")
    with pytest.raises(WorkflowError, match="请填写批示内容"):
        write_leader_comment(task=task, by=users["leader"], text="   ")
    with pytest.raises(WorkflowError, match="不能超过"):
        write_leader_comment(task=task, by=users["leader"], text="字" * 2001)
    from tasks.services.workflow import decide_completion, request_completion

    done = make_task(users["staff"], units["jyj"], title="已销号的事项")
    req = request_completion(task=done, unit=units["jyj"], by=users["op_jyj"], summary="完成")
    decide_completion(request=req, by=users["staff"], approve=True, grade="良好")
    with pytest.raises(WorkflowError, match="已办结"):
        write_leader_comment(task=done, by=users["leader"], text="批示")
    cancel_task(task=task, by=users["staff"], reason="上级调整")
    with pytest.raises(WorkflowError, match="已撤销"):
        write_leader_comment(task=task, by=users["leader"], text="批示")
    assert LeaderComment.objects.count() == 1


def test_leader_writes_on_the_task_page_and_the_unit_reads_it(client_for, task):
    url = reverse("portal:task_detail", args=[task.pk])
    leader = client_for("leader")
    r = leader.post(url, {"action": "comment", "text": ""})
    assert r.status_code == 400 and "请填写批示内容" in r.content.decode()
    r = leader.post(url, {"action": "comment", "text": "此事列入挂牌督办，每周报送。"}, follow=True)
    assert "批示已发送" in r.content.decode()
    body = client_for("op_fgj").get(url).content.decode()
    block = body[body.index('data-testid="leader-comments"'):]
    assert "此事列入挂牌督办，每周报送。" in block and "胡世胜" in block
    assert 'value="comment"' not in body  # units read it, they do not write one
    # the unit's inbox has it; an operator posting a 批示 is refused and stores nothing
    assert "领导批示" in client_for("op_fgj").get(reverse("portal:notices")).content.decode()
    r = client_for("op_fgj").post(url, {"action": "comment", "text": "冒充批示"})
    assert r.status_code == 403 and LeaderComment.objects.count() == 1
    # staff see it in the admin: on the task page and in the 领导批示 list
    staff = client_for("staff")
    assert "此事列入挂牌督办" in staff.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert "此事列入挂牌督办" in staff.get(reverse("admin:tasks_leadercomment_changelist")).content.decode()
    assert "批示" in staff.get(reverse("admin:tasks_task_history", args=[task.pk])).content.decode()


def test_api_detail_shows_the_comments_and_only_leaders_post(task, users):
    api = APIClient()
    api.force_authenticate(users["leader"])
    r = api.post(f"/api/tasks/{task.pk}/comments/", {"text": "请督查室跟踪。"}, format="json")
    assert r.status_code == 201 and r.data["leader_comments"][0]["text"] == "请督查室跟踪。"
    assert r.data["leader_comments"][0]["author"] == "常务副县长胡世胜"
    r = api.post(f"/api/tasks/{task.pk}/comments/", {"text": ""}, format="json")
    assert r.status_code == 400 and r.data["field"] == "text"
    op = APIClient()
    op.force_authenticate(users["op_fgj"])
    assert op.get(f"/api/tasks/{task.pk}/").data["leader_comments"][0]["text"] == "请督查室跟踪。"
    assert op.post(f"/api/tasks/{task.pk}/comments/", {"text": "x"}, format="json").status_code == 403
    other = APIClient()
    other.force_authenticate(users["op_jyj"])
    assert other.post(f"/api/tasks/{task.pk}/comments/", {"text": "x"}, format="json").status_code == 404
    assert LeaderComment.objects.count() == 1

"""领导批示: the one write a leader makes. Leaders otherwise only read (docs/portal.md)."""
from __future__ import annotations

from django.db import transaction

from accounts.models import Person, Role
from accounts.selectors import person_of, user_role
from tasks.models import Assignment, LeaderComment, Task
from tasks.services import notices
from tasks.services.workflow import ForbiddenError, WorkflowError

MAX_CHARS = 2000


@transaction.atomic
def write_leader_comment(*, task: Task, by, text: str) -> LeaderComment:
    """A 县领导 writes a 批示 on an open task: every unit of the task and every 督查室 member get a notice."""
    person = person_of(by)
    if user_role(by) != Role.LEADER or person is None:
        raise ForbiddenError("只有县领导可以作出批示。")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写批示内容。", field="text")
    if len(text) > MAX_CHARS:
        raise WorkflowError(f"批示内容不能超过{MAX_CHARS}字。", field="text")
    if task.status == Task.Status.CANCELLED:
        raise WorkflowError("该事项已撤销，不能再作批示。", field="task")
    if task.status == Task.Status.CLOSED:
        raise WorkflowError("该事项已办结（销号），不能再作批示；如需继续办理，请督查室重新启动。", field="task")
    comment = LeaderComment.objects.create(task=task, author=person, text=text)
    title = f"领导批示：{task.code} {person}：{text}"[:200]
    body = f"事项：{task.code} {task.title}\n{person}批示：{text}"
    for a in Assignment.objects.filter(task=task).select_related("unit"):
        notices.create_notice(title=title, body=body, unit=a.unit, task=task)
    for staff in Person.objects.filter(role=Role.STAFF, active=True, user__is_active=True):
        notices.create_notice(title=title, body=body, person=staff, task=task)
    return comment

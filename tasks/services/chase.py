"""人工催办: a 督查室 officer chases the units of a task in one click.

chase_task() writes a Chase record (who chased, whom, how, when) and one Reminder row of kind
"manual" per unit and channel (in-app notice always; the unit's email and group robot when it has
them) through tasks.services.reminders.insert_reminders, then sends them with send_pending(ids=…)
once the transaction is committed — the reminders' own exactly-once machinery does the sending.
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.selectors import is_supervisor, person_of
from tasks.models import Assignment, Chase, Reminder, Task
from tasks.reminders import policy
from tasks.services import reminders
from tasks.services.workflow import CLOSED_STATUSES, ForbiddenError, WorkflowError

MAX_MESSAGE = 500


def chaser_name(user) -> str:
    person = person_of(user)
    return (person.name if person else "") or user.get_full_name() or user.username


def _body(task: Task, unit_name: str, by_name: str, message: str) -> tuple[str, str]:
    deadline = f"{task.deadline.year}年{task.deadline.month}月{task.deadline.day}日" if task.deadline else (task.deadline_text or "未定")
    subject = f"【人工催办】{task.code} {task.title}"[:200]
    body = (f"{unit_name}：\n督查室（{by_name}）催办督办事项“{task.code} {task.title}”。\n"
            f"完成时限：{deadline}；当前进度：{task.progress}%。\n"
            f"{message or '请抓紧办理，及时签收并报送进展情况。'}\n"
            f"查看详情：{settings.SITE_URL.rstrip('/')}/portal/tasks/{task.pk}/")
    return subject, body


def chase_task(*, task: Task, by, units=None, message: str = "", send: bool = True, now=None) -> Chase:
    """Chase `units` (default: every unit of the task not yet 签收, or all its units when all have
    signed) about an open task. Returns the Chase; `chase.reminder_ids` are the queued rows and
    `chase.sent` the send counts (send=False leaves them to the next sending run)."""
    if not is_supervisor(by):
        raise ForbiddenError("只有督查室工作人员可以催办。")
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise WorkflowError(f"催办内容不能超过{MAX_MESSAGE}字。", field="message")
    task = Task.objects.get(pk=task.pk)
    if task.status in CLOSED_STATUSES:
        raise WorkflowError(f"该事项{task.get_status_display()}，不需要催办。")
    assignments = list(Assignment.objects.filter(task=task).select_related("unit").order_by("-role", "unit__sort_order", "unit_id"))
    if units is not None:
        wanted = {u.pk for u in units}
        chosen = [a for a in assignments if a.unit_id in wanted]
        if not chosen or len(chosen) != len(wanted):
            raise WorkflowError("请选择该事项的责任单位进行催办。", field="units")
    else:
        chosen = [a for a in assignments if a.acknowledged_at is None] or assignments
    if not chosen:
        raise WorkflowError("该事项没有责任单位，无法催办。")
    by_name = chaser_name(by)
    with transaction.atomic():
        chase = Chase.objects.create(task=task, by=by, message=message)
        chase.units.set([a.unit for a in chosen])
        rows, used = [], []
        for a in chosen:
            u = a.unit
            recipient = policy.unit_recipient(u.pk, str(u), u.email, u.webhook_kind, u.webhook_url)
            subject, body = _body(task, str(u), by_name, message)
            for channel, target in recipient.routes:
                rows.append({"key": policy.reminder_key(Reminder.Kind.MANUAL, f"t{task.pk}", recipient.ref, f"c{chase.pk}", channel),
                             "kind": Reminder.Kind.MANUAL, "channel": channel, "period": f"人工催办#{chase.pk}",
                             "task_id": task.pk, "unit_id": u.pk, "person_id": None, "target": target,
                             "subject": subject, "body": body})
                label = Reminder.Channel(channel).label
                if label not in used:
                    used.append(label)
        ids = reminders.insert_reminders(rows)
        chase.channels = "、".join(used)[:100]
        chase.save(update_fields=["channels"])
    chase.reminder_ids = ids
    chase.sent = reminders.send_pending(now or timezone.now(), ids=ids) if send and ids else {}
    return chase


def chase_many(*, items, by, message: str = "", now=None) -> list[Chase]:
    """催办 several tasks at once (the 待签收 queue): `items` is [(task, units)]; one Chase per task,
    all recorded or none (a refusal names the task), then every reminder is sent."""
    items = list(items)
    if not items:
        raise WorkflowError("请先勾选要催办的单位。")
    with transaction.atomic():
        chases = []
        for task, units in items:
            try:
                chases.append(chase_task(task=task, by=by, units=units, message=message, send=False))
            except WorkflowError as exc:
                raise WorkflowError(f"{task.code}：{exc.message}", field=exc.field) from None
    ids = [i for c in chases for i in c.reminder_ids]
    sent = reminders.send_pending(now or timezone.now(), ids=ids) if ids else {}
    for c in chases:
        c.sent = sent
    return chases

"""In-app notices (站内通知): the portal inbox of a unit or a person."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Person, Unit
from accounts.selectors import is_supervisor, operator_unit, person_of
from tasks.models import Notice, Task
from tasks.services.workflow import WorkflowError as NoticeError


def create_notice(*, title: str, body: str = "", unit: Unit | None = None, person: Person | None = None,
                  task: Task | None = None) -> Notice:
    """A notice for a unit (every operator of it sees it) or for one person."""
    title = (title or "").strip()
    if not title:
        raise NoticeError("通知标题不能为空。")
    if unit is None and person is None:
        raise NoticeError("通知必须指定接收单位或接收人。")
    return Notice.objects.create(title=title[:200], body=body or "", unit=unit, person=person, task=task)


def can_read_notice(user, notice: Notice) -> bool:
    if is_supervisor(user):
        return True
    person = person_of(user)
    if person is not None and notice.person_id == person.pk:
        return True
    unit = operator_unit(user)
    return unit is not None and notice.unit_id == unit.pk


@transaction.atomic
def mark_read(*, notice: Notice, by) -> Notice:
    """Mark a notice read (idempotent: the first reading time is kept)."""
    if not can_read_notice(by, notice):
        raise NoticeError("无权操作该通知。", code="forbidden")
    if notice.read_at is None:
        now = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.read_at = now
    return notice

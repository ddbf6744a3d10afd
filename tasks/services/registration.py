"""Registering a task by hand (手工录入) or a 领导批示件 on the workbench, with its documents.

One call, one transaction: the task (through tasks.services.workflow.create_task: code, units,
notices), its leaders and its TaskFile rows (the scanned 批示) are stored together or not at all.
"""
from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Person
from tasks.models import DeadlineKind, Task, TaskFile
from tasks.selectors.lights import office_settings
from tasks.services.workflow import WorkflowError, _read_file, check_attachment, create_task, default_deadline
from tasks.workdays import add_workdays

REGISTRABLE = (Task.Source.MANUAL, Task.Source.INSTRUCTION)


def instruction_limits(start: dt.date | None = None) -> list[dict]:
    """The 批示件 time limits of the office (working days) and the date each gives from `start`."""
    s = office_settings()
    start = start or timezone.localdate()
    rows = [(Task.Urgency.URGENT, s.urgent_workdays), (Task.Urgency.NORMAL, s.normal_workdays),
            (Task.Urgency.COMPLEX, s.complex_workdays)]
    return [{"urgency": u.value, "label": u.label, "workdays": n, "deadline": add_workdays(start, n)} for u, n in rows]


def _clean_leaders(leaders) -> list[Person]:
    out = []
    for p in leaders or ():
        if not isinstance(p, Person):
            raise WorkflowError("责任领导不存在。", field="leaders")
        if not p.is_leader:
            raise WorkflowError(f"“{p}”不是领导，不能作为责任领导。", field="leaders")
        if not p.active:
            raise WorkflowError(f"“{p}”已不在职，不能作为责任领导。", field="leaders")
        out.append(p)
    return out


def _clean_files(files) -> list[tuple[str, bytes, str]]:
    max_bytes = office_settings().max_attachment_bytes
    out = []
    for f in files or ():
        size = getattr(f, "size", None)
        if isinstance(size, int) and size > max_bytes:
            name = os.path.basename(getattr(f, "name", "") or "")
            raise WorkflowError(f"附件“{name}”过大（{size / 1048576:.1f} MB），单个文件不能超过 {max_bytes / 1048576:.0f} MB。", field="files")
        name, data = _read_file(f)
        out.append((name, data, check_attachment(name, data, max_bytes)))
    return out


def register_task(*, by, source: str, title: str, units, leaders=(), requirement: str = "", urgency: str = "normal",
                  deadline: dt.date | None = None, category: str = "", files=(), now=None) -> Task:
    """交办 a task entered by hand. A 领导批示件 without a deadline gets the office's working-day
    limit for its urgency (OfficeSettings urgent/normal/complex_workdays); a deadline before the
    交办 date is refused; leaders must be people marked as leaders."""
    if source not in REGISTRABLE:
        raise WorkflowError("来源只能是“手工录入”或“领导批示件”。", field="source")
    if source == Task.Source.MANUAL and deadline is None:
        raise WorkflowError("请填写完成时限。", field="deadline")
    now = now or timezone.now()
    start = timezone.localtime(now).date() if timezone.is_aware(now) else now.date()
    if deadline is not None and deadline < start:
        raise WorkflowError(f"完成时限（{deadline:%Y-%m-%d}）不能早于交办日期（{start:%Y-%m-%d}）。", field="deadline")
    leaders = _clean_leaders(leaders)
    uploads = _clean_files(files)
    deadline_text = ""
    if source == Task.Source.INSTRUCTION and deadline is None:
        deadline = default_deadline(start=start, deadline_kind=DeadlineKind.DATE, source=source, urgency=urgency, deadline=None)
        limit = next((r for r in instruction_limits(start) if r["urgency"] == urgency), None)
        deadline_text = f"{limit['label']}件，{limit['workdays']}个工作日内办结" if limit else ""
    with transaction.atomic():
        task = create_task(title=title, by=by, units=units, leaders=leaders, requirement=(requirement or "").strip(),
                           deadline=deadline, deadline_text=deadline_text, deadline_kind=DeadlineKind.DATE,
                           category=category, source=source, urgency=urgency, start_date=start, now=now)
        for name, data, ctype in uploads:
            TaskFile.objects.create(task=task, file=ContentFile(data, name=name), name=name[:255], size=len(data),
                                    content_type=ctype, uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    return task

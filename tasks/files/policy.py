"""Who may read which stored file. One rule per model; it covers every FileField of that model
(a ReportFile's .xlsx today, any other format added to it tomorrow).

A rule is `rule(user, obj) -> bool`. Models with a FileField and no rule are served to nobody:
tests/security/test_files.py fails when such a field appears, so a new field gets a rule here.
"""
from __future__ import annotations

from django.apps import apps
from django.db import models

from accounts.selectors import user_role


def _staff_or_leader(user, obj) -> bool:
    return user_role(user) in ("admin", "staff", "leader")


def _may_see_task_of_report(user, obj) -> bool:
    from tasks.selectors.tasks import visible_tasks

    return visible_tasks(user).filter(pk=obj.report.task_id).exists()


def _may_see_task(user, obj) -> bool:
    from tasks.selectors.tasks import visible_tasks

    return visible_tasks(user).filter(pk=obj.task_id).exists()


RULES = {
    "tasks.Speech": _staff_or_leader,  # speeches: 督查室 and leaders (as the API's speech list)
    "tasks.Attachment": _may_see_task_of_report,  # evidence: whoever may see its task
    "tasks.ReportFile": _staff_or_leader,  # 督查通报, in every format
    "tasks.TaskFile": _may_see_task,  # a task's registered documents (the scanned 批示): whoever may see the task
}


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every FileField of every installed model."""
    return [(m, f) for m in apps.get_models() for f in m._meta.get_fields() if isinstance(f, models.FileField)]


def owner_of(name: str):
    """(record, field) that stores `name`, or (None, None)."""
    for model, field in file_fields():
        if model._meta.label not in RULES:
            continue
        obj = model._default_manager.filter(**{field.name: name}).first()
        if obj is not None:
            return obj, field
    return None, None


def may_read(user, obj) -> bool:
    rule = RULES.get(obj._meta.label)
    return bool(rule and user is not None and user.is_authenticated and rule(user, obj))

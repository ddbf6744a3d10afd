"""Celery jobs of the tasks app. Thin: each one calls a service and returns a small summary.

Sections are owned by areas: reminders, reports. The schedule is django-celery-beat's (the admin's
entries; defaults from settings.CELERY_BEAT_SCHEDULE via `manage.py setup_schedule`).
"""
from celery import shared_task  # noqa: F401

# --- reminders -------------------------------------------------------------------------------

ROBOT_FOLLOW_UP_SECONDS = 60  # robot messages held back by the per-minute budget go out a minute later


def _follow_up(result: dict) -> None:
    """Robots allow 20 messages a minute: what their budget held back is sent a minute later
    rather than at the next beat (30 minutes). Through dispatch.enqueue: never raises."""
    if result.get("deferred"):
        from tasks.reminders.ratelimit import default_budget
        from tasks.services.dispatch import enqueue

        # at most one follow-up a minute, however many runs found robots over budget
        if default_budget(1).take("tracker:reminders-follow-up"):
            enqueue(send_reminders.s().set(countdown=ROBOT_FOLLOW_UP_SECONDS))


@shared_task(name="tasks.jobs.reminder_sweep")
def reminder_sweep(now: str | None = None) -> dict:
    """Beat, every 30 minutes: queue due reminders (exactly once by key) and send them."""
    from django.utils.dateparse import parse_datetime

    from tasks.services import reminders

    result = reminders.run(parse_datetime(now) if now else None)
    if not now:
        _follow_up(result)
    return {k: v for k, v in result.items() if k != "new_ids"}


@shared_task(name="tasks.jobs.send_reminders")
def send_reminders(ids: list[int] | None = None) -> dict:
    """Send queued reminders now (all due ones, or only `ids`); safe to run twice."""
    from tasks.services import reminders

    result = reminders.send_pending(ids=ids)
    _follow_up(result)
    return result


# --- reports ---------------------------------------------------------------------------------

@shared_task(name="tasks.jobs.weekly_report")
def weekly_report(on: str | None = None) -> dict:
    """Beat, Monday 08:00: the weekly 督查通报 (workbook and .docx) as of today (or `on`, YYYY-MM-DD), announced once a week."""
    from tasks.models import ReportFile
    from tasks.services.reports import generate_report, parse_report_date

    rf = generate_report(on=parse_report_date(on), trigger=ReportFile.Trigger.BEAT)
    return {"report_file": rf.pk, "filename": rf.filename, "docx": rf.docx_filename, "issue": rf.issue_no,
            "tasks": rf.task_count, "size": rf.size}


@shared_task(name="tasks.jobs.import_ledger_file")
def import_ledger_file(name: str, user_id: int, original_name: str = "", options: dict | None = None) -> dict:
    """台账导入 of a big ledger uploaded in the admin (too slow for a web request); the user gets a notice."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from tasks.services.ledger import import_ledger_upload

    user = get_user_model().objects.get(pk=user_id)
    path = Path(settings.MEDIA_ROOT) / "ledger-uploads" / Path(name).name
    return import_ledger_upload(path, by=user, original_name=original_name, options=options)


"""Celery jobs of the tasks app. Thin: each one calls a service and returns a small summary.

Sections are owned by areas: reminders, reports. Schedules are in settings.CELERY_BEAT_SCHEDULE
(copied into django-celery-beat by `manage.py setup_schedule`, then editable in the admin).
"""
from celery import shared_task  # noqa: F401

# --- reminders -------------------------------------------------------------------------------

@shared_task(name="tasks.jobs.reminder_sweep")
def reminder_sweep(now: str | None = None) -> dict:
    """Beat, every 30 minutes: queue due reminders (exactly once by key) and send them."""
    from django.utils.dateparse import parse_datetime

    from tasks.services import reminders

    result = reminders.run(parse_datetime(now) if now else None)
    return {k: v for k, v in result.items() if k != "new_ids"}


@shared_task(name="tasks.jobs.send_reminders")
def send_reminders(ids: list[int] | None = None) -> dict:
    """Send queued reminders now (all due ones, or only `ids`); safe to run twice."""
    from tasks.services import reminders

    return reminders.send_pending(ids=ids)


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


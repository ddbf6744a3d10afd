"""The beat schedule lives in django-celery-beat's tables, where staff edit it in the admin.

One entry per job, and the admin's entry is the only one that runs:
- `install_default_schedule()` (manage.py setup_schedule, bootstrap_demo, bin/run) creates the
  default entry of a job only when no entry runs that job yet — however often it runs — and
  removes the copies an older beat made from settings.CELERY_BEAT_SCHEDULE under the settings'
  key ("reminder-sweep", "weekly-report") next to the admin's entry, and its celery.backend_cleanup;
- beat runs with `AdminScheduler` (settings.CELERY_BEAT_SCHEDULER): django-celery-beat's
  DatabaseScheduler without its start-up merge of settings.CELERY_BEAT_SCHEDULE (and of
  celery.backend_cleanup), which made every job run twice and made editing the admin entry
  useless. settings.CELERY_BEAT_SCHEDULE only holds the defaults copied here.
"""
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

NAMES = {"reminder-sweep": "催办提醒扫描", "weekly-report": "每周督查通报"}


class AdminScheduler(DatabaseScheduler):
    """Runs exactly the periodic tasks staff see in the admin, nothing added from settings."""

    def setup_schedule(self):
        pass


@transaction.atomic
def install_default_schedule() -> int:
    """Create the default periodic task of each job that has none; staff edits are kept.

    Returns how many were made. Idempotent: a job that already has an entry (whatever its name,
    enabled or not) gets no other; duplicates left by an older beat are removed."""
    made = 0
    # celery's result-cleanup entry, added by the stock scheduler; there is no result backend here
    PeriodicTask.objects.filter(name="celery.backend_cleanup", task="celery.backend_cleanup").delete()
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        name = NAMES.get(key, key)
        existing = PeriodicTask.objects.select_for_update().filter(task=entry["task"]).order_by("id")
        if existing.exists():
            # an older beat copied the settings entry under its key next to the admin's one
            if existing.exclude(name=key).exists():
                existing.filter(name=key).delete()
            continue
        c = entry["schedule"]
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=c._orig_minute, hour=c._orig_hour, day_of_week=c._orig_day_of_week,
            day_of_month=c._orig_day_of_month, month_of_year=c._orig_month_of_year, timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=entry["task"], crontab=crontab)
        made += 1
    return made

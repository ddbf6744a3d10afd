"""The beat schedule in django-celery-beat's tables, so staff edit it in the admin."""
from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

NAMES = {"reminder-sweep": "催办提醒扫描", "weekly-report": "每周督查通报"}


@transaction.atomic
def install_default_schedule() -> int:
    """Create the default periodic tasks that do not exist yet; staff edits are kept. Returns how many were made."""
    made = 0
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        name = NAMES.get(key, key)
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        c = entry["schedule"]
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=c._orig_minute, hour=c._orig_hour, day_of_week=c._orig_day_of_week,
            day_of_month=c._orig_day_of_month, month_of_year=c._orig_month_of_year, timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=entry["task"], crontab=crontab)
        made += 1
    return made

"""One schedule entry per job, the admin's the one that runs; setup_schedule and bootstrap_demo
idempotent however often they run (issues #13 and #9 item 4)."""
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tasks.services.schedule import AdminScheduler, install_default_schedule

pytestmark = pytest.mark.django_db


def _per_job():
    out = {}
    for task in PeriodicTask.objects.values_list("task", flat=True):
        out[task] = out.get(task, 0) + 1
    return out


def test_setup_schedule_makes_one_entry_per_job_however_often_it_runs():
    for _ in range(3):
        call_command("setup_schedule", stdout=StringIO())
    assert _per_job() == {"tasks.jobs.reminder_sweep": 1, "tasks.jobs.weekly_report": 1}
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == {"催办提醒扫描", "每周督查通报"}


@pytest.mark.django_db(transaction=True)  # the beat scheduler closes stale database connections
def test_the_admins_entry_is_authoritative_and_beat_adds_nothing():
    from tracker.celery import app

    install_default_schedule()
    sweep = PeriodicTask.objects.get(task="tasks.jobs.reminder_sweep")
    # staff move the sweep to every 15 minutes during office hours and rename it
    sweep.crontab = CrontabSchedule.objects.create(minute="*/15", hour="8-18", timezone="Asia/Shanghai")
    sweep.name = "催办扫描（工作时间）"
    sweep.save()
    scheduler = AdminScheduler(app=app, lazy=False)  # what `celery beat` builds at start-up
    assert set(scheduler.schedule) == {"催办扫描（工作时间）", "每周督查通报"}
    assert _per_job() == {"tasks.jobs.reminder_sweep": 1, "tasks.jobs.weekly_report": 1}
    install_default_schedule()  # the next bin/run keeps the staff's entry and adds no other
    assert _per_job() == {"tasks.jobs.reminder_sweep": 1, "tasks.jobs.weekly_report": 1}
    assert PeriodicTask.objects.get(task="tasks.jobs.reminder_sweep").crontab.minute == "*/15"


@pytest.mark.django_db(transaction=True)
def test_the_copies_an_older_beat_made_from_settings_are_removed():
    from django_celery_beat.schedulers import DatabaseScheduler

    from tracker.celery import app

    install_default_schedule()
    DatabaseScheduler(app=app, lazy=False)  # the stock scheduler merges settings.CELERY_BEAT_SCHEDULE …
    assert _per_job()["tasks.jobs.reminder_sweep"] == 2  # … under the settings' keys: every job twice
    install_default_schedule()
    assert _per_job() == {"tasks.jobs.reminder_sweep": 1, "tasks.jobs.weekly_report": 1}


def test_bootstrap_demo_is_idempotent():
    from django.contrib.auth import get_user_model

    from accounts.models import Unit
    from tasks.models import Directive, Speech, Task

    def state():
        return (Unit.objects.count(), get_user_model().objects.count(), Speech.objects.count(), Directive.objects.count(),
                Task.objects.count(), _per_job())

    first = StringIO()
    call_command("bootstrap_demo", stdout=first)
    assert "一次性密码" in first.getvalue()
    before = state()
    assert before[0] > 0 and before[2] == 1 and before[4] > 0
    for _ in range(2):
        again = StringIO()
        call_command("bootstrap_demo", stdout=again)
        assert "一次性密码" not in again.getvalue()  # no new logins, no password printed again
    assert state() == before

"""seed_demo: realistic spread of deadlines and progress, every task owned, repeatable."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.services import load_units_file
from tasks.models import Assignment, ProgressReport, Task
from tasks.selectors.lights import with_light

pytestmark = pytest.mark.django_db


def test_seed_demo_spreads_lights_and_owns_every_task(capsys):
    load_units_file()
    call_command("seed_demo", "--units", "12", "--tasks", "600")
    assert "600 项督办事项" in capsys.readouterr().out
    assert Task.objects.count() == 600
    leads = Assignment.objects.filter(role="lead").values("task").annotate(n=Count("id"))
    assert leads.count() == 600 and {r["n"] for r in leads} == {1}
    assert Assignment.objects.values("unit").distinct().count() <= 12
    lights = dict(with_light(Task.objects.all()).values_list("light").annotate(n=Count("id")).values_list("light", "n"))
    assert {"red", "yellow", "green", "done_on_time"} <= set(lights)
    # a task's stored progress is its latest report's percent
    t = Task.objects.filter(progress__gt=0, status="in_progress").first()
    assert ProgressReport.objects.filter(task=t).latest("created_at").percent == t.progress
    assert all(t.start_date <= t.deadline for t in Task.objects.all()[:200])
    call_command("seed_demo", "--units", "12", "--tasks", "10")
    assert Task.objects.count() == 610 and Task.objects.values("code").distinct().count() == 610


def test_seed_demo_refuses_nonsense():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="至少为 1"):
        call_command("seed_demo", "--units", "0", "--tasks", "5")
    assert Task.objects.count() == 0

"""The status lights: one definition, the same answer in the annotation and in the filters."""
import datetime as dt

import pytest
from django.utils import timezone

from tasks.models import Task
from tasks.selectors.lights import LIGHT_LABELS, light_q, with_light

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 11, 23)


def make(code, *, start, deadline, progress=0, status="in_progress", closed=None):
    closed_at = timezone.make_aware(dt.datetime.combine(closed, dt.time(10))) if closed else None
    return Task.objects.create(code=code, title=code, assigned_at=timezone.now(), start_date=start, deadline=deadline,
                               progress=progress, status=status, closed_at=closed_at)


@pytest.fixture
def tasks():
    d = dt.date
    return {
        "red": make("late", start=d(2026, 10, 1), deadline=d(2026, 11, 20), progress=60),
        "yellow-soon": make("soon", start=d(2026, 11, 1), deadline=d(2026, 11, 25), progress=90),
        "yellow-lag": make("lag", start=d(2026, 11, 1), deadline=d(2026, 12, 31), progress=0),
        "green": make("fine", start=d(2026, 11, 1), deadline=d(2026, 12, 31), progress=60),
        "no_deadline": make("nodate", start=d(2026, 11, 1), deadline=None),
        "done_on_time": make("ontime", start=d(2026, 10, 1), deadline=d(2026, 11, 10), progress=100, status="closed", closed=d(2026, 11, 9)),
        "done_late": make("latedone", start=d(2026, 10, 1), deadline=d(2026, 11, 10), progress=100, status="closed", closed=d(2026, 11, 12)),
        "cancelled": make("gone", start=d(2026, 10, 1), deadline=d(2026, 11, 10), status="cancelled"),
    }


def test_each_task_gets_its_light(tasks):
    got = dict(with_light(Task.objects.all(), ON).values_list("code", "light"))
    assert got == {"late": "red", "soon": "yellow", "lag": "yellow", "fine": "green", "nodate": "no_deadline",
                   "ontime": "done_on_time", "latedone": "done_late", "gone": "cancelled"}
    lag = with_light(Task.objects.filter(code="lag"), ON).get()
    assert lag.lagging and lag.schedule_percent == 36 and lag.days_overdue == 0
    assert with_light(Task.objects.filter(code="late"), ON).get().days_overdue == 3


def test_filters_partition_the_tasks_exactly_like_the_annotation(tasks):
    annotated = dict(with_light(Task.objects.all(), ON).values_list("code", "light"))
    seen = set()
    for light in LIGHT_LABELS:
        filtered = set(with_light(Task.objects.all(), ON).filter(light_q(light, ON)).values_list("code", flat=True))
        assert filtered == {c for c, lt in annotated.items() if lt == light}, light
        assert not (filtered & seen)
        seen |= filtered
    assert seen == set(annotated)
    both = set(with_light(Task.objects.all(), ON).filter(light_q(["red", "green"], ON)).values_list("code", flat=True))
    assert both == {"late", "fine"}
    assert not with_light(Task.objects.all(), ON).filter(light_q("purple", ON)).exists()

"""Reads of the leaders' dashboard beyond the weekly report's figures (tasks.selectors.stats):
the weekly trend, a unit's tasks (drill-down from the ranking) and a leader's own tasks (我分管的).

Lights come from tasks.selectors.tasks.task_list, the one light definition; the trend is two
aggregates grouped by local week, whatever the number of tasks."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models import Case, When
from django.db.models.functions import TruncWeek

from accounts.models import Person, Unit
from tasks.models import Assignment, Task
from tasks.selectors import tasks as task_selectors
from tasks.selectors.lights import LIGHT_LABELS, OPEN_STATUSES, today
from tasks.selectors.stats import day_start

TREND_WEEKS = 12


def weekly_trend(on: dt.date | None = None, weeks: int = TREND_WEEKS) -> list[dict]:
    """Per week (Monday to Sunday, Asia/Shanghai) of the last `weeks` up to `on`: tasks assigned
    (新交办) and closed (办结销号), cancelled ones left out. [{start, label, new, closed}], oldest first."""
    on = on or today()
    first = on - dt.timedelta(days=on.weekday()) - dt.timedelta(weeks=weeks - 1)
    alive = Task.objects.exclude(status=Task.Status.CANCELLED)

    def per_week(field: str, extra: Q) -> dict[dt.date, int]:
        rows = (alive.filter(extra, **{f"{field}__gte": day_start(first), f"{field}__lt": day_start(on + dt.timedelta(days=1))})
                .annotate(week=TruncWeek(field)).order_by().values("week").annotate(n=Count("id")))
        return {(r["week"].date() if isinstance(r["week"], dt.datetime) else r["week"]): r["n"] for r in rows}

    new = per_week("assigned_at", Q())
    closed = per_week("closed_at", Q(status=Task.Status.CLOSED))
    out = []
    for i in range(weeks):
        start = first + dt.timedelta(weeks=i)
        out.append({"start": start, "label": f"{start.month}月{start.day}日", "new": new.get(start, 0), "closed": closed.get(start, 0)})
    return out


def _ordered(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.order_by(Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)),
                       F("deadline").asc(nulls_first=True), "id")


def unit_tasks(user, unit: Unit, *, light=None) -> QuerySet[Task]:
    """The tasks a unit leads (主办), as `user` may see them, open ones first, with lights.
    `light` narrows to one light (the ranking's counts link here)."""
    lead = Exists(Assignment.objects.filter(task=OuterRef("pk"), unit_id=unit.pk, role=Assignment.Role.LEAD))
    return _ordered(task_selectors.task_list(user, light=light).filter(lead).exclude(status=Task.Status.CANCELLED))


def leader_tasks(user, person: Person, *, light=None) -> QuerySet[Task]:
    """我分管的: tasks whose 责任领导 include `person`, open ones first, with lights."""
    mine = Exists(Task.leaders.through.objects.filter(task_id=OuterRef("pk"), person_id=person.pk))
    return _ordered(task_selectors.task_list(user, light=light).filter(mine))


def light_counts(qs: QuerySet[Task]) -> list[dict]:
    """[{key, label, n}] of a light-annotated queryset, in the dashboard's order, one query."""
    by = dict(qs.order_by().values_list("light").annotate(n=Count("pk")).values_list("light", "n"))
    order = ("red", "yellow", "green", "no_deadline", "done_on_time", "done_late", "cancelled")
    return [{"key": k, "label": LIGHT_LABELS[k], "n": by.get(k, 0)} for k in order if by.get(k) or k not in ("cancelled",)]

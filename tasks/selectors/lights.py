"""Status lights (红黄绿灯) and the time-schedule progress (时序进度), computed in SQL.

One definition for every reader (portal, API, admin, reminders, reports):
- red          open and past its deadline (逾期)
- yellow       open, not red, and either due within `warning_days` or lagging: the share of the
               time between start_date and deadline already elapsed exceeds the reported
               progress by more than `schedule_tolerance` percentage points (滞后)
- green        open, on track
- no_deadline  open without a date ("event"/"unresolved" or none): staff must set one
- done_on_time / done_late   closed on or before / after the deadline
- cancelled
"""
from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, DateField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Least, TruncDate
from django.utils import timezone

from tasks.dbfunctions import DaysBetween
from tasks.models import OfficeSettings, Task

LIGHT_LABELS = {
    "green": "绿灯",
    "yellow": "黄灯",
    "red": "红灯",
    "no_deadline": "待定时限",
    "done_on_time": "按时办结",
    "done_late": "逾期办结",
    "cancelled": "已撤销",
}
OPEN_STATUSES = (Task.Status.ASSIGNED, Task.Status.IN_PROGRESS, Task.Status.COMPLETION_REQUESTED)


def office_settings() -> OfficeSettings:
    obj, _ = OfficeSettings.objects.get_or_create(pk=1)
    return obj


def today() -> dt.date:
    return timezone.localdate()


def light_conditions(on: dt.date, settings: OfficeSettings) -> dict[str, Q]:
    """Each light as a condition on a `with_light`-annotated queryset. The conditions are mutually
    exclusive and cover every task, so the same dict builds the `light` annotation and the filters
    (a filter on `deadline`/`status` uses the indexes, where `light = 'red'` would evaluate the
    whole CASE on every row)."""
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status=Task.Status.CLOSED)
    soon = on + dt.timedelta(days=settings.warning_days)
    lag = Q(lag_lhs__lt=F("lag_rhs"))
    on_time = Q(deadline__isnull=True) | Q(closed_on__isnull=True) | Q(closed_on__lte=F("deadline"))
    return {
        "cancelled": Q(status=Task.Status.CANCELLED),
        "done_on_time": closed & on_time,
        "done_late": closed & Q(deadline__isnull=False, closed_on__isnull=False, closed_on__gt=F("deadline")),
        "no_deadline": is_open & Q(deadline__isnull=True),
        "red": is_open & Q(deadline__lt=on),
        "yellow": is_open & Q(deadline__gte=on) & (Q(deadline__lte=soon) | lag),
        "green": is_open & Q(deadline__gt=soon) & ~lag,
    }


def with_light(qs: QuerySet[Task], on: dt.date | None = None, settings: OfficeSettings | None = None) -> QuerySet[Task]:
    """Annotate `light`, `lagging`, `schedule_percent` and `days_overdue` on a Task queryset."""
    on = on or today()
    s = settings or office_settings()
    day = Value(on, output_field=DateField())
    span = Greatest(DaysBetween(F("deadline"), F("start_date")), Value(1))
    elapsed = Greatest(DaysBetween(day, F("start_date")), Value(0))
    is_open = Q(status__in=OPEN_STATUSES)
    lag_q = is_open & Q(deadline__isnull=False) & Q(lag_lhs__lt=F("lag_rhs"))
    return (
        qs.annotate(
            lag_lhs=ExpressionWrapper((F("progress") + Value(s.schedule_tolerance)) * span, output_field=IntegerField()),
            lag_rhs=ExpressionWrapper(Value(100) * elapsed, output_field=IntegerField()),
            closed_on=TruncDate("closed_at"),
        )
        .annotate(
            lagging=Case(When(lag_q, then=Value(True)), default=Value(False), output_field=BooleanField()),
            light=Case(*(When(cond, then=Value(light)) for light, cond in light_conditions(on, s).items()),
                       default=Value("green")),
            schedule_percent=Case(
                When(deadline__isnull=True, then=Value(None)),
                default=Least(Value(100) * elapsed / span, Value(100)),
                output_field=IntegerField(),
            ),
            days_overdue=Case(
                When(is_open & Q(deadline__lt=on), then=DaysBetween(day, F("deadline"))),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )


def light_q(lights, on: dt.date | None = None, settings: OfficeSettings | None = None) -> Q:
    """The condition for one light or a list of lights, on a queryset annotated by `with_light`
    with the same `on`. Unknown names match nothing."""
    names = [lights] if isinstance(lights, str) else list(lights)
    conds = light_conditions(on or today(), settings or office_settings())
    q = Q(pk__in=[])
    for name in names:
        if name in conds:
            q |= conds[name]
    return q


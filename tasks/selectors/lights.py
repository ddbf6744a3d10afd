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
            light=Case(
                When(status=Task.Status.CANCELLED, then=Value("cancelled")),
                When(Q(status=Task.Status.CLOSED) & (Q(deadline__isnull=True) | Q(closed_on__lte=F("deadline"))), then=Value("done_on_time")),
                When(status=Task.Status.CLOSED, then=Value("done_late")),
                When(deadline__isnull=True, then=Value("no_deadline")),
                When(deadline__lt=on, then=Value("red")),
                When(deadline__lte=on + dt.timedelta(days=s.warning_days), then=Value("yellow")),
                When(lag_q, then=Value("yellow")),
                default=Value("green"),
            ),
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


def filter_light(qs: QuerySet[Task], light: str, on: dt.date | None = None) -> QuerySet[Task]:
    return with_light(qs, on).filter(light=light)

"""Chinese working days: chinesecalendar, with a fallback for years it does not know yet.

For an unannounced year the package raises; then a day is a working day when it is a weekday
(or a make-up day entered by staff) and not a holiday entered by staff in the admin (Holiday).
A warning is logged once per year, and a staff notice is created once (see `calendar_gaps`).
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)
_warned: set[int] = set()


@lru_cache(maxsize=64)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def _manual_days(year: int) -> dict[dt.date, bool]:
    from tasks.models import Holiday

    return dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))


def is_workday(day: dt.date, manual: dict[dt.date, bool] | None = None) -> bool:
    if _package_knows(day.year):
        return chinese_calendar.is_workday(day)
    if day.year not in _warned:
        _warned.add(day.year)
        log.warning("chinesecalendar 尚无 %s 年的节假日数据：按周末及后台手工维护的节假日计算工作日。", day.year)
    if manual is None:
        manual = _manual_days(day.year)
    if day in manual:
        return manual[day]
    return day.weekday() < 5


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n=0: start itself if a working day, else the next one)."""
    manual: dict[dt.date, bool] = {}
    loaded: set[int] = set()

    def work(d):
        if not _package_knows(d.year) and d.year not in loaded:
            loaded.add(d.year)
            manual.update(_manual_days(d.year))
        return is_workday(d, manual)

    day = start
    if n <= 0:
        while not work(day):
            day += dt.timedelta(days=1)
        return day
    count = 0
    while count < n:
        day += dt.timedelta(days=1)
        if work(day):
            count += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; 0 when end <= start."""
    if end <= start:
        return 0
    manual: dict[dt.date, bool] = {}
    for y in range(start.year, end.year + 1):
        if not _package_knows(y):
            manual.update(_manual_days(y))
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, manual):
            n += 1
    return n


def calendar_gaps(years) -> list[int]:
    """The years among `years` that chinesecalendar does not cover."""
    return [y for y in sorted(set(years)) if not _package_knows(y)]

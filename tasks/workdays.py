"""Chinese working days: chinesecalendar, with a fallback for years it does not know yet.

For a year the package does not know, a day is a working day when it is a weekday (or a make-up
day) and not a holiday, holidays and make-up days coming from the bundled list
tasks/reminders/holidays.csv (one line per day, easy to extend when the State Council publishes
next year's arrangement) and from the Holiday rows staff enter in the admin (rows win). A warning
is logged once per year; staff are asked for next year's holidays from
HOLIDAYS_ASK_DAYS before it starts (`years_needing_holidays`, a notice and an admin banner).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from functools import lru_cache
from pathlib import Path

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


BUNDLED = Path(__file__).resolve().parent / "reminders" / "holidays.csv"
HOLIDAYS_ASK_DAYS = 60  # ask staff for next year's holidays from early November


class HolidayFileError(ValueError):
    pass


def parse_holidays(text: str, source: str = "holidays.csv") -> dict[dt.date, bool]:
    """`date,kind,name` lines (kind 休/holiday/0 = day off, 班/workday/1 = make-up working day);
    '#' comments and the header are skipped. A bad line raises HolidayFileError (Chinese)."""
    out: dict[dt.date, bool] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#") or row[0].strip() == "date":
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError:
            raise HolidayFileError(f"{source} 第{n}行：日期“{row[0]}”格式应为 2027-01-01。") from None
        kind = (row[1].strip() if len(row) > 1 else "休").lower()
        if kind in ("休", "holiday", "0", "off"):
            out[day] = False
        elif kind in ("班", "workday", "1", "work"):
            out[day] = True
        else:
            raise HolidayFileError(f"{source} 第{n}行：类型“{row[1]}”应为“休”或“班”。")
    return out


@lru_cache(maxsize=1)
def bundled_days() -> dict[dt.date, bool]:
    try:
        return parse_holidays(BUNDLED.read_text(encoding="utf-8"), BUNDLED.name)
    except FileNotFoundError:
        return {}


def _manual_days(year: int) -> dict[dt.date, bool]:
    """Bundled list + the admin's Holiday rows (rows win) for one year."""
    from tasks.models import Holiday

    days = {d: w for d, w in bundled_days().items() if d.year == year}
    days.update(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    return days


def years_needing_holidays(on: dt.date) -> list[int]:
    """Years staff should enter holidays for, as of `on`: this year, and next year from
    HOLIDAYS_ASK_DAYS before it starts, when chinesecalendar does not know the year and neither
    the bundled list nor the admin has a day off for it yet."""
    years = [on.year]
    if (dt.date(on.year + 1, 1, 1) - on).days <= HOLIDAYS_ASK_DAYS:
        years.append(on.year + 1)
    out = []
    for y in calendar_gaps(years):
        if not any(not w for w in _manual_days(y).values()):
            out.append(y)
    return out


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

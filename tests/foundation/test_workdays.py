"""Working days: chinesecalendar where it knows the year, weekends + staff-entered holidays where not."""
import datetime as dt

import pytest

from tasks.models import Holiday
from tasks.workdays import add_workdays, calendar_gaps, is_workday, workdays_between

pytestmark = pytest.mark.django_db


def test_statutory_holidays_and_makeup_days_2026():
    assert not is_workday(dt.date(2026, 10, 1))  # National Day
    assert not is_workday(dt.date(2026, 10, 7))
    assert is_workday(dt.date(2026, 9, 30))
    # five working days after 2026-09-30 skip the Golden Week entirely
    assert add_workdays(dt.date(2026, 9, 30), 1) > dt.date(2026, 10, 7)


def test_unknown_year_falls_back_to_weekends_and_admin_holidays(caplog):
    year = 2031
    assert calendar_gaps([2026, year]) == [year]
    assert is_workday(dt.date(year, 1, 2))  # a Thursday, no holiday entered
    assert not is_workday(dt.date(year, 1, 4))  # Saturday
    Holiday.objects.create(date=dt.date(year, 1, 2), name="元旦调休")
    Holiday.objects.create(date=dt.date(year, 1, 4), is_workday=True, name="调休上班")
    assert not is_workday(dt.date(year, 1, 2))
    assert is_workday(dt.date(year, 1, 4))
    assert add_workdays(dt.date(year, 1, 1), 1) == dt.date(year, 1, 3)
    assert workdays_between(dt.date(year, 1, 1), dt.date(year, 1, 5)) == 2  # Jan 3 (Fri) and Jan 4 (make-up Sat)

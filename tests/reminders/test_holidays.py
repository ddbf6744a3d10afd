"""Working days: no reminders on holidays, holiday-aware counting, years the package lacks."""
import datetime as dt

import pytest

from tasks.models import Holiday, Notice, Reminder, Task
from tasks.services import reminders

from .conftest import at, delivered, make_task

pytestmark = pytest.mark.django_db


def test_nothing_is_queued_or_sent_on_a_statutory_holiday(units, leader, staff):
    u1, _, _ = units
    make_task([u1], deadline="2026-10-02", acknowledged=True)   # due soon
    make_task([u1], deadline="2026-09-20", leaders=[leader], acknowledged=True)  # overdue, escalation
    # reminders queued on the last working day before the holiday, not sent yet
    reminders.sweep(at("2026-09-30"))
    queued = Reminder.objects.count()
    assert queued > 0
    assert reminders.sweep(at("2026-10-01")) == []  # 国庆节: nothing new
    assert Reminder.objects.count() == queued
    counts = reminders.send_pending(at("2026-10-01"))
    assert counts["sent"] == 0 and not Reminder.objects.filter(state="sent").exists()
    # the first working day after the holiday (10-08) sends what was waiting
    reminders.send_pending(at("2026-10-08"))
    assert delivered().count() == Reminder.objects.exclude(kind="digest").count()


def test_make_up_saturday_is_a_working_day(units):
    # 2026-10-10 (Saturday) is a 调休 working day; 2026-10-11 (Sunday) is not
    make_task([units[0]], deadline="2026-10-09", acknowledged=True)
    reminders.sweep(at("2026-10-10"))
    assert Reminder.objects.filter(kind="overdue", period="2026-10-10").exists()
    assert reminders.sweep(at("2026-10-11")) == []


def test_escalation_counts_working_days_skipping_the_national_day_holiday(units, leader):
    u1, u2, _ = units
    # on 10-09: after 09-30 the working days are 10-08 and 10-09 only (10-01…10-07 are holidays)
    two = make_task([u1], deadline="2026-09-30", leaders=[leader], acknowledged=True)
    three = make_task([u2], deadline="2026-09-29", leaders=[leader], acknowledged=True)
    reminders.sweep(at("2026-10-09"))
    two.refresh_from_db()
    three.refresh_from_db()
    assert not two.flagged and two.level == Task.Level.YELLOW
    assert three.flagged and three.level == Task.Level.RED
    assert set(Reminder.objects.filter(kind="escalation").values_list("task_id", flat=True)) == {three.id}


def test_unknown_year_asks_staff_two_months_ahead_then_uses_their_holiday_rows(units, staff, client):
    from django.contrib.auth import get_user_model

    from tasks import workdays

    u1, _, _ = units
    make_task([u1], deadline="2027-01-04", acknowledged=True)
    # October: too early to ask for 2027 (the State Council publishes it around November)
    reminders.sweep(at("2026-10-20"))
    assert not Reminder.objects.filter(kind="calendar").exists()
    # from two months before: one notice per staff member for 2027, nothing crashes
    reminders.run(at("2026-11-23"))
    assert list(Reminder.objects.filter(kind="calendar").values_list("period", flat=True)) == ["2027"]
    notice = Notice.objects.get(person=staff, title__startswith="【日历提醒】")
    assert notice.title == "【日历提醒】系统尚无2027年法定节假日数据" and "节假日（手工维护）" in notice.body
    assert reminders.sweep(at("2026-11-24")) == []  # once per year
    assert workdays.years_needing_holidays(dt.date(2026, 11, 23)) == [2027]
    # the admin shows a banner to staff until the year's days off are entered
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "Tracker-2026!")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert 'data-testid="calendar-banner"' in page and "录入2027年节假日" in page and "/admin/tasks/holiday/" in page
    Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    Holiday.objects.create(date=dt.date(2027, 1, 9), is_workday=True, name="调休上班")  # a Saturday
    assert workdays.years_needing_holidays(dt.date(2026, 11, 23)) == []
    assert 'data-testid="calendar-banner"' not in client.get("/admin/").content.decode()
    # 2027-01-01 is a holiday (Holiday row): no reminders; January is too early to ask for 2028
    assert reminders.sweep(at("2027-01-01")) == []
    assert reminders.send_pending(at("2027-01-01"))["sent"] == 0
    reminders.sweep(at("2027-01-04"))
    assert Reminder.objects.filter(kind="calendar").count() == 1
    # the make-up Saturday 2027-01-09 is a working day: the overdue digest goes out
    reminders.sweep(at("2027-01-09"))
    assert Reminder.objects.filter(kind="overdue", period="2027-01-09").exists()
    assert not reminders.sweep(at("2027-01-10"))  # an ordinary Sunday
    # November 2027: ask for 2028
    assert set(Reminder.objects.filter(pk__in=reminders.sweep(at("2027-11-15"))).values_list("kind", "period")) >= {("calendar", "2028")}


def test_the_bundled_holiday_list_is_read_for_years_the_package_lacks(monkeypatch, tmp_path):
    from tasks import workdays

    f = tmp_path / "holidays.csv"
    f.write_text("# 注释\ndate,kind,name\n2027-10-01,休,国庆节\n2027-10-09,班,调休上班\n", encoding="utf-8")
    monkeypatch.setattr(workdays, "BUNDLED", f)
    workdays.bundled_days.cache_clear()
    try:
        assert not workdays.is_workday(dt.date(2027, 10, 1), workdays._manual_days(2027))   # a Friday off
        assert workdays.is_workday(dt.date(2027, 10, 9), workdays._manual_days(2027))       # a Saturday on
        assert workdays.add_workdays(dt.date(2027, 9, 30), 1) == dt.date(2027, 10, 4)
        assert workdays.years_needing_holidays(dt.date(2027, 3, 1)) == []
        with pytest.raises(workdays.HolidayFileError, match="第2行：类型“放”应为“休”或“班”"):
            workdays.parse_holidays("2027-01-01,休\n2027-01-02,放\n")
    finally:
        workdays.bundled_days.cache_clear()
    # the shipped list parses
    assert isinstance(workdays.bundled_days(), dict)

"""Working days: no reminders on holidays, holiday-aware counting, years the package lacks."""
import datetime as dt

import pytest

from tasks.models import Holiday, Notice, Reminder, Task
from tasks.services import reminders

from .conftest import at, make_task

pytestmark = pytest.mark.django_db


def test_nothing_is_queued_or_sent_on_a_statutory_holiday(units, leader, staff):
    u1, _, _ = units
    make_task([u1], deadline="2026-10-02", acknowledged=True)   # due soon
    make_task([u1], deadline="2026-09-20", leaders=[leader], acknowledged=True)  # overdue, escalation
    # a reminder queued on the last working day before the holiday, not sent yet
    reminders.sweep(at("2026-09-30"))
    queued = Reminder.objects.exclude(kind="calendar").count()
    assert queued > 0
    assert reminders.sweep(at("2026-10-01")) == []  # 国庆节: nothing new (calendar warning already queued)
    assert Reminder.objects.exclude(kind="calendar").count() == queued
    counts = reminders.send_pending(at("2026-10-01"))
    assert counts["sent"] == Reminder.objects.filter(kind="calendar").count()  # only the staff calendar notice
    assert not Reminder.objects.exclude(kind="calendar").filter(state="sent").exists()
    # the first working day after the holiday (10-08) sends what was waiting
    reminders.send_pending(at("2026-10-08"))
    assert Reminder.objects.filter(state="sent").count() == Reminder.objects.count()


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


def test_unknown_year_uses_holiday_rows_and_warns_staff_once_per_year(units, staff):
    u1, _, _ = units
    Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    Holiday.objects.create(date=dt.date(2027, 1, 9), is_workday=True, name="调休上班")  # a Saturday
    make_task([u1], deadline="2027-01-04", acknowledged=True)
    # 2026-11: the package does not know 2027 → one calendar notice for 2027, nothing crashes
    reminders.run(at("2026-11-23"))
    assert list(Reminder.objects.filter(kind="calendar").values_list("period", flat=True)) == ["2027"]
    # 2027-01-01 is a holiday (Holiday row): no reminders, but the 2028 warning is new
    assert set(Reminder.objects.filter(pk__in=reminders.sweep(at("2027-01-01"))).values_list("kind", "period")) == {("calendar", "2028")}
    reminders.send_pending(at("2027-01-01"))
    assert not Reminder.objects.filter(kind="due_soon").exists()
    # a second and third sweep never warn again
    assert reminders.sweep(at("2027-01-01", 15)) == []
    reminders.sweep(at("2027-01-04"))
    assert Reminder.objects.filter(kind="calendar").count() == 2
    notices = Notice.objects.filter(person=staff, title__startswith="【日历提醒】")
    assert sorted(n.title for n in notices) == ["【日历提醒】系统尚无2027年法定节假日数据", "【日历提醒】系统尚无2028年法定节假日数据"]
    assert "节假日（手工维护）" in notices[0].body
    # the make-up Saturday 2027-01-09 is a working day: the overdue digest goes out
    reminders.sweep(at("2027-01-09"))
    assert Reminder.objects.filter(kind="overdue", period="2027-01-09").exists()
    assert not reminders.sweep(at("2027-01-10"))  # an ordinary Sunday

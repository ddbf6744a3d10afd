"""Each kind of reminder, on a normal working day (Monday 2026-11-23, Asia/Shanghai)."""
import datetime as dt

import pytest
from django.core import mail

from tasks.models import Notice, ProgressReport, Reminder, Task
from tasks.selectors.reminders import task_checkpoints
from tasks.services import reminders

from .conftest import at, make_task

pytestmark = pytest.mark.django_db
NOW = at("2026-11-23")  # Monday, a working day


def rows(kind, **kw):
    return Reminder.objects.filter(kind=kind, **kw)


def test_due_soon_3_1_0_days_before(units):
    u1, u2, u3 = units
    d3 = make_task([u1], deadline="2026-11-26", acknowledged=True)
    d1 = make_task([u2], deadline="2026-11-24", acknowledged=True)
    d0 = make_task([u1, u3], deadline="2026-11-23", acknowledged=True)
    later = make_task([u1], deadline="2026-11-30", acknowledged=True)
    closed = make_task([u1], deadline="2026-11-24", status=Task.Status.CLOSED, acknowledged=True)
    reminders.sweep(NOW)
    got = {(r.task_id, r.unit_id, r.channel, r.period) for r in rows("due_soon")}
    assert got == {
        (d3.id, u1.id, "inbox", "2026-11-26-d3"), (d3.id, u1.id, "email", "2026-11-26-d3"),
        (d1.id, u2.id, "inbox", "2026-11-24-d1"), (d1.id, u2.id, "email", "2026-11-24-d1"),
        (d0.id, u1.id, "inbox", "2026-11-23-d0"), (d0.id, u1.id, "email", "2026-11-23-d0"),
        (d0.id, u3.id, "inbox", "2026-11-23-d0"),  # 城关镇 has no email: in-app only
    }
    assert not rows("due_soon", task__in=[later, closed]).exists()
    assert "今天到期" in rows("due_soon", task=d0).first().subject
    assert "还有3天到期" in rows("due_soon", task=d3).first().subject
    # the next working day: d3 is not reminded again (its next one is the 1-day reminder on 11-25)
    reminders.sweep(at("2026-11-24"))
    assert rows("due_soon", task=d3).count() == 2
    reminders.sweep(at("2026-11-25"))
    assert set(rows("due_soon", task=d3).values_list("period", flat=True)) == {"2026-11-26-d3", "2026-11-26-d1"}


def test_due_soon_reminder_date_on_weekend_is_caught_up_once(units):
    u1, _, _ = units
    # deadline Wednesday 11-25: its 3-days-before date is Sunday 11-22 → sent Monday, only once
    t = make_task([u1], deadline="2026-11-25", acknowledged=True)
    assert reminders.sweep(at("2026-11-22")) == [] or not rows("due_soon").exists()  # Sunday: nothing
    reminders.sweep(NOW)
    assert set(rows("due_soon", task=t).values_list("period", flat=True)) == {"2026-11-25-d3"}


def test_overdue_digest_one_per_unit_listing_all_its_tasks(units):
    u1, u2, u3 = units
    a = make_task([u1], deadline="2026-11-20", title="农村公路建设", acknowledged=True)
    b = make_task([u1, u2], deadline="2026-11-10", title="老旧小区改造", acknowledged=True)
    make_task([u3], deadline="2026-12-31", acknowledged=True)  # not overdue
    reminders.sweep(NOW)
    digests = rows("overdue")
    assert {(r.unit_id, r.channel) for r in digests} == {(u1.id, "inbox"), (u1.id, "email"), (u2.id, "inbox"), (u2.id, "email")}
    body = digests.get(unit=u1, channel="email").body
    assert "农村公路建设" in body and "已逾期3天" in body
    assert "老旧小区改造" in body and "已逾期13天" in body
    assert body.index("老旧小区改造") < body.index("农村公路建设")  # longest overdue first
    assert "有2项督办事项已逾期" in digests.get(unit=u1, channel="email").subject
    assert "农村公路建设" not in digests.get(unit=u2, channel="email").body
    assert all(r.task_id is None and r.period == "2026-11-23" for r in digests)
    # every working day a new digest, once a day
    reminders.sweep(at("2026-11-23", 15))
    assert rows("overdue").count() == 4
    reminders.sweep(at("2026-11-24"))
    assert rows("overdue").count() == 8
    assert a.id and b.id


def test_escalation_after_3_working_days_flags_and_notifies_leader_and_staff(units, leader, staff):
    u1, u2, _ = units
    esc = make_task([u1], deadline="2026-11-18", leaders=[leader], acknowledged=True)   # 3 working days overdue
    not_yet = make_task([u2], deadline="2026-11-19", leaders=[leader], acknowledged=True)  # 2 working days
    reminders.sweep(NOW)
    esc.refresh_from_db()
    not_yet.refresh_from_db()
    assert esc.flagged and esc.level == Task.Level.RED
    assert not not_yet.flagged and not_yet.level == Task.Level.YELLOW  # overdue → 黄牌
    got = {(r.person_id, r.channel) for r in rows("escalation")}
    assert got == {(leader.id, "inbox"), (leader.id, "email"), (staff.id, "inbox"), (staff.id, "email")}
    assert all(r.task_id == esc.id for r in rows("escalation"))
    r = rows("escalation", person=leader, channel="email").get()
    assert r.target == "li@example.gov.cn" and "二次督办" in r.subject and "3个工作日" in r.subject
    # next day: no second escalation for the same deadline, the other one is escalated now
    reminders.sweep(at("2026-11-24"))
    assert rows("escalation", task=esc).count() == 4
    assert rows("escalation", task=not_yet).count() == 4
    not_yet.refresh_from_db()
    assert not_yet.flagged and not_yet.level == Task.Level.RED


def test_checkpoints_13710_reminders_and_selector(units):
    u1, u2, _ = units
    # assigned Monday 11-16, no deadline yet: 签收 due 11-17, 进展 due 11-19, 办结 due 11-25 (working days)
    t = make_task([u1, u2], deadline=None, assigned="2026-11-16")
    with_timetable = make_task([u1], deadline="2026-12-31", assigned="2026-11-16", acknowledged=True)
    t.assignments.filter(unit=u2).update(acknowledged_at=at("2026-11-16", 15))
    pr = ProgressReport.objects.create(task=t, unit=u2, text="已部署", percent=10)
    ProgressReport.objects.filter(pk=pr.pk).update(created_at=at("2026-11-18", 10))
    reminders.sweep(NOW)
    got = {(r.unit_id, r.period) for r in rows("checkpoint", channel="inbox")}
    assert got == {(u1.id, "deploy"), (u1.id, "report")}  # u2 acknowledged and reported
    r = rows("checkpoint", unit=u1, period="deploy", channel="email").get()
    assert "未按期部署签收" in r.subject and "13710" in r.body and "2026年11月17日" in r.body
    t.refresh_from_db()
    assert t.level == Task.Level.YELLOW  # a missed checkpoint → 黄牌
    cps = {c["key"]: c for c in task_checkpoints(t, on=dt.date(2026, 11, 23))}
    assert cps["deploy"]["due"] == dt.date(2026, 11, 17) and cps["deploy"]["missed"] and not cps["deploy"]["met"]
    assert cps["report"]["due"] == dt.date(2026, 11, 19) and cps["report"]["met"]  # a first progress report exists
    assert cps["settle"]["due"] == dt.date(2026, 11, 25) and not cps["settle"]["missed"]
    # after 11-25 without a completion request: the lead unit only is reminded
    reminders.sweep(at("2026-11-26"))
    assert {r.unit_id for r in rows("checkpoint", period="settle")} == {u1.id}
    # a task with its own later deadline settles by that timetable, not within 7 working days
    assert not rows("checkpoint", period="settle", task=with_timetable).exists()
    settle = {c["key"]: c for c in task_checkpoints(with_timetable, on=dt.date(2026, 11, 26))}["settle"]
    assert settle["due"] == dt.date(2026, 12, 31) and not settle["missed"]


def test_checkpoint_offsets_are_configurable(units):
    from tasks.selectors.lights import office_settings

    u1, _, _ = units
    s = office_settings()
    s.checkpoints = [{"key": "qs", "name": "签收", "offset": 2, "workdays": False}]
    s.save()
    make_task([u1], deadline="2026-12-31", assigned="2026-11-20")  # due 11-22 (calendar days)
    reminders.sweep(NOW)
    assert set(rows("checkpoint").values_list("period", flat=True)) == {"qs"}


def test_recurring_report_request_before_due_day(units):
    u1, u2, _ = units
    monthly = make_task([u1, u2], deadline="2027-06-30", recurrence="monthly", acknowledged=True)
    weekly = make_task([u1], deadline="2027-06-30", recurrence="weekly", acknowledged=True)
    ProgressReport.objects.create(task=monthly, unit=u2, text="11月进展", percent=30, period="2026-11")
    # Monday 11-23: the weekly request goes out 1 working day before Friday 11-27, the monthly one
    # 2 working days before Monday 11-30 (November's last working day): neither yet
    reminders.sweep(NOW)
    assert not rows("recurring").exists()
    reminders.sweep(at("2026-11-25"))
    assert not rows("recurring").exists()
    # Thursday 11-26: both are due; u2 already reported for 2026-11
    reminders.sweep(at("2026-11-26"))
    got = {(r.task_id, r.unit_id, r.period) for r in rows("recurring", channel="inbox")}
    assert got == {(weekly.id, u1.id, "2026-W48"), (monthly.id, u1.id, "2026-11")}
    r = rows("recurring", task=monthly, channel="email").get()
    assert "2026-11" in r.subject and "2026年11月30日" in r.body
    # Friday: the same requests are not repeated; a report for the week stops nothing else
    reminders.sweep(at("2026-11-27"))
    assert rows("recurring", channel="inbox").count() == 2
    # December: a new period, a new request
    reminders.sweep(at("2026-12-29"))
    assert (monthly.id, "2026-12") in {(r.task_id, r.period) for r in rows("recurring", channel="inbox")}


def test_email_is_chinese_and_goes_to_the_unit(units):
    u1, _, _ = units
    make_task([u1], deadline="2026-11-24", title="春季造林", acknowledged=True)
    reminders.run(NOW)
    msgs = [m for m in mail.outbox if "春季造林" in m.subject]
    assert len(msgs) == 1
    m = msgs[0]
    assert m.to == ["fgj@example.gov.cn"]
    assert m.subject.startswith("[督查督办] 【临期提醒】") and "还有1天到期" in m.subject
    assert "县发改局：" in m.body and "2026年11月24日" in m.body and "延期申请" in m.body
    assert Notice.objects.filter(unit=u1, title__contains="春季造林").count() == 1


def test_staff_unflagging_sticks_and_an_extension_escalates_afresh(units, leader):
    u1, _, _ = units
    t = make_task([u1], deadline="2026-11-18", leaders=[leader], acknowledged=True)
    reminders.sweep(NOW)
    Task.objects.filter(pk=t.pk).update(flagged=False, level=Task.Level.YELLOW)  # staff decide otherwise
    reminders.sweep(at("2026-11-24"))
    t.refresh_from_db()
    assert not t.flagged and t.level == Task.Level.YELLOW
    assert rows("escalation", task=t).count() == 2  # leader: inbox + email, once
    # an approved extension to 11-24, again missed by 3 working days → a new escalation
    Task.objects.filter(pk=t.pk).update(deadline=dt.date(2026, 11, 24))
    reminders.sweep(at("2026-11-27"))
    t.refresh_from_db()
    assert t.flagged and t.level == Task.Level.RED
    assert set(rows("escalation", task=t).values_list("period", flat=True)) == {"2026-11-18", "2026-11-24"}


def test_complex_task_settles_within_a_month_and_inactive_units_get_nothing(units):
    u1, u2, _ = units
    t = make_task([u1], deadline=None, assigned="2026-11-16", urgency=Task.Urgency.COMPLEX, acknowledged=True)
    cps = {c["key"]: c for c in task_checkpoints(t, on=dt.date(2026, 11, 23))}
    assert cps["settle"]["due"] == dt.date(2026, 12, 16) and not cps["settle"]["missed"]  # 30 calendar days
    assert cps["deploy"]["met"] and not cps["deploy"]["missed"]
    u2.active = False
    u2.save()
    make_task([u2], deadline="2026-11-20", acknowledged=True)
    reminders.sweep(NOW)
    assert not Reminder.objects.filter(unit=u2).exists()
    assert set(rows("checkpoint", task=t).values_list("period", flat=True)) == {"report"}  # no progress yet; settle not due

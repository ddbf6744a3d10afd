"""No 3 a.m. floods: the office's sending window, urgent 批示件, digests per unit and per staff member."""
import datetime as dt

import pytest

from tasks.models import Notice, Reminder, Task
from tasks.services import reminders

from .conftest import at, delivered, make_task, messages

pytestmark = pytest.mark.django_db


def test_nothing_goes_out_before_the_window_opens_then_everything_does(units, leader, staff, mailoutbox):
    u1, u2, u3 = units
    make_task([u1, u2], deadline="2026-11-24", acknowledged=True)
    make_task([u1], deadline="2026-11-10", leaders=[leader], acknowledged=True)
    make_task([u3], deadline="2026-12-31", assigned="2026-11-16")
    night = reminders.run(at("2026-11-23", 3) + dt.timedelta(minutes=30))   # the 03:30 beat
    assert night["queued"] > 0 and night["sent"] == 0 and night["outside_window"] == messages().count()
    assert not Notice.objects.exists() and mailoutbox == []
    assert reminders.send_pending(at("2026-11-23", 8) + dt.timedelta(minutes=29))["sent"] == 0
    assert reminders.send_pending(at("2026-11-23", 18))["sent"] == 0      # the window closed at 18:00
    morning = reminders.send_pending(at("2026-11-23", 8) + dt.timedelta(minutes=30))
    assert morning["sent"] == messages().count() > 0
    assert delivered().count() == Reminder.objects.exclude(kind="digest").count()


def test_the_window_is_the_offices_setting_and_weekends_are_outside(units):
    s = reminders.office_settings()
    s.send_window_start, s.send_window_end = dt.time(7, 0), dt.time(9, 0)
    s.save()
    make_task([units[0]], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(at("2026-11-23"))
    assert reminders.send_pending(at("2026-11-21", 8))["sent"] == 0    # Saturday
    assert reminders.send_pending(at("2026-11-23", 10))["sent"] == 0   # after 09:00
    assert reminders.send_pending(at("2026-11-23", 7))["sent"] == 2    # inbox + email


def test_an_urgent_instruction_may_go_out_at_night_when_the_office_allows(units, staff):
    u1 = units[0]
    urgent = make_task([u1], deadline="2026-11-24", acknowledged=True, source=Task.Source.INSTRUCTION,
                       urgency=Task.Urgency.URGENT, title="领导批示：紧急处置")
    make_task([u1], deadline="2026-11-24", acknowledged=True, title="一般事项")
    night = at("2026-11-23", 22)
    reminders.sweep(night)
    counts = reminders.send_pending(night)
    sent = Reminder.objects.filter(state="sent")
    assert counts["sent"] == 2 and {r.task_id for r in sent} == {urgent.pk}  # inbox + email of the 批示件 only
    assert Reminder.objects.filter(task__title="一般事项", state="pending").count() == 2
    s = reminders.office_settings()
    s.urgent_outside_window = False
    s.save()
    make_task([u1], deadline="2026-11-26", acknowledged=True, source=Task.Source.INSTRUCTION, urgency=Task.Urgency.URGENT)
    reminders.sweep(night)
    assert reminders.send_pending(night)["sent"] == 0


def test_a_first_sweep_gives_each_staff_member_one_mail_and_one_notice_not_one_per_task(units, leader, staff, mailoutbox):
    u1, u2, _ = units
    for i in range(40):
        make_task([u1 if i % 2 else u2], deadline="2026-11-10", leaders=[leader], acknowledged=True, title=f"逾期事项{i}")
    reminders.run(at("2026-11-23"))
    assert Reminder.objects.filter(kind="escalation", person=staff).count() == 80  # 40 tasks × (inbox, email)
    assert Notice.objects.filter(person=staff).exclude(title__startswith="【日历提醒】").count() == 1
    assert Notice.objects.filter(person=leader).count() == 1
    staff_mail = [m for m in mailoutbox if m.to == [staff.email]]
    assert len(staff_mail) == 1 and staff_mail[0].body.count("【二次督办】") == 40
    assert "二次督办40条" in staff_mail[0].subject
    # each unit: one notice and one mail with its overdue digest
    assert Notice.objects.filter(unit=u1).count() == 1 and len([m for m in mailoutbox if m.to == [u1.email]]) == 1
    assert delivered().count() == Reminder.objects.exclude(kind="digest").count()


def test_a_staff_members_own_chase_goes_out_when_asked_even_at_night(units, mailoutbox):
    """The workbench's 手工催办: rows of kind "manual" queued with insert_reminders and sent with
    send_pending(ids=…) leave at once (a person asked for them), also outside the window."""
    u1 = units[0]
    ids = reminders.insert_reminders([
        {"key": f"manual:t1:u{u1.pk}:{ch}:{ch}", "kind": "manual", "channel": ch, "period": "2026-11-23T20:10",
         "unit_id": u1.pk, "subject": "【催办】请尽快报送进展", "body": "督查室催办：请今天报送进展。"}
        for ch in ("inbox", "email")])
    counts = reminders.send_pending(at("2026-11-23", 20), ids=ids)
    assert counts["sent"] == 2 and [m.to for m in mailoutbox] == [[u1.email]]
    assert Notice.objects.filter(unit=u1, title="【催办】请尽快报送进展").count() == 1

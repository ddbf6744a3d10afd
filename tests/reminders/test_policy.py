"""Pure policy: windows, configuration errors in Chinese, periods, backoff; and the sweep's query count."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.reminders import policy
from tasks.services import reminders

from .conftest import at, make_task

D = dt.date


def test_due_soon_windows_do_not_overlap_and_catch_up_after_a_weekend():
    # Monday after a weekend: previous working day Friday 11-20
    w = policy.due_soon_windows(D(2026, 11, 23), D(2026, 11, 20), [3, 1, 0])
    assert w == [(0, D(2026, 11, 22), D(2026, 11, 23)), (1, D(2026, 11, 23), D(2026, 11, 24)), (3, D(2026, 11, 24), D(2026, 11, 26))]
    # Tuesday: only deadlines exactly N days ahead
    w = policy.due_soon_windows(D(2026, 11, 24), D(2026, 11, 23), [3, 1, 0])
    assert w == [(0, D(2026, 11, 23), D(2026, 11, 24)), (1, D(2026, 11, 24), D(2026, 11, 25)), (3, D(2026, 11, 26), D(2026, 11, 27))]


def test_office_settings_errors_are_clear_chinese():
    assert policy.due_soon_days("3，1,0") == [0, 1, 3]
    assert policy.due_soon_days("") == [0, 1, 3]
    with pytest.raises(policy.PolicyError, match="到期前提醒天数“x”无效"):
        policy.due_soon_days("3,x")
    with pytest.raises(policy.PolicyError, match="天数（offset）应为正整数"):
        policy.checkpoints([{"key": "a", "offset": "一"}])
    with pytest.raises(policy.PolicyError, match="重复"):
        policy.checkpoints([{"key": "a", "offset": 1}, {"key": "a", "offset": 2}])
    cps = policy.checkpoints([])
    assert [(c.key, c.offset, c.workdays, c.requires) for c in cps] == [
        ("deploy", 1, True, "acknowledge"), ("report", 3, True, "progress"), ("settle", 7, True, "completion")]
    assert cps[2].offset_for("complex") == (30, False) and cps[2].offset_for("normal") == (7, True)


def test_period_bounds_match_the_workflow_periods():
    from tasks.services.workflow import period_of

    for rec in ("daily", "weekly", "dekad", "monthly", "quarterly", "yearly", "periodic"):
        for day in (D(2026, 1, 1), D(2026, 2, 28), D(2026, 11, 21), D(2026, 12, 31)):
            start, end = policy.period_bounds(rec, day)
            assert start <= day <= end
            assert period_of(rec, start) == period_of(rec, day) == period_of(rec, end), (rec, day)
            assert period_of(rec, start - dt.timedelta(days=1)) != period_of(rec, day)
            assert period_of(rec, end + dt.timedelta(days=1)) != period_of(rec, day)


def test_backoff_doubles_and_is_capped():
    assert [policy.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert policy.backoff(30) == policy.BACKOFF_CAP


@pytest.mark.django_db
def test_bad_office_settings_stop_the_sweep_with_a_chinese_error_and_change_nothing(units):
    from tasks.models import Reminder, Task
    from tasks.selectors.lights import office_settings

    s = office_settings()
    s.due_soon_days = "3,明天"
    s.save()
    t = make_task([units[0]], deadline="2026-11-10", acknowledged=True)
    with pytest.raises(reminders.ReminderError, match="督查室设置有误"):
        reminders.sweep(at("2026-11-23"))
    assert not Reminder.objects.exclude(kind="calendar").exists()
    assert Task.objects.get(pk=t.pk).level == 0


@pytest.mark.django_db
def test_sweep_query_count_does_not_grow_with_the_number_of_tasks(units, leader, staff):
    from tasks.models import Reminder, Task
    from tasks.selectors.lights import office_settings

    office_settings()  # the settings row exists in a running office

    def sweep_queries(n):
        Reminder.objects.all().delete()
        Task.objects.all().delete()
        for i in range(n):
            u = units[i % 3]
            make_task([u], deadline="2026-11-24", acknowledged=True)                        # due soon
            make_task([u], deadline="2026-11-20", leaders=[leader], acknowledged=True)      # escalation
            make_task([u], deadline="2026-12-31", assigned="2026-11-16")                  # checkpoints
            make_task([u], deadline="2027-06-30", recurrence="weekly", acknowledged=True)   # recurring
        with CaptureQueriesContext(connection) as ctx:
            new = reminders.sweep(at("2026-11-26"))
        inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "tasks_reminder"')]
        return len(ctx.captured_queries) - len(inserts), len(inserts), len(new)

    q_small, _, n_small = sweep_queries(2)
    q_big, inserts, n_big = sweep_queries(40)
    assert n_big > 5 * n_small
    assert q_big == q_small, (q_small, q_big)  # never a query per task
    assert inserts <= 2 + -(-n_big // reminders.INSERT_BATCH)  # calendar, digests + one INSERT per batch of rows


def test_sending_window_bounds():
    t = lambda h, m=0: dt.datetime(2026, 11, 23, h, m)  # noqa: E731
    w = (dt.time(8, 30), dt.time(18, 0))
    assert [policy.in_window(t(h, m), *w, True) for h, m in ((8, 29), (8, 30), (17, 59), (18, 0), (3, 30))] == \
        [False, True, True, False, False]
    assert not policy.in_window(t(10), *w, False)                                     # not a working day
    night = (dt.time(22, 0), dt.time(6, 0))                                           # over midnight
    assert [policy.in_window(t(h), *night, True) for h in (23, 2, 6, 12)] == [True, True, False, False]
    assert policy.in_window(t(3), dt.time(9), dt.time(9), True)                       # equal bounds: all day

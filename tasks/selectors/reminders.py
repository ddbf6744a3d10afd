"""Reads for the reminder sweep: set-based queries whose count does not grow with the tasks.

Every function returns plain rows (dicts from .values()) for the tasks/units/people a reminder
kind concerns on a day `on`. Dates come from WorkCalendar (tasks/workdays.py underneath), the
policy (windows, offsets, texts) from tasks/reminders/policy.py, lights from tasks/selectors/lights.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from accounts.models import Person, Role
from tasks import workdays
from tasks.models import Assignment, CompletionRequest, OfficeSettings, ProgressReport, Reminder, Task
from tasks.reminders import policy
from tasks.selectors.lights import office_settings, with_light

# Reminders to units concern the tasks the units still have to act on; a task whose completion
# request waits for the office's decision is the office's turn, not the unit's.
ACTIVE_STATUSES = (Task.Status.ASSIGNED, Task.Status.IN_PROGRESS)

UNIT_FIELDS = dict(
    unit_name=F("unit__name"), unit_short=F("unit__short_name"), unit_email=F("unit__email"),
    unit_webhook_kind=F("unit__webhook_kind"), unit_webhook_url=F("unit__webhook_url"),
)
TASK_FIELDS = dict(code=F("task__code"), title=F("task__title"), deadline=F("task__deadline"),
                   progress=F("task__progress"), urgency=F("task__urgency"), source=F("task__source"),
                   assigned_at=F("task__assigned_at"))


class WorkCalendar:
    """tasks.workdays with the staff-entered Holiday rows loaded once per year (few queries)."""

    def __init__(self):
        self._manual: dict[int, dict[dt.date, bool]] = {}
        self._cache: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        if day not in self._cache:
            manual = None
            if workdays.calendar_gaps([day.year]):
                if day.year not in self._manual:
                    self._manual[day.year] = workdays._manual_days(day.year)
                manual = self._manual[day.year]
            self._cache[day] = workdays.is_workday(day, manual)
        return self._cache[day]

    def add(self, start: dt.date, n: int, use_workdays: bool = True) -> dt.date:
        """Same rule as workdays.add_workdays (n-th working day after start), or calendar days."""
        if not use_workdays:
            return start + dt.timedelta(days=n)
        day = start
        if n <= 0:
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
            return day
        count = 0
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day

    def previous_workday(self, on: dt.date) -> dt.date:
        day = on - dt.timedelta(days=1)
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end], as workdays.workdays_between."""
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            n += self.is_workday(day)
        return n

    def escalation_cutoff(self, on: dt.date, after: int) -> dt.date:
        """The latest deadline with at least `after` working days in (deadline, on]."""
        if after <= 0:
            return on - dt.timedelta(days=1)
        count, day = 0, on
        while True:
            if self.is_workday(day):
                count += 1
                if count == after:
                    return day - dt.timedelta(days=1)
            day -= dt.timedelta(days=1)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _assignments(on: dt.date, *task_q, **task_filters):
    """Assignments (active units) of active tasks assigned by `on` that match the task filters.

    The selective task conditions (a deadline or assignment-date range, a recurrence) go in an
    IN (SELECT id FROM task …) subquery and the broad ones (status, assigned by `on`) outside it,
    so neither SQLite nor PostgreSQL walks the whole (status) index for a handful of tasks."""
    tasks = Task.objects.filter(*task_q, **task_filters).values("id")
    return Assignment.objects.filter(task_id__in=tasks, task__status__in=ACTIVE_STATUSES, unit__active=True,
                                     task__assigned_at__lt=local_midnight(on + dt.timedelta(days=1)))


# --- due soon -------------------------------------------------------------------------------

def due_soon_rows(on: dt.date, cal: WorkCalendar, s: OfficeSettings | None = None) -> list[dict]:
    """Assignments whose task's N-days-before reminder is due on `on` (rows carry `days_left`)."""
    s = s or office_settings()
    windows = policy.due_soon_windows(on, cal.previous_workday(on), policy.due_soon_days(s.due_soon_days))
    if not windows:
        return []
    # one range on the (status, deadline) index; the few rows between windows are dropped here,
    # and so are the ones already reminded (a later beat of the same day then writes nothing)
    in_range = dict(deadline__gt=windows[0][1], deadline__lte=windows[-1][2])
    done = set(Reminder.objects.filter(kind=Reminder.Kind.DUE_SOON, task_id__in=Task.objects.filter(**in_range).values("id"))
               .order_by().values_list("task_id", "unit_id", "period").distinct())
    rows = []
    for r in (_assignments(on, **in_range).values("task_id", "unit_id", **TASK_FIELDS, **UNIT_FIELDS)):
        n = next((n for n, lo, hi in windows if lo < r["deadline"] <= hi), None)
        if n is not None and (r["task_id"], r["unit_id"], f"{r['deadline']:%Y-%m-%d}-d{n}") not in done:
            r["days_before"], r["days_left"] = n, (r["deadline"] - on).days
            rows.append(r)
    return rows


# --- overdue digest -------------------------------------------------------------------------

def overdue_digest_rows(on: dt.date, skip_done: bool = True, s: OfficeSettings | None = None) -> dict[int, dict]:
    """{unit_id: {unit fields…, items: [{task_id, code, title, deadline, days_overdue}]}} for `on`.

    Overdue = red light (tasks.selectors.lights). Units that already have today's digest queued
    are left out (the unique key would drop them anyway; this keeps repeated sweeps cheap).
    """
    # the deadline filter only lets the (status, deadline) index narrow the rows; "red" decides
    tasks = with_light(Task.objects.filter(status__in=ACTIVE_STATUSES, deadline__lt=on), on, s).filter(light="red")
    qs = (tasks.annotate(unit_id=F("assignments__unit_id"), unit_active=F("assignments__unit__active"),
                         unit_name=F("assignments__unit__name"), unit_short=F("assignments__unit__short_name"),
                         unit_email=F("assignments__unit__email"), unit_webhook_kind=F("assignments__unit__webhook_kind"),
                         unit_webhook_url=F("assignments__unit__webhook_url"))
          .filter(unit_active=True)
          .values("id", "code", "title", "deadline", "days_overdue", "unit_id", "unit_name", "unit_short", "unit_email",
                  "unit_webhook_kind", "unit_webhook_url")
          .order_by("unit_id", "-days_overdue", "id"))
    if skip_done:
        done = list(Reminder.objects.filter(kind=Reminder.Kind.OVERDUE, period=on.isoformat(), unit_id__isnull=False)
                    .order_by().values_list("unit_id", flat=True).distinct())
        if done:
            qs = qs.exclude(unit_id__in=done)
    out: dict[int, dict] = {}
    for r in qs:
        d = out.get(r["unit_id"])
        if d is None:
            d = out[r["unit_id"]] = {k: r[k] for k in ("unit_id", "unit_name", "unit_short", "unit_email",
                                                        "unit_webhook_kind", "unit_webhook_url")}
            d["items"] = []
        d["items"].append({"task_id": r["id"], "code": r["code"], "title": r["title"], "deadline": r["deadline"],
                           "days_overdue": r["days_overdue"]})
    return out


# --- escalation -----------------------------------------------------------------------------

def escalation_tasks(on: dt.date, cal: WorkCalendar, s: OfficeSettings | None = None):
    """Open tasks that reached `escalate_after_workdays` working days overdue recently (a queryset).

    Only the last EVENT_LOOKBACK_DAYS of deadlines past the threshold: older ones were escalated
    by earlier sweeps (or deliberately un-flagged by staff, which the sweep respects)."""
    s = s or office_settings()
    cutoff = cal.escalation_cutoff(on, s.escalate_after_workdays)
    since = cutoff - dt.timedelta(days=policy.EVENT_LOOKBACK_DAYS)
    return Task.objects.filter(status__in=ACTIVE_STATUSES, deadline__gt=since, deadline__lte=cutoff, deadline__lt=on)


def escalation_rows(on: dt.date, cal: WorkCalendar, s: OfficeSettings | None = None) -> tuple[list[dict], dict[int, list[dict]]]:
    """(tasks to escalate now, {task_id: [leader rows]}).

    A task is escalated once per deadline: those with an escalation reminder for their current
    deadline are left out, so a flag staff removed by hand is not put back by the next sweep.
    """
    tasks = list(escalation_tasks(on, cal, s).values("id", "code", "title", "deadline", "source", "urgency"))
    if not tasks:
        return [], {}
    done = set(Reminder.objects.filter(kind=Reminder.Kind.ESCALATION, task_id__in=[t["id"] for t in tasks])
               .order_by().values_list("task_id", "period").distinct())
    tasks = [t for t in tasks if (t["id"], f"{t['deadline']:%Y-%m-%d}") not in done]
    if not tasks:
        return [], {}
    ids = [t["id"] for t in tasks]
    units = defaultdict(list)
    for a in Assignment.objects.filter(task_id__in=ids).order_by("role", "id").values("task_id", "unit__name", "unit__short_name"):
        units[a["task_id"]].append(a["unit__short_name"] or a["unit__name"])
    for t in tasks:
        t["units"] = "、".join(units[t["id"]])
        t["workdays_overdue"] = cal.between(t["deadline"], on)
    leaders = defaultdict(list)
    through = Task.leaders.through.objects.filter(task_id__in=ids, person__active=True)
    for r in through.values("task_id", "person_id", name=F("person__name"), email=F("person__email"), user_email=F("person__user__email")):
        leaders[r["task_id"]].append(r)
    return tasks, leaders


def staff_people() -> list[dict]:
    """Active 督查室 staff people (with a usable email: their own, else their login's)."""
    return list(Person.objects.filter(role=Role.STAFF, active=True).order_by("id")
                .values("id", "name", "email", user_email=F("user__email")))


# --- checkpoints (13710) --------------------------------------------------------------------

def _requirement_missing(requires: str):
    """An Assignment-level condition: the unit (or task) has not yet done what the checkpoint asks."""
    if requires == "acknowledge":
        return Q(acknowledged_at__isnull=True)
    if requires == "progress":
        return ~Exists(ProgressReport.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id")))
    return Q(role=Assignment.Role.LEAD) & ~Exists(CompletionRequest.objects.filter(task_id=OuterRef("task_id")))


def _urgency_groups(cp: policy.Checkpoint):
    """[(urgency group, offset, workdays)]: complex tasks may have their own offset (一月内)."""
    if cp.complex_offset is None:
        return [(None, cp.offset, cp.workdays)]
    return [("other", cp.offset, cp.workdays), ("complex", cp.complex_offset, cp.complex_workdays)]


def _urgency_q(group: str | None, prefix: str = "") -> Q:
    if group is None:
        return Q()
    q = Q(**{f"{prefix}urgency": Task.Urgency.COMPLEX})
    return q if group == "complex" else ~q


def _assigned_range(on: dt.date, cal: WorkCalendar, offset: int, use_workdays: bool, lookback: int):
    """Assignment dates A with on - lookback <= due(A) < on, as (first, last) or None; and the
    latest A with due(A) < on (for levels)."""
    span = (offset * 2 + 20 if use_workdays else offset) + lookback + 1
    first = last = latest = None
    for i in range(span, 0, -1):
        a = on - dt.timedelta(days=i)
        due = cal.add(a, offset, use_workdays)
        if due < on:
            latest = a
            if due >= on - dt.timedelta(days=lookback):
                first = first or a
                last = a
    return (first, last) if first else None, latest


def checkpoint_rows(on: dt.date, cal: WorkCalendar, s: OfficeSettings | None = None) -> list[dict]:
    """Assignments that missed a checkpoint whose due day passed recently (catch-up window) and
    were not reminded of it yet (the unique key would drop those; leaving them out here keeps
    every later sweep cheap)."""
    s = s or office_settings()
    out = []
    for cp in policy.checkpoints(s.checkpoints):
        for group, offset, use_wd in _urgency_groups(cp):
            rng, _ = _assigned_range(on, cal, offset, use_wd, policy.CHECKPOINT_LOOKBACK_DAYS)
            if rng is None:
                continue
            already = Reminder.objects.filter(kind=Reminder.Kind.CHECKPOINT, task_id=OuterRef("task_id"),
                                              unit_id=OuterRef("unit_id"), period=cp.key)
            qs = (_assignments(on, _urgency_q(group), assigned_at__gte=local_midnight(rng[0]),
                               assigned_at__lt=local_midnight(rng[1] + dt.timedelta(days=1)))
                  .filter(_requirement_missing(cp.requires)).exclude(Exists(already))
                  .values("task_id", "unit_id", **TASK_FIELDS, **UNIT_FIELDS))
            if cp.requires == "completion":  # a task with a deadline settles by it (overdue reminders after)
                qs = qs.filter(task__deadline__isnull=True)
            for r in qs:
                r["checkpoint"] = cp
                r["due"] = cal.add(timezone.localdate(r["assigned_at"]), offset, use_wd)
                if r["deadline"] and r["due"] > r["deadline"]:
                    continue  # the checkpoint falls on the deadline: due-soon/overdue reminders cover it
                out.append(r)
    return out


def task_checkpoints(task: Task, on: dt.date | None = None) -> list[dict]:
    """The task's checkpoints for display: [{key, name, due, met, missed, done, done_at, requires,
    waiting}].

    Done when its event happened: 部署签收 when the lead unit (主办) signed — the co-units that have
    not signed yet are listed in `waiting` —, 报告进展 at the first progress report, 办结 at the
    first completion request (or the task closed). met: done on or before the due day; missed:
    the due day has passed and it was not met (also when done late).
    No checkpoint falls after the task's own deadline: a checkpoint later than the deadline is
    due on the deadline, and the 办结 checkpoint of a task with a deadline is its deadline
    (13710: 有时间表的按时间表办结; a 批示件 due in 5 working days settles in 5, not 7).
    """
    on = on or timezone.localdate()
    s = office_settings()
    cal = WorkCalendar()
    start = timezone.localdate(task.assigned_at)
    assignments = list(Assignment.objects.filter(task=task).order_by("id")
                       .values("role", "acknowledged_at", name=F("unit__short_name"), full=F("unit__name")))
    leads = [a for a in assignments if a["role"] == Assignment.Role.LEAD] or assignments
    signed = [a["acknowledged_at"] for a in leads if a["acknowledged_at"]]
    done = {
        "acknowledge": min(signed) if signed else None,
        "progress": ProgressReport.objects.filter(task=task).aggregate(t=Min("created_at"))["t"],
        "completion": CompletionRequest.objects.filter(task=task).aggregate(t=Min("created_at"))["t"] or task.closed_at,
    }
    waiting = [a["name"] or a["full"] for a in assignments if not a["acknowledged_at"]]
    out = []
    for cp in policy.checkpoints(s.checkpoints):
        offset, use_wd = cp.offset_for(task.urgency)
        due = cal.add(start, offset, use_wd)
        if task.deadline and (cp.requires == "completion" or due > task.deadline):
            due = task.deadline  # 有时间表的按时限办结; never after the task's own deadline
        done_at = done[cp.requires]
        met = done_at is not None and timezone.localdate(done_at) <= due
        out.append({"key": cp.key, "name": cp.name, "due": due, "met": met, "missed": (not met) and on > due,
                    "done": done_at is not None, "done_at": done_at, "requires": cp.requires,
                    "waiting": waiting if cp.requires == "acknowledge" else []})
    return out


# --- recurring reports ----------------------------------------------------------------------

def _period_of(recurrence: str, day: dt.date) -> str:
    from tasks.services.workflow import period_of  # the workflow's own period names (2026-11, 2026-W48 …)

    return period_of(recurrence, day)


def recurring_windows(on: dt.date, cal: WorkCalendar) -> list[dict]:
    """For each recurrence whose report request is due on `on`: {recurrence, period, start, end, due}."""
    out = []
    for rec in [r for r in Task._meta.get_field("recurrence").choices]:
        rec = rec[0]
        start, end = policy.period_bounds(rec, on)
        due = end
        while due > start and not cal.is_workday(due):
            due -= dt.timedelta(days=1)
        ask, n = due, policy.recurring_lead(rec)
        while n > 0 and ask > start:
            ask -= dt.timedelta(days=1)
            if cal.is_workday(ask):
                n -= 1
        if ask <= on <= due:
            out.append({"recurrence": rec, "period": _period_of(rec, on), "start": start, "end": end, "due": due})
    return out


def recurring_rows(on: dt.date, cal: WorkCalendar) -> list[dict]:
    """Assignments of recurring tasks that have not reported for the period whose request is due."""
    out = []
    for w in recurring_windows(on, cal):
        reported = ProgressReport.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id")).filter(
            Q(period=w["period"]) | Q(created_at__gte=local_midnight(w["start"]), created_at__lt=local_midnight(w["end"] + dt.timedelta(days=1))))
        already = Reminder.objects.filter(kind=Reminder.Kind.RECURRING, task_id=OuterRef("task_id"),
                                          unit_id=OuterRef("unit_id"), period=w["period"])
        qs = _assignments(on, recurrence=w["recurrence"]).exclude(Exists(reported)).exclude(Exists(already))
        for r in qs.values("task_id", "unit_id", **TASK_FIELDS, **UNIT_FIELDS):
            r.update(period=w["period"], due=w["due"])
            out.append(r)
    return out


# --- holidays --------------------------------------------------------------------------------

def calendar_alerts(on: dt.date) -> list[dict]:
    """What a staff banner says about missing holiday data: [{year, text, url}] for this year and,
    from two months before it starts, next year — while neither chinesecalendar nor the bundled
    list nor the admin's 节假日 rows have that year's days off."""
    from django.urls import reverse

    out = []
    for year in workdays.years_needing_holidays(on):
        if year == on.year:
            text = (f"系统尚无{year}年法定节假日数据，今年的节假日和调休上班日目前不会被识别（催办可能在假期发出）。"
                    f"请尽快录入{year}年的放假安排。")
        else:
            text = (f"系统尚无{year}年法定节假日数据。国务院办公厅发布{year}年放假安排后，请在{year}年1月1日前录入"
                    f"放假日期和调休上班日，以免节假日期间发出催办、工作日计算出错。")
        out.append({"year": year, "text": text, "url": reverse("admin:tasks_holiday_changelist")})
    return out


# --- sending -------------------------------------------------------------------------------

def reminders_due(now: dt.datetime, working_day: bool = True):
    """Reminders a sender may claim at `now` (wall clock): pending, failed or "sending" with a
    lapsed lease, and not waiting for a retry. `working_day` is kept for callers; the sending
    window (tasks.services.reminders) decides what may go out."""
    return Reminder.objects.filter(state__in=(Reminder.State.PENDING, Reminder.State.FAILED, Reminder.State.SENDING)).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def recipient_names(unit_ids, person_ids) -> dict[tuple[str, int], str]:
    """{("u", id): short name, ("p", id): name} for digest headers."""
    from accounts.models import Unit

    out = {("u", u["id"]): u["short_name"] or u["name"] for u in Unit.objects.filter(pk__in=list(unit_ids)).values("id", "name", "short_name")}
    out.update({("p", p["id"]): p["name"] for p in Person.objects.filter(pk__in=list(person_ids)).values("id", "name")})
    return out


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _mobile(phone: str) -> str:
    digits = re.sub(r"[\s\-]", "", phone or "").removeprefix("+86")
    return digits if _MOBILE.match(digits) else ""


def unit_contact_mobiles(unit_ids) -> dict[int, list[str]]:
    """{unit_id: [mobile numbers]} of the units' active 联络员 (role operator) who have a mobile
    number in 电话 — the people a robot message @-mentions."""
    out: dict[int, list[str]] = defaultdict(list)
    for unit_id, phone in (Person.objects.filter(unit_id__in=list(unit_ids), role=Role.OPERATOR, active=True)
                           .exclude(phone="").order_by("id").values_list("unit_id", "phone")):
        m = _mobile(phone)
        if m and m not in out[unit_id]:
            out[unit_id].append(m)
    return dict(out)


def units_with_mobile_contacts(unit_ids) -> set[int]:
    return set(unit_contact_mobiles(unit_ids))

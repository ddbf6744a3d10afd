"""The reminder sweep and the sender: every reminder goes out exactly once per channel.

sweep(now)        on a working day: update levels/flags set-based, then queue every reminder due
                  as Reminder rows with INSERT … ON CONFLICT (key) DO NOTHING RETURNING id —
                  the unique key (task or digest, recipient, kind, period, channel) makes a
                  second sweep, a second beat or a retried Celery task queue nothing new.
send_pending(now) claims each due row with a compare-and-swap UPDATE (attempts+1 and a lease in
                  next_attempt_at, only while the row is still pending/failed and not leased),
                  sends it, and marks it sent only if it is still pending/failed. A worker killed
                  at the instant of sending leaves the claim; after the lease (policy.CLAIM_LEASE)
                  the row is re-claimable, so that one case is at-least-once; every other case is
                  exactly once. In-app notices are created in the same transaction as the mark,
                  so they are exactly once even then.
See docs/reminders.md.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections import Counter, defaultdict

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tasks.models import Reminder, Task
from tasks.reminders import channels, policy, ratelimit
from tasks.selectors import reminders as sel
from tasks.selectors.lights import office_settings

log = logging.getLogger(__name__)

# a row in "sending" whose lease ran out (its sender died) is claimable again
CLAIMABLE = (Reminder.State.PENDING, Reminder.State.FAILED, Reminder.State.SENDING)
COLUMNS = ("key", "kind", "channel", "period", "task_id", "unit_id", "person_id", "target", "subject", "body",
           "priority", "urgent", "state", "digest_id", "attempts", "last_error", "next_attempt_at", "sent_at", "created_at")
INSERT_BATCH = 1000  # rows per INSERT (19 parameters each: within SQLite's and PostgreSQL's limits)
WEBHOOKS = (Reminder.Channel.WECOM, Reminder.Channel.DINGTALK)


class ReminderError(Exception):
    """A reminder request that cannot be carried out (Chinese message)."""


# --- queueing -------------------------------------------------------------------------------

def _rows_for(recipient: policy.Recipient, *, kind: str, subject_ref: str, period: str, subject: str, body: str,
              task_id: int | None, urgent: bool = False) -> list[dict]:
    return [
        {"key": policy.reminder_key(kind, subject_ref, recipient.ref, period, channel), "kind": kind, "channel": channel,
         "period": period, "task_id": task_id, "unit_id": recipient.unit_id, "person_id": recipient.person_id,
         "target": target, "subject": subject[:200], "body": body, "priority": policy.priority(kind), "urgent": urgent}
        for channel, target in recipient.routes
    ]


def _urgent(r: dict) -> bool:
    return policy.is_urgent(r.get("source"), r.get("urgency"))


def _unit(r: dict) -> policy.Recipient:
    return policy.unit_recipient(r["unit_id"], r["unit_short"] or r["unit_name"], r["unit_email"], r["unit_webhook_kind"], r["unit_webhook_url"])


def _person(p: dict) -> policy.Recipient:
    return policy.person_recipient(p["id"] if "id" in p else p["person_id"], p["name"], p.get("email") or p.get("user_email") or "")


def insert_reminders(rows: list[dict]) -> list[int]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, in key order (no deadlocks between
    concurrent sweeps); returns the ids of the rows that are new. Works on PostgreSQL and SQLite.

    A row: key, kind, channel, period, subject, body; optional task_id, unit_id, person_id,
    target (only used when there is no unit/person: addresses are read at send time), priority
    (default by kind), urgent (may leave outside the sending window)."""
    return sorted(_insert_keyed(rows).values())


def _insert_keyed(rows: list[dict]) -> dict[str, int]:
    """insert_reminders, returning {key: id} of the rows that are new."""
    if not rows:
        return {}
    by_key = {}
    for r in rows:
        by_key.setdefault(r["key"], r)
    now = timezone.now()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    new: dict[str, int] = {}
    ordered = [by_key[k] for k in sorted(by_key)]
    if connection.vendor == "postgresql":
        return _insert_postgresql(ordered, now)
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(ordered), INSERT_BATCH):
            chunk = ordered[i:i + INSERT_BATCH]
            params = []
            for r in chunk:
                params.extend([r["key"], r["kind"], r["channel"], r["period"], r.get("task_id"), r.get("unit_id"),
                               r.get("person_id"), r.get("target", ""), r["subject"], r["body"], _priority(r),
                               bool(r.get("urgent")), r.get("state") or Reminder.State.PENDING, r.get("digest_id"),
                               0, "", None, None, now])
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} "
                        f"ON CONFLICT ({connection.ops.quote_name('key')}) DO NOTHING RETURNING id, {connection.ops.quote_name('key')}", params)
            new.update((k, i) for i, k in cur.fetchall())
    return new


PG_BATCH = 10000
PG_ARRAYS = (("key", "varchar"), ("kind", "varchar"), ("channel", "varchar"), ("period", "varchar"), ("task_id", "bigint"),
             ("unit_id", "bigint"), ("person_id", "bigint"), ("target", "varchar"), ("subject", "varchar"), ("body", "text"),
             ("priority", "smallint"), ("urgent", "boolean"), ("state", "varchar"), ("digest_id", "bigint"))


def _priority(r: dict) -> int:
    return r["priority"] if r.get("priority") is not None else policy.priority(r["kind"])


def _pg_value(r: dict, column: str):
    if column == "priority":
        return _priority(r)
    if column == "urgent":
        return bool(r.get("urgent"))
    if column == "state":
        return r.get("state") or str(Reminder.State.PENDING)
    return r.get(column) if column.endswith("_id") else r.get(column, "")


def _insert_postgresql(ordered: list[dict], now: dt.datetime) -> dict[str, int]:
    """PostgreSQL: the same INSERT … ON CONFLICT DO NOTHING RETURNING, fed by unnest() of one array
    per column — ten parameters per statement instead of sixteen per row (much less to parse)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for _, t in PG_ARRAYS)
    names = ", ".join(f"c{i}" for i in range(len(PG_ARRAYS)))
    sql = (f"INSERT INTO {table} ({cols}) SELECT {names}, 0, '', NULL::timestamptz, NULL::timestamptz, %s "
           f"FROM unnest({arrays}) AS x({names}) ORDER BY c0 "
           f"ON CONFLICT ({connection.ops.quote_name('key')}) DO NOTHING RETURNING id, {connection.ops.quote_name('key')}")
    import psycopg

    new: dict[str, int] = {}
    with transaction.atomic():
        connection.ensure_connection()
        # a server-side-binding cursor on Django's own connection (same transaction): the arrays
        # travel as parameters instead of being quoted into the SQL text by the client
        cur = psycopg.Cursor(connection.connection)
        for i in range(0, len(ordered), PG_BATCH):
            chunk = ordered[i:i + PG_BATCH]
            # placeholders in order: created_at of the SELECT list, then the arrays
            params = [now,
                      *([_pg_value(r, c) for r in chunk] for c, _ in PG_ARRAYS)]
            cur.execute(sql, params)
            new.update((k, i) for i, k in cur.fetchall())
        cur.close()
    return new


def calendar_candidates(on: dt.date) -> list[dict]:
    """A staff notice, once per year, asking for the holidays of this year, or of next year from
    two months before it starts, when neither chinesecalendar nor the bundled list/admin has them."""
    from tasks import workdays

    rows = []
    gaps = workdays.years_needing_holidays(on)
    if not gaps:
        return rows
    staff = sel.staff_people()
    if not staff:
        log.warning("日历数据缺少 %s 年，但没有督查室工作人员可以通知。", gaps)
    for year in gaps:
        subject, body = policy.calendar_text(year)
        for p in staff:
            rec = policy.person_recipient(p["id"], p["name"])  # in-app only
            rows += _rows_for(rec, kind=policy.CALENDAR, subject_ref="calendar", period=str(year), subject=subject, body=body, task_id=None)
    return rows


def _by_ids(model, ids):
    """Rows of `model` by a (possibly long) id list: one array parameter on PostgreSQL; on SQLite
    in chunks below its parameter limit. Yields querysets (to .update() or read)."""
    ids = sorted(set(ids))
    if not ids:
        return
    if connection.vendor == "postgresql":
        yield model.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return
    for i in range(0, len(ids), 10000):
        yield model.objects.filter(pk__in=ids[i:i + 10000])


def _tasks_by_ids(ids):
    return _by_ids(Task, ids)


def update_levels(on: dt.date, cal: sel.WorkCalendar, s=None, escalate_ids=(), missed_ids=()) -> dict:
    """Set-based: flag + 红牌 the escalated tasks; 黄牌 the ones that went overdue or missed a
    checkpoint (events of the last EVENT_LOOKBACK_DAYS; levels only go up, and a level staff
    lowered by hand for an older event stays as they set it). `missed_ids`: tasks late on a
    checkpoint, from selectors.checkpoint_rows (computed once for the reminders and the levels)."""
    s = s or office_settings()
    red = sum(qs.update(flagged=True, level=Task.Level.RED) for qs in _tasks_by_ids(escalate_ids))
    normal = Task.objects.filter(status__in=sel.ACTIVE_STATUSES, level=Task.Level.NORMAL)
    yellow = normal.filter(deadline__lt=on, deadline__gte=on - dt.timedelta(days=policy.EVENT_LOOKBACK_DAYS)).update(level=Task.Level.YELLOW)
    for qs in _tasks_by_ids(missed_ids):  # the tasks selectors.checkpoint_rows found late on a checkpoint
        yellow += qs.filter(status__in=sel.ACTIVE_STATUSES, level=Task.Level.NORMAL).update(level=Task.Level.YELLOW)
    return {"red": red, "yellow": yellow}


def candidates(on: dt.date, cal: sel.WorkCalendar, s=None, escalation=None, checkpoint=None) -> list[dict]:
    """Every reminder due on working day `on`, as rows for insert_reminders (not yet deduplicated).

    `escalation`, `checkpoint`: the results of selectors.escalation_rows / checkpoint_rows when
    the caller already has them."""
    s = s or office_settings()
    site = django_settings.SITE_URL
    rows: list[dict] = []
    for r in sel.due_soon_rows(on, cal, s):
        subject, body = policy.due_soon_text(code=r["code"], title=r["title"], deadline=r["deadline"], days_left=r["days_left"],
                                             progress=r["progress"], unit=r["unit_short"] or r["unit_name"], task_id=r["task_id"], site_url=site)
        rows += _rows_for(_unit(r), kind=policy.DUE_SOON, subject_ref=f"t{r['task_id']}",
                          period=f"{r['deadline']:%Y-%m-%d}-d{r['days_before']}", subject=subject, body=body, task_id=r["task_id"],
                          urgent=_urgent(r))
    for d in sel.overdue_digest_rows(on, s=s).values():
        subject, body = policy.overdue_digest_text(unit=d["unit_short"] or d["unit_name"], on=on, items=d["items"], site_url=site)
        rows += _rows_for(_unit(d), kind=policy.OVERDUE, subject_ref="digest", period=on.isoformat(), subject=subject, body=body, task_id=None)
    tasks, leaders = escalation if escalation is not None else sel.escalation_rows(on, cal, s)
    staff = sel.staff_people() if tasks else []
    for t in tasks:
        subject, body = policy.escalation_text(code=t["code"], title=t["title"], deadline=t["deadline"],
                                               workdays_overdue=t["workdays_overdue"], units=t["units"], task_id=t["id"], site_url=site)
        people = {p["person_id"]: p for p in leaders.get(t["id"], [])}
        for p in staff:
            people.setdefault(p["id"], p)
        for p in people.values():
            rows += _rows_for(_person(p), kind=policy.ESCALATION, subject_ref=f"t{t['id']}", period=f"{t['deadline']:%Y-%m-%d}",
                              subject=subject, body=body, task_id=t["id"], urgent=_urgent(t))
    for r in (checkpoint if checkpoint is not None else sel.checkpoint_rows(on, cal, s)):
        cp = r["checkpoint"]
        subject, body = policy.checkpoint_text(code=r["code"], title=r["title"], checkpoint_name=cp.name, requires=cp.requires,
                                               due=r["due"], unit=r["unit_short"] or r["unit_name"], task_id=r["task_id"], site_url=site)
        rows += _rows_for(_unit(r), kind=policy.CHECKPOINT, subject_ref=f"t{r['task_id']}", period=cp.key,
                          subject=subject, body=body, task_id=r["task_id"], urgent=_urgent(r))
    for r in sel.recurring_rows(on, cal):
        subject, body = policy.recurring_text(code=r["code"], title=r["title"], period=r["period"], due=r["due"],
                                              unit=r["unit_short"] or r["unit_name"], task_id=r["task_id"], site_url=site)
        rows += _rows_for(_unit(r), kind=policy.RECURRING, subject_ref=f"t{r['task_id']}", period=r["period"],
                          subject=subject, body=body, task_id=r["task_id"], urgent=_urgent(r))
    return rows


def sweep(now: dt.datetime | None = None) -> list[int]:
    """Queue every reminder due at `now`; returns the ids of the new Reminder rows.

    On a non-working day nothing is queued except the once-a-year calendar warning to staff.
    """
    now = now or timezone.now()
    on = timezone.localdate(now)
    cal = sel.WorkCalendar()
    new = insert_reminders(calendar_candidates(on))
    if not cal.is_workday(on):
        log.info("%s 不是工作日：不发送催办提醒。", on)
        return new
    s = office_settings()
    try:
        policy.checkpoints(s.checkpoints)
        policy.due_soon_days(s.due_soon_days)
    except policy.PolicyError as exc:
        raise ReminderError(f"督查室设置有误，提醒未生成：{exc}") from exc
    with transaction.atomic():
        escalation = sel.escalation_rows(on, cal, s)
        checkpoint = sel.checkpoint_rows(on, cal, s)
        rows = candidates(on, cal, s, escalation, checkpoint)
        update_levels(on, cal, s, escalate_ids=[t["id"] for t in escalation[0]], missed_ids=[r["task_id"] for r in checkpoint])
        rows = list({r["key"]: r for r in reversed(rows)}.values())[::-1]  # one row per key (the first)
        plan = plan_digests(rows, on, s)
        keyed = _insert_keyed(rows)
        fill_digests(plan, [{**r, "id": keyed[r["key"]]} for r in rows if r["key"] in keyed], on, s)
    return new + sorted(keyed.values())


# --- digests --------------------------------------------------------------------------------

DIGESTED = (policy.DUE_SOON, policy.OVERDUE, policy.ESCALATION, policy.CHECKPOINT, policy.RECURRING)


def _group_key(r: dict) -> tuple:
    return (r["channel"], r.get("unit_id") or 0, r.get("person_id") or 0, bool(r.get("urgent")))


def plan_digests(rows: list[dict], on: dt.date, s=None) -> dict[int, tuple]:
    """Before the sweep's reminders are inserted: which of them go out merged into one message per
    recipient and channel (a unit's 临期/逾期/节点/周期 reminders together; a staff member's 二次督办
    together). For each such group an empty digest row is inserted first (to have its id) and the
    group's rows are marked to be inserted already merged into it — so nothing is updated row by
    row afterwards. A recipient with a single reminder on a channel gets it as it is (unless it is
    too long for a robot). Returns {digest id: group key}."""
    s = s or office_settings()
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if r["kind"] in DIGESTED:
            groups[_group_key(r)].append(r)
    site = django_settings.SITE_URL
    singles = [g for g, rs in groups.items() if len(rs) == 1 and g[0] in WEBHOOKS]
    mentioning = (sel.units_with_mobile_contacts({g[1] for g in singles if g[1] and g[0] == policy.WECOM})
                  if s.robot_mentions and singles else set())
    chosen = []
    for g, rs in sorted(groups.items()):
        if len(rs) == 1:
            if g[0] not in WEBHOOKS:
                continue
            one = [policy.Item(0, rs[0]["kind"], rs[0]["subject"], rs[0]["body"])]
            if len(policy.robot_parts("", one, site, policy.robot_limit(g[0], mentions=g[1] in mentioning))) == 1:
                continue
        chosen.append(g)
    if not chosen:
        return {}
    token = uuid.uuid4().hex[:12]
    holders = []
    for channel, unit_id, person_id, urgent in chosen:
        ref = f"u{unit_id}" if unit_id else f"p{person_id}"
        holders.append({"key": f"digest:{ref}:{on.isoformat()}:{token}-1:{channel}", "kind": Reminder.Kind.DIGEST,
                        "channel": channel, "period": on.isoformat(), "unit_id": unit_id or None, "person_id": person_id or None,
                        "subject": "（汇总生成中）", "body": "", "urgent": urgent})
    made = _insert_keyed(holders)
    plan = {}
    for g, h in zip(chosen, holders):
        plan[made[h["key"]]] = g
        for r in groups[g]:
            r["state"], r["digest_id"] = Reminder.State.MERGED, made[h["key"]]
    return plan


def fill_digests(plan: dict[int, tuple], facts: list[dict], on: dt.date, s=None) -> int:
    """After the insert: write each digest from the reminders this sweep really inserted into it
    (another sweep may have inserted some of them first — those are in that sweep's digest),
    overdue and escalation first; robot digests split into messages within the robot's limit
    (whole lines, the link in each; the extra parts are new rows). A digest that got nothing is
    removed. Returns the number of digest messages."""
    if not plan:
        return 0
    s = s or office_settings()
    site = django_settings.SITE_URL
    members: dict[int, list[dict]] = defaultdict(list)
    for f in facts:
        if f.get("digest_id") in plan:
            members[f["digest_id"]].append(f)
    groups = list(plan.values())
    names = sel.recipient_names({g[1] for g in groups if g[1]}, {g[2] for g in groups if g[2]})
    mentioning = sel.units_with_mobile_contacts({g[1] for g in groups if g[1] and g[0] == policy.WECOM}) if s.robot_mentions else set()
    updates, extra, empty = [], [], []
    for digest_id, (channel, unit_id, person_id, urgent) in plan.items():
        fs = members.get(digest_id)
        if not fs:
            empty.append(digest_id)
            continue
        name = names.get(("u", unit_id) if unit_id else ("p", person_id), "")
        items = [policy.Item(f["id"], f["kind"], f["subject"], f["body"]) for f in fs]
        if channel in WEBHOOKS:
            parts = policy.robot_parts(name, items, site, policy.robot_limit(channel, mentions=unit_id in mentioning))
        else:
            subject, body = policy.digest_text(name, items, site)
            parts = [(subject, body, [f["id"] for f in fs])]
        prio = {f["id"]: _priority(f) for f in fs}
        for i, (subject, body, member_ids) in enumerate(parts, start=1):
            priority = min(prio[m] for m in member_ids)
            if i == 1:
                updates.append(Reminder(pk=digest_id, subject=subject, body=body, priority=priority))
                continue
            ref = f"u{unit_id}" if unit_id else f"p{person_id}"
            extra.append({"key": f"digest:{ref}:{on.isoformat()}:d{digest_id}-{i}:{channel}", "kind": Reminder.Kind.DIGEST,
                          "channel": channel, "period": on.isoformat(), "unit_id": unit_id or None,
                          "person_id": person_id or None, "subject": subject, "body": body, "priority": priority,
                          "urgent": urgent})
    Reminder.objects.bulk_update(updates, ["subject", "body", "priority"], batch_size=500)
    _insert_keyed(extra)
    if empty:
        Reminder.objects.filter(pk__in=empty, kind=Reminder.Kind.DIGEST).delete()
    return len(updates) + len(extra)


# --- sending --------------------------------------------------------------------------------
#
# A row is sent by whoever claims it. The claim is a compare-and-swap UPDATE that sets state
# "sending", attempts+1 and a lease (next_attempt_at = clock + CLAIM_LEASE) — on the wall clock at
# the moment of the claim, whatever `now` a run was started with, so a long or overlapping run
# never finds another run's claims expired. Marking sent/failed is a compare-and-swap on (state
# "sending", attempts = my claim): a send counts only when its mark wins. Backoff counts from the
# failure. Robots are posted to concurrently (one thread per robot, short timeouts) within one
# budget per robot shared by every run (tasks/reminders/ratelimit.py).


class _Run:
    """What one sending run knows: the office's window, the clock, the robots' budget."""

    def __init__(self, now: dt.datetime | None):
        self.s = office_settings()
        self.cal = sel.WorkCalendar()
        self.start = now
        self.t0 = time.monotonic()
        self.budget = ratelimit.default_budget(policy.ROBOT_PER_MINUTE)
        self.mentions = self.s.robot_mentions
        self._lock = threading.Lock()
        self.given_up: list[int] = []
        self.inline = False  # True: every group in the calling thread (its connection stays open)

    def local_now(self) -> dt.datetime:
        """The run's time of day for the window: its `now` advanced by the time spent so far."""
        base = self.start or timezone.now()
        if self.start is not None:
            base += dt.timedelta(seconds=time.monotonic() - self.t0)
        return timezone.localtime(base)

    def window_open(self) -> bool:
        local = self.local_now()
        return policy.in_window(local, self.s.send_window_start, self.s.send_window_end, self.cal.is_workday(local.date()))

    def may_send(self, urgent: bool, kind: str = "") -> bool:
        return self.window_open() or kind in policy.WINDOW_EXEMPT_KINDS or (urgent and self.s.urgent_outside_window)


def _claim(reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Compare-and-swap: take the row for one attempt (state sending, attempts+1, a lease until
    clock + CLAIM_LEASE). `now` is ignored: a lease always counts from the wall clock."""
    clock = timezone.now()
    return bool(
        Reminder.objects.filter(pk=reminder_id, state__in=CLAIMABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock))
        .update(state=Reminder.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=clock + policy.CLAIM_LEASE)
    )


def _mine(r: Reminder):
    return Reminder.objects.filter(pk=r.pk, state=Reminder.State.SENDING, attempts=r.attempts)


def _mark_sent(r: Reminder, target: str | None = None) -> int:
    fields = dict(state=Reminder.State.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)
    if target is not None:
        fields["target"] = target[:500]
    return _mine(r).update(**fields)


def _recipient_name(r: Reminder) -> str:
    if r.unit_id:
        return str(r.unit)
    if r.person_id:
        return str(r.person)
    return r.target or "（未知）"


def _mark_failed(r: Reminder, error: str, *, permanent: bool = False, target: str | None = None) -> str:
    error = error[:2000]
    extra = {"target": target[:500]} if target is not None else {}
    if permanent or r.attempts >= policy.MAX_ATTEMPTS:
        done = _mine(r).update(state=Reminder.State.GIVEN_UP, last_error=error, next_attempt_at=None, **extra)
        if not done:
            return "lost"
        log.error("提醒 %s（%s/%s）第%s次发送失败，已放弃：%s", r.pk, r.kind, r.channel, r.attempts, error)
        return "given_up"
    done = _mine(r).update(state=Reminder.State.FAILED, last_error=error,
                           next_attempt_at=timezone.now() + policy.backoff(r.attempts), **extra)
    if not done:
        return "lost"
    log.warning("提醒 %s（%s/%s）第%s次发送失败，将重试：%s", r.pk, r.kind, r.channel, r.attempts, error)
    return "failed"


def _email_of(r: Reminder) -> str:
    """The address now (not the one of the day it was queued): unit, person, else the row's."""
    if r.unit_id:
        return r.unit.email
    if r.person_id:
        return r.person.email or (r.person.user.email if r.person.user_id else "")
    return r.target


def _robot_of(r: Reminder) -> tuple[str, str, str]:
    """(kind, url, secret) of the unit's robot now; a row without a unit keeps its own target."""
    if r.unit_id:
        return (r.unit.webhook_kind or r.channel), r.unit.webhook_url, r.unit.webhook_secret
    return r.channel, r.target, ""


class _Stop(Exception):
    """The rest of this group waits for the next run (server unreachable, budget used up)."""

    def __init__(self, reason: str):
        self.reason = reason


def send_one(reminder_id: int, now: dt.datetime | None = None, *, run: _Run | None = None, session=None,
             email_connection=None) -> str:
    """Claim and send one reminder: 'sent' | 'failed' | 'given_up' | 'skipped' (someone else has
    it) | 'lost' (sent, but the claim had been taken over: logged). Raises _Stop when the
    channel's server did not answer (the row is marked failed first)."""
    if not _claim(reminder_id):
        return "skipped"
    r = Reminder.objects.select_related("unit", "person", "person__user").get(pk=reminder_id)
    target = None
    try:
        if r.channel == Reminder.Channel.INBOX:
            with transaction.atomic():
                channels.send_inbox(title=r.subject, body=r.body, unit_id=r.unit_id, person_id=r.person_id, task_id=r.task_id)
                if not _mark_sent(r):
                    raise _LostClaim()
            return "sent"
        if r.channel == Reminder.Channel.EMAIL:
            target = _email_of(r)
            channels.send_email(to=target, subject=r.subject, body=r.body, connection=email_connection)
        elif r.channel in WEBHOOKS:
            kind, target, secret = _robot_of(r)
            mobiles = []
            if r.unit_id and (run is None or run.mentions):
                mobiles = sel.unit_contact_mobiles([r.unit_id]).get(r.unit_id, [])
            channels.post_webhook(kind, target, r.subject, r.body, secret=secret, mobiles=mobiles, session=session)
        else:
            raise channels.ChannelError(f"未知渠道：{r.channel}", permanent=True)
    except _LostClaim:
        log.error("提醒 %s 的站内通知未写入：认领已被他人接管。", r.pk)
        return "lost"
    except channels.ChannelError as exc:
        outcome = _mark_failed(r, str(exc), permanent=exc.permanent, target=target)
        if outcome == "given_up" and run is not None:
            with run._lock:
                run.given_up.append(r.pk)
        if exc.unreachable:
            raise _Stop(outcome) from exc
        return outcome
    except Exception as exc:  # noqa: BLE001 - one failed send never blocks the others
        outcome = _mark_failed(r, f"{type(exc).__name__}: {exc}", target=target)
        if outcome == "given_up" and run is not None:
            with run._lock:
                run.given_up.append(r.pk)
        return outcome
    if not _mark_sent(r, target):
        # delivered, but our lease had lapsed and someone else claimed the row: not counted
        log.error("提醒 %s 已发出，但其认领已被他人接管（发送超过了 %s 的租约），可能重复。", r.pk, policy.CLAIM_LEASE)
        return "lost"
    return "sent"


class _LostClaim(Exception):
    pass


def _send_group(run: _Run, channel: str, robot: str, rows: list[tuple[int, bool, str]]) -> Counter:
    """Send one channel's rows (or one robot's) in order, one at a time. Runs in its own thread
    when the run is concurrent; the database connection of the thread is closed at the end."""
    from django.db import close_old_connections

    counts: Counter = Counter()
    session = email_connection = None
    try:
        if channel in WEBHOOKS:
            import requests

            session = requests.Session()
        elif channel == Reminder.Channel.EMAIL:
            from django.core.mail import get_connection

            email_connection = get_connection(timeout=getattr(django_settings, "EMAIL_TIMEOUT", None) or 10)
        for i, (pk, urgent, kind) in enumerate(rows):
            if not run.may_send(urgent, kind):
                counts["outside_window"] += 1
                continue
            if channel in WEBHOOKS and not run.budget.take(robot):
                counts["deferred"] += len(rows) - i  # the robot's minute is used up: the rest waits
                break
            try:
                counts[send_one(pk, run=run, session=session, email_connection=email_connection)] += 1
            except _Stop as stop:
                counts[stop.reason] += 1
                counts["held"] += len(rows) - i - 1  # the server does not answer: the rest waits
                break
            except Exception:  # noqa: BLE001 - a database hiccup on one row must not stop the rest
                log.exception("提醒 %s 处理出错", pk)
                counts["failed"] += 1
    finally:
        if session is not None:
            session.close()
        if email_connection is not None:
            try:
                email_connection.close()
            except Exception:  # noqa: BLE001
                pass
        if not run.inline:
            close_old_connections()
            connection.close()
    return counts


def _summarise_given_up(ids: list[int]) -> None:
    """One notice per staff member for every row this run gave up on (not one per row)."""
    if not ids:
        return
    rows = []
    for r in Reminder.objects.filter(pk__in=ids).select_related("unit", "person").order_by("pk"):
        rows.append({"recipient": _recipient_name(r), "channel": r.channel, "kind": r.kind, "subject": r.subject,
                     "attempts": r.attempts, "error": r.last_error})
    title, body = policy.failure_summary_text(rows)
    staff = sel.staff_people()
    with transaction.atomic():
        for p in staff:
            channels.send_inbox(title=title, body=body, person_id=p["id"])
    if not staff:
        log.error("%s 条提醒已放弃，但没有督查室工作人员可以通知。", len(rows))


def send_pending(now: dt.datetime | None = None, *, ids=None, batch: int = 500, concurrent: bool | None = None) -> dict:
    """Send every claimable reminder (or only `ids`); returns counts by outcome.

    Only inside the office's sending window (working days, 督查室设置 hours); urgent 批示件 rows
    also outside it when the office allows, and a staff member's own 催办 (kind "manual") always. `now` sets the run's time of day for the window
    (`remind --now`); claims, leases and backoff always use the wall clock. Overdue and
    escalation go first. Each robot is one thread (at most policy.ROBOT_THREADS at a time) and
    posts within its shared per-minute budget; email and in-app notices have one thread each.
    `concurrent`: default — threads unless called inside a transaction (threads would not see
    its rows). Counts: sent, failed, given_up, skipped (another sender has it), lost (delivered
    after losing the claim), deferred (robot budget used up), held (server unreachable: the rest
    of its rows wait), outside_window.
    """
    run = _Run(now)
    clock = timezone.now()
    qs = sel.reminders_due(clock)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if not run.window_open():
        outside = Q(kind__in=policy.WINDOW_EXEMPT_KINDS)
        if run.s.urgent_outside_window:
            outside |= Q(urgent=True)
        held = qs.exclude(outside).count()
        qs = qs.filter(outside)
    else:
        held = 0
    rows = list(qs.order_by("priority", "pk").values_list("pk", "channel", "urgent", "kind", "target", "unit__webhook_url"))
    groups: dict[tuple[str, str], list[tuple[int, bool, str]]] = defaultdict(list)
    for pk, channel, urgent, kind, target, unit_url in rows:
        robot = (unit_url or target or "") if channel in WEBHOOKS else ""
        groups[(channel, robot)].append((pk, urgent, kind))
    if concurrent is None:
        # threads cannot see the rows of an open transaction; an in-memory SQLite database (tests)
        # locks tables without waiting. A SQLite file waits (timeout) and PostgreSQL has row locks.
        concurrent = not connection.in_atomic_block and not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    counts: Counter = Counter()
    if not concurrent or len(groups) <= 1:
        run.inline = True
        for (channel, robot), members in groups.items():
            counts += _send_group(run, channel, robot, members)
    else:
        from concurrent.futures import ThreadPoolExecutor

        # robots first in the pool's queue (they may wait on timeouts), then mail and notices
        order = sorted(groups, key=lambda g: (g[0] not in WEBHOOKS, g))
        with ThreadPoolExecutor(max_workers=policy.ROBOT_THREADS + 2, thread_name_prefix="reminders") as pool:
            for result in pool.map(lambda g: _send_group(run, g[0], g[1], groups[g]), order):
                counts += result
    counts["outside_window"] += held
    _summarise_given_up(run.given_up)
    return _counts(counts)


def _counts(c: Counter) -> dict:
    out = {"sent": 0, "failed": 0, "given_up": 0, "skipped": 0, "lost": 0, "deferred": 0, "held": 0, "outside_window": 0}
    out.update(c)
    return out


def retry_now(ids, now: dt.datetime | None = None) -> dict:
    """Staff's "立即重试": failed or given-up reminders get a fresh set of attempts and are sent now
    (to the unit's current address). A row being sent right now is left to its sender."""
    ids = list(ids)
    Reminder.objects.filter(pk__in=ids, state__in=(Reminder.State.FAILED, Reminder.State.GIVEN_UP)).update(
        state=Reminder.State.FAILED, attempts=0, next_attempt_at=None)
    return send_pending(now, ids=ids)


def run(now: dt.datetime | None = None) -> dict:
    """One full cycle (what the beat job and `manage.py remind` do): sweep, then send."""
    new = sweep(now)
    return {"queued": len(new), "new_ids": new, **send_pending(now)}

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
from collections import Counter

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tasks.models import Reminder, Task
from tasks.reminders import channels, policy
from tasks.selectors import reminders as sel
from tasks.selectors.lights import office_settings

log = logging.getLogger(__name__)

CLAIMABLE = (Reminder.State.PENDING, Reminder.State.FAILED)
COLUMNS = ("key", "kind", "channel", "period", "task_id", "unit_id", "person_id", "target", "subject", "body",
           "state", "attempts", "last_error", "next_attempt_at", "sent_at", "created_at")
INSERT_BATCH = 1000  # rows per INSERT (16 parameters each: within SQLite's and PostgreSQL's limits)


class ReminderError(Exception):
    """A reminder request that cannot be carried out (Chinese message)."""


# --- queueing -------------------------------------------------------------------------------

def _rows_for(recipient: policy.Recipient, *, kind: str, subject_ref: str, period: str, subject: str, body: str,
              task_id: int | None) -> list[dict]:
    return [
        {"key": policy.reminder_key(kind, subject_ref, recipient.ref, period, channel), "kind": kind, "channel": channel,
         "period": period, "task_id": task_id, "unit_id": recipient.unit_id, "person_id": recipient.person_id,
         "target": target, "subject": subject[:200], "body": body}
        for channel, target in recipient.routes
    ]


def _unit(r: dict) -> policy.Recipient:
    return policy.unit_recipient(r["unit_id"], r["unit_short"] or r["unit_name"], r["unit_email"], r["unit_webhook_kind"], r["unit_webhook_url"])


def _person(p: dict) -> policy.Recipient:
    return policy.person_recipient(p["id"] if "id" in p else p["person_id"], p["name"], p.get("email") or p.get("user_email") or "")


def insert_reminders(rows: list[dict]) -> list[int]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, in key order (no deadlocks between
    concurrent sweeps); returns the ids of the rows that are new. Works on PostgreSQL and SQLite."""
    if not rows:
        return []
    by_key = {}
    for r in rows:
        by_key.setdefault(r["key"], r)
    now = timezone.now()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    new_ids: list[int] = []
    ordered = [by_key[k] for k in sorted(by_key)]
    if connection.vendor == "postgresql":
        return _insert_postgresql(ordered, now)
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(ordered), INSERT_BATCH):
            chunk = ordered[i:i + INSERT_BATCH]
            params = []
            for r in chunk:
                params.extend([r["key"], r["kind"], r["channel"], r["period"], r.get("task_id"), r.get("unit_id"),
                               r.get("person_id"), r.get("target", ""), r["subject"], r["body"], Reminder.State.PENDING,
                               0, "", None, None, now])
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} "
                        f"ON CONFLICT ({connection.ops.quote_name('key')}) DO NOTHING RETURNING id", params)
            new_ids.extend(row[0] for row in cur.fetchall())
    return sorted(new_ids)


PG_BATCH = 10000
PG_ARRAYS = (("key", "varchar"), ("kind", "varchar"), ("channel", "varchar"), ("period", "varchar"), ("task_id", "bigint"),
             ("unit_id", "bigint"), ("person_id", "bigint"), ("target", "varchar"), ("subject", "varchar"), ("body", "text"))


def _insert_postgresql(ordered: list[dict], now: dt.datetime) -> list[int]:
    """PostgreSQL: the same INSERT … ON CONFLICT DO NOTHING RETURNING, fed by unnest() of one array
    per column — ten parameters per statement instead of sixteen per row (much less to parse)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for _, t in PG_ARRAYS)
    names = ", ".join(f"c{i}" for i in range(len(PG_ARRAYS)))
    sql = (f"INSERT INTO {table} ({cols}) SELECT {names}, %s, 0, '', NULL::timestamptz, NULL::timestamptz, %s "
           f"FROM unnest({arrays}) AS x({names}) ORDER BY c0 "
           f"ON CONFLICT ({connection.ops.quote_name('key')}) DO NOTHING RETURNING id")
    import psycopg

    new_ids: list[int] = []
    with transaction.atomic():
        connection.ensure_connection()
        # a server-side-binding cursor on Django's own connection (same transaction): the arrays
        # travel as parameters instead of being quoted into the SQL text by the client
        cur = psycopg.Cursor(connection.connection)
        for i in range(0, len(ordered), PG_BATCH):
            chunk = ordered[i:i + PG_BATCH]
            # placeholders in order: the state and created_at of the SELECT list, then the arrays
            params = [str(Reminder.State.PENDING), now,
                      *([r.get(c) if c.endswith("_id") else r.get(c, "") for r in chunk] for c, _ in PG_ARRAYS)]
            cur.execute(sql, params)
            new_ids.extend(row[0] for row in cur.fetchall())
        cur.close()
    return sorted(new_ids)


def calendar_candidates(on: dt.date) -> list[dict]:
    """A staff notice, once per year, for this or next year when chinesecalendar lacks it."""
    from tasks import workdays

    rows = []
    gaps = workdays.calendar_gaps([on.year, on.year + 1])
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


def _tasks_by_ids(ids):
    """Task rows by a (possibly long) id list: one array parameter on PostgreSQL; on SQLite in
    chunks below its parameter limit. Yields querysets to .update()."""
    ids = sorted(set(ids))
    if not ids:
        return
    if connection.vendor == "postgresql":
        yield Task.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return
    for i in range(0, len(ids), 10000):
        yield Task.objects.filter(pk__in=ids[i:i + 10000])


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
                          period=f"{r['deadline']:%Y-%m-%d}-d{r['days_before']}", subject=subject, body=body, task_id=r["task_id"])
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
                              subject=subject, body=body, task_id=t["id"])
    for r in (checkpoint if checkpoint is not None else sel.checkpoint_rows(on, cal, s)):
        cp = r["checkpoint"]
        subject, body = policy.checkpoint_text(code=r["code"], title=r["title"], checkpoint_name=cp.name, requires=cp.requires,
                                               due=r["due"], unit=r["unit_short"] or r["unit_name"], task_id=r["task_id"], site_url=site)
        rows += _rows_for(_unit(r), kind=policy.CHECKPOINT, subject_ref=f"t{r['task_id']}", period=cp.key,
                          subject=subject, body=body, task_id=r["task_id"])
    for r in sel.recurring_rows(on, cal):
        subject, body = policy.recurring_text(code=r["code"], title=r["title"], period=r["period"], due=r["due"],
                                              unit=r["unit_short"] or r["unit_name"], task_id=r["task_id"], site_url=site)
        rows += _rows_for(_unit(r), kind=policy.RECURRING, subject_ref=f"t{r['task_id']}", period=r["period"],
                          subject=subject, body=body, task_id=r["task_id"])
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
        new += insert_reminders(rows)
    return new


# --- sending --------------------------------------------------------------------------------

def _claim(reminder_id: int, now: dt.datetime) -> bool:
    """Compare-and-swap: take the row for one attempt (attempts+1, lease until now+CLAIM_LEASE)."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, state__in=CLAIMABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + policy.CLAIM_LEASE)
    )


class _LostClaim(Exception):
    pass


def _deliver(r: Reminder) -> None:
    if r.channel == Reminder.Channel.EMAIL:
        channels.send_email(to=r.target, subject=r.subject, body=r.body)
    elif r.channel in (Reminder.Channel.WECOM, Reminder.Channel.DINGTALK):
        channels.post_webhook(r.channel, r.target, r.subject, r.body, secret=(r.unit.webhook_secret if r.unit_id else ""))
    else:
        raise channels.ChannelError(f"未知渠道：{r.channel}")


def _mark_sent(r: Reminder) -> int:
    return Reminder.objects.filter(pk=r.pk, state__in=CLAIMABLE, attempts=r.attempts).update(
        state=Reminder.State.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)


def _recipient_name(r: Reminder) -> str:
    if r.unit_id:
        return str(r.unit)
    if r.person_id:
        return str(r.person)
    return r.target or "（未知）"


def _mark_failed(r: Reminder, now: dt.datetime, error: str) -> str:
    error = error[:2000]
    if r.attempts >= policy.MAX_ATTEMPTS:
        with transaction.atomic():
            done = Reminder.objects.filter(pk=r.pk, state__in=CLAIMABLE, attempts=r.attempts).update(
                state=Reminder.State.GIVEN_UP, last_error=error, next_attempt_at=None)
            if done:
                title, body = policy.given_up_text(kind=r.kind, channel=r.channel, recipient=_recipient_name(r),
                                                   subject=r.subject, attempts=r.attempts, error=error)
                staff = sel.staff_people()
                for p in staff:
                    channels.send_inbox(title=title, body=body, person_id=p["id"], task_id=r.task_id)
                if not staff:
                    log.error("提醒 %s 已放弃，但没有督查室工作人员可以通知：%s", r.pk, error)
        log.error("提醒 %s（%s/%s）第%s次发送失败，已放弃：%s", r.pk, r.kind, r.channel, r.attempts, error)
        return "given_up"
    Reminder.objects.filter(pk=r.pk, state__in=CLAIMABLE, attempts=r.attempts).update(
        state=Reminder.State.FAILED, last_error=error, next_attempt_at=now + policy.backoff(r.attempts))
    log.warning("提醒 %s（%s/%s）第%s次发送失败，将重试：%s", r.pk, r.kind, r.channel, r.attempts, error)
    return "failed"


def send_one(reminder_id: int, now: dt.datetime | None = None) -> str:
    """Claim and send one reminder: 'sent' | 'failed' | 'given_up' | 'skipped' (someone else has it)."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return "skipped"
    r = Reminder.objects.select_related("unit", "person").get(pk=reminder_id)
    try:
        if r.channel == Reminder.Channel.INBOX:
            with transaction.atomic():
                channels.send_inbox(title=r.subject, body=r.body, unit_id=r.unit_id, person_id=r.person_id, task_id=r.task_id)
                if not _mark_sent(r):
                    raise _LostClaim()
            return "sent"
        _deliver(r)
    except _LostClaim:
        return "skipped"
    except Exception as exc:  # noqa: BLE001 - one failed send never blocks the others
        msg = str(exc) if isinstance(exc, channels.ChannelError) else f"{type(exc).__name__}: {exc}"
        return _mark_failed(r, now, msg)
    _mark_sent(r)
    return "sent"


def send_pending(now: dt.datetime | None = None, *, ids=None, batch: int = 500) -> dict:
    """Send every claimable reminder (or only `ids`); returns counts by outcome.

    On a non-working day only the calendar warning goes out; the rest waits for the next working day.
    Group robots accept about 20 messages a minute (企业微信 and 钉钉 both); at most
    policy.WEBHOOK_PER_RUN go to one robot per run, the rest stay pending (untouched, no attempt
    spent) for the next run. `deferred` counts those.
    """
    now = now or timezone.now()
    cal = sel.WorkCalendar()
    qs = sel.reminders_due(now, working_day=cal.is_workday(timezone.localdate(now)))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    counts = Counter({"sent": 0, "failed": 0, "given_up": 0, "skipped": 0, "deferred": 0})
    per_robot: Counter = Counter()
    webhooks = (Reminder.Channel.WECOM, Reminder.Channel.DINGTALK)
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "channel", "target")[:batch])
        if not chunk:
            break
        for pk, channel, target in chunk:
            if channel in webhooks:
                if per_robot[target] >= policy.WEBHOOK_PER_RUN:
                    counts["deferred"] += 1
                    continue
                per_robot[target] += 1
            try:
                counts[send_one(pk, now)] += 1
            except Exception:  # noqa: BLE001 - a database hiccup on one row must not stop the rest
                log.exception("提醒 %s 处理出错", pk)
                counts["failed"] += 1
        last = chunk[-1][0]
    return dict(counts)


def retry_now(ids, now: dt.datetime | None = None) -> dict:
    """Staff's "立即重试": failed or given-up reminders get a fresh set of attempts and are sent now."""
    now = now or timezone.now()
    ids = list(ids)
    Reminder.objects.filter(pk__in=ids, state__in=(Reminder.State.FAILED, Reminder.State.GIVEN_UP)).update(
        state=Reminder.State.FAILED, attempts=0, next_attempt_at=None)
    return send_pending(now, ids=ids)


def run(now: dt.datetime | None = None) -> dict:
    """One full cycle (what the beat job and `manage.py remind` do): sweep, then send."""
    now = now or timezone.now()
    new = sweep(now)
    return {"queued": len(new), "new_ids": new, **send_pending(now)}

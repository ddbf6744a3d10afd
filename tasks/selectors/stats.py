"""Totals and per-unit statistics for the weekly 督查通报 and the leaders' dashboard.

Everything is aggregated in SQL over querysets annotated by `tasks.selectors.lights.with_light`
(the one light definition); Python only touches the aggregated rows (one per unit at most).

Conventions (documented in docs/reports.md):
- "as of" day `on` (default: today, Asia/Shanghai). Tasks assigned after `on` are left out.
  For today the current rows are used; for a past day each task's state (status, deadline,
  progress, closing, grade) is read from its history (django-simple-history's HistoricalTask):
  the last record made before the end of that day — see `task_states`.
- the report period is the 7 days ending on `on`: (on - 6 days) … on, both included.
- cancelled tasks (已撤销) are counted in `by_status` only, never in totals or rates.
- open tasks fall into exactly one of: 逾期 (light red), 滞后 (light yellow and lagging),
  临期 (light yellow, due within warning_days, not lagging), 正常 (light green),
  待定时限 (light no_deadline).
- the unit ranking (`unit_ranking`) counts only the tasks whose outcome belongs to the period
  (应考核事项: due in the period, closed in the period, or overdue), scores 主办 and 协办 units
  separately, with the weights of 督查室设置 (OfficeSettings).
"""
from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import (
    Avg, Case, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When,
)

from django.utils import timezone

from tasks.models import Assignment, ProgressReport, Task
from tasks.selectors.lights import LIGHT_LABELS, OPEN_STATUSES, light_q, office_settings, today, with_light

PERIOD_DAYS = 7

# points of a closing grade (办结评定) used in the unit ranking
GRADE_POINTS = {
    Task.Grade.EXCELLENT: 100,
    Task.Grade.GOOD: 85,
    Task.Grade.PASS: 70,
    Task.Grade.FAIL: 40,
}


class _ScoreRule:
    """The ranking rule as one sentence, with the office's current weights (str() reads the settings,
    so `stats.SCORE_RULE` in a template is always up to date)."""

    def __str__(self) -> str:
        return score_rule()

    def __add__(self, other):
        return str(self) + other

    def __radd__(self, other):
        return other + str(self)


SCORE_RULE = _ScoreRule()


def report_period(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the report period ending on `on` (7 days, both included)."""
    on = on or today()
    return on - dt.timedelta(days=PERIOD_DAYS - 1), on


def iso_week_label(on: dt.date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}年第{week}周"


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, Asia/Shanghai: `x__gte=day_start(a), x__lt=day_start(b + 1)`
    selects local days a…b on an index, where `x__date` runs a time-zone conversion on every row."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def in_days(field: str, first: dt.date | None, last: dt.date) -> Q:
    q = Q(**{f"{field}__lt": day_start(last + dt.timedelta(days=1))})
    return q & Q(**{f"{field}__gte": day_start(first)}) if first else q


def history_model():
    """HistoricalTask, with a join back to the task (`task_ref`, no column: history.id = task.id), so
    a past state can be grouped by the task's assignments in SQL like the current rows are."""
    h = Task.history.model
    if "task_ref" not in {f.name for f in h._meta.private_fields}:
        models.ForeignObject(Task, on_delete=models.DO_NOTHING, from_fields=["id"], to_fields=["id"],
                             related_name="+").contribute_to_class(h, "task_ref", private_only=True)
    return h


def is_past(on: dt.date) -> bool:
    return on < today()


def task_states(on: dt.date | None = None) -> QuerySet:
    """Every task as it stood at the end of `on` (same field names as Task, `id` = the task's id).

    Today or later: the Task table itself. A past day: HistoricalTask rows — for each task its last
    history record made before the end of that day; a task whose first record is later (rows
    created with a back-dated assigned_at, e.g. imported) is taken in its first recorded state if
    it still exists; a task deleted before that day is left out. Relations to the task's assignments go through
    `rel(qs)` ("" or "task_ref__")."""
    on = on or today()
    if not is_past(on):
        return Task.objects.all()
    h = history_model()
    cutoff = day_start(on + dt.timedelta(days=1))
    before = h.objects.filter(history_date__lt=cutoff)
    last = before.order_by().values("id").annotate(m=Max("history_id")).values("m")
    first = (h.objects.exclude(id__in=before.values("id")).filter(id__in=Task.objects.values("id"))
             .order_by().values("id").annotate(m=Min("history_id")).values("m"))
    return h.objects.filter(Q(history_id__in=Subquery(last)) | Q(history_id__in=Subquery(first))).exclude(history_type="-")


def rel(qs) -> str:
    """Prefix that reaches Task relations (assignments, leaders…) from `qs` (see task_states)."""
    return "" if qs.model is Task else "task_ref__"


def cutoff_of(on: dt.date) -> dt.datetime:
    """The end of day `on` (exclusive), Asia/Shanghai."""
    return day_start(on + dt.timedelta(days=1))


def base_tasks(on: dt.date | None = None) -> QuerySet[Task]:
    """Tasks that exist on `on` (assigned on or before it) in their state of that day, annotated
    with lights as of `on`."""
    on = on or today()
    return with_light(task_states(on).filter(in_days("assigned_at", None, on)), on)


def _grade_points():
    return Case(
        *[When(grade=g, then=Value(p)) for g, p in GRADE_POINTS.items()],
        default=Value(None),
        output_field=IntegerField(),
    )


def _count(q: Q) -> Count:
    return Count("id", filter=q)


OPEN_Q = Q(status__in=OPEN_STATUSES)
CLOSED_Q = Q(status=Task.Status.CLOSED)
ALIVE_Q = ~Q(status=Task.Status.CANCELLED)


def _light_aggregates(on: dt.date, prefix_id: str = "id") -> dict:
    """Conditional counts per light, on the lights' own conditions (tasks.selectors.lights.light_q):
    filtering on `light` would repeat the whole CASE expression in every count."""
    c = lambda q: Count(prefix_id, filter=q)  # noqa: E731
    s = office_settings()
    lq = lambda *names: light_q(names, on, s)  # noqa: E731
    return {
        "total": c(ALIVE_Q),
        "open": c(OPEN_Q),
        "closed": c(CLOSED_Q),
        "closed_on_time": c(lq("done_on_time")),
        "closed_late": c(lq("done_late")),
        "overdue": c(lq("red")),
        "lagging_n": c(lq("yellow") & Q(lagging=True)),
        "due_soon": c(lq("yellow") & Q(lagging=False)),
        "on_track": c(lq("green")),
        "no_deadline": c(lq("no_deadline")),
        "cancelled": c(Q(status=Task.Status.CANCELLED)),
    }


def _rate(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def totals(on: dt.date | None = None) -> dict:
    """Counts by status and light, rates, and this period's new/closed tasks, as of `on`.

    Keys: as_of, period_start, period_end, total, open, closed, closed_on_time, closed_late,
    overdue, lagging, due_soon, on_track, no_deadline, cancelled, new_in_period,
    closed_in_period, flagged, completion_rate, on_time_rate (percent or None),
    by_status {code: n}, by_status_label {中文: n}, by_light {code: n}, by_light_label {中文: n}.
    """
    on = on or today()
    start, end = report_period(on)
    qs = base_tasks(on)
    agg = qs.aggregate(
        **_light_aggregates(on),
        new_in_period=Count("id", filter=in_days("assigned_at", start, end) & ALIVE_Q),
        closed_in_period=Count("id", filter=CLOSED_Q & in_days("closed_at", start, end)),
        flagged_n=Count("id", filter=OPEN_Q & Q(flagged=True)),
    )
    # aggregate aliases must not shadow the `lagging`/`flagged` columns and annotations
    agg["lagging"] = agg.pop("lagging_n")
    agg["flagged"] = agg.pop("flagged_n")
    by_status = {s: 0 for s in Task.Status.values}
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        by_status[row["status"]] = row["n"]
    by_light = {"green": agg["on_track"], "yellow": agg["due_soon"] + agg["lagging"], "red": agg["overdue"],
                "no_deadline": agg["no_deadline"], "done_on_time": agg["closed_on_time"],
                "done_late": agg["closed_late"], "cancelled": agg["cancelled"]}
    labels = dict(Task.Status.choices)
    decided = agg["closed"] + agg["overdue"]  # outcome known against the deadline
    return {
        "as_of": on,
        "period_start": start,
        "period_end": end,
        **agg,
        "completion_rate": _rate(agg["closed"], agg["total"]),
        "on_time_rate": _rate(agg["closed_on_time"], decided),
        "by_status": by_status,
        "by_status_label": {labels[k]: v for k, v in by_status.items()},
        "by_light": by_light,
        "by_light_label": {LIGHT_LABELS[k]: v for k, v in by_light.items()},
    }


def summary_paragraph(t: dict, prev: dict | None = None) -> str:
    """The ready-to-paste paragraph of the 督查通报 from `totals()`; with `prev` (the totals of a week
    earlier) it adds the week-on-week change."""
    on = t["as_of"]
    rate = "—" if t["on_time_rate"] is None else f"{t['on_time_rate']:.1f}%"
    text = (
        f"截至{on.month}月{on.day}日，共督办事项{t['total']}项，已办结{t['closed']}项，"
        f"其中按时办结{t['closed_on_time']}项、逾期办结{t['closed_late']}项；"
        f"在办{t['open']}项，其中正常推进{t['on_track']}项，临期{t['due_soon']}项，"
        f"滞后{t['lagging']}项，逾期未办结{t['overdue']}项，待明确时限{t['no_deadline']}项。"
        f"按时办结率{rate}。本周（{t['period_start'].month}月{t['period_start'].day}日至"
        f"{t['period_end'].month}月{t['period_end'].day}日）新交办{t['new_in_period']}项，"
        f"办结销号{t['closed_in_period']}项。"
    )
    if prev is not None:
        text += week_change_sentence(t, prev)
    return text


def _delta(now, before, unit="项") -> str:
    d = now - before
    if isinstance(d, float):
        d = round(d, 1)
    if d == 0:
        return "持平"
    return f"{'增加' if d > 0 else '减少'}{abs(d)}{unit}"


def week_change_sentence(t: dict, prev: dict) -> str:
    """与上周相比: totals, closed, overdue and the on-time rate against `prev` (totals a week earlier)."""
    parts = [f"督办事项{_delta(t['total'], prev['total'])}", f"已办结{_delta(t['closed'], prev['closed'])}",
             f"逾期未办结{_delta(t['overdue'], prev['overdue'])}"]
    if t["on_time_rate"] is not None and prev["on_time_rate"] is not None:
        d = round(t["on_time_rate"] - prev["on_time_rate"], 1)
        parts.append("按时办结率持平" if d == 0 else f"按时办结率{'提高' if d > 0 else '下降'}{abs(d)}个百分点")
    return "与上周相比，" + "，".join(parts) + "。"


def score_weights(settings=None, role: str = Assignment.Role.LEAD) -> dict[str, int]:
    """The weights (percent points) of the ranking parts, from 督查室设置."""
    s = settings or office_settings()
    if role == Assignment.Role.CO:
        return {"ack_rate": s.rank_co_weight_ack, "progress_rate": s.rank_co_weight_progress}
    return {"on_time_rate": s.rank_weight_on_time, "grade_avg": s.rank_weight_grade,
            "progress_rate": s.rank_weight_progress, "ack_rate": s.rank_weight_ack}


PART_LABELS = {"on_time_rate": "按时办结率", "grade_avg": "办结评定平均分", "progress_rate": "进展报送率", "ack_rate": "签收率"}


def score_rule(settings=None) -> str:
    """The ranking rule in one paragraph (the 说明 sheet, the dashboard, the 通报 document)."""
    s = settings or office_settings()

    def formula(role):
        w = score_weights(s, role)
        total = sum(w.values()) or 1
        return " + ".join(f"{PART_LABELS[k]}×{round(100 * v / total)}%" for k, v in w.items() if v)
    return (
        f"只计本期应考核事项（本期到期、本期办结或已逾期未办结的事项；未到期的在办事项不计）。"
        f"主办（牵头）单位得分 = {formula(Assignment.Role.LEAD) or '（未设置权重）'}；"
        f"协办（配合）单位另行排名，得分 = {formula(Assignment.Role.CO) or '（未设置权重）'}。"
        "按时办结率 = 按时办结 ÷（按时办结 + 逾期办结 + 逾期未办结）；进展报送率 = 本期报送过进展的在办应考核事项 ÷ 在办应考核事项；"
        "签收率 = 截至统计日已签收的应考核事项 ÷ 应考核事项；评定分：优秀100、良好85、合格70、不合格40。某项无数据时按其余各项权重折算。"
        f"应考核事项少于{max(1, s.rank_min_tasks)}项的单位不参与排名。"
        "得分相同时逾期未办结事项少者在前；仍相同者并列同一名次（并列单位按单位名录顺序列出）。"
    )


def counted_q(on: dt.date) -> Q:
    """应考核事项 of the period ending on `on`: due in the period, closed in the period, or open past
    its deadline (never cancelled, never without a deadline)."""
    start, end = report_period(on)
    return ALIVE_Q & Q(deadline__isnull=False) & (
        Q(deadline__gte=start, deadline__lte=end) | (OPEN_Q & Q(deadline__lt=on)) | (CLOSED_Q & in_days("closed_at", start, end))
    )


def unit_ranking(on: dt.date | None = None, role: str = Assignment.Role.LEAD) -> list[dict]:
    """The ranking of 主办 (role "lead", default) or 协办 ("co") units, as of `on` (see score_rule).

    One SQL aggregate grouped by unit plus one for the progress reports of the period. Every unit
    with a task in that role is listed; ranked units first (rank 1, 2, 2, 4…), then the units that
    do not take part (`eligible` False, rank None) in directory order.
    Each row: unit_id, unit, unit_short, sort_order, role, tasks, open, closed, completion_rate,
    overdue, lagging, on_track, counted, on_time, late, pending, acked, unacked, reported, counted_open,
    on_time_rate, progress_rate, ack_rate, grade_avg, graded, score, eligible, rank, tie, best,
    worst, note.
    """
    on = on or today()
    settings = office_settings()
    start, end = report_period(on)
    cutoff = cutoff_of(on)
    lq = lambda *names: light_q(names, on, settings)  # noqa: E731
    base = base_tasks(on)
    a = rel(base) + "assignments__"
    counted = counted_q(on)
    acked = Q(**{f"{a}acknowledged_at__lt": cutoff})
    not_acked = Q(**{f"{a}acknowledged_at__isnull": True}) | Q(**{f"{a}acknowledged_at__gte": cutoff})
    qs = (
        base.filter(**{f"{a}role": role}, **{f"{a}unit__kind__in": _unit_kinds()})
        .exclude(status=Task.Status.CANCELLED)
        .annotate(grade_points=_grade_points())
        .order_by()
        .values(unit_id=F(f"{a}unit_id"), unit_name=F(f"{a}unit__name"),
                unit_short=F(f"{a}unit__short_name"), unit_order=F(f"{a}unit__sort_order"))
        .annotate(
            tasks=Count("id"),
            open=_count(OPEN_Q),
            closed=_count(CLOSED_Q),
            overdue=_count(lq("red")),
            on_track=_count(lq("green")),
            lagging_n=_count(lq("yellow") & Q(lagging=True)),
            counted=_count(counted),
            counted_open=_count(counted & OPEN_Q),
            on_time=_count(counted & lq("done_on_time")),
            late=_count(counted & lq("done_late")),
            pending=_count(counted & OPEN_Q & Q(deadline__gte=on)),
            acked=_count(counted & acked),
            unacked=_count(OPEN_Q & not_acked),  # positive form: a negated multi-valued Q would become a subquery
            graded=_count(counted & CLOSED_Q & ~Q(grade="")),
            grade_avg=Avg("grade_points", filter=counted & CLOSED_Q),
        )
    )
    reported = _reported_by_unit(base, on, role)
    min_tasks = max(1, settings.rank_min_tasks)
    weights = score_weights(settings, role)
    rows = []
    for r in qs:
        decided = r["on_time"] + r["late"] + r["overdue"]
        row = {
            "unit_id": r["unit_id"], "unit": r["unit_name"], "unit_short": r["unit_short"] or "",
            "sort_order": r["unit_order"], "role": role,
            "tasks": r["tasks"], "open": r["open"], "closed": r["closed"],
            "completion_rate": _rate(r["closed"], r["tasks"]),
            "overdue": r["overdue"], "lagging": r["lagging_n"], "on_track": r["on_track"],
            "counted": r["counted"], "counted_open": r["counted_open"], "on_time": r["on_time"], "late": r["late"],
            "pending": r["pending"], "acked": r["acked"], "unacked": r["unacked"],
            "reported": reported.get(r["unit_id"], 0), "graded": r["graded"],
            "on_time_rate": _rate(r["on_time"], decided),
            "grade_avg": round(float(r["grade_avg"]), 1) if r["grade_avg"] is not None else None,
        }
        row["progress_rate"] = _rate(row["reported"], r["counted_open"])
        row["ack_rate"] = _rate(r["acked"], r["counted"])
        if role == Assignment.Role.CO:  # a co unit neither closes nor is graded
            row["on_time_rate"] = row["grade_avg"] = None
        row["eligible"] = r["counted"] >= min_tasks
        row["score"] = _score(row, weights) if row["eligible"] else None
        if row["eligible"] and row["score"] is None:
            row["eligible"] = False
        rows.append(row)
    _rank(rows, min_tasks)
    return rows


def _unit_kinds():
    from accounts.models import UnitKind

    return [k for k in UnitKind.values if k != UnitKind.GROUP]


def _reported_by_unit(base, on: dt.date, role: str) -> dict[int, int]:
    """{unit id: how many of its open 应考核事项 (open, due by the end of the period) it reported
    progress on during the period}, for units in `role`. Today: a join on the tasks' own columns;
    a past day: the tasks' states of that day (`base`, from history) as a subquery."""
    start, end = report_period(on)
    qs = ProgressReport.objects.filter(in_days("created_at", start, end), task__assignments__unit_id=F("unit_id"),
                                       task__assignments__role=role)
    if base.model is Task:
        qs = qs.filter(task__status__in=OPEN_STATUSES, task__deadline__lte=end,
                       task__assigned_at__lt=cutoff_of(on))
    else:
        qs = qs.filter(task_id__in=Subquery(base.filter(counted_q(on) & OPEN_Q).order_by().values("id")))
    return {r["unit_id"]: r["n"] for r in qs.order_by().values("unit_id").annotate(n=Count("task_id", distinct=True))}


def _rank(rows: list[dict], min_tasks: int) -> None:
    """Sort, rank with honest ties (same score and same overdue count share a rank: 1, 2, 2, 4) and
    mark the first and last ranks; units that do not take part come last with a note."""
    rows.sort(key=lambda x: (not x["eligible"], -(x["score"] or 0) if x["eligible"] else 0,
                             x["overdue"] if x["eligible"] else 0, x["sort_order"], x["unit_id"]))
    rank, prev = 0, None
    ranked = [r for r in rows if r["eligible"]]
    for i, row in enumerate(ranked, start=1):
        key = (row["score"], row["overdue"])
        rank = rank if key == prev else i
        prev = key
        row["rank"] = rank
    counts: dict[int, int] = {}
    for row in ranked:
        counts[row["rank"]] = counts.get(row["rank"], 0) + 1
    for row in rows:
        row["best"] = row["worst"] = False
        if not row["eligible"]:
            row["rank"] = None
            row["tie"] = False
            row["note"] = ("不参与排名（本期无应考核事项）" if row["counted"] == 0
                           else f"不参与排名（应考核事项{row['counted']}项，少于{min_tasks}项）")
            continue
        row["tie"] = counts[row["rank"]] > 1
        row["note"] = "并列" if row["tie"] else ""
    # "first" and "last" only when the scores differ: a tie-break on overdue tasks orders equal
    # scores but does not make one of them the best or the worst
    if len(ranked) >= 2 and ranked[0]["score"] != ranked[-1]["score"]:
        for r in ranked:
            r["best"] = r["score"] == ranked[0]["score"] and r["overdue"] == ranked[0]["overdue"]
            r["worst"] = r["score"] == ranked[-1]["score"] and r["overdue"] == ranked[-1]["overdue"]
            label = "排名第一" if r["best"] else "排名末位" if r["worst"] else ""
            r["note"] = "，".join(x for x in (label, "并列" if r["tie"] else "") if x)


def _score(row: dict, weights: dict[str, int]) -> float | None:
    parts = {k: row[k] for k, w in weights.items() if w and row.get(k) is not None}
    weight = sum(weights[k] for k in parts)
    if not weight:
        return None
    return round(sum(weights[k] * v for k, v in parts.items()) / weight, 1)


def latest_progress_text(on: dt.date | None = None):
    """Subquery: the text of a task's latest progress report (as of the end of `on` when given; fine
    for a page of tasks; for thousands of rows prefer latest_progress_for, see there)."""
    qs = ProgressReport.objects.filter(task=OuterRef("id"))
    if on is not None:
        qs = qs.filter(created_at__lt=cutoff_of(on))
    return Subquery(qs.order_by("-created_at", "-id").values("text")[:1])


def overdue_tasks(on: dt.date | None = None) -> QuerySet[Task]:
    """Open tasks past their deadline as of `on`, longest overdue first (light red)."""
    on = on or today()
    return (
        base_tasks(on)
        .filter(light_q("red", on))
        .select_related("meeting")
        .annotate(latest_progress=latest_progress_text(on))
        .order_by("-days_overdue", "deadline", "id")
    )


def detail_tasks(on: dt.date | None = None) -> QuerySet[Task]:
    """事项明细: every open task and every task closed in the period, by deadline.

    No latest-progress annotation: for thousands of rows use `latest_progress_for(ids)` per chunk."""
    on = on or today()
    start, end = report_period(on)
    return (
        base_tasks(on)
        .filter(OPEN_Q | (CLOSED_Q & in_days("closed_at", start, end)))
        .select_related("meeting")
        .order_by(F("deadline").asc(nulls_last=True), "id")
    )


def latest_progress_for(task_ids, on: dt.date | None = None) -> dict[int, str]:
    """{task id: text of its last submitted progress report} for a chunk of tasks, in one query.

    A GROUP BY over the chunk's reports instead of a correlated subquery per task, whose plan
    PostgreSQL can get badly wrong right after bulk inserts (a backward scan of the whole
    progress table per task: 9 s for 10,000 tasks before ANALYZE, measured)."""
    qs = ProgressReport.objects.filter(task_id__in=list(task_ids))
    if on is not None:
        qs = qs.filter(created_at__lt=cutoff_of(on))
    last = qs.values("task_id").annotate(m=Max("id")).values("m")
    return dict(ProgressReport.objects.filter(id__in=Subquery(last)).values_list("task_id", "text"))


def week_progress(on: dt.date | None = None) -> QuerySet[ProgressReport]:
    """Progress reports submitted in the report period ending on `on`, newest first."""
    start, end = report_period(on)
    return (
        ProgressReport.objects.filter(in_days("created_at", start, end))
        .select_related("task", "unit", "author")
        .order_by("-created_at", "-id")
    )


# --- the 通报 document: named units and leaders --------------------------------------------------

NAMED_TASKS = 5  # task titles named per unit and problem in the 通报 (the rest as "等N项")


def _unit_names() -> dict[int, tuple[str, int]]:
    from accounts.models import Unit

    return {u["id"]: (u["short_name"] or u["name"], u["sort_order"])
            for u in Unit.objects.values("id", "name", "short_name", "sort_order")}


def closed_on_time_by_unit(on: dt.date | None = None) -> list[dict]:
    """好的方面: lead units that closed tasks on time in the period, most first.
    Each: unit_id, unit, n, titles (the first NAMED_TASKS)."""
    on = on or today()
    start, end = report_period(on)
    base = base_tasks(on)
    a = rel(base) + "assignments__"
    qs = (base.filter(light_q("done_on_time", on), in_days("closed_at", start, end), **{f"{a}role": Assignment.Role.LEAD})
          .order_by("closed_at", "id").values_list(f"{a}unit_id", "title"))
    out: dict[int, dict] = {}
    names = _unit_names()
    for unit_id, title in qs.iterator(chunk_size=1000):
        row = out.setdefault(unit_id, {"unit_id": unit_id, "unit": names[unit_id][0], "n": 0, "titles": []})
        row["n"] += 1
        if len(row["titles"]) < NAMED_TASKS:
            row["titles"].append(title)
    return sorted(out.values(), key=lambda r: (-r["n"], names[r["unit_id"]][1], r["unit_id"]))


def unit_problems(on: dt.date | None = None) -> list[dict]:
    """存在问题, grouped by unit (directory order): as of `on`,
    - overdue: open lead tasks past their deadline (count, first titles with days overdue);
    - unacked: open tasks assigned to the unit (主办 or 协办) at least one day before the end of `on`
      and not signed by then;
    - no_progress: open lead tasks assigned before the period that got no progress report from the
      unit during the period.
    Each row: unit_id, unit, overdue, overdue_titles [(title, days overdue)], unacked, unacked_titles,
    no_progress, no_progress_titles.
    Streams the tasks concerned; keeps only counts and a few titles per unit."""
    on = on or today()
    start, end = report_period(on)
    cutoff = cutoff_of(on)
    base = base_tasks(on)
    a = rel(base) + "assignments__"
    names = _unit_names()
    out: dict[int, dict] = {}

    def bucket(unit_id):
        return out.setdefault(unit_id, {"unit_id": unit_id, "unit": names[unit_id][0], "overdue": 0, "overdue_titles": [],
                                        "unacked": 0, "unacked_titles": [], "no_progress": 0, "no_progress_titles": []})

    def add(unit_id, key, text):
        b = bucket(unit_id)
        b[key] += 1
        if len(b[f"{key}_titles"]) < NAMED_TASKS:
            b[f"{key}_titles"].append(text)

    overdue = (base.filter(light_q("red", on), **{f"{a}role": Assignment.Role.LEAD}).order_by("-days_overdue", "id")
               .values_list(f"{a}unit_id", "title", "days_overdue"))
    for unit_id, title, days in overdue.iterator(chunk_size=1000):
        add(unit_id, "overdue", (title, days))
    not_acked = Q(**{f"{a}acknowledged_at__isnull": True}) | Q(**{f"{a}acknowledged_at__gte": cutoff})
    unacked = (base.filter(OPEN_Q, not_acked, assigned_at__lt=cutoff - dt.timedelta(days=1))  # one filter(): one join
               .order_by("assigned_at", "id").values_list(f"{a}unit_id", "title"))
    for unit_id, title in unacked.iterator(chunk_size=1000):
        add(unit_id, "unacked", title)
    reported = ProgressReport.objects.filter(in_days("created_at", start, end), task_id=OuterRef("id"),
                                             unit_id=OuterRef(f"{a}unit_id"))
    silent = (base.filter(OPEN_Q, in_days("assigned_at", None, start - dt.timedelta(days=1)),
                          **{f"{a}role": Assignment.Role.LEAD})
              .annotate(reported=Exists(reported)).filter(reported=False)
              .order_by("deadline", "id").values_list(f"{a}unit_id", "title"))
    for unit_id, title in silent.iterator(chunk_size=1000):
        add(unit_id, "no_progress", title)
    return sorted(out.values(), key=lambda r: (names[r["unit_id"]][1], r["unit_id"]))


def leader_summaries(on: dt.date | None = None) -> list[dict]:
    """Per 分管领导 (a person linked as a task's leader): their tasks' figures as of `on` and the
    overdue ones (first 10, longest overdue first). Each: person_id, name, title, total, open, closed,
    closed_on_time, overdue, lagging, due_soon, no_deadline, on_time_rate, overdue_tasks [(title, lead units, days)].
    One aggregate grouped by leader, then one small query per leader (leaders are a handful)."""
    on = on or today()
    settings = office_settings()
    base = base_tasks(on)
    r_ = rel(base)
    lq = lambda *names: light_q(names, on, settings)  # noqa: E731
    qs = (base.filter(**{f"{r_}leaders__isnull": False}).exclude(status=Task.Status.CANCELLED).order_by()
          .values(person_id=F(f"{r_}leaders__id"), leader_name=F(f"{r_}leaders__name"),
                  leader_title=F(f"{r_}leaders__title"))
          .annotate(total=Count("id"), open=_count(OPEN_Q), closed=_count(CLOSED_Q),
                    closed_on_time=_count(lq("done_on_time")), overdue=_count(lq("red")),
                    lagging_n=_count(lq("yellow") & Q(lagging=True)), due_soon=_count(lq("yellow") & Q(lagging=False)),
                    no_deadline=_count(lq("no_deadline"))))
    rows = []
    for r in qs:
        r["name"], r["title"] = r.pop("leader_name"), r.pop("leader_title") or ""
        r["lagging"] = r.pop("lagging_n")  # an aggregate alias must not shadow the `lagging` annotation
        r["on_time_rate"] = _rate(r["closed_on_time"], r["closed"] + r["overdue"])
        over = (base.filter(lq("red"), **{f"{r_}leaders__id": r["person_id"]}).order_by("-days_overdue", "id")
                .values_list("id", "title", "days_overdue")[:10])
        over = list(over)
        leads: dict[int, list[str]] = {}
        for a in (Assignment.objects.filter(task_id__in=[o[0] for o in over], role=Assignment.Role.LEAD)
                  .order_by("unit__sort_order").values("task_id", "unit__name", "unit__short_name")):
            leads.setdefault(a["task_id"], []).append(a["unit__short_name"] or a["unit__name"])
        r["overdue_tasks"] = [(t, "、".join(leads.get(i, [])), d) for i, t, d in over]
        rows.append(r)
    return sorted(rows, key=lambda x: (-x["overdue"], x["person_id"]))

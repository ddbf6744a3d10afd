"""Totals and per-unit statistics for the weekly 督查通报 and the leaders' dashboard.

Everything is aggregated in SQL over querysets annotated by `tasks.selectors.lights.with_light`
(the one light definition); Python only touches the aggregated rows (one per unit at most).

Conventions (documented in docs/reports.md):
- "as of" day `on` (default: today, Asia/Shanghai). Tasks assigned after `on` are left out;
  statuses are the current ones.
- the report period is the 7 days ending on `on`: (on - 6 days) … on, both included.
- cancelled tasks (已撤销) are counted in `by_status` only, never in totals or rates.
- open tasks fall into exactly one of: 逾期 (light red), 滞后 (light yellow and lagging),
  临期 (light yellow, due within warning_days, not lagging), 正常 (light green),
  待定时限 (light no_deadline).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg, Case, Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When,
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
# weights of the composite score (综合得分) of a unit
SCORE_WEIGHTS = {"on_time_rate": 0.5, "grade_score": 0.3, "on_track_rate": 0.2}
SCORE_RULE = (
    "综合得分 = 按时办结率×50% + 办结评定平均分×30% + 在办事项正常推进率×20%"
    "（评定分：优秀100、良好85、合格70、不合格40；某项无数据时按其余各项权重折算）"
)


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


def base_tasks(on: dt.date | None = None) -> QuerySet[Task]:
    """Tasks that exist on `on` (assigned on or before it), annotated with lights as of `on`."""
    on = on or today()
    return with_light(Task.objects.filter(in_days("assigned_at", None, on)), on)


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


def summary_paragraph(t: dict) -> str:
    """The ready-to-paste paragraph of the 督查通报 from `totals()`."""
    on = t["as_of"]
    rate = "—" if t["on_time_rate"] is None else f"{t['on_time_rate']:.1f}%"
    return (
        f"截至{on.month}月{on.day}日，共督办事项{t['total']}项，已办结{t['closed']}项，"
        f"其中按时办结{t['closed_on_time']}项、逾期办结{t['closed_late']}项；"
        f"在办{t['open']}项，其中正常推进{t['on_track']}项，临期{t['due_soon']}项，"
        f"滞后{t['lagging']}项，逾期未办结{t['overdue']}项，待明确时限{t['no_deadline']}项。"
        f"按时办结率{rate}。本周（{t['period_start'].month}月{t['period_start'].day}日至"
        f"{t['period_end'].month}月{t['period_end'].day}日）新交办{t['new_in_period']}项，"
        f"办结销号{t['closed_in_period']}项。"
    )


def unit_ranking(on: dt.date | None = None) -> list[dict]:
    """Per lead unit (主办/牵头 assignments only): counts, rates, average grade, score and rank.

    One SQL aggregate grouped by unit. Rows are sorted by rank; units without any measurable
    figure (no closed, overdue, graded or open task) get score/rank None and come last.
    Each row: unit_id, unit, tasks, open, closed, on_time, late, overdue, lagging, on_track,
    completion_rate, on_time_rate, on_track_rate, grade_avg, graded, score, rank, best, worst.
    """
    on = on or today()
    settings = office_settings()
    lq = lambda *names: light_q(names, on, settings)  # noqa: E731
    qs = (
        base_tasks(on)
        .filter(assignments__role=Assignment.Role.LEAD)
        .exclude(status=Task.Status.CANCELLED)
        .annotate(grade_points=_grade_points())
        .order_by()
        .values(unit_id=F("assignments__unit_id"), unit_name=F("assignments__unit__name"),
                unit_short=F("assignments__unit__short_name"), unit_order=F("assignments__unit__sort_order"))
        .annotate(
            tasks=Count("id"),
            open=_count(OPEN_Q),
            closed=_count(CLOSED_Q),
            on_time=_count(lq("done_on_time")),
            late=_count(lq("done_late")),
            overdue=_count(lq("red")),
            lagging_n=_count(lq("yellow") & Q(lagging=True)),
            on_track=_count(lq("green", "no_deadline") | (lq("yellow") & Q(lagging=False))),
            graded=_count(CLOSED_Q & ~Q(grade="")),
            grade_avg=Avg("grade_points", filter=CLOSED_Q),
        )
    )
    rows = []
    for r in qs:
        decided = r["closed"] + r["overdue"]
        row = {
            "unit_id": r["unit_id"],
            "unit": r["unit_name"],
            "unit_short": r["unit_short"] or "",
            "sort_order": r["unit_order"],
            "tasks": r["tasks"],
            "open": r["open"],
            "closed": r["closed"],
            "on_time": r["on_time"],
            "late": r["late"],
            "overdue": r["overdue"],
            "lagging": r["lagging_n"],
            "on_track": r["on_track"],
            "graded": r["graded"],
            "completion_rate": _rate(r["closed"], r["tasks"]),
            "on_time_rate": _rate(r["on_time"], decided),
            "on_track_rate": _rate(r["on_track"], r["open"]),
            "grade_avg": round(float(r["grade_avg"]), 1) if r["grade_avg"] is not None else None,
        }
        row["score"] = _score(row)
        rows.append(row)
    rows.sort(key=lambda x: (x["score"] is None, -(x["score"] or 0), x["overdue"], -x["tasks"], x["sort_order"], x["unit_id"]))
    rank = 0
    prev = None
    for i, row in enumerate(rows, start=1):
        if row["score"] is None:
            row["rank"] = None
        else:
            key = (row["score"], row["overdue"])
            rank = rank if key == prev else i  # ties share a rank (1, 2, 2, 4)
            prev = key
            row["rank"] = rank
        row["best"] = row["worst"] = False
    ranked = [r for r in rows if r["rank"] is not None]
    if len(ranked) >= 2 and ranked[0]["rank"] != ranked[-1]["rank"]:
        for r in ranked:
            r["best"] = r["rank"] == ranked[0]["rank"]
            r["worst"] = r["rank"] == ranked[-1]["rank"]
    return rows


def _score(row: dict) -> float | None:
    parts = {"on_time_rate": row["on_time_rate"], "grade_score": row["grade_avg"], "on_track_rate": row["on_track_rate"]}
    weight = sum(SCORE_WEIGHTS[k] for k, v in parts.items() if v is not None)
    if not weight:
        return None
    return round(sum(SCORE_WEIGHTS[k] * v for k, v in parts.items() if v is not None) / weight, 1)


def latest_progress_text():
    """Subquery: the text of a task's latest progress report (fine for a page of tasks; for
    thousands of rows prefer latest_progress_for, see there)."""
    return Subquery(
        ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-created_at", "-id").values("text")[:1]
    )


def overdue_tasks(on: dt.date | None = None) -> QuerySet[Task]:
    """Open tasks past their deadline as of `on`, longest overdue first (light red)."""
    on = on or today()
    return (
        base_tasks(on)
        .filter(light_q("red", on))
        .select_related("meeting")
        .annotate(latest_progress=latest_progress_text())
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


def latest_progress_for(task_ids) -> dict[int, str]:
    """{task id: text of its last submitted progress report} for a chunk of tasks, in one query.

    A GROUP BY over the chunk's reports instead of a correlated subquery per task, whose plan
    PostgreSQL can get badly wrong right after bulk inserts (a backward scan of the whole
    progress table per task: 9 s for 10,000 tasks before ANALYZE, measured)."""
    last = ProgressReport.objects.filter(task_id__in=list(task_ids)).values("task_id").annotate(m=Max("id")).values("m")
    return dict(ProgressReport.objects.filter(id__in=Subquery(last)).values_list("task_id", "text"))


def week_progress(on: dt.date | None = None) -> QuerySet[ProgressReport]:
    """Progress reports submitted in the report period ending on `on`, newest first."""
    start, end = report_period(on)
    return (
        ProgressReport.objects.filter(in_days("created_at", start, end))
        .select_related("task", "unit", "author")
        .order_by("-created_at", "-id")
    )

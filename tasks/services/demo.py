"""Demo data: realistic units, people and tasks, fast (bulk inserts), for trials and benchmarks."""
from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Person, Unit, UnitKind
from tasks.models import Assignment, DeadlineKind, Meeting, ProgressReport, Task

TOPICS = [
    "完成固定资产投资任务", "推进重点项目开工", "抓好控辍保学自查清理", "完成危房改造整改", "清理拖欠民营企业账款",
    "做好统计入库工作", "推进招商引资项目落地", "完成景区创建申报", "抓好安全生产专项整治", "化解信访积案",
    "完成农村饮水安全整改", "推进高标准农田建设", "完成森林防火隐患排查", "做好项目资金争取", "推进营商环境改革",
]
BATCH = 5000


def _units(n: int) -> list[Unit]:
    have = list(Unit.objects.filter(active=True).exclude(kind=UnitKind.GROUP).order_by("id")[:n])
    missing = n - len(have)
    if missing > 0:
        start = Unit.objects.count()
        Unit.objects.bulk_create(
            [Unit(name=f"示范单位{start + i + 1:04d}", short_name=f"示范{start + i + 1}", kind=UnitKind.DEPARTMENT) for i in range(missing)]
        )
        have = list(Unit.objects.filter(active=True).exclude(kind=UnitKind.GROUP).order_by("id")[:n])
    return have


def _insert(model, columns: list[str], rows: list[tuple], chunk: int = 400) -> None:
    """Plain INSERTs, several times faster than bulk_create for demo volumes: executemany on SQLite
    (fastest there), multi-row VALUES on PostgreSQL (one round trip per chunk)."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.executemany(f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES {one}", rows)
            return
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            cur.execute(f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES {', '.join([one] * len(part))}",
                        [v for row in part for v in row])


TASK_COLUMNS = ["code", "title", "requirement", "category", "source", "meeting", "urgency", "deadline", "deadline_text",
                "deadline_kind", "target", "recurrence", "flagged", "level", "status", "progress", "assigned_at",
                "start_date", "closed_at", "grade", "version", "created_at", "updated_at"]


@transaction.atomic
def seed_demo(*, units: int = 30, tasks: int = 1000, on: dt.date | None = None, seed: int = 7) -> dict:
    """Create `tasks` tasks over `units` units, deadlines spread over past and future, with progress."""
    rng = random.Random(seed)
    on = on or timezone.localdate()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    unit_ids = [u.pk for u in _units(units)]
    leaders = list(Person.objects.filter(is_leader=True).values_list("pk", flat=True)[:10])
    if not leaders:
        leaders = [p.pk for p in Person.objects.bulk_create(
            [Person(name=n, title=t, is_leader=True) for n, t in
             [("胡世胜", "常务副县长"), ("刘卿", "副县长"), ("张友国", "副县长"), ("李明", "副县长")]]
        )]
    meeting = Meeting.objects.create(title="示范数据：全县重点工作推进会", date=on - dt.timedelta(days=60), speaker="县长")
    prefix = f"DM-{on.year}-"
    first = Task.objects.filter(code__startswith=prefix).count() + 1
    aware = lambda day, hour: ops.adapt_datetimefield_value(  # noqa: E731
        timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))
    made = 0
    while made < tasks:
        size = min(BATCH, tasks - made)
        rows, plan = [], []
        for i in range(size):
            n = first + made + i
            start = on - dt.timedelta(days=rng.randint(5, 120))
            deadline = start + dt.timedelta(days=rng.randint(10, 200))
            closed = rng.random() < 0.25
            progress = 100 if closed else rng.choice([0, 10, 20, 30, 50, 60, 80, 90])
            status = Task.Status.CLOSED if closed else (Task.Status.ASSIGNED if progress == 0 else Task.Status.IN_PROGRESS)
            closed_at = aware(max(min(on, deadline + dt.timedelta(days=rng.randint(-20, 10))), start), 10) if closed else None
            rows.append((f"{prefix}{n:06d}", f"{rng.choice(TOPICS)}（{n}）", "示范数据", "", Task.Source.MANUAL, meeting.pk,
                         Task.Urgency.NORMAL, ops.adapt_datefield_value(deadline), f"{deadline.month}月{deadline.day}日前",
                         DeadlineKind.DATE, "", "", False, 0, status, progress, aware(start, 9),
                         ops.adapt_datefield_value(start), closed_at, rng.choice(["excellent", "good", "pass"]) if closed else "",
                         1, now, now))
            lead, co = rng.sample(unit_ids, 2) if len(unit_ids) > 1 else (unit_ids[0], None)
            plan.append((lead, co if co is not None and rng.random() < 0.4 else None, progress, aware(start, 12)))
        _insert(Task, TASK_COLUMNS, rows)
        ids = dict(Task.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "pk"))
        assignments, reports, leads = [], [], []
        for r, (lead, co, progress, acked) in zip(rows, plan):
            pk = ids[r[0]]
            assignments.append((pk, lead, Assignment.Role.LEAD, acked))
            if co is not None:
                assignments.append((pk, co, Assignment.Role.CO, None))
            if progress:
                reports.append((pk, lead, "按计划推进，已完成阶段性工作。", progress, "", now))
            leads.append((pk, rng.choice(leaders)))
        _insert(Assignment, ["task", "unit", "role", "acknowledged_at"], assignments)
        _insert(ProgressReport, ["task", "unit", "text", "percent", "period", "created_at"], reports)
        _insert(Task.leaders.through, ["task", "person"], leads)
        made += size
    return {"units": len(unit_ids), "tasks": made}

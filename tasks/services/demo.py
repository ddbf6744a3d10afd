"""Demo data: realistic units, people and tasks, fast (bulk inserts), for trials and benchmarks."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
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


@transaction.atomic
def seed_demo(*, units: int = 30, tasks: int = 1000, on: dt.date | None = None, seed: int = 7) -> dict:
    """Create `tasks` tasks over `units` units, deadlines spread over past and future, with progress."""
    rng = random.Random(seed)
    on = on or timezone.localdate()
    now = timezone.now()
    unit_list = _units(units)
    leaders = list(Person.objects.filter(is_leader=True)[:10])
    if not leaders:
        leaders = Person.objects.bulk_create(
            [Person(name=n, title=t, is_leader=True) for n, t in
             [("胡世胜", "常务副县长"), ("刘卿", "副县长"), ("张友国", "副县长"), ("李明", "副县长")]]
        )
    meeting = Meeting.objects.create(title="示范数据：全县重点工作推进会", date=on - dt.timedelta(days=60), speaker="县长")
    year = on.year
    prefix = f"DM-{year}-"
    first = Task.objects.filter(code__startswith=prefix).count() + 1
    made = 0
    while made < tasks:
        size = min(BATCH, tasks - made)
        rows = []
        for i in range(size):
            start = on - dt.timedelta(days=rng.randint(5, 120))
            deadline = start + dt.timedelta(days=rng.randint(10, 200))
            closed = rng.random() < 0.25
            progress = 100 if closed else rng.choice([0, 10, 20, 30, 50, 60, 80, 90])
            status = Task.Status.CLOSED if closed else (Task.Status.ASSIGNED if progress == 0 else Task.Status.IN_PROGRESS)
            closed_at = None
            if closed:
                closed_day = min(on, deadline + dt.timedelta(days=rng.randint(-20, 10)))
                closed_at = timezone.make_aware(dt.datetime.combine(max(closed_day, start), dt.time(10)))
            rows.append(Task(
                code=f"{prefix}{first + made + i:06d}", title=f"{rng.choice(TOPICS)}（{first + made + i}）",
                requirement="示范数据", source=Task.Source.MANUAL, meeting=meeting, deadline=deadline,
                deadline_text=f"{deadline.month}月{deadline.day}日前", deadline_kind=DeadlineKind.DATE,
                status=status, progress=progress, assigned_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))),
                start_date=start, closed_at=closed_at, grade=rng.choice(["excellent", "good", "pass"]) if closed else "",
                created_at=now,
            ))
        created = Task.objects.bulk_create(rows, batch_size=1000)
        assignments, reports = [], []
        for t in created:
            lead, co = rng.sample(unit_list, 2) if len(unit_list) > 1 else (unit_list[0], None)
            assignments.append(Assignment(task=t, unit=lead, role=Assignment.Role.LEAD, acknowledged_at=t.assigned_at))
            if co is not None and rng.random() < 0.4:
                assignments.append(Assignment(task=t, unit=co, role=Assignment.Role.CO))
            if t.progress:
                reports.append(ProgressReport(task=t, unit=lead, text="按计划推进，已完成阶段性工作。", percent=t.progress))
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        ProgressReport.objects.bulk_create(reports, batch_size=2000)
        through = Task.leaders.through
        through.objects.bulk_create([through(task_id=t.pk, person_id=rng.choice(leaders).pk) for t in created], batch_size=2000)
        made += size
    return {"units": len(unit_list), "tasks": made}

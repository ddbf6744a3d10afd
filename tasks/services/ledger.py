"""台账导入: an office's existing Excel ledger becomes tasks (source="ledger"), all or nothing.

`import_ledger(source, by=..., dry_run=...)` reads the workbook (tasks.reports.ledger), resolves
each row's units (unit directory: name, short name, aliases — "县发改局、统计局" is two units),
leaders (people directory) and deadline (a real date cell as is; text through the extraction
engine's `resolve_deadline`), then creates every task with `tasks.services.workflow.create_task`
inside one transaction; on any row error nothing is written. A dry run (预检) runs every check of
the import (the same checks create_task makes: units active, groups with members, deadline not
before the start, lengths…) without writing, so it stays fast for thousands of rows; should
create_task still refuse a row at import time, the whole import is rolled back and that row's
error reported.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Person, UnitKind
from accounts.selectors import is_supervisor, unit_directory_entries
from tasks.models import Assignment, DeadlineKind, NamedEvent, Task
from tasks.reports.ledger import COLUMN_LABELS, LedgerFormatError, cell_text, explicit_date, read_ledger

MAX_ROWS = 2000  # data rows per import (each task: ~20 statements, notices, history); split bigger ledgers
SHOWN_ERRORS = 200
UNIT_SPLIT = re.compile(r"[、,，;；/|｜\n\r\t]+|\s{1,}")
LEADER_SPLIT = re.compile(r"[、,，;；/|｜\n\r\t]+")
PAREN_RE = re.compile(r"[（(][^）)]*[）)]")
PERCENT_RE = re.compile(r"(\d{1,3})(?:\.\d+)?\s*[%％]")


class LedgerError(Exception):
    """The ledger cannot be imported. `message`: Chinese summary; `result`: per-row details (if any)."""

    def __init__(self, message: str, result: LedgerResult | None = None):
        self.message = message
        self.result = result
        super().__init__(message)


@dataclass
class RowResult:
    row: int
    seq: str = ""
    title: str = ""
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    deadline_text: str = ""
    deadline_kind: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    code: str = ""  # the task's code (dry run: the code it would get)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        if self.errors:
            return "错误"
        return "可导入" if not self.code else "成功"


@dataclass
class LedgerResult:
    sheet: str = ""
    header_row: int = 0
    columns: dict = field(default_factory=dict)  # canonical → header text as written
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = True
    created: int = 0

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def error_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    def error_messages(self, limit: int | None = SHOWN_ERRORS) -> list[str]:
        out = []
        for r in self.rows:
            for e in r.errors:
                if limit is not None and len(out) >= limit:
                    return out
                out.append(e)
        return out

    def summary(self) -> str:
        if self.error_count:
            shown = min(self.error_count, SHOWN_ERRORS)
            more = f"（仅显示前{shown}条）" if self.error_count > shown else ""
            return f"共{len(self.rows)}行，其中{self.error_rows}行有误，共{self.error_count}处错误{more}；未导入任何事项。"
        if self.dry_run:
            return f"预检通过：共{len(self.rows)}行，均可导入。"
        return f"导入成功：共创建{self.created}个督办事项。"


class Resolver:
    """Units, leaders and named events, loaded once per import."""

    def __init__(self):
        from tasks.extraction import Directory

        entries = unit_directory_entries()
        self.directory = Directory.from_entries(entries)
        self.units = {u.pk: u for u in _unit_model().objects.filter(active=True)}
        people: dict[str, list[Person]] = {}
        for p in Person.objects.filter(active=True).order_by("id"):
            people.setdefault(p.name, []).append(p)
        self.people = people
        self.events = dict(NamedEvent.objects.values_list("name", "date"))
        self.groups_with_members = set(
            _unit_model().objects.filter(active=True, parent__isnull=False).values_list("parent_id", flat=True)
        )

    def has_members(self, group) -> bool:
        return group.pk in self.groups_with_members

    def unit(self, name: str):
        name = PAREN_RE.sub("", name).strip()  # "县财政局（牵头）" → "县财政局"
        candidates = [name]
        for prefix in ("县", "全县", "本县"):
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                candidates.append(name[len(prefix):])
        candidates.append("县" + name)
        for c in candidates:
            hit = self.directory.lookup(c)
            if hit is not None and hit.id in self.units:
                return self.units[hit.id]
        return None

    def leader(self, text: str) -> tuple[Person | None, str | None]:
        """(person, error) for one leader mention like "张三" or "副县长张三"."""
        t = re.sub(r"\s+", "", text)
        if t in self.people:
            found = self.people[t]
        else:
            names = [n for n in self.people if len(n) >= 2 and n in t]
            if not names:
                return None, f"责任领导“{text}”不在人员名录中"
            longest = max(names, key=len)
            found = self.people[longest]
        if len(found) > 1:
            return None, f"责任领导“{text}”在人员名录中有重名（{len(found)}人），请在系统中手工指定"
        return found[0], None


def _unit_model():
    from accounts.models import Unit

    return Unit


def _split(text: str, pattern=UNIT_SPLIT) -> list[str]:
    return [p for p in (x.strip() for x in pattern.split(text)) if p]


def check_row(lr, resolver: Resolver, today: dt.date) -> tuple[RowResult, dict]:
    """Validate one ledger row; returns the result and the create_task keyword arguments."""
    v = lr.values
    n = lr.row
    r = RowResult(row=n, seq=cell_text(v.get("seq")), title=cell_text(v.get("title")))
    err = r.errors.append
    if not r.title:
        err(f"第{n}行：督办事项（事项名称）为空")
    elif len(r.title) > 300:
        err(f"第{n}行：事项名称超过300字（{len(r.title)}字）")
    pairs = []
    seen = set()
    for key, role in (("lead", Assignment.Role.LEAD), ("co", Assignment.Role.CO)):
        label = "责任单位" if key == "lead" else "配合单位"
        for name in _split(cell_text(v.get(key))):
            unit = resolver.unit(name)
            if unit is None:
                err(f"第{n}行：{label}“{name}”不在单位名录中")
                continue
            if unit.kind == UnitKind.GROUP and not resolver.has_members(unit):
                err(f"第{n}行：{label}“{name}”下没有启用的成员单位，无法交办")
                continue
            (r.lead if role == Assignment.Role.LEAD else r.co).append(str(unit))
            if unit.pk not in seen:
                seen.add(unit.pk)
                pairs.append((unit, role))
    if not r.lead and not any(e.startswith(f"第{n}行：责任单位") for e in r.errors):
        err(f"第{n}行：责任单位为空（每个事项至少要有一个牵头单位）")
    leaders = []
    for name in _split(cell_text(v.get("leader")), LEADER_SPLIT):
        person, problem = resolver.leader(name)
        if problem:
            err(f"第{n}行：{problem}")
        elif person not in leaders:
            leaders.append(person)
            r.leaders.append(str(person))
    start = explicit_date(v.get("start")) if cell_text(v.get("start")) else None
    if cell_text(v.get("start")) and start is None:
        err(f"第{n}行：交办时间“{cell_text(v.get('start'))}”不是有效日期")
    ref = start or today
    raw = v.get("deadline")
    text = cell_text(raw) if not isinstance(raw, (dt.date, dt.datetime)) else ""
    deadline, kind = explicit_date(raw), DeadlineKind.DATE
    if deadline is not None:
        r.deadline_text = text if text else ""
    elif text:
        r.deadline_text = text[:100]
        from tasks.extraction import resolve_deadline

        resolved = resolve_deadline(text, ref, resolver.events or None)
        if resolved is None:
            err(f"第{n}行：完成时限“{text}”无法识别（可填写日期如 2024-06-30，或“6月底前”“年底前”“尽快”等）")
        elif resolved == "asap":
            kind = DeadlineKind.ASAP
            r.warnings.append("时限为“尽快”，按督查室设置的默认天数确定日期")
        elif resolved in ("event", "unresolved"):
            kind = DeadlineKind.EVENT if resolved == "event" else DeadlineKind.UNRESOLVED
            r.warnings.append(f"时限“{text}”需督查室设置具体日期")
        else:
            deadline = dt.date.fromisoformat(resolved)
    else:
        kind = DeadlineKind.UNRESOLVED
        r.warnings.append("未填写完成时限，导入后需督查室设置具体日期")
    r.deadline, r.deadline_kind = deadline, kind
    # an existing ledger holds tasks assigned long ago: the start is never after the deadline
    start = start or (min(today, deadline) if deadline else today)
    if deadline is not None and deadline < start:
        err(f"第{n}行：完成时限（{deadline:%Y-%m-%d}）早于交办时间（{start:%Y-%m-%d}）")
    percent = None
    raw_p, ptxt = v.get("percent"), cell_text(v.get("percent"))
    if ptxt:
        if isinstance(raw_p, float) and 0 <= raw_p <= 1:  # a percent-formatted cell: 0.5 = 50%
            percent = round(raw_p * 100)
        elif isinstance(raw_p, (int, float)) and 0 <= raw_p <= 100:
            percent = round(raw_p)
        elif (m := re.match(r"^(\d{1,3})(?:\.\d+)?\s*[%％]?$", ptxt)) and int(m.group(1)) <= 100:
            percent = int(m.group(1))
        else:
            err(f"第{n}行：完成进度“{ptxt}”应为 0 到 100 的数字")
    progress = cell_text(v.get("progress"))
    if percent is None and progress:
        m = PERCENT_RE.search(progress)
        percent = int(m.group(1)) if m and int(m.group(1)) <= 100 else 0
    kwargs = dict(
        title=r.title, units=pairs, leaders=leaders, requirement=cell_text(v.get("requirement")),
        deadline=deadline, deadline_text=r.deadline_text, deadline_kind=kind,
        category=cell_text(v.get("category"))[:50], source=Task.Source.LEDGER, start_date=start,
        progress=progress, percent=percent,
    )
    return r, kwargs


def import_ledger(source, *, by, dry_run: bool = False, max_rows: int = MAX_ROWS, now=None) -> LedgerResult:
    """Import (or, with dry_run, check) a ledger. Raises LedgerError when anything is wrong;
    then `error.result` (when the file could be read) holds every row's result."""
    if not is_supervisor(by):
        raise LedgerError("只有督查室工作人员可以导入台账。")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    try:
        sheet, rows = read_ledger(source, max_rows=max_rows)
    except LedgerFormatError as exc:
        raise LedgerError(exc.message) from None
    result = LedgerResult(sheet=sheet.title, header_row=sheet.header_row, dry_run=dry_run,
                          columns={COLUMN_LABELS[k]: sheet.headers.get(k, "") for k in sheet.columns})
    resolver = Resolver()
    checked = []
    try:
        for lr in rows:
            r, kwargs = check_row(lr, resolver, today)
            result.rows.append(r)
            checked.append((r, kwargs if r.ok else None))
    except LedgerFormatError as exc:
        raise LedgerError(exc.message) from None
    if not result.rows:
        raise LedgerError(f"工作表“{sheet.title}”第{sheet.header_row}行表头以下没有数据。", result)
    if result.error_count:
        raise LedgerError(result.summary(), result)
    if dry_run:
        return result
    _create_all(checked, by=by, now=now, result=result)
    if result.error_count:
        raise LedgerError(result.summary(), result)
    return result


def _create_all(checked, *, by, now, result: LedgerResult) -> None:
    """Create every task through the workflow service, in one transaction; roll it all back on any error."""
    from tasks.services.workflow import WorkflowError, create_task, report_progress

    with transaction.atomic():
        for r, kwargs in checked:
            kwargs = dict(kwargs)
            progress, percent = kwargs.pop("progress"), kwargs.pop("percent")
            try:
                with transaction.atomic():  # savepoint: one failed row does not poison the rest
                    task = create_task(by=by, now=now, **kwargs)
                    if progress or percent:
                        lead = next(u for u, role in kwargs["units"] if role == Assignment.Role.LEAD)
                        report_progress(task=task, unit=lead, by=by, text=progress or "（台账导入）",
                                        percent=percent or 0)
            except WorkflowError as exc:
                r.errors.append(f"第{r.row}行：{exc.message}")
                continue
            r.code = task.code
            result.created += 1
        if result.error_count:
            transaction.set_rollback(True)
    if result.error_count:
        result.created = 0
        for r, _ in checked:
            r.code = ""


def import_ledger_upload(path, *, by, original_name: str = "") -> dict:
    """Import a stashed upload (the admin's 确认导入 for big ledgers, run by a Celery worker), tell
    the user the outcome in an in-app notice (also when it fails), and delete the file.

    Returns {"ok": bool, "created": n, "message": str}."""
    from pathlib import Path

    from accounts.selectors import person_of
    from tasks.services.notices import create_notice

    path = Path(path)
    name = original_name or path.name
    try:
        with open(path, "rb") as fh:
            result = import_ledger(fh, by=by)
        ok, message, details = True, result.summary(), []
        created = result.created
    except FileNotFoundError:
        ok, message, details, created = False, "上传的台账文件已不存在，请重新上传。", [], 0
    except LedgerError as exc:
        ok, message, created = False, exc.message, 0
        details = exc.result.error_messages(limit=50) if exc.result is not None else []
    finally:
        path.unlink(missing_ok=True)
    person = person_of(by)
    if person is not None:
        title = f"台账《{name}》导入{'完成' if ok else '失败'}"
        create_notice(title=title[:200], body="\n".join([message, *details]), person=person)
    return {"ok": ok, "created": created, "message": message}

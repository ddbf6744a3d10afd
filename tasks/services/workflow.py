"""The supervision workflow (督办流程): every write on a task after it exists, and its creation.

交办 create_task / assign_units → 签收 acknowledge → 进展 report_progress → 延期 request_extension /
decide_extension → 办结 request_completion / decide_completion (销号 or 退回重办); staff may
cancel_task, reopen_task, set_deadline.

Every function checks the actor, runs in one transaction, takes the task's row with a
compare-and-swap on `Task.version` (ConflictError when the caller's `version` is stale), and
records the change in the task's history with a Chinese reason.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import Person, Unit, UnitKind
from accounts.selectors import is_supervisor, operator_unit, township_members, user_role
from tasks import safezip
from tasks.models import (
    Assignment,
    Attachment,
    CompletionRequest,
    DeadlineKind,
    Directive,
    ExtensionRequest,
    Meeting,
    ProgressReport,
    Recurrence,
    RequestState,
    Task,
)
from tasks.selectors.lights import office_settings
from tasks.selectors.tasks import period_of  # noqa: F401 - also re-exported: tasks.services.workflow.period_of
from tasks.workdays import add_workdays


class WorkflowError(Exception):
    """A refused workflow step. `message` is the Chinese sentence shown to the user."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None, code: str | None = None):
        self.message = message
        self.field = field
        if code:
            self.code = code
        super().__init__(message)


class ForbiddenError(WorkflowError):
    """The actor may not do this (HTTP 403, or 404 when the task is not visible to them)."""

    code = "forbidden"


class ConflictError(WorkflowError):
    """Someone else changed the task since the caller read it (HTTP 409)."""

    code = "conflict"


# --- helpers ---------------------------------------------------------------------------------

ROLE_WORDS = {"lead": Assignment.Role.LEAD, "主办": Assignment.Role.LEAD, "牵头": Assignment.Role.LEAD,
              "co": Assignment.Role.CO, "协办": Assignment.Role.CO, "配合": Assignment.Role.CO}
GRADE_WORDS = {**{g.value: g.value for g in Task.Grade}, **{g.label: g.value for g in Task.Grade}}
ALLOWED_FILES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
CLOSED_STATUSES = (Task.Status.CLOSED, Task.Status.CANCELLED)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _require_staff(by, action: str) -> None:
    if not is_supervisor(by):
        raise ForbiddenError(f"只有督查室工作人员可以{action}。")


def _require_unit_actor(by, task: Task, unit: Unit | None, action: str) -> Assignment:
    """Staff (代为办理) or an operator of `unit`; `unit` must hold an assignment on the task."""
    role = user_role(by)
    if role not in ("admin", "staff"):
        own = operator_unit(by) if role == "operator" else None
        if own is None:
            raise ForbiddenError(f"您没有{action}的权限。")
        if unit is None:
            unit = own
        if own.pk != unit.pk:
            raise ForbiddenError(f"只能以本单位名义{action}。")
    if unit is None:
        raise WorkflowError("请指定办理单位。", field="unit")
    try:
        return Assignment.objects.select_related("unit").get(task_id=task.pk, unit_id=unit.pk)
    except Assignment.DoesNotExist:
        raise WorkflowError(f"“{unit}”不是该事项的责任单位。", field="unit") from None


def _lock(task: Task, version=None) -> Task:
    """Take the task's row (compare-and-swap on version when given) and reload `task` in place."""
    qs = Task.objects.filter(pk=task.pk)
    if version is not None and version != "":
        try:
            version = int(str(version).strip().strip('"').removeprefix("W/").strip('"'))
        except ValueError:
            raise WorkflowError("版本号格式不正确。", field="version") from None
        if not qs.filter(version=version).update(version=F("version") + 1):
            if not qs.exists():
                raise WorkflowError("事项不存在。")
            raise ConflictError("该事项已被他人修改，请刷新后重试。", field="version")
    elif not qs.update(version=F("version") + 1):
        raise WorkflowError("事项不存在。")
    task.refresh_from_db()
    return task


def _save(task: Task, by, reason: str) -> None:
    task._change_reason = reason[:100]
    task._history_user = _user(by)
    task.save()


def _require_open(task: Task, action: str) -> None:
    if task.status == Task.Status.CLOSED:
        raise WorkflowError(f"该事项已办结（销号），不能{action}。", field="task")
    if task.status == Task.Status.CANCELLED:
        raise WorkflowError(f"该事项已撤销，不能{action}。", field="task")


def _notify(task: Task, units, title: str, body: str = "") -> None:
    from tasks.services import notices

    for unit in units:
        notices.create_notice(title=title, body=body, unit=unit, task=task)


def _as_date(value, field: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise WorkflowError(f"{label}格式不正确，应为 YYYY-MM-DD。", field=field) from None


def _clean_units(units) -> list[tuple[Unit, str]]:
    """(unit, role) pairs with groups expanded to their members; lead wins over co for one unit."""
    if not units:
        raise WorkflowError("请至少指定一个主办（牵头）单位。", field="units")
    chosen: dict[int, tuple[Unit, str]] = {}
    for item in units:
        try:
            unit, role_word = item
        except (TypeError, ValueError):
            raise WorkflowError("责任单位格式不正确。", field="units") from None
        role = ROLE_WORDS.get(str(role_word))
        if role is None:
            raise WorkflowError(f"责任单位角色“{role_word}”无效，应为主办（lead）或协办（co）。", field="units")
        if not isinstance(unit, Unit):
            raise WorkflowError("责任单位不存在。", field="units")
        if not unit.active:
            raise WorkflowError(f"单位“{unit}”已停用，不能交办。", field="units")
        members = [unit]
        if unit.kind == UnitKind.GROUP:
            members = township_members(unit)
            if not members:
                raise WorkflowError(f"“{unit}”下没有启用的成员单位，无法交办。", field="units")
        for m in members:
            prev = chosen.get(m.pk)
            if prev is None or (prev[1] == Assignment.Role.CO and role == Assignment.Role.LEAD):
                chosen[m.pk] = (m, role)
    return list(chosen.values())


def _next_code(year: int) -> str:
    prefix = f"DB-{year}-"
    last = (
        Task.objects.filter(code__startswith=prefix)
        .order_by(Length("code").desc(), "-code")
        .values_list("code", flat=True)
        .first()
    )
    n = 0
    if last:
        m = re.search(r"(\d+)$", last)
        n = int(m.group(1)) if m else 0
    return f"{prefix}{n + 1:04d}"


# --- 交办 --------------------------------------------------------------------------------------

def default_deadline(*, start: dt.date, deadline_kind: str, source: str, urgency: str, deadline: dt.date | None) -> dt.date | None:
    """The deadline a new task gets from its kind, source and urgency (see create_task)."""
    s = office_settings()
    if deadline_kind in (DeadlineKind.EVENT, DeadlineKind.UNRESOLVED, DeadlineKind.NONE):
        return None
    if deadline is not None:
        return deadline
    if deadline_kind == DeadlineKind.ASAP:
        return start + dt.timedelta(days=s.asap_days)
    if source == Task.Source.INSTRUCTION:
        days = {Task.Urgency.URGENT: s.urgent_workdays, Task.Urgency.COMPLEX: s.complex_workdays}.get(urgency, s.normal_workdays)
        return add_workdays(start, days)
    return None


def create_task(*, title, by, units, leaders=(), requirement="", deadline=None, deadline_text="",
                deadline_kind="date", target="", recurrence="", category="", source="manual",
                source_directive=None, meeting=None, urgency="normal", start_date=None, now=None) -> Task:
    """交办: a new task with its units (主办/协办), leaders, deadline and an in-app notice per unit."""
    _require_staff(by, "交办事项")
    now = now or timezone.now()
    title = (title or "").strip()
    if not title:
        raise WorkflowError("事项名称不能为空。", field="title")
    if len(title) > 300:
        raise WorkflowError("事项名称不能超过300字。", field="title")
    if deadline_kind not in DeadlineKind.values:
        raise WorkflowError(f"时限类型“{deadline_kind}”无效。", field="deadline_kind")
    if source not in Task.Source.values:
        raise WorkflowError(f"来源“{source}”无效。", field="source")
    if urgency not in Task.Urgency.values:
        raise WorkflowError(f"缓急程度“{urgency}”无效。", field="urgency")
    if recurrence and recurrence not in Recurrence.values:
        raise WorkflowError(f"周期“{recurrence}”无效。", field="recurrence")
    if meeting is not None and not isinstance(meeting, Meeting):
        raise WorkflowError("会议不存在。", field="meeting")
    if source_directive is not None and not isinstance(source_directive, Directive):
        raise WorkflowError("来源语句不存在。", field="source_directive")
    if len(deadline_text or "") > 100:
        raise WorkflowError("时限原话不能超过100字。", field="deadline_text")
    if len(target or "") > 100:
        raise WorkflowError("目标值不能超过100字。", field="target")
    if len(category or "") > 50:
        raise WorkflowError("类别不能超过50字。", field="category")
    pairs = _clean_units(units)
    if not any(role == Assignment.Role.LEAD for _, role in pairs):
        raise WorkflowError("请至少指定一个主办（牵头）单位。", field="units")
    leaders = list(leaders or ())
    for p in leaders:
        if not isinstance(p, Person):
            raise WorkflowError("责任领导不存在。", field="leaders")
        if not p.active:
            raise WorkflowError(f"责任领导“{p}”已不在职。", field="leaders")
    start = _as_date(start_date, "start_date", "起始日期") or timezone.localtime(now).date()
    deadline = _as_date(deadline, "deadline", "完成时限")
    if deadline_kind == DeadlineKind.DATE and deadline is None and source != Task.Source.INSTRUCTION:
        raise WorkflowError("请填写完成时限（或选择“尽快”“事件节点”“待定”等时限类型）。", field="deadline")
    deadline = default_deadline(start=start, deadline_kind=deadline_kind, source=source, urgency=urgency, deadline=deadline)
    check_deadline(start, deadline)
    if source_directive is not None and Task.objects.filter(source_directive=source_directive).exists():
        raise WorkflowError("该语句已生成督办事项，不能重复交办。", field="source_directive")
    year = timezone.localtime(now).year if timezone.is_aware(now) else now.year

    for _attempt in range(50):
        code = _next_code(year)
        try:
            with transaction.atomic():
                task = Task(
                    code=code,
                    title=title, requirement=requirement or "", category=category or "", source=source,
                    source_directive=source_directive, meeting=meeting, urgency=urgency, deadline=deadline,
                    deadline_text=deadline_text or "", deadline_kind=deadline_kind, target=target or "",
                    recurrence=recurrence or "", assigned_at=now, start_date=start, created_by=_user(by),
                )
                _save(task, by, "交办")
                Assignment.objects.bulk_create([Assignment(task=task, unit=u, role=r) for u, r in pairs])
                if leaders:
                    task.leaders.set(leaders)
                _notify(task, [u for u, _ in pairs], f"交办通知：{task.code} {task.title}"[:200],
                        _assign_body(task, pairs))
                return task
        except IntegrityError:
            if not Task.objects.filter(code=code).exists():
                raise
            continue  # another task took the same code at the same moment: take the next one
    raise WorkflowError("生成事项编号失败，请重试。")


def _assign_body(task: Task, pairs) -> str:
    lines = [f"事项：{task.title}"]
    for unit, role in pairs:
        lines.append(f"{'主办' if role == Assignment.Role.LEAD else '协办'}：{unit}")
    lines.append(f"完成时限：{task.deadline:%Y-%m-%d}" if task.deadline else f"完成时限：{task.deadline_text or '待定'}")
    if task.requirement:
        lines.append(f"工作要求：{task.requirement}")
    lines.append("请及时签收并按要求报送进展。")
    return "\n".join(lines)


@transaction.atomic
def assign_units(*, task, by, units, version=None) -> list[Assignment]:
    """Add units (主办/协办) to an existing task; each gets a notice and must 签收."""
    _require_staff(by, "交办事项")
    task = _lock(task, version)
    pairs = check_new_units(task, units)
    created = Assignment.objects.bulk_create([Assignment(task=task, unit=u, role=r) for u, r in pairs])
    names = "、".join(str(u) for u, _ in pairs)
    _save(task, by, f"增加责任单位：{names}")
    _notify(task, [u for u, _ in pairs], f"交办通知：{task.code} {task.title}"[:200], _assign_body(task, pairs))
    return created


def check_new_units(task: Task, units) -> list[tuple[Unit, str]]:
    """The (unit, role) pairs `units` adds to an open task (groups expanded), or WorkflowError:
    assign_units's checks, for forms that validate before they save."""
    _require_open(task, "增加责任单位")
    pairs = _clean_units(units)
    existing = set(Assignment.objects.filter(task=task).values_list("unit_id", flat=True))
    already = [str(u) for u, _ in pairs if u.pk in existing]
    if already:
        raise WorkflowError(f"{'、'.join(already)}已是该事项的责任单位。", field="units")
    return pairs


@transaction.atomic
def acknowledge(*, task, unit, by, now=None, version=None) -> Assignment:
    """签收: the unit confirms it received the task."""
    assignment = _require_unit_actor(by, task, unit, "签收")
    task = _lock(task, version)
    _require_open(task, "签收")
    if not _sign(task, assignment, by, "签收", now):
        raise WorkflowError(f"“{assignment.unit}”已于{timezone.localtime(assignment.acknowledged_at):%Y-%m-%d %H:%M}签收。")
    _save(task, by, f"签收：{assignment.unit}")
    return assignment


def _sign(task: Task, assignment: Assignment, by, reason: str, now=None) -> bool:
    """Record the assignment's 签收 (an 已交办 task becomes 推进中); False when it was signed already."""
    assignment.refresh_from_db()
    if assignment.acknowledged_at is not None:
        return False
    assignment.acknowledged_at = now or timezone.now()
    assignment.acknowledged_by = _user(by)
    assignment._change_reason = reason
    assignment._history_user = _user(by)
    assignment.save()
    if task.status == Task.Status.ASSIGNED:
        task.status = Task.Status.IN_PROGRESS
    return True


# --- 进展 --------------------------------------------------------------------------------------

def _read_file(f) -> tuple[str, bytes]:
    if isinstance(f, tuple):
        name, data = f
        return str(name), bytes(data)
    name = os.path.basename(getattr(f, "name", "") or "")
    if hasattr(f, "seek"):
        try:
            f.seek(0)
        except Exception:  # noqa: BLE001 - unseekable upload streams are read as they are
            pass
    data = f.read()
    return name, data if isinstance(data, bytes) else str(data).encode()


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == ".pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return data[:3] == b"\xff\xd8\xff"
    if ext == ".png":
        return data[:8] == b"\x89PNG\r\n\x1a\n"
    if ext in (".docx", ".xlsx"):
        if data[:4] != b"PK\x03\x04":
            return False
        # the same bounds as every other zip-based upload, before zipfile lists the entries
        safezip.check_zip(data, safezip.DOCX_LIMITS if ext == ".docx" else safezip.XLSX_LIMITS, what="该附件")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError):
            return False
        need = "word/document.xml" if ext == ".docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in names and need in names
    return False


def check_attachment(name: str, data: bytes, max_bytes: int | None = None) -> str:
    """The content type of an acceptable evidence file, or WorkflowError saying why not."""
    max_bytes = max_bytes if max_bytes is not None else office_settings().max_attachment_bytes
    ext = os.path.splitext(name or "")[1].lower()
    if not name:
        raise WorkflowError("附件缺少文件名。", field="files")
    if ext not in ALLOWED_FILES:
        raise WorkflowError(f"附件“{name}”的类型不允许：只能上传 PDF、Word（docx）、Excel（xlsx）、JPG 或 PNG 文件。", field="files")
    if len(data) == 0:
        raise WorkflowError(f"附件“{name}”是空文件。", field="files")
    if len(data) > max_bytes:
        raise WorkflowError(f"附件“{name}”过大（{len(data) / 1048576:.1f} MB），单个文件不能超过 {max_bytes / 1048576:.0f} MB。", field="files")
    try:
        matches = _content_matches(ext, data)
    except safezip.ZipBombError as exc:
        raise WorkflowError(f"附件“{name}”：{exc}", field="files") from None
    if not matches:
        raise WorkflowError(f"附件“{name}”的内容与扩展名不符（不是有效的 {ext[1:].upper()} 文件）。", field="files")
    return ALLOWED_FILES[ext]


@transaction.atomic
def report_progress(*, task, unit, by, text, percent, files=(), period="", version=None) -> ProgressReport:
    """进展: text, percent (never going back) and evidence files, by an assigned unit."""
    assignment = _require_unit_actor(by, task, unit, "报送进展")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写进展情况。", field="text")
    try:
        percent = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise WorkflowError("完成进度必须是 0 到 100 之间的整数。", field="percent") from None
    if not 0 <= percent <= 100:
        raise WorkflowError("完成进度必须在 0 到 100 之间。", field="percent")
    period = (period or "").strip()
    if len(period) > 20:
        raise WorkflowError("报送周期过长。", field="period")
    max_bytes = office_settings().max_attachment_bytes
    max_total = getattr(settings, "TRACKER_MAX_ATTACHMENTS_TOTAL_BYTES", 50 * 1024 * 1024)
    declared = sum(getattr(f, "size", None) or 0 for f in files or ())
    if declared > max_total:  # refuse before reading any of them
        raise WorkflowError(f"本次上传的附件合计 {declared / 1048576:.1f} MB，超过每次 {max_total / 1048576:.0f} MB 的上限，"
                            "请删减或压缩后分次报送。", field="files")
    uploads = []
    for f in files or ():
        size = getattr(f, "size", None)
        if isinstance(size, int) and size > max_bytes:  # refuse before reading a huge upload into memory
            name = os.path.basename(getattr(f, "name", "") or "")
            raise WorkflowError(f"附件“{name}”过大（{size / 1048576:.1f} MB），单个文件不能超过 {max_bytes / 1048576:.0f} MB。", field="files")
        name, data = _read_file(f)
        uploads.append((name, data, check_attachment(name, data, max_bytes)))
        if sum(len(u[1]) for u in uploads) > max_total:
            raise WorkflowError(f"本次上传的附件合计超过每次 {max_total / 1048576:.0f} MB 的上限，请删减或压缩后分次报送。",
                                field="files")
    task = _lock(task, version)
    _require_open(task, "报送进展")
    if percent < task.progress:
        raise WorkflowError(f"完成进度（{percent}%）不能低于上次报送的进度（{task.progress}%）。", field="percent")
    if not period and task.recurrence:
        period = period_of(task.recurrence, timezone.localdate())
    report = ProgressReport.objects.create(task=task, unit=assignment.unit, author=_user(by), text=text,
                                           percent=percent, period=period)
    for name, data, ctype in uploads:
        Attachment.objects.create(report=report, file=ContentFile(data, name=name), name=name[:255],
                                  size=len(data), content_type=ctype)
    task.progress = percent
    if task.status == Task.Status.ASSIGNED:
        task.status = Task.Status.IN_PROGRESS
    implied = _acknowledge_implied(task, assignment, by)
    _save(task, by, f"{'签收并' if implied else ''}报送进展：{assignment.unit} {percent}%")
    return report


def _acknowledge_implied(task: Task, assignment: Assignment, by) -> bool:
    """A unit that reports progress, asks for an extension or asks to close before 签收 has signed
    for the task: its first act is its 签收 (docs/portal.md). True when this act signed."""
    return _sign(task, assignment, by, "签收（随首次办理自动签收）")


# --- 延期 --------------------------------------------------------------------------------------

@transaction.atomic
def request_extension(*, task, unit, by, proposed_deadline, reason, version=None) -> ExtensionRequest:
    """延期申请: a later date and a reason, for staff to decide."""
    assignment = _require_unit_actor(by, task, unit, "申请延期")
    reason = (reason or "").strip()
    proposed = _as_date(proposed_deadline, "proposed_deadline", "申请延至日期")
    if proposed is None:
        raise WorkflowError("请填写申请延至的日期。", field="proposed_deadline")
    if not reason:
        raise WorkflowError("请填写延期理由。", field="reason")
    task = _lock(task, version)
    _require_open(task, "申请延期")
    if task.deadline is not None and proposed <= task.deadline:
        raise WorkflowError(f"申请延至日期（{proposed:%Y-%m-%d}）必须晚于现时限（{task.deadline:%Y-%m-%d}）。", field="proposed_deadline")
    if task.deadline is None and proposed <= timezone.localdate():
        raise WorkflowError("申请延至日期必须晚于今天。", field="proposed_deadline")
    try:
        check_deadline(task.start_date, proposed)
    except WorkflowError as exc:
        raise WorkflowError(exc.message, field="proposed_deadline") from None
    if ExtensionRequest.objects.filter(task=task, unit=assignment.unit, state=RequestState.PENDING).exists():
        raise WorkflowError("本单位已有一份待审批的延期申请，请等待审批结果。")
    req = ExtensionRequest.objects.create(task=task, unit=assignment.unit, requested_by=_user(by),
                                          old_deadline=task.deadline, proposed_deadline=proposed, reason=reason)
    signed = "签收并" if _acknowledge_implied(task, assignment, by) else ""
    _save(task, by, f"{signed}申请延期：{assignment.unit} 申请延至{proposed:%Y-%m-%d}")
    return req


@transaction.atomic
def decide_extension(*, request, by, approve: bool, reason="", version=None) -> ExtensionRequest:
    """Staff approve (the deadline moves; the old one stays in history) or reject with a reason."""
    _require_staff(by, "审批延期申请")
    task = _lock(request.task, version)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    reason = (reason or "").strip()
    if request.state != RequestState.PENDING:
        raise WorkflowError(f"该延期申请已处理（{request.get_state_display()}），不能重复审批。")
    if not approve and not reason:
        raise WorkflowError("退回延期申请时请填写理由。", field="reason")
    _require_open(task, "审批延期")
    if approve:
        check_deadline(task.start_date, request.proposed_deadline)
    request.state = RequestState.APPROVED if approve else RequestState.REJECTED
    request.decided_by = _user(by)
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save()
    if approve:
        old = task.deadline
        task.deadline = request.proposed_deadline
        task.deadline_kind = DeadlineKind.DATE
        _save(task, by, f"同意延期：{old:%Y-%m-%d} → {request.proposed_deadline:%Y-%m-%d}" if old else
              f"同意延期：时限定为{request.proposed_deadline:%Y-%m-%d}")
        title = f"延期申请已同意：{task.code}，时限延至{request.proposed_deadline:%Y-%m-%d}"
        _notify_deadline(task, old, exclude=request.unit)
    else:
        _save(task, by, f"退回延期申请：{reason}")
        title = f"延期申请被退回：{task.code}"
    _notify(task, [request.unit], title[:200], reason)
    return request


def check_deadline(start: dt.date, deadline: dt.date | None) -> None:
    """The one rule of every deadline, wherever it is set: never earlier than the 交办 date."""
    if deadline is not None and start is not None and deadline < start:
        raise WorkflowError(f"完成时限（{deadline:%Y-%m-%d}）不能早于交办日期（{start:%Y-%m-%d}）。", field="deadline")


def _notify_deadline(task: Task, old: dt.date | None, exclude: Unit | None = None) -> None:
    """Every deadline change reaches every unit of the task (in-app notice)."""
    was = f"原时限{old:%Y-%m-%d}，" if old else ""
    units = [a.unit for a in Assignment.objects.filter(task=task).select_related("unit")
             if exclude is None or a.unit_id != exclude.pk]
    _notify(task, units, f"完成时限调整：{task.code}，{was}现为{task.deadline:%Y-%m-%d}"[:200],
            f"事项：{task.title}\n{was}调整后完成时限：{task.deadline:%Y-%m-%d}。请按新的时限推进。")


# --- 办结 --------------------------------------------------------------------------------------

@transaction.atomic
def request_completion(*, task, unit, by, summary, version=None) -> CompletionRequest:
    """办结申请: only a lead (主办) unit asks to close."""
    assignment = _require_unit_actor(by, task, unit, "申请办结")
    summary = (summary or "").strip()
    if assignment.role != Assignment.Role.LEAD:
        raise WorkflowError("只有主办（牵头）单位可以申请办结。", field="unit", code="forbidden")
    if not summary:
        raise WorkflowError("请填写办结情况。", field="summary")
    task = _lock(task, version)
    _require_open(task, "申请办结")
    if task.status == Task.Status.COMPLETION_REQUESTED or CompletionRequest.objects.filter(task=task, state=RequestState.PENDING).exists():
        raise WorkflowError("该事项已有待审批的办结申请。")
    req = CompletionRequest.objects.create(task=task, unit=assignment.unit, requested_by=_user(by), summary=summary)
    task.status = Task.Status.COMPLETION_REQUESTED
    signed = "签收并" if _acknowledge_implied(task, assignment, by) else ""
    _save(task, by, f"{signed}申请办结：{assignment.unit}")
    return req


@transaction.atomic
def decide_completion(*, request, by, approve: bool, grade="", reason="", version=None) -> CompletionRequest:
    """Staff approve (销号, with a grade 优秀/良好/合格/不合格) or send back (退回重办) with a reason."""
    _require_staff(by, "审批办结申请")
    task = _lock(request.task, version)
    request = CompletionRequest.objects.select_for_update().get(pk=request.pk)
    reason = (reason or "").strip()
    if request.state != RequestState.PENDING:
        raise WorkflowError(f"该办结申请已处理（{request.get_state_display()}），不能重复审批。")
    if approve:
        grade_value = GRADE_WORDS.get(str(grade or "").strip())
        if grade_value is None:
            raise WorkflowError("同意办结时请选择评定等次：优秀、良好、合格或不合格。", field="grade")
    elif not reason:
        raise WorkflowError("退回重办时请填写理由。", field="reason")
    _require_open(task, "审批办结")
    now = timezone.now()
    request.state = RequestState.APPROVED if approve else RequestState.REJECTED
    request.decided_by = _user(by)
    request.decided_at = now
    request.decision_reason = reason
    if approve:
        request.grade = grade_value
    request.save()
    if approve:
        task.status = Task.Status.CLOSED
        task.closed_at = now
        task.grade = grade_value
        task.progress = 100
        _save(task, by, f"销号：评定{Task.Grade(grade_value).label}")
        title = f"办结申请已同意（销号）：{task.code}"
    else:
        task.status = Task.Status.IN_PROGRESS
        _save(task, by, f"退回重办：{reason}")
        title = f"办结申请被退回重办：{task.code}"
    _notify(task, [request.unit], title[:200], reason)
    return request


# --- staff actions ---------------------------------------------------------------------------

@transaction.atomic
def cancel_task(*, task, by, reason, version=None) -> Task:
    """撤销: pending requests are closed with it."""
    _require_staff(by, "撤销事项")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写撤销理由。", field="reason")
    task = _lock(task, version)
    _require_open(task, "撤销")
    now = timezone.now()
    for model in (ExtensionRequest, CompletionRequest):
        model.objects.filter(task=task, state=RequestState.PENDING).update(
            state=RequestState.REJECTED, decided_by=_user(by), decided_at=now, decision_reason=f"事项已撤销：{reason}")
    task.status = Task.Status.CANCELLED
    _save(task, by, f"撤销：{reason}")
    _notify(task, task.units.all(), f"事项已撤销：{task.code} {task.title}"[:200], reason)
    return task


@transaction.atomic
def reopen_task(*, task, by, reason, version=None) -> Task:
    """重新启动 a closed or cancelled task."""
    _require_staff(by, "重新启动事项")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写重新启动的理由。", field="reason")
    task = _lock(task, version)
    if task.status not in CLOSED_STATUSES:
        raise WorkflowError("只有已办结或已撤销的事项可以重新启动。")
    task.status = Task.Status.IN_PROGRESS
    task.closed_at = None
    task.grade = ""
    _save(task, by, f"重新启动：{reason}")
    _notify(task, task.units.all(), f"事项重新启动：{task.code} {task.title}"[:200], reason)
    return task


@transaction.atomic
def set_deadline(*, task, by, deadline, deadline_text="", version=None) -> Task:
    """Staff set or change the deadline (e.g. for an 'event'/'unresolved' task)."""
    _require_staff(by, "设置完成时限")
    new = _as_date(deadline, "deadline", "完成时限")
    if new is None:
        raise WorkflowError("请填写完成时限。", field="deadline")
    if len(deadline_text or "") > 100:
        raise WorkflowError("时限原话不能超过100字。", field="deadline_text")
    task = _lock(task, version)
    _require_open(task, "修改时限")
    check_deadline(task.start_date, new)
    old = task.deadline
    if old == new and not deadline_text:
        return task
    task.deadline = new
    task.deadline_kind = DeadlineKind.DATE
    if deadline_text:
        task.deadline_text = deadline_text
    _save(task, by, f"设置时限：{old:%Y-%m-%d} → {new:%Y-%m-%d}" if old else f"设置时限：{new:%Y-%m-%d}")
    if old != new:
        _notify_deadline(task, old)
    return task

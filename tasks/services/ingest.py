"""Speech ingestion: decode → extract → Directives in the review queue; accepting a directive.

The extraction engine (tasks.extraction) is pure Python; this module gives it the unit directory
from the database (or the bundled default when none is loaded) and the office's named events, and
stores its results. Nothing is stored when anything fails.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Person, Unit
from accounts.selectors import unit_directory_entries
from tasks.extraction import Directory, ExtractionError, decode, extract_text
from tasks.models import DeadlineKind, Directive, Meeting, NamedEvent, Speech, Task


class IngestError(Exception):
    """A speech or directive that cannot be processed; `message` is for the user (Chinese)."""

    def __init__(self, message: str, *, code: str = "invalid", speech: Speech | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.speech = speech


def current_directory() -> Directory:
    """The unit directory in the database; the bundled default when none has been loaded."""
    entries = unit_directory_entries()
    if entries:
        return Directory.from_entries(entries)
    from tasks.extraction import DEFAULT_UNITS_PATH

    return Directory.from_json_file(DEFAULT_UNITS_PATH)


def named_events() -> dict[str, dt.date]:
    return dict(NamedEvent.objects.values_list("name", "date"))


def _decode_and_extract(data: bytes, filename: str, meeting_date: dt.date, directory: Directory | None,
                        events: dict[str, dt.date] | None):
    """(decoded document, extraction result); IngestError with the engine's Chinese message."""
    try:
        doc = decode(data, filename, max_bytes=settings.TRACKER_MAX_UPLOAD_BYTES)
    except ExtractionError as exc:
        raise IngestError(exc.message) from None
    result = extract_text(doc.text, meeting_date, directory or current_directory(),
                          named_events() if events is None else events, encoding=doc.encoding, title=doc.title)
    return doc, result


def extract_file(data: bytes, filename: str, meeting_date: dt.date, directory: Directory | None = None,
                 events: dict[str, dt.date] | None = None) -> dict:
    """Decode and extract without storing anything (the `extract` command and previews)."""
    return _decode_and_extract(data, filename, meeting_date, directory, events)[1]


def directive_fields(d: dict) -> dict:
    """Directive model fields from one extracted directive (the engine's JSON shape)."""
    value = d.get("deadline")
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        kind, date = DeadlineKind.DATE, dt.date.fromisoformat(value)
    elif value in ("asap", "event", "unresolved"):
        kind, date = value, None
    else:
        kind, date = DeadlineKind.NONE, None
    return {
        "text": d["text"], "start": d["start"], "end": d["end"], "section": (d.get("section") or "")[:500],
        "owners": d.get("owners") or [], "deadline": date, "deadline_kind": kind,
        "deadline_text": (d.get("deadline_text") or "")[:100], "recurrence": d.get("recurrence") or "",
        "target": (d.get("target") or "")[:100], "confidence": float(d.get("confidence") or 0.0),
    }


def ingest_speech(*, data: bytes, filename: str, meeting: Meeting | None = None, meeting_title: str | None = None,
                  meeting_date: dt.date | None = None, speaker: str = "", by=None, level: str = "") -> Speech:
    """Store a speech and its candidate directives (review queue). Same file twice → IngestError(code="duplicate")."""
    if not data:
        raise IngestError("文件是空的，请选择讲话稿文件（txt、docx 或 pdf）。")
    if len(data) > settings.TRACKER_MAX_UPLOAD_BYTES:
        raise IngestError(f"文件超过大小上限（{settings.TRACKER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB）。")
    digest = hashlib.sha256(data).hexdigest()
    existing = Speech.objects.filter(sha256=digest).select_related("meeting").first()
    if existing is not None:
        raise IngestError(
            f"该文件已于 {timezone.localtime(existing.created_at):%Y-%m-%d %H:%M} 上传过（讲话稿“{existing}”），不会重复抽取。",
            code="duplicate", speech=existing,
        )
    if meeting is None and meeting_date is None:
        raise IngestError("请填写会议日期：讲话中的“6月底前”等时限要按会议日期换算。")
    ref = meeting.date if meeting is not None else meeting_date
    doc, result = _decode_and_extract(data, filename, ref, None, None)
    found = result["directives"]
    if not found:
        raise IngestError("未在讲话稿中找到可督办的交办事项（没有明确责任主体、时限或量化目标的部署），未保存任何内容。")
    title = (doc.title or re.sub(r"\.[A-Za-z0-9]+$", "", filename))[:300]
    try:
        with transaction.atomic():
            if meeting is None:
                meeting = Meeting.objects.create(title=(meeting_title or title)[:200], date=meeting_date, speaker=speaker[:100],
                                                 **({"level": level} if level else {}))
            speech = Speech(meeting=meeting, title=title, original_name=filename[:255], text=doc.text,
                            encoding=doc.encoding, sha256=digest, chars=len(doc.text), uploaded_by=by)
            speech.file.save(f"{digest[:16]}{_suffix(filename)}", ContentFile(data), save=False)
            speech.save()
            Directive.objects.bulk_create(
                [Directive(speech=speech, seq=i, **directive_fields(d)) for i, d in enumerate(found, start=1)]
            )
    except IntegrityError:  # the same file, uploaded at the same moment by someone else
        raise IngestError("该文件刚刚已被上传，不会重复抽取。", code="duplicate",
                          speech=Speech.objects.filter(sha256=digest).first()) from None
    return speech


def _suffix(filename: str) -> str:
    m = re.search(r"\.[A-Za-z0-9]{1,5}$", filename)
    return m.group(0).lower() if m else ""


def directive_title(text: str, limit: int = 60) -> str:
    """A short task title from a directive sentence: its first clause, without the owner prefix noise."""
    first = re.split(r"[，,；;。]", text.strip(), maxsplit=1)[0]
    title = first if len(first) >= 8 else text.strip()
    return title[:limit] + ("…" if len(title) > limit else "")


def directive_units(directive: Directive) -> list[tuple[Unit, str]]:
    ids = {o["unit_id"]: o.get("role") or "lead" for o in directive.owners if o.get("unit_id")}
    units = Unit.objects.in_bulk(list(ids))
    pairs = [(units[i], role) for i, role in ids.items() if i in units]
    if pairs and not any(role == "lead" for _, role in pairs):
        pairs[0] = (pairs[0][0], "lead")
    return pairs


def directive_leaders(directive: Directive) -> list[Person]:
    """The leaders on file named as owners (active people marked 责任领导, matched by name). A name or
    a title the directory does not know ("分管领导") is left for staff to choose, never created."""
    names = [o["name"] for o in directive.owners if o.get("kind") == "person" and o.get("name")]
    return list(Person.objects.filter(name__in=names, is_leader=True, active=True)) if names else []


@transaction.atomic
def accept_directive(*, directive: Directive, by, units=None, leaders=None, deadline: dt.date | None = None,
                     title: str | None = None) -> Task:
    """采纳并交办: create the Task (units, leaders, deadline, target, recurrence) linked back to the sentence."""
    from tasks.services.workflow import WorkflowError, create_task

    directive = Directive.objects.select_for_update().select_related("speech__meeting").get(pk=directive.pk)
    if directive.review_state != Directive.Review.PENDING:
        raise IngestError(f"该语句已{directive.get_review_state_display()}，不能重复处理。")
    units = list(units) if units is not None else directive_units(directive)
    if not units:
        raise IngestError("该语句没有可识别的责任单位：请先在名录中补充单位或手工指定责任单位后再交办。")
    kind = directive.deadline_kind
    if deadline is not None:
        kind = DeadlineKind.DATE
    elif kind == DeadlineKind.DATE:
        deadline = directive.deadline
    try:
        task = create_task(
            title=title or directive_title(directive.text), requirement=directive.text, by=by, units=units,
            leaders=leaders if leaders is not None else directive_leaders(directive), deadline=deadline,
            deadline_text=directive.deadline_text, deadline_kind=kind,
            target=directive.target, recurrence=directive.recurrence, category=directive.section.split(" / ")[-1][:50],
            source=Task.Source.SPEECH, source_directive=directive, meeting=directive.speech.meeting,
        )
    except WorkflowError as exc:
        raise IngestError(exc.message) from None
    directive.review_state = Directive.Review.ACCEPTED
    directive.reviewed_by = by
    directive.reviewed_at = timezone.now()
    directive.save(update_fields=["review_state", "reviewed_by", "reviewed_at"])
    return task


def reject_directive(*, directive: Directive, by) -> Directive:
    updated = Directive.objects.filter(pk=directive.pk, review_state=Directive.Review.PENDING).update(
        review_state=Directive.Review.REJECTED, reviewed_by=by, reviewed_at=timezone.now()
    )
    if not updated:
        raise IngestError("该语句已处理过，不能驳回。")
    directive.refresh_from_db()
    return directive


# --- the workbench's review page (tasks/workbench/): edit, add, bulk ---------------------------

OWNER_ROLES = ("lead", "co")
SENTENCE_END = "。；！？!?;\n"
MAX_CLAUSE_CHARS = 1000


class BulkError(IngestError):
    """A batch that was refused as a whole (nothing stored); `errors` maps an item id to its reason."""

    def __init__(self, message: str, errors: dict[int, str]):
        super().__init__(message, code="bulk")
        self.errors = errors


def _lock_pending(directive_id: int, speech: Speech | None = None) -> Directive:
    qs = Directive.objects.select_for_update().select_related("speech__meeting")
    if speech is not None:
        qs = qs.filter(speech=speech)
    try:
        d = qs.get(pk=directive_id)
    except (Directive.DoesNotExist, ValueError, TypeError):
        raise IngestError("候选事项不存在（可能已被删除），请刷新页面。") from None
    if d.review_state != Directive.Review.PENDING:
        raise IngestError(f"第{d.seq}条已{d.get_review_state_display()}，不能再修改。")
    return d


def unit_owner(unit: Unit, role: str, mention: str = "") -> dict:
    """The owner dict (the extraction engine's shape) of a directory unit chosen by a reviewer."""
    return {"name": unit.name, "mention": mention or unit.name, "kind": "group" if unit.kind == "group" else "unit",
            "role": role, "unit_id": unit.pk}


def person_owner(person: Person, role: str = "lead") -> dict:
    return {"name": person.name, "mention": str(person), "kind": "person", "role": role, "unit_id": None}


def find_unit(text: str) -> Unit | None:
    """A directory unit by its full name, short name or an alias (exact); None when unknown."""
    from accounts.models import UnitAlias

    text = (text or "").strip()
    if not text:
        return None
    unit = Unit.objects.filter(active=True).filter(Q(name=text) | Q(short_name=text)).first()
    if unit is None:
        alias = UnitAlias.objects.select_related("unit").filter(alias=text, unit__active=True).first()
        unit = alias.unit if alias else None
    return unit


def owners_from_chips(directive: Directive, chips: list[tuple[str, str]]) -> list[dict]:
    """The owners list from the editor's chips: ("o3", role) keeps owner #3 of the directive as it
    was found (unknown and level-mismatched owners stay marked), ("u12", role) is directory unit 12,
    ("p5", role) is leader 5. Unknown refs → IngestError."""
    unit_ids = [int(r[1:]) for r, _ in chips if r.startswith("u") and r[1:].isdigit()]
    person_ids = [int(r[1:]) for r, _ in chips if r.startswith("p") and r[1:].isdigit()]
    units = Unit.objects.in_bulk(unit_ids)
    people = Person.objects.in_bulk(person_ids)
    out: list[dict] = []
    seen_units: set[int] = set()
    for ref, role in chips:
        if role not in OWNER_ROLES:
            raise IngestError(f"责任主体的角色“{role}”无效，应为主办或协办。")
        kind, num = ref[:1], ref[1:]
        if not num.isdigit():
            raise IngestError("责任主体格式不正确，请刷新页面后重试。")
        n = int(num)
        if kind == "o":
            if n >= len(directive.owners):
                raise IngestError("责任主体已变化，请刷新页面后重试。")
            owner = {**directive.owners[n], "role": role}
        elif kind == "u":
            unit = units.get(n)
            if unit is None or not unit.active:
                raise IngestError("所选单位不在名录中或已停用。")
            owner = unit_owner(unit, role)
        elif kind == "p":
            person = people.get(n)
            if person is None or not person.is_leader or not person.active:
                raise IngestError("所选人员不是在职领导，不能作为责任领导。")
            owner = person_owner(person, role)
        else:
            raise IngestError("责任主体格式不正确，请刷新页面后重试。")
        if owner.get("unit_id"):
            if owner["unit_id"] in seen_units:
                continue
            seen_units.add(owner["unit_id"])
        out.append(owner)
    return out


def with_added_owners(owners: list[dict], *, units=(), role: str = "lead", leader: Person | None = None) -> list[dict]:
    """The editor's "添加" boxes (without JavaScript): `owners` plus the units (as `role`) and the
    leader that are not among them yet."""
    out = list(owners)
    for unit in units:
        if all(o.get("unit_id") != unit.pk for o in out):
            out.append(unit_owner(unit, role if role in OWNER_ROLES else "lead"))
    if leader is not None and all(o.get("name") != leader.name for o in out):
        out.append(person_owner(leader))
    return out


def _clean_fields(d: Directive, *, title=None, text=None, deadline_kind=None, deadline=None, deadline_text=None,
                  target=None, recurrence=None, today: dt.date | None = None) -> list[str]:
    """Validate and set the editable fields on `d` (not saved); the names of the changed fields."""
    from tasks.models import Recurrence

    changed = []
    if title is not None:
        title = title.strip()
        if len(title) > 300:
            raise IngestError("事项名称不能超过300字。")
        d.title = title
        changed.append("title")
    if text is not None:
        text = text.strip()
        if not text:
            raise IngestError("原文语句不能为空。")
        if len(text) > MAX_CLAUSE_CHARS:
            raise IngestError(f"原文语句不能超过{MAX_CLAUSE_CHARS}字。")
        d.text = text
        changed.append("text")
    if deadline_kind is not None:
        if deadline_kind not in DeadlineKind.values:
            raise IngestError(f"时限类型“{deadline_kind}”无效。")
        if deadline_kind == DeadlineKind.DATE:
            if deadline is None:
                raise IngestError("时限类型为“具体日期”时请填写完成时限。")
            today = today or timezone.localdate()
            if deadline < today:
                raise IngestError(f"完成时限（{deadline:%Y-%m-%d}）不能早于交办日期（今天，{today:%Y-%m-%d}）。")
        else:
            deadline = None
        d.deadline_kind, d.deadline = deadline_kind, deadline
        changed += ["deadline_kind", "deadline"]
    if deadline_text is not None:
        if len(deadline_text.strip()) > 100:
            raise IngestError("时限原话不能超过100字。")
        d.deadline_text = deadline_text.strip()
        changed.append("deadline_text")
    if target is not None:
        if len(target.strip()) > 100:
            raise IngestError("目标值不能超过100字。")
        d.target = target.strip()
        changed.append("target")
    if recurrence is not None:
        if recurrence and recurrence not in Recurrence.values:
            raise IngestError(f"周期“{recurrence}”无效。")
        d.recurrence = recurrence
        changed.append("recurrence")
    return changed


@transaction.atomic
def update_directive(*, directive: Directive, by, owners: list[dict] | None = None, **fields) -> Directive:
    """Save a reviewer's edits of one pending candidate (title, text, owners, deadline, target, recurrence)."""
    d = _lock_pending(directive.pk)
    changed = _clean_fields(d, **fields)
    if owners is not None:
        d.owners = owners
        changed.append("owners")
    if changed:
        d.save(update_fields=changed)
    return d


def _accept(d: Directive, by) -> Task:
    """accept_directive, with a reason naming the owners that kept the candidate from being assigned."""
    if not any(o.get("unit_id") for o in d.owners):
        raise IngestError("没有本级名录中的责任单位（标红的主体不会被交办），请先设置责任单位。")
    return accept_directive(directive=d, by=by, title=d.title or None, leaders=directive_leaders(d))


@transaction.atomic
def review_directive(*, directive: Directive, by, action: str = "save", owners: list[dict] | None = None, **fields):
    """The editor's buttons: 保存 (the edits), 采纳并交办 (the edits, then the task), 驳回 — one
    transaction, so a refused 交办 keeps nothing of the edits either. Returns the Directive or the Task."""
    if action not in ("save", "accept", "reject"):
        raise IngestError("无法识别的操作。")
    if action == "reject":
        d = _lock_pending(directive.pk)
        return reject_directive(directive=d, by=by)
    d = update_directive(directive=directive, by=by, owners=owners, **fields)
    if action == "accept":
        return _accept(d, by)
    return d


def sentence_span(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """[start, end) widened to whole sentences (ending at 。；！？ or a line end), kept inside [lo, hi),
    without leading/trailing white space."""
    hi = len(text) if hi is None else hi
    a = max(lo, min(start, len(text)))
    while a > lo and text[a - 1] not in SENTENCE_END:
        a -= 1
    b = max(a, min(end, hi))
    if b > a and text[b - 1] in SENTENCE_END:
        pass
    else:
        while b < hi and text[b] not in SENTENCE_END:
            b += 1
        if b < hi and text[b] != "\n":
            b += 1
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def annotate_clause(clause: str, meeting_date: dt.date, speech_text: str) -> dict:
    """Owners, deadline, target and recurrence the engine reads in one clause a reviewer picked.

    Uses the engine's own parts (owner parser at the speech's level, deadline and target pickers);
    the engine owns the rules. Empty fields when the engine finds nothing: the reviewer fills them."""
    from tasks.extraction.annotate import pick_deadline, pick_target, recurrence
    from tasks.extraction.engine import _level
    from tasks.extraction.normalise import normalise
    from tasks.extraction.owners import OwnerParser

    norm = normalise(clause).text.strip()
    parser = OwnerParser(current_directory(), _level(normalise(speech_text[:20000]).text))
    owners, _subject = parser.parse(norm)
    dl_text, dl, _weak = pick_deadline(norm, meeting_date, named_events())
    return directive_fields({
        "text": clause, "start": 0, "end": 0, "owners": [o.as_dict() for o in owners], "deadline": dl,
        "deadline_text": dl_text, "recurrence": recurrence(norm), "target": pick_target(norm), "confidence": 1.0,
    })


@transaction.atomic
def add_directive(*, speech: Speech, by, start: int | None = None, end: int | None = None, quote: str = "") -> Directive:
    """A sentence the engine missed becomes a pending candidate: the selection [start, end) of the
    speech's text (or the first place `quote` occurs) widened to whole sentences, annotated by the
    engine's parts. Refused when it overlaps an existing candidate."""
    speech = Speech.objects.select_for_update().select_related("meeting").get(pk=speech.pk)
    text = speech.text
    if quote and (start is None or end is None):
        quote = quote.strip()
        pos = text.find(quote) if quote else -1
        if pos < 0:
            raise IngestError("在讲话稿原文中找不到这段文字：请从原文中复制完整的一句话。")
        start, end = pos, pos + len(quote)
    if start is None or end is None or not (0 <= start < end <= len(text)):
        raise IngestError("请先在原文中选中一句话，再点“设为交办事项”。")
    spans = list(speech.directives.order_by("start").values_list("start", "end", "seq"))
    for s, e, seq in spans:
        if start < e and s < end:
            raise IngestError(f"所选文字与第{seq}条候选事项重叠：请只选中未标出的语句，或直接修改第{seq}条。")
    lo = max([e for s, e, _ in spans if e <= start], default=0)
    hi = min([s for s, e, _ in spans if s >= end], default=len(text))
    a, b = sentence_span(text, start, end, lo, hi)
    clause = text[a:b]
    if len(clause.strip()) < 4:
        raise IngestError("所选文字太短，不是一句完整的部署。")
    if len(clause) > MAX_CLAUSE_CHARS:
        raise IngestError(f"所选文字过长（{len(clause)}字），一条交办事项不能超过{MAX_CLAUSE_CHARS}字：请只选中一句话。")
    try:
        fields = annotate_clause(clause, speech.meeting.date, text)
    except Exception:  # noqa: BLE001 - an engine failure must not stop a reviewer: the fields stay empty
        fields = directive_fields({"text": clause, "start": 0, "end": 0, "confidence": 1.0})
    fields.update(text=clause, start=a, end=b, section="", confidence=1.0)
    seq = (speech.directives.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return Directive.objects.create(speech=speech, seq=seq, origin=Directive.Origin.MANUAL, **fields)


def _seq_list(seqs: list[int], limit: int = 20) -> str:
    shown = "、".join(str(n) for n in seqs[:limit])
    return f"第{shown}条" + (f"等{len(seqs)}条" if len(seqs) > limit else "")


def _run_batch(ids, speech, work) -> list:
    """Run `work(directive)` on every selected pending candidate, all or nothing: every refusal is
    collected, and when there is any, the whole batch is undone (BulkError lists them, grouped by
    reason: "第1、2、5条：没有本级名录中的责任单位…")."""
    try:
        ids = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise IngestError("所选候选事项无效，请刷新页面后重试。") from None
    if not ids:
        raise IngestError("请先勾选要处理的候选事项。")
    seqs = dict(Directive.objects.filter(pk__in=ids).values_list("pk", "seq"))
    results, errors = [], {}
    with transaction.atomic():
        for i in ids:
            try:
                with transaction.atomic():
                    d = _lock_pending(i, speech)
                    results.append(work(d))
            except IngestError as exc:
                errors[i] = re.sub(r"^第\d+条", "", exc.message).lstrip("：")
        if errors:
            transaction.set_rollback(True)
    if errors:
        by_reason: dict[str, list[int]] = {}
        for i, reason in errors.items():
            by_reason.setdefault(reason, []).append(seqs.get(i, 0))
        parts = [f"{_seq_list(sorted(n for n in nums if n))}：{reason}" if any(nums) else reason
                 for reason, nums in by_reason.items()]
        raise BulkError(f"{len(errors)} 条未能处理，本次操作未作任何修改。" + "；".join(parts), errors)
    return results


def bulk_set_units(*, ids, by, units: list[tuple[Unit, str]], replace: bool, speech: Speech | None = None) -> int:
    """Set the responsible units of many candidates at once: `replace` drops every unit owner
    (directory, unknown or level-mismatched; leaders stay) before adding `units`; otherwise the
    units are added (a unit already there takes the new role)."""
    if not units:
        raise IngestError("请至少选择一个责任单位。")
    for u, role in units:
        if role not in OWNER_ROLES:
            raise IngestError(f"角色“{role}”无效。")
        if not u.active:
            raise IngestError(f"单位“{u}”已停用。")

    def work(d: Directive):
        keep = [o for o in d.owners if o.get("kind") == "person"] if replace else list(d.owners)
        by_id = {o.get("unit_id"): i for i, o in enumerate(keep) if o.get("unit_id")}
        for unit, role in units:
            if unit.pk in by_id:
                keep[by_id[unit.pk]] = {**keep[by_id[unit.pk]], "role": role}
            else:
                by_id[unit.pk] = len(keep)
                keep.append(unit_owner(unit, role))
        d.owners = keep
        d.save(update_fields=["owners"])
        return d

    return len(_run_batch(ids, speech, work))


def bulk_set_deadline(*, ids, by, deadline_kind: str, deadline: dt.date | None, deadline_text: str | None = None,
                      speech: Speech | None = None) -> int:
    """Set the deadline of many candidates at once (a date, or 尽快/事件节点/待定/无时限)."""
    _clean_fields(Directive(), deadline_kind=deadline_kind, deadline=deadline, deadline_text=deadline_text)  # once, not per row

    def work(d: Directive):
        changed = _clean_fields(d, deadline_kind=deadline_kind, deadline=deadline, deadline_text=deadline_text)
        d.save(update_fields=changed)
        return d

    return len(_run_batch(ids, speech, work))


def accept_directives(*, ids, by, speech: Speech | None = None) -> list[Task]:
    """采纳并交办 for many candidates, all or nothing: when any cannot be assigned (no unit in the
    directory, a past deadline…) none is, and BulkError says which and why."""
    return _run_batch(ids, speech, lambda d: _accept(d, by))


def reject_directives(*, ids, by, speech: Speech | None = None) -> int:
    return len(_run_batch(ids, speech, lambda d: reject_directive(directive=d, by=by)))


def resolve_units(ids=(), text: str = "") -> list[Unit]:
    """Units chosen on a form: directory ids (picked from the autocomplete) and/or names, short
    names or aliases typed and separated by 、，; (without JavaScript). Unknown → IngestError."""
    out: list[Unit] = []
    clean_ids = []
    for i in ids or ():
        try:
            clean_ids.append(int(i))
        except (TypeError, ValueError):
            raise IngestError("所选单位无效，请重新选择。") from None
    found = Unit.objects.in_bulk(clean_ids)
    for i in clean_ids:
        unit = found.get(i)
        if unit is None or not unit.active:
            raise IngestError("所选单位不在名录中或已停用，请重新选择。")
        out.append(unit)
    for name in re.split(r"[、，,;；\s]+", text or ""):
        if not name:
            continue
        unit = find_unit(name)
        if unit is None:
            raise IngestError(f"单位名录中没有“{name}”：请从下拉列表中选择，或先在名录中添加该单位（或别名）。")
        out.append(unit)
    seen, unique = set(), []
    for u in out:
        if u.pk not in seen:
            seen.add(u.pk)
            unique.append(u)
    return unique

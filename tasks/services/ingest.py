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
                  meeting_date: dt.date | None = None, speaker: str = "", by=None) -> Speech:
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
                meeting = Meeting.objects.create(title=(meeting_title or title)[:200], date=meeting_date, speaker=speaker[:100])
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
    """People named as owners, matched by name (a leader named in a speech is added to the directory)."""
    people = []
    for o in directive.owners:
        if o.get("kind") == "person" and o.get("name"):
            person = Person.objects.filter(name=o["name"]).first()
            if person is None:
                person = Person.objects.create(name=o["name"][:50], title=_title_of(o.get("mention", ""), o["name"]), is_leader=True)
            people.append(person)
    return people


def _title_of(mention: str, name: str) -> str:
    return mention.replace(name, "").replace("同志", "")[:100]


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

"""Reads for the 督查室 workbench (tasks/workbench/): the speech review page, the staff queues,
the chase records. Every page is a fixed number of queries, whatever the number of rows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Person
from accounts.selectors import unit_directory_entries
from tasks.models import Assignment, Chase, CompletionRequest, Directive, ExtensionRequest, RequestState, Speech, TaskFile
from tasks.selectors.lights import OPEN_STATUSES

LEVEL_WORDS = {"市": "市级", "州": "州级", "省": "省级", "区": "区级", "国": "国家级", "中": "中央"}


# --- owners as the reviewer sees them -------------------------------------------------------------

@dataclass
class OwnerChip:
    ref: str              # o<index> in Directive.owners
    name: str
    mention: str
    kind: str             # unit | group | person | …
    role: str             # lead | co
    known: bool           # in the directory (a unit with its id, or a leader on file)
    mark: str = ""        # why not: 未在名录中 / 层级不符（…）

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


def level_mismatch_text(owner: dict) -> str:
    level = owner.get("level") or LEVEL_WORDS.get((owner.get("name") or " ")[0], "上级")
    if not str(level).endswith("级") and level != "中央":
        level = f"{level}级"
    return f"层级不符（{level}单位，非本县单位）"


def owner_chips(owners: list[dict], leader_names: set[str]) -> list[OwnerChip]:
    chips = []
    for i, o in enumerate(owners or []):
        kind = o.get("kind") or "unit"
        name = o.get("name") or o.get("mention") or "（未命名）"
        if kind == "person":
            known, mark = name in leader_names, ("" if name in leader_names else "未在名录中（不会作为责任领导）")
        elif o.get("unit_id"):
            known, mark = True, ""
        elif o.get("level_mismatch"):
            known, mark = False, level_mismatch_text(o)
        else:
            known, mark = False, "未在名录中"
        chips.append(OwnerChip(ref=f"o{i}", name=name, mention=o.get("mention") or name, kind=kind,
                               role=o.get("role") if o.get("role") in ("lead", "co") else "lead", known=known, mark=mark))
    return chips


# --- the review page --------------------------------------------------------------------------------

@dataclass
class Piece:
    start: int
    text: str
    directive: Directive | None = None


@dataclass
class Review:
    speech: Speech
    directives: list[Directive]
    pieces: list[Piece]
    counts: dict = field(default_factory=dict)


def confidence_class(c: float) -> str:
    return "conf-high" if c >= 0.8 else "conf-mid" if c >= 0.6 else "conf-low"


def decorate(d: Directive, names: set[str]) -> Directive:
    """What a candidate shows: owner chips, confidence, and whether no directory unit owns it yet."""
    d.chips = owner_chips(d.owners, names)
    d.conf_pct = round(d.confidence * 100)
    d.conf_class = confidence_class(d.confidence)
    d.unmapped = not any(c.known and not c.is_person for c in d.chips)
    return d


def leaders_qs():
    """Who may be a task's 责任领导 (the services' rule: tasks.services.registration, ingest): people
    marked 县领导/责任领导 and still in office. Every picker (workbench, admin) lists these."""
    return Person.objects.filter(is_leader=True, active=True).order_by("id")


def leader_names() -> set[str]:
    return set(leaders_qs().values_list("name", flat=True))


def review(speech_id) -> Review:
    """The speech, its candidates in reading order (each with .chips, .conf_pct, .conf_class,
    .task), and the text cut into plain pieces and candidate pieces. 3 queries."""
    speech = Speech.objects.select_related("meeting", "uploaded_by").get(pk=speech_id)
    directives = list(Directive.objects.filter(speech=speech).select_related("task").order_by("start", "seq"))
    names = leader_names()
    counts = {"all": len(directives), "pending": 0, "accepted": 0, "rejected": 0, "unmapped": 0}
    pieces: list[Piece] = []
    text = speech.text
    pos = 0
    for d in directives:
        decorate(d, names)
        d.linked_task = getattr(d, "task", None) if d.review_state == Directive.Review.ACCEPTED else None
        counts[d.review_state] = counts.get(d.review_state, 0) + 1
        if d.review_state == Directive.Review.PENDING and d.unmapped:
            counts["unmapped"] += 1
        start, end = max(d.start, pos), min(d.end, len(text))
        if end <= start:  # a span inside the previous one (should not happen): listed, not highlighted
            d.in_text = False
            continue
        d.in_text = True
        if start > pos:
            pieces.append(Piece(pos, text[pos:start]))
        pieces.append(Piece(start, text[start:end], d))
        pos = end
    if pos < len(text):
        pieces.append(Piece(pos, text[pos:]))
    return Review(speech=speech, directives=directives, pieces=pieces, counts=counts)


def next_pending(speech: Speech, after: Directive) -> Directive | None:
    """The next candidate to review after `after` in reading order (wrapping to the first)."""
    pending = Directive.objects.filter(speech=speech, review_state=Directive.Review.PENDING).exclude(pk=after.pk)
    return (pending.filter(start__gte=after.start).order_by("start", "seq").first()
            or pending.order_by("start", "seq").first())


def unit_directory() -> list[dict]:
    """The active units with their short names and aliases, for the owner autocomplete."""
    return [{"id": e["id"], "name": e["name"], "short": e["short_name"] or "", "aliases": e["aliases"], "kind": e["kind"]}
            for e in unit_directory_entries()]


def leaders() -> list[Person]:
    return list(leaders_qs())


def speeches_with_counts(limit: int | None = None):
    qs = Speech.objects.select_related("meeting").annotate(
        n_all=Count("directives"),
        n_pending=Count("directives", filter=Q(directives__review_state=Directive.Review.PENDING)),
        n_accepted=Count("directives", filter=Q(directives__review_state=Directive.Review.ACCEPTED)),
    ).order_by("-id")
    return qs[:limit] if limit else qs


# --- queues ----------------------------------------------------------------------------------------

def pending_candidates():
    return (Directive.objects.filter(review_state=Directive.Review.PENDING)
            .select_related("speech__meeting").order_by("-speech_id", "start", "seq"))


def unacknowledged(days: int, now: dt.datetime | None = None):
    """Assignments of open tasks not 签收 `days` or more days after 交办 (oldest first)."""
    now = now or timezone.now()
    return (Assignment.objects.filter(acknowledged_at__isnull=True, task__status__in=OPEN_STATUSES,
                                      task__assigned_at__lte=now - dt.timedelta(days=days))
            .select_related("task", "unit").order_by("task__assigned_at", "task_id", "-role", "unit__sort_order"))


def pending_extensions():
    return (ExtensionRequest.objects.filter(state=RequestState.PENDING)
            .select_related("task", "unit", "requested_by__person").order_by("created_at", "id"))


def pending_completions():
    return (CompletionRequest.objects.filter(state=RequestState.PENDING)
            .select_related("task", "unit", "requested_by__person").order_by("created_at", "id"))


def pending_counts() -> dict:
    """What waits for the 督查室's decision: candidates to review, 延期 and 办结 requests (the admin's
    home page shows these too)."""
    return {
        "candidates": Directive.objects.filter(review_state=Directive.Review.PENDING).count(),
        "extensions": ExtensionRequest.objects.filter(state=RequestState.PENDING).count(),
        "completions": CompletionRequest.objects.filter(state=RequestState.PENDING).count(),
    }


def queue_counts(days: int, now: dt.datetime | None = None) -> dict:
    """The workbench's four queues: pending_counts and the units not signed `days` after 交办."""
    return {**pending_counts(), "unacknowledged": unacknowledged(days, now).count()}


def chase_targets(assignment_ids) -> list[tuple]:
    """The ticked rows of the 待签收 queue grouped by task: [(task, [units])], units in directory order."""
    grouped: dict[int, tuple] = {}
    for a in (Assignment.objects.filter(pk__in=list(assignment_ids)).select_related("task", "unit")
              .order_by("task_id", "unit__sort_order", "unit_id")):
        grouped.setdefault(a.task_id, (a.task, []))[1].append(a.unit)
    return list(grouped.values())


def decorate_unacknowledged(assignments, now: dt.datetime | None = None) -> None:
    """A page of the 待签收 queue: each row's days waited since 交办 (.waited) and its task's last 催办."""
    now = now or timezone.now()
    last = last_chases({a.task_id for a in assignments})
    for a in assignments:
        a.waited = (now - a.task.assigned_at).days
        a.last_chase = last.get(a.task_id)


def decorate_task_rows(tasks) -> None:
    """A page of the task list: the light's label, the last 催办 and the units (prefetched)."""
    from tasks.selectors.lights import LIGHT_LABELS

    last = last_chases([t.pk for t in tasks])
    for t in tasks:
        t.light_label = LIGHT_LABELS.get(t.light, t.light)
        t.last_chase = last.get(t.pk)
        t.units_shown = list(t.assignments.all())


def pending_requests(task) -> dict:
    """The task's 延期 and 办结 requests waiting for a decision (from task_detail's prefetch)."""
    return {"pending_extensions": [r for r in task.extension_requests.all() if r.state == RequestState.PENDING],
            "pending_completions": [r for r in task.completion_requests.all() if r.state == RequestState.PENDING]}


def recent_leader_comments(limit: int = 5) -> list:
    """The latest 领导批示 on any task, newest first, for the workbench's home (with author and task)."""
    from tasks.models import LeaderComment

    return list(LeaderComment.objects.select_related("author", "task").order_by("-created_at", "-id")[:limit])


# --- chases and files ------------------------------------------------------------------------------

def chases_qs():
    return Chase.objects.select_related("by__person").prefetch_related("units").order_by("-created_at", "-id")


def last_chases(task_ids) -> dict[int, Chase]:
    """The latest Chase of each task (2 queries)."""
    out: dict[int, Chase] = {}
    for c in chases_qs().filter(task_id__in=list(task_ids)):
        out.setdefault(c.task_id, c)
    return out


def task_chases(task) -> list[Chase]:
    return list(chases_qs().filter(task=task))


def task_files(task) -> list[TaskFile]:
    return list(TaskFile.objects.filter(task=task).order_by("id"))


def chaser_label(chase: Chase) -> str:
    user = chase.by
    if user is None:
        return "（已删除的账号）"
    person = getattr(user, "person", None)
    return (person.name if person else "") or user.get_full_name() or user.username


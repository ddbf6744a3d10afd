"""The 督查室 workbench (工作台), mounted at /workbench/: speech review, task registration with the
督办通知单, the staff queues and 催办. Thin views: reads from tasks.selectors.workbench, writes
through tasks.services (ingest, registration, approvals, chase); only 督查室 staff get in
(accounts.selectors.is_supervisor), others get a Chinese 403, unknown objects a Chinese 404.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Unit
from accounts.selectors import is_supervisor
from tasks.files import file_response
from tasks.models import Directive, Speech, Task, TaskFile
from tasks.portal.forms import TaskFilterForm, apply_error
from tasks.portal.views import _portal_context
from tasks.reports.assignment_notice import build_notice, notice_filename
from tasks.selectors import tasks as task_selectors
from tasks.selectors import workbench as sel
from tasks.selectors.lights import LIGHT_LABELS, OPEN_STATUSES
from tasks.services import approvals, chase, ingest, registration
from tasks.services.ingest import IngestError
from tasks.services.workflow import WorkflowError
from tasks.workbench import forms as wf

DEFAULT_ACK_DAYS = 2
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NotFound(Exception):
    def __init__(self, detail: str):
        self.detail = detail


def _page(request, template: str, ctx: dict, status: int = 200, counts: bool = True) -> HttpResponse:
    """A workbench page: the portal's header, and the queue counts of the workbench's nav."""
    extra = {"counts": sel.queue_counts(DEFAULT_ACK_DAYS)} if counts else {}
    return render(request, template, {**extra, **ctx, "portal": _portal_context(request), "nav": "workbench"}, status=status)


def _error(request, status: int, heading: str, detail: str) -> HttpResponse:
    return _page(request, "portal/error.html", {"heading": heading, "detail": detail}, status=status, counts=False)


def staff_view(view):
    """Anonymous → login; not 督查室 → Chinese 403; NotFound → Chinese 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not is_supervisor(request.user):
            return _error(request, 403, "没有访问权限", "工作台仅供督查室工作人员使用。如需办理督办事项，请进入“督办事项”。")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return _error(request, 404, "页面不存在", exc.detail)

    return wrapper


def _get(model, pk, what: str):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise NotFound(f"{what}不存在或已被删除。") from None


def _back(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


def _ack_days(request) -> int:
    try:
        return max(0, min(365, int(request.GET.get("days", DEFAULT_ACK_DAYS))))
    except ValueError:
        return DEFAULT_ACK_DAYS


# --- home and speeches ---------------------------------------------------------------------------

@staff_view
def home(request):
    return _page(request, "workbench/home.html", {
        "wb": "home", "ack_days": DEFAULT_ACK_DAYS,
        "red": task_selectors.task_list(request.user, light="red").count(),
        "speeches": list(sel.speeches_with_counts(8)), "comments": sel.recent_leader_comments(5),
    })


@staff_view
def speech_list(request):
    page = Paginator(sel.speeches_with_counts(), wf.PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "workbench/speech_list.html", {"wb": "speeches", "page_obj": page})


@staff_view
@require_http_methods(["GET", "POST"])
def speech_upload(request):
    form = wf.SpeechUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                speech = ingest.ingest_speech(data=d["file"].read(), filename=d["file"].name, meeting_title=d["meeting_title"],
                                              meeting_date=d["meeting_date"], speaker=d["speaker"], level=d["level"],
                                              by=request.user)
            except IngestError as exc:
                if exc.code == "duplicate" and exc.speech is not None:
                    messages.warning(request, exc.message + "已为您打开该讲话稿。")
                    return redirect("workbench:review", exc.speech.pk)
                form.add_error("file", exc.message)
            else:
                n = speech.directives.count()
                messages.success(request, f"已抽取 {n} 条候选事项：请通读全文审核，漏标的语句可选中后添加。")
                return redirect("workbench:review", speech.pk)
    return _page(request, "workbench/speech_upload.html", {"wb": "speeches", "form": form},
                 status=status)


# --- the review page -----------------------------------------------------------------------------

def _chips_from_post(post) -> list[tuple[str, str]]:
    refs, roles, removed = post.getlist("chip"), post.getlist("chip_role"), set(post.getlist("chip_remove"))
    if len(roles) != len(refs):
        raise IngestError("责任主体数据不完整，请刷新页面后重试。")
    return [(r, role) for r, role in zip(refs, roles) if r not in removed]


def _review_context(request, speech_id, *, selected=None, editor_form=None, editor_chips=None, bulk_form=None,
                    add_form=None, checked=(), partial=False) -> dict:
    try:
        data = sel.review(speech_id)
    except Speech.DoesNotExist:
        raise NotFound("讲话稿不存在或已被删除。") from None
    by_id = {d.pk: d for d in data.directives}
    current = by_id.get(selected) if selected is not None else None
    if current is not None and editor_form is None and current.review_state == Directive.Review.PENDING:
        editor_form = wf.CandidateForm(initial={
            "title": current.title, "text": current.text, "deadline_kind": current.deadline_kind, "deadline": current.deadline,
            "deadline_text": current.deadline_text, "target": current.target, "recurrence": current.recurrence,
        })
    pending = [d.pk for d in data.directives if d.review_state == Directive.Review.PENDING]
    nav = {}
    if current is not None:
        order = [d.pk for d in data.directives]
        at = order.index(current.pk)
        nav["prev"] = next((i for i in reversed(order[:at]) if i in pending), None)
        nav["next"] = next((i for i in order[at + 1:] if i in pending), None)
    if current is not None and editor_form is not None:
        editor_form.fields["title"].widget.attrs["placeholder"] = ingest.directive_title(current.text)
    return {
        "wb": "speeches", "review": data, "speech": data.speech, "current": current, "cand_nav": nav,
        "editor_form": editor_form, "editor_chips": editor_chips if editor_chips is not None else (current.chips if current else []),
        "bulk_form": bulk_form or wf.BulkForm(initial={"mode": "replace", "deadline_kind": "date"}),
        "add_form": add_form or wf.AddCandidateForm(), "checked": {int(i) for i in checked if str(i).isdigit()},
        "directory": [] if partial else sel.unit_directory(), "today": timezone.localdate(),
    }


@staff_view
def review(request, pk: int):
    try:
        selected = int(request.GET.get("d", ""))
    except ValueError:
        selected = None
    partial = request.GET.get("partial") == "editor"
    ctx = _review_context(request, pk, selected=selected, partial=partial)
    if partial:
        return _page(request, "workbench/_editor.html", ctx, counts=False)
    return _page(request, "workbench/review.html", ctx)


def _review_url(speech_id: int, directive_id: int | None = None) -> str:
    url = reverse("workbench:review", args=[speech_id])
    return f"{url}?d={directive_id}#c-{directive_id}" if directive_id else url


@staff_view
@require_POST
def candidate_edit(request, pk: int, did: int):
    speech = _get(Speech, pk, "讲话稿")
    try:
        directive = Directive.objects.get(pk=did, speech=speech)
    except Directive.DoesNotExist:
        raise NotFound("候选事项不存在或已被删除。") from None
    action = request.POST.get("action", "save")
    form = wf.CandidateForm(request.POST)
    chips = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            owners = ingest.with_added_owners(
                ingest.owners_from_chips(directive, _chips_from_post(request.POST)),
                units=ingest.resolve_units(text=d["add"]) if d["add"].strip() else (), role=d["add_role"] or "lead",
                leader=d["add_leader"])
            result = ingest.review_directive(
                directive=directive, by=request.user, action=action, owners=owners, title=d["title"], text=d["text"],
                deadline_kind=d["deadline_kind"], deadline=d["deadline"], deadline_text=d["deadline_text"],
                target=d["target"], recurrence=d["recurrence"])
        except (IngestError, WorkflowError) as exc:
            if not Directive.objects.filter(pk=directive.pk, review_state=Directive.Review.PENDING).exists():
                messages.error(request, exc.message)  # handled meanwhile: the page shows its new state
                return redirect(_review_url(speech.pk, directive.pk))
            form.add_error(None, exc.message)
        else:
            if isinstance(result, Task):
                messages.success(request, f"第{directive.seq}条已采纳并交办，督办事项编号 {result.code}。")
            elif action == "reject":
                messages.success(request, f"第{directive.seq}条已驳回。")
            else:
                messages.success(request, f"第{directive.seq}条已保存。")
                return redirect(_review_url(speech.pk, directive.pk))
            # handled: on to the next pending candidate in reading order
            nxt = sel.next_pending(speech, directive)
            return redirect(_review_url(speech.pk, nxt.pk if nxt else None))
    # what was typed is kept: the chips as posted (names looked up again), the fields as bound
    try:
        chips = _posted_chips(directive, request.POST)
    except IngestError:
        chips = None
    ctx = _review_context(request, speech.pk, selected=directive.pk, editor_form=form, editor_chips=chips)
    return _page(request, "workbench/review.html", ctx, status=400)


def _posted_chips(directive, post) -> list[sel.OwnerChip]:
    """The chips as the officer left them on a refused form (kept on error)."""
    names, chips, seen = sel.leader_names(), [], set()
    for ref, role in _chips_from_post(post):
        if ref in seen:
            continue
        seen.add(ref)
        for chip in sel.owner_chips(ingest.owners_from_chips(directive, [(ref, role)]), names):
            chip.ref = ref
            chips.append(chip)
    return chips


@staff_view
@require_POST
def candidate_add(request, pk: int):
    speech = _get(Speech, pk, "讲话稿")
    form = wf.AddCandidateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            directive = ingest.add_directive(speech=speech, by=request.user, start=d["start"], end=d["end"], quote=d["quote"] or "")
        except IngestError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已将所选语句添加为第{directive.seq}条候选事项，请核对责任单位和时限。")
            return redirect(_review_url(speech.pk, directive.pk))
    ctx = _review_context(request, speech.pk, add_form=form)
    return _page(request, "workbench/review.html", ctx, status=400)


def _picked_units(request, prefix: str, d: dict) -> list[tuple[Unit, str]]:
    """主办 and 协办 units as a form sends them (chips `<prefix>_lead`/`<prefix>_co`, or names typed in
    lead_text/co_text): [(unit, "lead"), …, (unit, "co"), …]; a unit is never both; 主办 required."""
    leads = ingest.resolve_units(request.POST.getlist(f"{prefix}_lead"), d["lead_text"])
    cos = [u for u in ingest.resolve_units(request.POST.getlist(f"{prefix}_co"), d["co_text"]) if u not in leads]
    if not leads:
        raise IngestError("请至少选择一个主办单位。")
    return [(u, "lead") for u in leads] + [(u, "co") for u in cos]


def _bulk_apply(request, form, ids, speech=None) -> str:
    """Run one bulk action; the success sentence, or IngestError/WorkflowError."""
    d = form.cleaned_data
    action = d["action"]
    if action == "set_units":
        units = _picked_units(request, "bulk", d)
        n = ingest.bulk_set_units(ids=ids, by=request.user, units=units, replace=(d["mode"] or "replace") == "replace",
                                  speech=speech)
        leads, cos = ([u.name for u, r in units if r == role] for role in ("lead", "co"))
        return f"已为 {n} 条候选事项设置责任单位：{'、'.join(leads)}" + (f"（协办：{'、'.join(cos)}）" if cos else "") + "。"
    if action == "set_deadline":
        kind = d["deadline_kind"] or "date"
        n = ingest.bulk_set_deadline(ids=ids, by=request.user, deadline_kind=kind, deadline=d["deadline"], speech=speech)
        when = f"{d['deadline']:%Y-%m-%d}" if kind == "date" and d["deadline"] else dict(wf.DeadlineKind.choices)[kind]
        return f"已将 {n} 条候选事项的时限设为{when}。"
    if action == "accept":
        tasks = ingest.accept_directives(ids=ids, by=request.user, speech=speech)
        return f"已采纳并交办 {len(tasks)} 条，督办事项编号 {tasks[0].code}" + (f" 至 {tasks[-1].code}" if len(tasks) > 1 else "") + "。"
    n = ingest.reject_directives(ids=ids, by=request.user, speech=speech)
    return f"已驳回 {n} 条候选事项。"


def _bulk_message(form, exc) -> str:
    if form.cleaned_data.get("action") == "accept" and "责任单位" in exc.message:
        return exc.message + " 提示：点“选中未落实单位的”，再用“设置责任单位”一次指定本级单位。"
    return exc.message


@staff_view
@require_POST
def bulk(request, pk: int):
    speech = _get(Speech, pk, "讲话稿")
    form = wf.BulkForm(request.POST)
    ids = request.POST.getlist("ids")
    if form.is_valid():
        try:
            text = _bulk_apply(request, form, ids, speech)
        except (IngestError, WorkflowError) as exc:
            form.add_error(None, _bulk_message(form, exc))
        else:
            messages.success(request, text)
            return redirect(_review_url(speech.pk))
    ctx = _review_context(request, speech.pk, bulk_form=form, checked=ids)
    ctx["bulk_chips"] = _bulk_chips(request.POST)
    return _page(request, "workbench/review.html", ctx, status=400)


def _bulk_chips(post) -> dict:
    """Units picked in the bulk bar, shown again after a refusal."""
    out = {}
    for key in ("bulk_lead", "bulk_co", "reg_lead", "reg_co"):
        ids = [int(i) for i in post.getlist(key) if str(i).isdigit()]
        found = Unit.objects.in_bulk(ids)
        out[key] = [found[i] for i in ids if i in found]
    return out


# --- queues --------------------------------------------------------------------------------------

@staff_view
@require_http_methods(["GET", "POST"])
def queue_candidates(request):
    form = wf.BulkForm(request.POST or None)
    ids = request.POST.getlist("ids") if request.method == "POST" else []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                text = _bulk_apply(request, form, ids)
            except (IngestError, WorkflowError) as exc:
                form.add_error(None, _bulk_message(form, exc))
            else:
                messages.success(request, text)
                return redirect("workbench:queue_candidates")
    rows = list(sel.pending_candidates()[:500])
    names = sel.leader_names()
    for d in rows:
        sel.decorate(d, names)
    return _page(request, "workbench/queue_candidates.html", {
        "wb": "candidates", "rows": rows, "form": form, "shown_limit": len(rows) == 500,
        "checked": {int(i) for i in ids if str(i).isdigit()}, "directory": sel.unit_directory(),
        "bulk_chips": _bulk_chips(request.POST) if request.method == "POST" else {},
    }, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def queue_unacknowledged(request):
    if request.method == "POST":
        return _chase_selected(request)
    days = _ack_days(request)
    qs = sel.unacknowledged(days)
    page = Paginator(qs, wf.PAGE_SIZE).get_page(request.GET.get("page"))
    sel.decorate_unacknowledged(page.object_list)
    return _page(request, "workbench/queue_unacknowledged.html", {
        "wb": "unacknowledged", "page_obj": page, "days": days,
        "page_query": urlencode({"days": days}), "here": request.get_full_path(),
    })


def _chase_selected(request):
    """催办所选: the ticked (task, unit) rows of the 待签收 queue, one Chase per task."""
    back = _back(request, reverse("workbench:queue_unacknowledged"))
    form = wf.ChaseForm(request.POST)
    try:
        ids = [int(i) for i in request.POST.getlist("ids")]
    except ValueError:
        ids = None
    if ids is None or not form.is_valid():
        messages.error(request, "所选单位无效，请刷新页面后重试。" if ids is None else
                       "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    items = sel.chase_targets(ids)
    try:
        done = chase.chase_many(items=items, by=request.user, message=form.cleaned_data["message"])
    except WorkflowError as exc:
        messages.error(request, f"未催办：{exc.message}")
        return redirect(back)
    units = sum(len(units) for _, units in items)
    messages.success(request, f"已催办 {len(done)} 项事项的 {units} 个单位，催办人 {chase.chaser_name(request.user)}，"
                              f"{timezone.localtime():%Y-%m-%d %H:%M}。")
    return redirect(back)


def _decision_queue(request, *, kind: str):
    form = wf.DecisionForm(request.POST or None)
    ids = request.POST.getlist("ids") if request.method == "POST" else []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            approve = d["decision"] == "approve"
            try:
                if kind == "extensions":
                    done = approvals.decide_extensions(ids=ids, by=request.user, approve=approve, reason=d["reason"])
                else:
                    done = approvals.decide_completions(ids=ids, by=request.user, approve=approve, grade=d["grade"], reason=d["reason"])
            except WorkflowError as exc:
                apply_error(form, exc)
            else:
                label = "延期申请" if kind == "extensions" else "办结申请"
                verb = ("已同意" if approve else "已退回") if kind == "extensions" else ("已同意办结（销号）" if approve else "已退回重办")
                messages.success(request, f"{verb} {len(done)} 份{label}，已通知申请单位。")
                return redirect(f"workbench:queue_{kind}")
    rows = list((sel.pending_extensions() if kind == "extensions" else sel.pending_completions())[:500])
    return _page(request, f"workbench/queue_{kind}.html", {
        "wb": kind, "rows": rows, "form": form,
        "checked": {int(i) for i in ids if str(i).isdigit()},
    }, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def queue_extensions(request):
    return _decision_queue(request, kind="extensions")


@staff_view
@require_http_methods(["GET", "POST"])
def queue_completions(request):
    return _decision_queue(request, kind="completions")


# --- tasks: list, register, page, 交办单, files, 催办 --------------------------------------------------

@staff_view
def task_list(request):
    form = TaskFilterForm(request.GET or None)
    status = light = q = None
    if form.is_bound and form.is_valid():
        status, light, q = form.cleaned_data["status"] or None, form.cleaned_data["light"] or None, form.cleaned_data["q"].strip() or None
    qs = task_selectors.task_list(request.user, status=status or list(OPEN_STATUSES), light=light, q=q).order_by("deadline", "id")
    page = Paginator(qs, wf.PAGE_SIZE).get_page(request.GET.get("page"))
    sel.decorate_task_rows(page.object_list)
    keep = {k: v for k, v in (("status", status), ("light", light), ("q", q)) if v}
    return _page(request, "workbench/task_list.html", {
        "wb": "tasks", "form": form, "page_obj": page, "page_query": urlencode(keep),
        "here": request.get_full_path(),
    })


def _register_context(request, form, status=200):
    chips = _bulk_chips(request.POST) if request.method == "POST" else {}
    return _page(request, "workbench/register.html", {
        "wb": "register", "form": form, "limits": registration.instruction_limits(),
        "directory": sel.unit_directory(), "bulk_chips": chips, "today": timezone.localdate(),
    }, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def register(request):
    form = wf.TaskRegisterForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _register_context(request, form)
    if form.is_valid():
        d = form.cleaned_data
        try:
            units = _picked_units(request, "reg", d)
            task = registration.register_task(
                by=request.user, source=d["source"], title=d["title"], requirement=d["requirement"], urgency=d["urgency"],
                units=units, leaders=list(d["leaders"]),
                deadline=d["deadline"], category=d["category"], files=d["files"])
        except IngestError as exc:
            form.add_error("lead_text", exc.message)
        except WorkflowError as exc:
            field = {"units": "lead_text"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记并交办：{task.code} {task.title}，完成时限 {task.deadline:%Y-%m-%d}。可下载打印交办单。")
            return redirect("workbench:task", task.pk)
    return _register_context(request, form, status=400)


def _task_or_404(request, pk):
    try:
        return task_selectors.task_detail(request.user, pk)
    except Task.DoesNotExist:
        raise NotFound("督办事项不存在或已被删除。") from None


@staff_view
def task_page(request, pk: int):
    task = _task_or_404(request, pk)
    return _page(request, "workbench/task.html", {
        "wb": "tasks", "task": task, "light_label": LIGHT_LABELS.get(task.light, task.light),
        "assignments": list(task.assignments.all()), "leaders": list(task.leaders.all()),
        "files": sel.task_files(task), "chases": sel.task_chases(task), "chase_form": wf.ChaseForm(),
        "comments": task_selectors.leader_comments(task),
        "is_open": task.status in OPEN_STATUSES, "here": request.get_full_path(), **sel.pending_requests(task),
    })


@staff_view
def notice_docx(request, pk: int):
    task = _task_or_404(request, pk)
    resp = HttpResponse(build_notice(task), content_type=DOCX)
    resp["Content-Disposition"] = f"attachment; filename=\"notice-{task.code}.docx\"; filename*=UTF-8''{escape_uri_path(notice_filename(task))}"
    return resp


@staff_view
@require_POST
def chase_task(request, pk: int):
    task = _get(Task, pk, "督办事项")
    form = wf.ChaseForm(request.POST)
    back = _back(request, reverse("workbench:task", args=[task.pk]))
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    unit_ids = request.POST.getlist("units")
    try:
        units = ingest.resolve_units(unit_ids) if unit_ids else None
        c = chase.chase_task(task=task, by=request.user, units=units, message=form.cleaned_data["message"])
    except (IngestError, WorkflowError) as exc:
        messages.error(request, f"未催办：{exc.message}")
        return redirect(back)
    names = "、".join(u.name for u in c.units.all())
    when = timezone.localtime(c.created_at)
    sent = c.sent.get("sent", 0)
    tail = "已发出" if sent else "已排队，将在下一个工作日的发送中发出"
    messages.success(request, f"已催办 {task.code}：{names}（{c.channels}，{tail}），催办人 {chase.chaser_name(request.user)}，{when:%Y-%m-%d %H:%M}。")
    return redirect(back)


def task_file(request, pk: int):
    """A document registered with a task (the scanned 批示): for whoever may see the task — 督查室,
    leaders, and the operators of its units (tasks.selectors.tasks.task_detail decides)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    try:
        f = TaskFile.objects.get(pk=pk)
        task_selectors.task_detail(request.user, f.task_id)
    except (TaskFile.DoesNotExist, Task.DoesNotExist):
        return _error(request, 404, "文件不存在", "文件不存在或您无权查看。")
    return file_response(request, f.file, filename=f.name, content_type=f.content_type or "application/octet-stream")


"""The units' web portal (单位门户) and the leaders' dashboard: thin views over the workflow
services (tasks.services.workflow / notices) and the selectors (tasks.selectors.*).

Who sees what: an operator (单位联络员) only their unit's tasks (another unit's task is a 404);
leaders (县领导) and 督查室 staff read everything; leaders never get a write form; anonymous
users are sent to the login page.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.selectors import operator_unit, person_of, user_role
from tasks.models import Assignment, Notice, RequestState, Task
from tasks.portal import forms as pf
from tasks.selectors import tasks as task_selectors
from tasks.selectors.lights import LIGHT_LABELS, OPEN_STATUSES
from tasks.selectors.reminders import task_checkpoints
from tasks.services import notices as notice_services
from tasks.services import workflow

ROLE_LABELS = {"admin": "系统管理员", "staff": "督查室", "leader": "县领导", "operator": "单位联络员"}
LOCKED_MESSAGE = "登录失败次数过多，账号已暂时锁定，请15分钟后再试或联系督查室"
LIGHT_ORDER = ("red", "yellow", "green", "no_deadline", "done_on_time", "done_late")


# --- access ----------------------------------------------------------------------------------

def _error_page(request, status: int, heading: str, detail: str) -> HttpResponse:
    return _render(request, "portal/error.html", {"heading": heading, "detail": detail}, status=status)


def portal_view(*, dashboard: bool = False):
    """Anonymous → login page; a login without a portal role → 403; `dashboard` → leaders and staff only."""

    def deco(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            role = user_role(request.user)
            if role is None or (role == Role.OPERATOR and operator_unit(request.user) is None):
                return _error_page(request, 403, "没有访问权限", "您的账号尚未分配门户角色，请联系督查室开通。")
            if dashboard and role not in ("admin", "staff", "leader"):
                return _error_page(request, 403, "没有访问权限", "数据看板仅供县领导和督查室查看。")
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def _portal_context(request) -> dict:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    role = user_role(user)
    person = person_of(user)
    unread = _unread_count(user) if role else 0
    return {
        "role": role,
        "role_label": ROLE_LABELS.get(role or "", "未分配角色"),
        "name": (person.name if person else "") or user.get_full_name() or user.username,
        "unit": operator_unit(user),
        "unread": unread,
        "can_dashboard": role in ("admin", "staff", "leader"),
        "is_supervisor": role in ("admin", "staff"),
    }


def _unread_count(user) -> int:
    return task_selectors.unit_notices(user).filter(read_at__isnull=True).count()


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {**context, "portal": _portal_context(request)}
    return render(request, template, context, status=status)


# --- login / logout --------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    """Django's login with django-axes: after AXES_FAILURE_LIMIT failures a Chinese lockout page."""

    template_name = "portal/login.html"
    authentication_form = pf.LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["failure_limit"] = getattr(settings, "AXES_FAILURE_LIMIT", 5)
        ctx.setdefault("portal", {})
        return ctx

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            return lockout_response(self.request, None, None, form=form)
        return super().form_invalid(form)


def lockout_response(request, original_response=None, credentials=None, form=None) -> HttpResponse:
    """The lockout page (status 429). Also usable as settings.AXES_LOCKOUT_CALLABLE."""
    # answered here, so django-axes' middleware does not replace it with its English default
    request.axes_locked_out = False
    form = form or pf.LoginForm(request)
    ctx = {"form": form, "locked": True, "locked_message": LOCKED_MESSAGE,
           "failure_limit": getattr(settings, "AXES_FAILURE_LIMIT", 5), "next": "", "portal": {}}
    return render(request, "portal/login.html", ctx, status=429)


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, "您已退出登录。")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- task list -------------------------------------------------------------------------------

def _open_flags(tasks, unit):
    for t in tasks:
        t.light_label = LIGHT_LABELS.get(t.light, t.light)
        t.is_open = t.status in OPEN_STATUSES
        t.my_assignment = None
        t.units_shown = sorted(t.assignments.all(), key=lambda a: a.role != Assignment.Role.LEAD)
        if unit is not None:
            for a in t.assignments.all():
                if a.unit_id == unit.pk:
                    t.my_assignment = a


@portal_view()
def task_list(request):
    user = request.user
    form = pf.TaskFilterForm(request.GET or None)
    status = light = q = None
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or None
        light = form.cleaned_data["light"] or None
        q = form.cleaned_data["q"].strip() or None
    unit = operator_unit(user)
    # counts per light over the same status/keyword filter (not the light filter itself)
    counted = task_selectors.task_list(user, status=status, q=q)
    by_light = dict(counted.order_by().values_list("light").annotate(n=Count("pk")).values_list("light", "n"))
    light_counts = [{"key": k, "label": LIGHT_LABELS[k], "n": by_light.get(k, 0)} for k in LIGHT_ORDER]
    total = sum(by_light.values())
    qs = task_selectors.task_list(user, status=status, light=light, q=q).order_by(
        Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)), F("deadline").asc(nulls_first=True), "id")
    page = Paginator(qs, pf.PAGE_SIZE).get_page(request.GET.get("page"))
    _open_flags(page.object_list, unit)
    keep = {k: v for k, v in (("status", status), ("q", q)) if v}
    base_query = urlencode(keep)
    page_query = urlencode({**keep, **({"light": light} if light else {})})
    heading = f"我的督办事项 · {unit.name}" if unit else "督办事项"
    to_acknowledge = 0
    if unit is not None:
        to_acknowledge = Assignment.objects.filter(unit=unit, acknowledged_at__isnull=True, task__status__in=OPEN_STATUSES).count()
    return _render(request, "portal/task_list.html", {
        "nav": "tasks", "heading": heading, "form": form, "page_obj": page, "light_counts": light_counts,
        "total": total, "current_light": light, "base_query": base_query, "page_query": page_query,
        "filtered": bool(status or light or q), "to_acknowledge": to_acknowledge,
    })


# --- task page -------------------------------------------------------------------------------

ACTIONS = {
    "acknowledge": pf.AcknowledgeForm,
    "report": pf.ProgressForm,
    "extension": pf.ExtensionForm,
    "completion": pf.CompletionForm,
}
SUCCESS = {
    "acknowledge": "已签收。",
    "report": "进展已报送。",
    "extension": "延期申请已提交，等待督查室审批。",
    "completion": "办结申请已提交，等待督查室审核。",
}


def _load_task(user, pk):
    try:
        return task_selectors.task_detail(user, pk)
    except Task.DoesNotExist:
        raise Http404("督办事项不存在或无权查看。") from None


def _available_forms(task, my_assignment) -> dict:
    """Which write forms the operator's unit has on this task (None: not shown)."""
    if my_assignment is None or task.status not in OPEN_STATUSES:
        return {}
    forms = {"report": None, "extension": None}
    if my_assignment.acknowledged_at is None:
        forms["acknowledge"] = None
    if my_assignment.role == Assignment.Role.LEAD and task.status != Task.Status.COMPLETION_REQUESTED:
        forms["completion"] = None
    return forms


@portal_view()
@require_http_methods(["GET", "POST"])
def task_detail(request, pk: int):
    user = request.user
    task = _load_task(user, pk)
    role = user_role(user)
    unit = operator_unit(user)
    assignments = list(task.assignments.all())
    my_assignment = next((a for a in assignments if unit is not None and a.unit_id == unit.pk), None)
    available = _available_forms(task, my_assignment) if role == Role.OPERATOR else {}
    bound = {}
    status = 200
    comment_form = pf.LeaderCommentForm() if role == Role.LEADER and task.status in OPEN_STATUSES else None
    if request.method == "POST" and request.POST.get("action") == "comment":
        if role != Role.LEADER:
            return _error_page(request, 403, "没有操作权限", "只有县领导可以作出批示。")
        comment_form = pf.LeaderCommentForm(request.POST)
        if comment_form.is_valid():
            from tasks.services.comments import write_leader_comment

            try:
                write_leader_comment(task=task, by=user, text=comment_form.cleaned_data["text"])
            except workflow.WorkflowError as exc:
                pf.apply_error(comment_form, exc)
            else:
                messages.success(request, "批示已发送，责任单位和督查室会收到通知。")
                return redirect(reverse("portal:task_detail", args=[task.pk]))
        status = 400
    elif request.method == "POST":
        action = request.POST.get("action", "")
        if role != Role.OPERATOR or my_assignment is None:
            return _error_page(request, 403, "没有操作权限", "只有该事项责任单位的联络员可以在门户办理；督查室请在工作台处理，县领导可作出批示。")
        if action not in ACTIONS:
            return _error_page(request, 400, "无法识别的操作", "请返回事项页面重新提交。")
        form = ACTIONS[action](request.POST, request.FILES)
        if form.is_valid():
            try:
                _perform(action, task=task, unit=unit, user=user, data=form.cleaned_data)
            except workflow.WorkflowError as exc:
                pf.apply_error(form, exc)
            else:
                messages.success(request, SUCCESS[action])
                return redirect(reverse("portal:task_detail", args=[task.pk]))
        bound[action] = form
        status = 400
        if action not in available:  # e.g. the task closed meanwhile: still show the message
            available[action] = None
        task = _load_task(user, pk)  # re-read: nothing was stored, but show the current state
        assignments = list(task.assignments.all())
        my_assignment = next((a for a in assignments if a.unit_id == unit.pk), None)
    forms = {}
    for name in available:
        forms[name] = bound.get(name) or ACTIONS[name](initial={"version": task.version})
    if role == Role.LEADER:
        readonly = "县领导可在上方作出批示；其余内容只读，不能代单位办理。"
    elif role in ("admin", "staff"):
        readonly = "督查室请在工作台审批延期、办结申请或催办、调整事项；门户表单仅供责任单位联络员使用。"
    elif my_assignment is not None and task.status not in OPEN_STATUSES:
        readonly = f"该事项{task.get_status_display()}，不能再办理。"
    else:
        readonly = ""
    reports = task.progress_reports.select_related("unit").prefetch_related("attachments")
    pending_completion = next((r for r in task.completion_requests.all() if r.state == RequestState.PENDING), None)
    pending_extension = None
    if my_assignment is not None:
        pending_extension = task.extension_requests.filter(unit=my_assignment.unit, state=RequestState.PENDING).first()
    return _render(request, "portal/task_detail.html", {
        "nav": "tasks", "task": task, "light_label": LIGHT_LABELS.get(task.light, task.light),
        "assignments": assignments,
        "lead_assignments": [a for a in assignments if a.role == Assignment.Role.LEAD],
        "co_assignments": [a for a in assignments if a.role == Assignment.Role.CO],
        "leaders": list(task.leaders.all()), "reports": reports, "timeline": timeline_rows(task_selectors.task_timeline(task)),
        "my_assignment": my_assignment, "forms": forms, "can_act": bool(forms), "readonly_reason": readonly,
        "pending_completion": pending_completion, "pending_extension": pending_extension,
        "open_statuses": OPEN_STATUSES, "checkpoints": task_checkpoints(task),
        "comments": task_selectors.leader_comments(task), "comment_form": comment_form,
    }, status=status)


timeline_rows = task_selectors.timeline_rows  # moved: the admin's history page shows the same rows


def _perform(action: str, *, task, unit, user, data) -> None:
    version = data.get("version")
    if action == "acknowledge":
        workflow.acknowledge(task=task, unit=unit, by=user, version=version)
    elif action == "report":
        workflow.report_progress(task=task, unit=unit, by=user, text=data["text"], percent=data["percent"],
                                 files=data.get("files") or (), period=data.get("period", ""), version=version)
    elif action == "extension":
        workflow.request_extension(task=task, unit=unit, by=user, proposed_deadline=data["proposed_deadline"],
                                   reason=data["reason"], version=version)
    elif action == "completion":
        workflow.request_completion(task=task, unit=unit, by=user, summary=data["summary"], version=version)


@portal_view()
def attachment(request, pk: int):
    """An evidence file, only for someone who may see its task."""
    from tasks.models import Attachment

    try:
        att = Attachment.objects.select_related("report").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("文件不存在。") from None
    _load_task(request.user, att.report.task_id)
    from tasks.files import file_response

    return file_response(request, att.file, filename=att.name, content_type=att.content_type or "application/octet-stream")


# --- notices ---------------------------------------------------------------------------------

@portal_view()
def notices(request):
    qs = task_selectors.unit_notices(request.user).select_related("task")
    page = Paginator(qs, pf.PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "portal/notices.html", {"nav": "notices", "page_obj": page})


@portal_view()
@require_POST
def notice_read(request, pk: int):
    qs = task_selectors.unit_notices(request.user)
    if pk == 0:  # all
        for n in qs.filter(read_at__isnull=True):
            notice_services.mark_read(notice=n, by=request.user)
        messages.success(request, "全部通知已标为已读。")
    else:
        try:
            notice = qs.get(pk=pk)
        except Notice.DoesNotExist:
            raise Http404("通知不存在。") from None
        notice_services.mark_read(notice=notice, by=request.user)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("portal:notices")


# --- dashboard -------------------------------------------------------------------------------

@portal_view(dashboard=True)
def dashboard(request):
    from tasks.selectors import dashboard as dash
    from tasks.selectors import stats

    totals = stats.totals()
    ranking = stats.unit_ranking()
    overdue = list(stats.overdue_tasks().prefetch_related("assignments__unit")[:100])
    for t in overdue:
        t.lead_units = [a.unit for a in t.assignments.all() if a.role == Assignment.Role.LEAD]
    light_tiles = [{"key": k, "label": LIGHT_LABELS[k], "n": totals["by_light"].get(k, 0)} for k in LIGHT_ORDER]
    person = person_of(request.user)
    mine = dash.leader_tasks(request.user, person).count() if person is not None and user_role(request.user) == Role.LEADER else None
    charts = {
        "lights": [{"key": c["key"], "label": c["label"], "n": c["n"], "url": f"{reverse('portal:task_list')}?light={c['key']}"}
                   for c in light_tiles],
        "units": [{"unit": r["unit_short"] or r["unit"], "url": reverse("portal:dashboard_unit", args=[r["unit_id"]]),
                   "overdue": r["overdue"], "lagging": r["lagging"], "on_track": r["on_track"], "closed": r["closed"]}
                  for r in sorted(ranking, key=lambda r: (-r["overdue"], -r["lagging"], -r["tasks"], r["unit"]))[:15]],
        "trend": [{"label": w["label"], "new": w["new"], "closed": w["closed"]} for w in dash.weekly_trend()],
    }
    return _render(request, "portal/dashboard.html", {
        "nav": "dashboard", "totals": totals, "ranking": ranking, "overdue": overdue, "light_tiles": light_tiles,
        "score_rule": stats.SCORE_RULE, "readonly": user_role(request.user) == Role.LEADER, "charts": charts,
        "mine_count": mine,
    })


def _dashboard_list(request, *, heading: str, subtitle: str, qs, base_url: str, kind: str):
    """A unit's tasks or a leader's: light counts (each a filter), then the tasks, 50 a page."""
    from tasks.selectors import dashboard as dash

    light = request.GET.get("light") or None
    if light not in LIGHT_LABELS:
        light = None
    counts = dash.light_counts(qs(None))
    page = Paginator(qs(light), pf.PAGE_SIZE).get_page(request.GET.get("page"))
    _open_flags(page.object_list, None)
    return _render(request, "portal/dashboard_tasks.html", {
        "nav": "dashboard", "heading": heading, "subtitle": subtitle, "page_obj": page, "light_counts": counts,
        "current_light": light, "base_url": base_url, "kind": kind, "total": sum(c["n"] for c in counts),
        "page_query": urlencode({"light": light}) if light else "",
    })


@portal_view(dashboard=True)
def dashboard_unit(request, pk: int):
    """Drill-down from a unit's row on the dashboard: the tasks it leads."""
    from accounts.models import Unit
    from tasks.selectors import dashboard as dash

    try:
        unit = Unit.objects.get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404("单位不存在。") from None
    return _dashboard_list(request, heading=f"{unit.name} · 主办事项", subtitle="按时限排列，在办事项在前；点击状态灯可筛选。",
                           qs=lambda light: dash.unit_tasks(request.user, unit, light=light),
                           base_url=reverse("portal:dashboard_unit", args=[unit.pk]), kind="unit")


@portal_view(dashboard=True)
def dashboard_mine(request):
    """我分管的: the tasks whose 责任领导 is the leader looking."""
    from tasks.selectors import dashboard as dash

    person = person_of(request.user)
    if person is None or user_role(request.user) != Role.LEADER:
        return _error_page(request, 403, "没有可显示的分管事项", "“我分管的”列出责任领导为本人的事项，仅县领导账号可用。")
    return _dashboard_list(request, heading=f"我分管的事项 · {person}", subtitle="责任领导为本人的督办事项；可在事项页面作出批示。",
                           qs=lambda light: dash.leader_tasks(request.user, person, light=light),
                           base_url=reverse("portal:dashboard_mine"), kind="mine")

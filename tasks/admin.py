"""The 督查室's Django admin (Chinese): settings, rare edits, look-ups. The daily path is the
workbench (tasks/workbench/, /workbench/), which these pages link to; what every admin page shares
is in tasks/adminsite/. Thin: every write calls a service."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Person, Unit
from accounts.selectors import is_supervisor
from tasks.adminsite.decisions import DecisionAdmin
from tasks.adminsite.history import ChineseHistoryMixin
from tasks.adminsite.home import workbench_url
from tasks.adminsite.office import OfficeSettingsForm
from tasks.adminsite.office import fieldsets as office_fieldsets
from tasks.adminsite.widgets import owners_html, owners_text
from tasks.models import (
    Assignment, CompletionRequest, Directive, ExtensionRequest, Holiday, LeaderComment, Meeting, NamedEvent, Notice,
    OfficeSettings, ProgressReport, Reminder, ReportFile, Speech, Task,
)
from tasks.selectors.lights import LIGHT_LABELS, light_q, with_light
from tasks.selectors.workbench import leaders_qs  # who may be a 责任领导: one rule for every picker
from tasks.services.ingest import IngestError, accept_directive, accept_directives, ingest_speech, reject_directives

LIGHT_COLOURS = {"green": "#1a7f37", "yellow": "#b58100", "red": "#c62828", "no_deadline": "#6b7280",
                 "done_on_time": "#1a7f37", "done_late": "#8a5a00", "cancelled": "#6b7280"}


def light_badge(light: str):
    return format_html('<span style="color:{};font-weight:600">●&nbsp;{}</span>', LIGHT_COLOURS.get(light, "#333"),
                       LIGHT_LABELS.get(light, light))


# --- meetings and speeches ----------------------------------------------------------------------

class SpeechUploadForm(forms.Form):
    file = forms.FileField(label="讲话稿文件", help_text="txt（任意中文编码）、docx 或 可复制文字的 pdf，不超过 10 MB")
    meeting = forms.ModelChoiceField(Meeting.objects.all(), label="已有会议", required=False,
                                     help_text="选择已有会议，或在下面填写新会议")
    meeting_title = forms.CharField(label="会议名称", required=False, max_length=200)
    meeting_date = forms.DateField(label="会议日期", required=False, help_text="格式 2024-05-28；用于换算“6月底前”等时限",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    speaker = forms.CharField(label="讲话人", required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if not data.get("meeting") and not data.get("meeting_date"):
            raise forms.ValidationError("请选择已有会议，或填写新会议的日期。")
        return data


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("date", "title", "speaker", "level")
    list_filter = ("level",)
    search_fields = ("title", "speaker")
    date_hierarchy = "date"


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page, written only by services."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class DirectiveInline(ReadOnlyInline):
    model = Directive
    fields = ("seq", "text", "deadline_text", "deadline", "review_state")
    show_change_link = True


@admin.register(Speech)
class SpeechAdmin(admin.ModelAdmin):
    list_display = ("title", "meeting", "encoding", "chars", "directive_count", "created_at", "review_link")
    search_fields = ("title", "original_name", "meeting__title")
    readonly_fields = ("meeting", "title", "original_name", "file", "encoding", "sha256", "chars", "uploaded_by", "created_at")
    exclude = ("text",)
    inlines = [DirectiveInline]

    @admin.display(description="抽取条数")
    def directive_count(self, obj):
        return obj.directives.count()

    @admin.display(description="审核")
    def review_link(self, obj):
        return format_html('<a href="{}">在工作台审核</a>', reverse("workbench:review", args=[obj.pk]))

    def get_urls(self):
        return [path("upload/", self.admin_site.admin_view(self.upload_view), name="tasks_speech_upload"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("admin:tasks_speech_upload"))

    def upload_view(self, request):
        """上传讲话稿 → 抽取 → 审核队列. A bad file shows a Chinese message and stores nothing."""
        if not self.has_add_permission(request):
            return redirect(reverse("admin:index"))
        form = SpeechUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                speech = ingest_speech(data=d["file"].read(), filename=d["file"].name, meeting=d["meeting"],
                                       meeting_title=d["meeting_title"], meeting_date=d["meeting_date"],
                                       speaker=d["speaker"], by=request.user)
            except IngestError as exc:
                if exc.code == "duplicate" and exc.speech is not None:
                    self.message_user(request, exc.message, messages.WARNING)
                    return redirect(reverse("admin:tasks_directive_changelist") + f"?speech__id__exact={exc.speech.pk}")
                form.add_error("file", exc.message)
            else:
                n = speech.directives.count()
                self.message_user(request, f"已抽取 {n} 条交办语句：建议点“在工作台审核此讲话稿”通读全文审核，"
                                           f"也可在下方勾选后“采纳并交办”。", messages.SUCCESS)
                return redirect(reverse("admin:tasks_directive_changelist") + f"?speech__id__exact={speech.pk}")
        context = {**self.admin_site.each_context(request), "title": "上传讲话稿", "form": form, "opts": self.model._meta}
        return render(request, "admin/tasks/speech/upload.html", context)


# --- directives: the review queue -----------------------------------------------------------------

class DirectiveForm(forms.ModelForm):
    """The directive as extracted, plus who it goes to when staff press 采纳并交办."""

    lead_units = forms.ModelMultipleChoiceField(Unit.objects.filter(active=True), required=False, label="交办：主办（牵头）单位",
                                                widget=FilteredSelectMultiple("主办单位", False),
                                                help_text="默认取抽取出的责任单位；“各乡镇”等分组会展开为其下各单位")
    co_units = forms.ModelMultipleChoiceField(Unit.objects.filter(active=True), required=False, label="交办：协办（配合）单位",
                                              widget=FilteredSelectMultiple("协办单位", False))
    leaders = forms.ModelMultipleChoiceField(leaders_qs(),
                                             required=False, label="交办：责任领导", widget=FilteredSelectMultiple("责任领导", False),
                                             help_text="只列出县领导（人员中标为“县领导/责任领导”的）")

    class Meta:
        model = Directive
        fields = ("text", "deadline_kind", "deadline", "deadline_text", "recurrence", "target")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = self.instance.owners if self.instance and self.instance.pk else []
        ids = lambda role: [o["unit_id"] for o in owners if o.get("unit_id") and (o.get("role") or "lead") == role]  # noqa: E731
        self.fields["lead_units"].initial = ids("lead")
        self.fields["co_units"].initial = ids("co")
        self.fields["leaders"].initial = list(Person.objects.filter(name__in=[o["name"] for o in owners if o.get("kind") == "person"]))

    def assignment(self):
        d = self.cleaned_data
        units = [(u, "lead") for u in d.get("lead_units") or []] + [(u, "co") for u in d.get("co_units") or []]
        return units or None, (list(d["leaders"]) if d.get("leaders") else None)

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk and any(f in self.changed_data for f in ("lead_units", "co_units", "leaders")):
            self.instance.owners = self.owners_from_pickers()

    def owners_from_pickers(self) -> list[dict]:
        """建议责任主体 as picked: the chosen units and leaders, plus the names the directory did not
        know (kept, still marked 名录外, so the reviewer sees what the speech said)."""
        d = self.cleaned_data
        unknown = [o for o in self.instance.owners or [] if not o.get("unit_id") and o.get("kind") != "person"]
        units = [{"name": u.name, "kind": "unit", "role": role, "unit_id": u.pk}
                 for role, key in (("lead", "lead_units"), ("co", "co_units")) for u in d.get(key) or []]
        people = [{"name": p.name, "kind": "person", "role": "lead", "unit_id": None} for p in d.get("leaders") or []]
        return units + unknown + people


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    form = DirectiveForm
    change_form_template = "admin/tasks/directive/change_form.html"
    list_display = ("seq", "short_text", "owner_list", "deadline_text", "deadline", "recurrence", "target",
                    "confidence", "review_state", "task_link")
    list_display_links = ("seq", "short_text")
    list_filter = ("review_state", "deadline_kind", "recurrence", "speech")
    search_fields = ("text", "section")
    list_per_page = 100
    actions = ["accept_selected", "reject_selected"]
    readonly_fields = ("speech", "seq", "start", "end", "section", "context", "confidence", "review_state",
                       "reviewed_by", "reviewed_at", "task_link", "owners_display")
    fieldsets = (
        (None, {"fields": ("speech", "seq", "section", "context")}),
        ("抽取结果（可修改）", {"fields": ("text", "owners_display", "deadline_kind", "deadline", "deadline_text", "recurrence",
                                   "target", "confidence")}),
        ("交办", {"fields": ("lead_units", "co_units", "leaders")}),
        ("审核", {"fields": ("review_state", "reviewed_by", "reviewed_at", "task_link")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_accept" not in request.POST:
            return
        units, leaders = form.assignment()
        try:  # a date on the form wins over "尽快"/event/unresolved
            task = accept_directive(directive=obj, by=request.user, units=units, leaders=leaders, deadline=obj.deadline)
        except IngestError as exc:
            self.message_user(request, f"未交办：{exc.message}", messages.ERROR)
        else:
            self.message_user(request, f"已交办，督办事项编号 {task.code}。", messages.SUCCESS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speech", "task")

    def changelist_view(self, request, extra_context=None):
        """Filtered to one speech (as after an upload): the page points to that speech's workbench review."""
        sid = request.GET.get("speech__id__exact", "")
        speech = Speech.objects.filter(pk=sid).only("pk", "title").first() if sid.isdigit() and len(sid) < 19 else None
        return super().changelist_view(request, {**(extra_context or {}), "review_speech": speech})

    @admin.display(description="语句")
    def short_text(self, obj):
        return obj.text[:80] + ("…" if len(obj.text) > 80 else "")

    @admin.display(description="责任主体")
    def owner_list(self, obj):
        return owners_text(obj.owners)

    @admin.display(description="建议责任主体")
    def owners_display(self, obj):
        return format_html('{}<div class="help">红色为名录中没有的单位（不会自动对应到本级单位）；交办对象以下方“交办”中的选择为准，'
                           '修改后保存即更新这里。</div>', owners_html(obj.owners))

    @admin.display(description="督办事项")
    def task_link(self, obj):
        task = getattr(obj, "task", None)
        if task is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:tasks_task_change", args=[task.pk]), task.code)

    @admin.display(description="上下文")
    def context(self, obj):
        text = obj.speech.text
        before, sentence, after = text[max(0, obj.start - 200):obj.start], text[obj.start:obj.end], text[obj.end:obj.end + 200]
        return format_html('<div style="max-width:60em;white-space:pre-wrap;line-height:1.7">…{}<mark>{}</mark>{}…</div>',
                           before, sentence, after)

    @admin.action(description="采纳并交办（按建议的责任单位和时限；有一条不能交办则全部不变）")
    def accept_selected(self, request, queryset):
        """The workbench's bulk 采纳并交办 (tasks.services.ingest.accept_directives): all or nothing."""
        try:
            tasks = accept_directives(ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        except IngestError as exc:
            self.message_user(request, f"未交办：{exc.message}", messages.ERROR)
        else:
            codes = tasks[0].code + (f" 至 {tasks[-1].code}" if len(tasks) > 1 else "")
            self.message_user(request, f"已交办 {len(tasks)} 条，督办事项编号 {codes}。", messages.SUCCESS)

    @admin.action(description="驳回（不作为督办事项）")
    def reject_selected(self, request, queryset):
        try:
            n = reject_directives(ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        except IngestError as exc:
            self.message_user(request, f"未驳回：{exc.message}", messages.ERROR)
        else:
            self.message_user(request, f"已驳回 {n} 条。", messages.SUCCESS)


# --- tasks ----------------------------------------------------------------------------------------

class LightFilter(admin.SimpleListFilter):
    title = "状态灯"
    parameter_name = "light"

    def lookups(self, request, model_admin):
        return list(LIGHT_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(light_q(self.value())) if self.value() else queryset


class UnitFilter(admin.SimpleListFilter):
    title = "责任单位"
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return [(u.pk, str(u)) for u in Unit.objects.filter(active=True).exclude(kind="group")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not str(self.value()).isdigit() or int(self.value()) >= 2 ** 63:  # ?unit=abc: "invalid filter", not a 500
            from django.contrib.admin.options import IncorrectLookupParameters

            raise IncorrectLookupParameters(f"责任单位参数无效：{self.value()}")
        return queryset.filter(assignments__unit_id=self.value())


class AssignmentInline(ReadOnlyInline):
    """Units and their 签收, as the services wrote them; more units: NewAssignmentInline."""

    model = Assignment
    fields = ("unit", "role", "acknowledged_at", "acknowledged_by")


class NewAssignmentFormSet(forms.BaseInlineFormSet):
    """Units to add, checked with the workflow's rules before anything is saved; TaskAdmin.save_formset
    hands them to tasks.services.workflow.assign_units (history, 交办通知 to each new unit)."""

    def get_queryset(self):
        return Assignment.objects.none()

    def pairs(self) -> list[tuple]:
        return [(f.cleaned_data["unit"], f.cleaned_data["role"]) for f in self.forms
                if f.cleaned_data and f.cleaned_data.get("unit") and not f.cleaned_data.get("DELETE")]

    def clean(self):
        super().clean()
        from tasks.services.workflow import WorkflowError, check_new_units

        if self.pairs():
            try:
                check_new_units(self.instance, self.pairs())
            except WorkflowError as exc:
                raise forms.ValidationError(exc.message) from None


class NewAssignmentInline(admin.TabularInline):
    model = Assignment
    formset = NewAssignmentFormSet
    fields = ("unit", "role")
    autocomplete_fields = ("unit",)
    extra = 0
    can_delete = False
    verbose_name = "新增责任单位"
    verbose_name_plural = "增加责任单位（保存后向新单位发交办通知）"

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class ProgressInline(ReadOnlyInline):
    model = ProgressReport
    fields = ("created_at", "unit", "percent", "text", "period")


class LeaderCommentInline(ReadOnlyInline):
    model = LeaderComment
    fields = ("created_at", "author", "text")


class TaskForm(forms.ModelForm):
    """The task's own fields; a deadline change is checked here with the workflow's rule and stored by
    tasks.services.workflow.set_deadline (history, notices to the units) in TaskAdmin.save_model."""

    class Meta:
        model = Task
        fields = "__all__"

    def clean(self):
        from tasks.services.workflow import CLOSED_STATUSES, WorkflowError, check_deadline

        data = super().clean()
        if not self.instance.pk or not {"deadline", "start_date"} & set(self.changed_data):
            return data
        deadline, start = data.get("deadline"), data.get("start_date") or self.instance.start_date
        if "deadline" in self.changed_data:
            if self.instance.status in CLOSED_STATUSES:
                self.add_error("deadline", f"该事项{self.instance.get_status_display()}，不能修改完成时限。")
                return data
            if deadline is None:
                self.add_error("deadline", "完成时限不能清空；如需调整，请填写新的日期。")
                return data
        try:
            check_deadline(start, deadline)
        except WorkflowError as exc:
            self.add_error("deadline" if "deadline" in self.changed_data else "start_date", exc.message)
        return data


@admin.register(Task)
class TaskAdmin(ChineseHistoryMixin, SimpleHistoryAdmin):
    form = TaskForm
    list_display = ("code", "title", "lead_units", "deadline", "deadline_text", "light_display", "progress", "status",
                    "flagged", "level")
    list_filter = (LightFilter, "status", UnitFilter, "flagged", "level", "source", ("deadline", admin.DateFieldListFilter), "meeting")
    search_fields = ("code", "title", "requirement", "assignments__unit__name", "assignments__unit__short_name")
    date_hierarchy = "deadline"
    list_per_page = 50
    readonly_fields = ("code", "source", "source_sentence", "progress", "status", "assigned_at", "closed_at", "grade",
                       "version", "created_by", "created_at", "updated_at", "light_display")
    fieldsets = (
        (None, {"fields": ("code", "title", "requirement", "category", "target", "recurrence", "urgency")}),
        ("时限", {"fields": ("deadline", "deadline_text", "deadline_kind", "start_date", "light_display")}),
        ("责任", {"fields": ("leaders", "flagged", "level")}),
        ("来源", {"fields": ("source", "meeting", "source_sentence")}),
        ("办理", {"fields": ("status", "progress", "assigned_at", "closed_at", "grade", "created_by", "created_at", "updated_at")}),
    )
    inlines = [LeaderCommentInline, AssignmentInline, NewAssignmentInline, ProgressInline]

    def get_urls(self):  # 导入台账 (preview, then confirm): tasks/reports/admin_views.py
        from tasks.reports.admin_views import ledger_urls

        return [*ledger_urls(self), *super().get_urls()]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "leaders":
            kwargs["queryset"] = leaders_qs()
            kwargs["widget"] = FilteredSelectMultiple("责任领导", False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False  # 登记 goes through create_task on the workbench (numbering, units, notices, 交办单)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(workbench_url("register"))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "register_url": workbench_url("register")})

    def save_model(self, request, obj, form, change):
        """Every field as edited, except a new deadline: that goes through set_deadline (its history
        reason and the units' notices), after the rest is saved."""
        from tasks.services.workflow import set_deadline

        new_deadline = obj.deadline
        moved = change and "deadline" in form.changed_data
        if moved:
            obj.deadline = form.initial.get("deadline")
        obj._change_reason = "后台修改"
        obj._history_user = request.user
        super().save_model(request, obj, form, change)
        if moved:
            set_deadline(task=obj, by=request.user, deadline=new_deadline)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, NewAssignmentFormSet):
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the change message
            if formset.pairs():
                from tasks.services.workflow import assign_units

                formset.new_objects = assign_units(task=form.instance, by=request.user, units=formset.pairs())
            return
        super().save_formset(request, form, formset, change)

    def history_view(self, request, object_id, extra_context=None):
        """The task's whole record (交办, 签收, reports, requests, decisions) above the field changes."""
        from tasks.selectors.tasks import task_timeline, timeline_rows

        task = self.get_object(request, unquote(object_id))
        timeline = timeline_rows(task_timeline(task)) if task is not None else []
        return super().history_view(request, object_id, {**(extra_context or {}), "timeline": timeline})

    def get_queryset(self, request):
        return with_light(super().get_queryset(request)).prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
        )

    @admin.display(description="状态灯", ordering="light")
    def light_display(self, obj):
        light = getattr(obj, "light", None)  # annotated by get_queryset (list and change page alike)
        return light_badge(light) if light else "—"

    @admin.display(description="牵头单位")
    def lead_units(self, obj):
        return "、".join(str(a.unit) for a in obj.assignments.all() if a.role == Assignment.Role.LEAD)

    @admin.display(description="来源语句")
    def source_sentence(self, obj):
        d = obj.source_directive
        if d is None:
            return "—"
        return format_html('<a href="{}">{}</a><br><small>{}</small>', reverse("admin:tasks_directive_change", args=[d.pk]),
                           d.text, d.section)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(DecisionAdmin):
    list_display = ("task", "unit", "old_deadline", "proposed_deadline", "state", "created_at")
    readonly_fields = ("task", "unit", "requested_by", "old_deadline", "proposed_deadline", "reason", "state",
                       "decided_by", "decided_at", "created_at")
    fields = ("task", "unit", "requested_by", "old_deadline", "proposed_deadline", "reason", "state", "decision",
              "decision_reason", "decided_by", "decided_at", "created_at")

    noun = "延期申请"

    def decide(self, obj, by, approve, data):
        from tasks.services.workflow import decide_extension

        decide_extension(request=obj, by=by, approve=approve, reason=data.get("decision_reason", ""))


@admin.register(CompletionRequest)
class CompletionRequestAdmin(DecisionAdmin):
    list_display = ("task", "unit", "state", "grade", "created_at")
    list_filter = ("state", "grade")
    readonly_fields = ("task", "unit", "requested_by", "summary", "state", "decided_by", "decided_at", "created_at")
    fields = ("task", "unit", "requested_by", "summary", "state", "decision", "grade", "decision_reason",
              "decided_by", "decided_at", "created_at")

    noun = "办结申请"
    decision_fields = ("decision", "grade", "decision_reason")

    def decide(self, obj, by, approve, data):
        from tasks.services.workflow import decide_completion

        decide_completion(request=obj, by=by, approve=approve, grade=data.get("grade", ""), reason=data.get("decision_reason", ""))


@admin.register(LeaderComment)
class LeaderCommentAdmin(admin.ModelAdmin):
    """领导批示 as the leaders wrote them (in the portal or the API); nobody edits them here."""

    list_display = ("created_at", "author", "task", "short_text")
    search_fields = ("text", "task__code", "task__title", "author__name")
    list_select_related = ("author", "task")
    readonly_fields = ("task", "author", "text", "created_at")

    def has_module_permission(self, request):
        return is_supervisor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_supervisor(request.user)  # also for a 督查室 group made before this model existed

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="批示内容")
    def short_text(self, obj):
        return obj.text[:80] + ("…" if len(obj.text) > 80 else "")


# --- office configuration, notices, reminders, reports --------------------------------------------

@admin.register(OfficeSettings)
class OfficeSettingsAdmin(admin.ModelAdmin):
    """One row; 响应节点 and 督办等级名称 as forms, checked by the reminder policy: tasks/adminsite/office.py."""

    form = OfficeSettingsForm

    def get_fieldsets(self, request, obj=None):
        return office_fieldsets(list(self.get_form(request, obj, fields=None).base_fields))

    def has_add_permission(self, request):
        return not OfficeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj, _ = OfficeSettings.objects.get_or_create(pk=1)
        return redirect(reverse("admin:tasks_officesettings_change", args=[obj.pk]))


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday",)


@admin.register(NamedEvent)
class NamedEventAdmin(admin.ModelAdmin):
    list_display = ("name", "date")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "unit", "person", "task", "read_at")
    list_filter = ("read_at",)
    search_fields = ("title", "body")
    raw_id_fields = ("task",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "subject", "unit", "person", "state", "attempts", "next_attempt_at",
                    "sent_at", "short_error", "in_digest")
    list_filter = ("state", "kind", "channel", "urgent", "period")
    search_fields = ("subject", "key", "unit__name", "person__name", "target")
    raw_id_fields = ("task", "digest")
    list_select_related = ("unit", "person", "digest")
    readonly_fields = [f.name for f in Reminder._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="最近错误")
    def short_error(self, obj):
        return (obj.last_error or "")[:60]

    @admin.display(description="所属汇总")
    def in_digest(self, obj):
        if not obj.digest_id:
            return "—"
        url = reverse("admin:tasks_reminder_change", args=[obj.digest_id])
        return format_html('<a href="{}">汇总 #{}（{}）</a>', url, obj.digest_id, obj.digest.get_state_display())

    @admin.action(description="立即重试（发送失败或已放弃的提醒）")
    def retry_now(self, request, queryset):
        from tasks.services.reminders import retry_now

        ids = list(queryset.filter(state__in=[Reminder.State.FAILED, Reminder.State.GIVEN_UP]).values_list("pk", flat=True))
        if not ids:
            self.message_user(request, "所选提醒中没有发送失败或已放弃的提醒。", level=messages.WARNING)
            return
        counts = retry_now(ids)
        waiting = counts.get("outside_window", 0) + counts.get("deferred", 0) + counts.get("held", 0)
        self.message_user(request, f"已重试 {len(ids)} 条：成功 {counts['sent']} 条，仍失败 {counts['failed'] + counts['given_up']} 条"
                                   + (f"，{waiting} 条不在发送时段或被限流，稍后自动发送" if waiting else "") + "。")


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    list_display = ("filename", "issue", "as_of", "task_count", "trigger", "created_at", "download")
    readonly_fields = [f.name for f in ReportFile._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="期号")
    def issue(self, obj):
        return f"{obj.issue_year}年第{obj.issue_no}期" if obj.issue_no else "—"

    @admin.display(description="下载")
    def download(self, obj):
        xlsx = format_html('<a href="{}">工作簿</a>', reverse("admin:tasks_reportfile_download", args=[obj.pk])) if obj.file else "—"
        if not obj.docx:
            return xlsx
        return format_html('{} · <a href="{}">通报文稿</a>', xlsx, reverse("admin:tasks_reportfile_download_docx", args=[obj.pk]))

    def get_urls(self):  # 生成本周督查通报 (POST) and the staff-only download: tasks/reports/admin_views.py
        from tasks.reports.admin_views import report_urls

        return [*report_urls(self), *super().get_urls()]


# --- the site as a whole ----------------------------------------------------------------------------

admin.site.index_template = "admin/tasks/index.html"  # grouped for the 督查室: tasks/adminsite/home.py
# every history page in Chinese and read-only, internals for the superuser only, readable
# many-to-many rows: tasks.adminsite.finish_admin_site, run by TasksConfig.ready() once every
# app's admin is registered

"""Approving a 延期/办结 request on its admin page, like any form should behave: a refusal shows
its Chinese message next to the field with what was typed kept, and only a decision that was
stored says so (已同意延期申请 / 已退回办结申请…). A decided request is read-only."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from tasks.models import RequestState


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label="审批", choices=[("", "—（请选择）"), ("approve", "同意"), ("reject", "退回")],
                                 required=True, error_messages={"required": "请选择审批结果：同意或退回。"})


# a service error's field → the form field it belongs next to
FIELD_OF_ERROR = {"reason": "decision_reason", "grade": "grade"}


class DecisionAdmin(admin.ModelAdmin):
    """A request that staff approve or send back on its change form; `decide` calls the service."""

    form = DecisionForm
    list_filter = ("state",)
    search_fields = ("task__code", "task__title", "unit__name")
    noun = "申请"
    decision_fields = ("decision", "decision_reason")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def decide(self, obj, by, approve: bool, data: dict):
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.state != RequestState.PENDING:
            ro += [f for f in self.decision_fields if f not in ro and f != "decision"]
        return ro

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.state != RequestState.PENDING:
            fields = [f for f in fields if f != "decision"]
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        from tasks.services.workflow import WorkflowError

        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if obj.state != RequestState.PENDING:
            self.message_user(request, f"该{self.noun}已处理（{obj.get_state_display()}），不能重复审批。", messages.WARNING)
            return HttpResponseRedirect(request.path)
        form = self.get_form(request, obj, change=True)(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                self.decide(obj, request.user, approve, form.cleaned_data)
            except WorkflowError as exc:
                field = FIELD_OF_ERROR.get(exc.field or "")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                self.message_user(request, f"已{'同意' if approve else '退回'}{self.opts.verbose_name}：{obj.task}。", messages.SUCCESS)
                return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        obj.refresh_from_db()
        fieldsets = self.get_fieldsets(request, obj)
        admin_form = helpers.AdminForm(form, list(fieldsets), {}, self.get_readonly_fields(request, obj), model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": f"审批{self.opts.verbose_name}", "subtitle": str(obj), "adminform": admin_form, "object_id": object_id,
            "original": obj, "is_popup": False, "to_field": None, "media": self.media + admin_form.media,
            "inline_admin_formsets": [], "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request), **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=False, change=True, obj=obj, form_url=form_url)

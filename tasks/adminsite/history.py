"""History pages in Chinese and read-only, for every model admin with django-simple-history.

`ChineseHistoryMixin` goes in front of SimpleHistoryAdmin: field labels are verbose names, values
are what a person reads (choices by label, 是/否, dates, related objects by name, never a code),
the header and reasons are Chinese, and there is no “还原到先前版本”: the old-version page
redirects to the list and nothing can be posted back. `chinese_history_everywhere()` puts it in
front of every registered SimpleHistoryAdmin (also the ones other apps register), keeping their
own classes.
"""
from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import ForeignKey, ManyToManyField
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

HISTORY_TEMPLATE = "admin/tasks/history/object_history.html"
EMPTY = "—"


def display_value(model, field_name: str, value) -> str:
    """One field value as a person reads it."""
    field = model._meta.get_field(field_name)
    if isinstance(field, ManyToManyField):
        ids = [v.get(field.m2m_reverse_field_name()) if isinstance(v, dict) else v for v in (value or [])]
        ids = [getattr(i, "pk", i) for i in ids]
        names = {o.pk: str(o) for o in field.related_model._default_manager.filter(pk__in=ids)}
        return "、".join(names.get(i, f"（已删除 {i}）") for i in ids) or EMPTY
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(field, ForeignKey):
        if hasattr(value, "_meta"):
            return str(value)
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"（已删除 {value}）"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (list, dict)):
        from tasks.adminsite.widgets import owners_text

        return owners_text(value) if field_name == "owners" else "、".join(map(str, value)) or EMPTY
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


# bookkeeping columns nobody edits: not shown as changes
HIDDEN_FIELDS = {"version", "updated_at", "created_at"}


class ChineseRecordHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta):
        return [c for c in super().context_for_delta_changes(delta) if c["field"] is not None]

    def format_delta_change(self, change):
        if change.field in HIDDEN_FIELDS:
            return type(change)(field=None, old=None, new=None)
        field = self.model._meta.get_field(change.field)
        return type(change)(field=str(field.verbose_name), old=display_value(self.model, change.field, change.old),
                            new=display_value(self.model, change.field, change.new))


class ChineseHistoryMixin:
    object_history_template = HISTORY_TEMPLATE

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseRecordHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=False):
        # ids, not objects: a deleted related row must not break the page
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs=False)
        from accounts.models import Person

        records = list(historical_records)
        names = dict(Person.objects.filter(user_id__in={r.history_user_id for r in records} - {None})
                     .values_list("user_id", "name"))
        for r in records:
            user = r.history_user
            r.actor_name = names.get(r.history_user_id) or (user.get_full_name() or user.get_username() if user else "系统")

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return f"变更记录：{obj}"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """No old-version form and no revert: the history list says everything."""
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[object_id]))


def chinese_history_everywhere(site=admin.site) -> None:
    """Put ChineseHistoryMixin in front of every registered SimpleHistoryAdmin that lacks it."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, ChineseHistoryMixin):
            site.unregister(model)
            site.register(model, type(cls.__name__, (ChineseHistoryMixin, cls), {"__module__": cls.__module__}))

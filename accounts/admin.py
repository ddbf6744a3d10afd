from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Person, Unit, UnitAlias
from accounts.services import DirectoryError, load_units, read_directory_file


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(label="单位名录文件", help_text="xlsx 或 csv，表头：单位全称、简称、别名（顿号分隔）、类型、上级")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind", "parent", "active", "email", "webhook_kind")
    list_filter = ("kind", "active", "webhook_kind")
    search_fields = ("name", "short_name", "aliases__alias")
    list_editable = ("active",)
    inlines = [UnitAliasInline]
    autocomplete_fields = ("parent",)
    change_list_template = "admin/accounts/unit/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="accounts_unit_import"), *super().get_urls()]

    def import_view(self, request):
        """Import an office's unit directory: all rows or none, row-numbered errors."""
        errors = []
        form = DirectoryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            import tempfile
            from pathlib import Path

            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    res = load_units(read_directory_file(tmp.name))
                except DirectoryError as exc:
                    errors = exc.errors
                else:
                    self.message_user(request, f"已导入：新增 {res.created} 个单位，更新 {res.updated} 个，别名 {res.aliases} 个。", messages.SUCCESS)
                    return redirect(reverse("admin:accounts_unit_changelist"))
        context = {**self.admin_site.each_context(request), "title": "导入单位名录", "form": form, "errors": errors,
                   "opts": self.model._meta}
        return render(request, "admin/accounts/unit/import.html", context)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "title", "unit", "role", "is_leader", "user", "active")
    list_filter = ("role", "is_leader", "active", "unit__kind")
    search_fields = ("name", "title", "unit__name", "user__username")
    autocomplete_fields = ("unit", "user")

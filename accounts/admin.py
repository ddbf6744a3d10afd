"""Admin of units, people and logins.

Least privilege: 督查室 staff manage the units' and leaders' logins (create, edit names and
e-mail, reset passwords, switch off) through accounts.services, which refuses any right: the
staff forms have no is_staff / is_superuser / groups / permissions fields, privileged logins
are not even listed for them, the 督查室 role is not offered, and groups are the superuser's.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Person, Role, Unit, UnitAlias
from accounts.selectors import can_manage_login
from accounts.services import (
    AccountError,
    DirectoryError,
    load_units,
    open_login,
    read_directory_file,
    save_login,
    save_person,
)

User = get_user_model()


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


def unprivileged_users(qs):
    """Logins without any right (no admin, superuser, group, permission or 督查室 role)."""
    through_groups = User.groups.through.objects.filter(user_id=OuterRef("pk"))
    through_perms = User.user_permissions.through.objects.filter(user_id=OuterRef("pk"))
    return (qs.filter(is_staff=False, is_superuser=False).exclude(Exists(through_groups)).exclude(Exists(through_perms))
            .exclude(person__role=Role.STAFF))


class PersonForm(forms.ModelForm):
    login_username = forms.CharField(label="新建登录名", required=False, max_length=150,
                                     help_text="为尚无登录账号的联络员或领导开通账号（可选）")
    login_password = forms.CharField(label="初始密码", required=False, widget=forms.PasswordInput(render_value=False),
                                     help_text="至少 8 位，不能全为数字；请当面或电话告知本人")

    class Meta:
        model = Person
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if bool(data.get("login_username")) != bool(data.get("login_password")):
            raise forms.ValidationError("开通登录账号需要同时填写登录名和初始密码。")
        if data.get("login_username"):
            if data.get("user"):
                raise forms.ValidationError("该人员已绑定登录账号，不能再新建。")
            if data.get("role") not in (Role.OPERATOR, Role.LEADER, Role.STAFF):
                self.add_error("role", "开通登录账号前请先选择角色（单位联络员或领导）。")
            if User.objects.filter(username=data["login_username"]).exists():
                self.add_error("login_username", "该登录名已被使用。")
        return data


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    form = PersonForm
    list_display = ("name", "title", "unit", "role", "is_leader", "user", "active")
    list_filter = ("role", "is_leader", "active", "unit__kind")
    search_fields = ("name", "title", "unit__name", "user__username")
    autocomplete_fields = ("unit", "user")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("unit", "user")
        return qs if request.user.is_superuser else qs.exclude(role=Role.STAFF)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and (obj.role == Role.STAFF or (
                obj.user_id and not can_manage_login(request.user, obj.user))):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "role" in form.base_fields:
            field = form.base_fields["role"]
            field.choices = [c for c in field.choices if c[0] != Role.STAFF]
        if not request.user.is_superuser and "user" in form.base_fields:
            # a privileged login is not a valid choice: a form error, not a refusal page
            form.base_fields["user"].queryset = unprivileged_users(User.objects.all())
        return form

    def save_model(self, request, obj, form, change):
        previous = {}
        if change:
            before = Person.objects.get(pk=obj.pk)
            previous = {"role": before.role, "active": before.active}
        try:
            save_person(person=obj, by=request.user, changed=form.changed_data, previous=previous)
            d = form.cleaned_data
            if d.get("login_username") and not obj.user_id:
                open_login(person=obj, username=d["login_username"], password=d["login_password"], by=request.user)
        except AccountError as exc:
            raise PermissionDenied(exc.message) from None


class StaffUserChangeForm(UserChangeForm):
    """What 督查室 staff may edit on a unit's or leader's login: no rights fields at all."""

    class Meta(UserChangeForm.Meta):
        fields = ("username", "password", "first_name", "last_name", "email", "is_active")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    """Django's user admin; for 督查室 staff only unprivileged logins and no rights fields."""

    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else unprivileged_users(qs)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not request.user.is_superuser and obj is not None:
            kwargs["form"] = StaffUserChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_manage_login(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        previous_active = User.objects.filter(pk=obj.pk).values_list("is_active", flat=True).first() if change else None
        try:
            save_login(user=obj, by=request.user, changed=form.changed_data, previous_active=previous_active)
        except AccountError as exc:
            raise PermissionDenied(exc.message) from None

    def save_related(self, request, form, formsets, change):
        if not request.user.is_superuser:  # nothing to save but rights, which staff never give
            return
        super().save_related(request, form, formsets, change)


@admin.register(Group)
class SuperuserOnlyGroupAdmin(GroupAdmin):
    """Groups and their permissions: the superuser's alone."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

"""Finding 3: staff could make themselves superuser (the 督查室 group has auth.change_user and
the stock user form had is_superuser).

Every admin add/change form a 督查室 member can open is walked: none offers a rights field
(is_staff, is_superuser, groups, user_permissions, permissions) nor the 督查室 role; posting
those fields anyway changes nothing; privileged logins (staff, superuser, their own) cannot be
opened, re-passworded or bound to a person; groups are the superuser's alone.
"""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from accounts.models import Person, Role, Unit
from accounts.services import create_login

PASSWORD = "Dc-tracker-2026!x"
RIGHTS = {"is_staff", "is_superuser", "groups", "user_permissions", "permissions"}
pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def people(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    unit = Unit.objects.create(name="县发展和改革局", short_name="县发改局")
    staff = create_login(username="duchashi", password=PASSWORD, name="王督查", role=Role.STAFF).user
    other_staff = create_login(username="duchashi2", password=PASSWORD, name="李督查", role=Role.STAFF).user
    op = create_login(username="fagaiju", password=PASSWORD, name="张联络", role=Role.OPERATOR, unit=unit).user
    leader = create_login(username="lingdao", password=PASSWORD, name="赵县长", role=Role.LEADER).user
    root = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    return {"unit": unit, "staff": staff, "other_staff": other_staff, "op": op, "leader": leader, "root": root}


@pytest.fixture
def staff_client(client, people):
    client.force_login(people["staff"])
    return client


def form_fields(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))


def _first_object(model_admin, request):
    return model_admin.get_queryset(request).order_by("pk").first()


def test_every_admin_form_a_staff_member_opens_has_no_rights_field(staff_client, people, rf):
    """Walk the registry: changelist, add and change forms, as 督查室 staff."""
    request = rf.get("/admin/")
    request.user = people["staff"]
    opened = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        pages = []
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:%s_%s_add" % info))
        obj = _first_object(model_admin, request) if model_admin.has_view_or_change_permission(request) else None
        if obj is not None and model_admin.has_change_permission(request, obj):
            pages.append(reverse("admin:%s_%s_change" % info, args=[obj.pk]))
        for url in pages:
            r = staff_client.get(url, follow=True)  # the speech "add" is the upload page
            assert r.status_code == 200, (url, r.status_code)
            html = r.content.decode()
            fields = form_fields(html)
            leaked = {f for f in fields if f.split("-")[-1] in RIGHTS}
            assert not leaked, (url, leaked)
            assert not re.search(r'<option value="staff"', html), (url, "the 督查室 role is offered")
            opened += 1
    assert opened >= 10  # the walk really opened the forms


def test_staff_cannot_raise_rights_by_posting_them(staff_client, people):
    op = people["op"]
    group = Group.objects.get(name="督查室")
    perm = Permission.objects.get(codename="change_group")
    url = reverse("admin:auth_user_change", args=[op.pk])
    r = staff_client.post(url, {"username": op.username, "first_name": "", "last_name": "", "email": "",
                                "is_active": "on", "is_staff": "on", "is_superuser": "on",
                                "groups": [group.pk], "user_permissions": [perm.pk]})
    assert r.status_code in (200, 302)
    op.refresh_from_db()
    assert not op.is_staff and not op.is_superuser
    assert not op.groups.exists() and not op.user_permissions.exists()


@pytest.mark.parametrize("who", ["staff", "other_staff", "root"])
def test_privileged_logins_cannot_be_opened_or_repassworded_by_staff(staff_client, people, who):
    target = people[who]
    old_hash = target.password
    assert staff_client.get(reverse("admin:auth_user_change", args=[target.pk])).status_code in (302, 403, 404)
    r = staff_client.post(reverse("admin:auth_user_password_change", args=[target.pk]),
                          {"password1": "New-pass-2026!x", "password2": "New-pass-2026!x", "usable_password": "true"})
    assert r.status_code in (302, 403, 404)
    target.refresh_from_db()
    assert target.password == old_hash and (target.is_superuser == (who == "root"))
    listing = staff_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert reverse("admin:auth_user_change", args=[target.pk]) not in listing


def test_staff_can_still_manage_unit_logins(staff_client, people):
    """What staff must do stays possible: reset an operator's password, switch a login off."""
    op = people["op"]
    r = staff_client.post(reverse("admin:auth_user_password_change", args=[op.pk]),
                          {"password1": "New-pass-2026!x", "password2": "New-pass-2026!x", "usable_password": "true"})
    assert r.status_code == 302
    op.refresh_from_db()
    assert op.check_password("New-pass-2026!x")
    r = staff_client.post(reverse("admin:auth_user_change", args=[op.pk]),
                          {"username": op.username, "first_name": "", "last_name": "", "email": ""})
    assert r.status_code == 302
    op.refresh_from_db()
    assert not op.is_active


def test_staff_cannot_give_the_staff_role_or_bind_a_privileged_login(staff_client, people):
    person = people["op"].person
    base = {"name": person.name, "title": "", "unit": people["unit"].pk, "email": "", "phone": "", "active": "on"}
    url = reverse("admin:accounts_person_change", args=[person.pk])
    r = staff_client.post(url, {**base, "role": Role.STAFF, "user": people["op"].pk})
    person.refresh_from_db()
    assert person.role == Role.OPERATOR, r.status_code
    r = staff_client.post(url, {**base, "role": Role.OPERATOR, "user": people["root"].pk})
    person.refresh_from_db()
    assert person.user_id == people["op"].pk, r.status_code
    # a new person: no 督查室 login opened either
    add = reverse("admin:accounts_person_add")
    staff_client.post(add, {"name": "钱某", "title": "", "email": "", "phone": "", "active": "on", "role": Role.STAFF,
                            "login_username": "qian", "login_password": "Qian-pass-2026!x"})
    assert not User.objects.filter(username="qian", is_staff=True).exists()
    assert not Person.objects.filter(name="钱某", role=Role.STAFF).exists()


def test_staff_open_an_operator_login_from_the_person_form(staff_client, people):
    add = reverse("admin:accounts_person_add")
    r = staff_client.post(add, {"name": "孙联络", "title": "", "unit": people["unit"].pk, "email": "", "phone": "",
                                "active": "on", "role": Role.OPERATOR, "login_username": "sunll",
                                "login_password": "Sun-pass-2026!x"})
    assert r.status_code == 302, r.content.decode()[-2000:]
    person = Person.objects.get(name="孙联络")
    assert person.user.username == "sunll" and person.user.check_password("Sun-pass-2026!x")
    assert not person.user.is_staff and not person.user.groups.exists()


def test_groups_and_permissions_are_the_superusers_alone(staff_client, people, client):
    group = Group.objects.get(name="督查室")
    for name, args in (("admin:auth_group_changelist", []), ("admin:auth_group_add", []),
                       ("admin:auth_group_change", [group.pk])):
        assert staff_client.get(reverse(name, args=args)).status_code == 403
    before = set(group.permissions.values_list("pk", flat=True))
    staff_client.post(reverse("admin:auth_group_change", args=[group.pk]),
                      {"name": "督查室", "permissions": list(Permission.objects.values_list("pk", flat=True))})
    assert set(group.permissions.values_list("pk", flat=True)) == before
    index = staff_client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/group/" not in index
    # the superuser keeps every power
    client.force_login(people["root"])
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 200
    assert "is_superuser" in form_fields(client.get(reverse("admin:auth_user_change", args=[people["op"].pk])).content.decode())


def test_services_refuse_rights_to_staff(people):
    from accounts.services import AccountError

    with pytest.raises(AccountError):
        create_login(username="x1", password=PASSWORD, name="x", role=Role.STAFF, by=people["staff"])
    op = people["op"]
    op.is_superuser = True
    from accounts.services import save_login

    with pytest.raises(AccountError):
        save_login(user=op, by=people["staff"], changed=["is_superuser"])
    op.refresh_from_db()
    assert not op.is_superuser


def test_the_staff_group_holds_no_group_or_permission_rights(people):
    codenames = set(Group.objects.get(name="督查室").permissions.filter(content_type__app_label="auth")
                    .values_list("codename", flat=True))
    assert codenames <= {"view_user", "add_user", "change_user"}
    try:
        reverse("admin:authtoken_tokenproxy_changelist")
    except NoReverseMatch:
        pass

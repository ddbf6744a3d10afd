"""Finding 5: access was not revoked (an operator marked 不在职 still read and wrote through the
API; tokens survived a password change and never expired) and the API lockout was a generic 400.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflow.factories import PASSWORD

pytestmark = pytest.mark.django_db


def token_for(username, password=PASSWORD):
    r = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert r.status_code == 200, r.content
    assert "expires_at" in r.data
    return r.data["token"]


def api(token):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


def test_person_not_in_office_loses_api_and_portal_at_once(world, client):
    op = world["users"]["op_a"]
    token = token_for("op_a")
    client.force_login(op)
    t = world["t"]
    assert api(token).get(f"/api/tasks/{t.pk}/").status_code == 200
    person = op.person
    person.active = False  # even set directly (not through the service), the person has no role
    person.save(update_fields=["active"])
    r = api(token).get(f"/api/tasks/{t.pk}/")
    assert r.status_code == 403 and "权限" in r.json()["detail"]
    r = api(token).post("/api/progress-reports/", {"task": t.pk, "text": "继续推进", "percent": 30}, format="multipart")
    assert r.status_code == 403
    assert client.get("/portal/").status_code == 403


def test_deactivating_a_person_in_the_admin_ends_sessions_and_tokens(world, client):
    op = world["users"]["op_a"]
    token = token_for("op_a")
    op_client = APIClient()
    op_client.force_login(op)
    assert op_client.get("/api/tasks/").status_code == 200
    client.force_login(world["users"]["staff"])
    person = op.person
    r = client.post(reverse("admin:accounts_person_change", args=[person.pk]), {
        "name": person.name, "title": "", "unit": person.unit_id, "role": person.role, "user": op.pk,
        "email": "", "phone": ""})  # 在职 unticked
    assert r.status_code == 302, r.content.decode()[-1500:]
    op.refresh_from_db()
    assert not op.is_active
    assert not Token.objects.filter(user=op).exists()
    assert op_client.get("/api/tasks/").status_code in (401, 403)
    assert api(token).get("/api/tasks/").status_code == 401
    assert not any(s.get_decoded().get("_auth_user_id") == str(op.pk) for s in Session.objects.all())


def test_switching_a_login_off_ends_its_sessions(world):
    from accounts.services import deactivate_person

    op = world["users"]["op_b"]
    c = APIClient()
    c.force_login(op)
    assert Session.objects.count() >= 1
    deactivate_person(person=op.person)
    assert c.get("/api/tasks/").status_code in (401, 403)
    assert not any(s.get_decoded().get("_auth_user_id") == str(op.pk) for s in Session.objects.all())


def test_tokens_expire(world, settings):
    settings.TRACKER_API_TOKEN_TTL_HOURS = 2
    token = token_for("op_a")
    assert api(token).get("/api/tasks/").status_code == 200
    Token.objects.filter(key=token).update(created=timezone.now() - dt.timedelta(hours=3))
    r = api(token).get("/api/tasks/")
    assert r.status_code == 401 and "过期" in r.json()["detail"]
    fresh = token_for("op_a")
    assert fresh != token and api(fresh).get("/api/tasks/").status_code == 200


@pytest.mark.parametrize("how", ["service", "admin", "model"])
def test_tokens_rotate_on_password_change(world, client, how):
    op = world["users"]["op_a"]
    token = token_for("op_a")
    new = "Brand-new-pass-2026!"
    if how == "service":
        from accounts.services import set_login_password

        set_login_password(user=op, password=new)
    elif how == "admin":
        client.force_login(world["users"]["staff"])
        r = client.post(reverse("admin:auth_user_password_change", args=[op.pk]),
                        {"password1": new, "password2": new, "usable_password": "true"})
        assert r.status_code == 302
    else:  # any other path: manage.py changepassword, the shell
        op.set_password(new)
        op.save()
    r = api(token).get("/api/tasks/")
    assert r.status_code == 401 and "重新获取" in r.json()["detail"]
    fresh = token_for("op_a", new)
    assert fresh != token and api(fresh).get("/api/tasks/").status_code == 200


def test_api_lockout_is_a_chinese_403_that_says_when_to_retry(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    c = APIClient()
    for _ in range(2):
        r = c.post("/api/auth/token/", {"username": "op_a", "password": "wrong-password"}, format="json")
        assert r.status_code == 400 and "用户名或密码错误" in r.json()["detail"]
    r = c.post("/api/auth/token/", {"username": "op_a", "password": "wrong-password"}, format="json")
    assert r.status_code == 403, r.content
    body = r.json()
    assert "锁定" in body["detail"] and "之后" in body["detail"] and "分钟" in body["detail"]
    assert body["code"] == "locked" and 60 <= body["retry_after"] <= 15 * 60 + 60
    assert r["Retry-After"] == str(body["retry_after"])
    # even the right password is refused while locked, with the same answer
    r = c.post("/api/auth/token/", {"username": "op_a", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and "锁定" in r.json()["detail"]


def test_token_errors_are_chinese(world):
    r = api("0" * 40).get("/api/tasks/")
    assert r.status_code == 401 and "令牌无效" in r.json()["detail"]
    # a token minted outside /api/auth/token/ (not signed with the password) is refused
    legacy = Token.objects.create(user=world["users"]["op_a"])
    assert api(legacy.key).get("/api/tasks/").status_code == 401


def test_token_request_with_an_overlong_username_is_a_400_not_a_500(world):
    """Found by schemathesis: django-axes stores the username in 255 characters."""
    r = APIClient().post("/api/auth/token/", {"username": "甲" * 300, "password": "x"}, format="multipart")
    assert r.status_code == 400 and "登录名" in r.json()["detail"]


@pytest.mark.parametrize("body", [[None, None], "x", {"username": None}, {"username": ["a"], "password": {}}])
def test_token_request_with_a_malformed_body_is_a_chinese_400(world, body):
    r = APIClient().post("/api/auth/token/", body, format="json")
    assert r.status_code == 400 and "：" in r.json()["detail"]


def test_switching_a_unit_off_stops_its_operators(world, client):
    token = token_for("op_a")
    unit = world["units"]["a"]
    client.force_login(world["users"]["staff"])
    r = client.post("/admin/accounts/unit/", {  # the unit list's 启用 checkbox (list_editable)
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": unit.pk, "_save": "保存"})
    unit.refresh_from_db()
    assert not unit.active, r.status_code
    r = api(token).get("/api/tasks/")
    assert r.status_code == 403
    assert api(token_for("op_b")).get("/api/tasks/").status_code == 200  # another unit's operator is unaffected


def test_switching_a_login_off_in_the_user_admin_ends_its_sessions_and_tokens(world, client):
    op = world["users"]["op_b"]
    token = token_for("op_b")
    op_client = APIClient()
    op_client.force_login(op)
    client.force_login(world["users"]["staff"])
    r = client.post(reverse("admin:auth_user_change", args=[op.pk]),
                    {"username": op.username, "first_name": "", "last_name": "", "email": ""})  # 有效 unticked
    assert r.status_code == 302
    assert not Token.objects.filter(user=op).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(op.pk) for s in Session.objects.all())
    assert api(token).get("/api/tasks/").status_code == 401
    assert op_client.get("/api/tasks/").status_code in (401, 403)

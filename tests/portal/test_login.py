"""Login and the django-axes lockout message."""
import pytest
from django.urls import reverse

from tests.portal.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，账号已暂时锁定，请15分钟后再试或联系督查室"


def test_login_page_is_chinese_and_logs_in(client, people):
    r = client.get(reverse("portal:login"))
    assert r.status_code == 200 and "督查督办工作平台" in r.content.decode()
    r = client.post(reverse("portal:login"), {"username": "fgj", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/portal/"
    assert "我的督办事项" in client.get("/portal/").content.decode()


def test_wrong_password_message(client, people):
    r = client.post(reverse("portal:login"), {"username": "fgj", "password": "wrong-password"})
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()


def test_lockout_after_five_failures_even_with_the_right_password(client, people, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for i in range(4):
        r = client.post(reverse("portal:login"), {"username": "fgj", "password": f"wrong-{i}"})
        assert r.status_code == 200 and LOCKED not in r.content.decode()
    r = client.post(reverse("portal:login"), {"username": "fgj", "password": "wrong-5"})
    assert r.status_code == 429
    assert LOCKED in r.content.decode()
    # the right password no longer gets in
    r = client.post(reverse("portal:login"), {"username": "fgj", "password": PASSWORD})
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked (lockout is per username + address)
    r = client.post(reverse("portal:login"), {"username": "jyj", "password": PASSWORD})
    assert r.status_code == 302


def test_next_parameter_is_kept(client, people, task):
    url = reverse("portal:task_detail", args=[task.pk])
    r = client.get(url)
    assert r.status_code == 302
    login_url = r["Location"]
    r = client.post(login_url, {"username": "fgj", "password": PASSWORD, "next": url})
    assert r.status_code == 302 and r["Location"] == url


def test_lockout_response_works_as_the_axes_lockout_callable_for_the_admin_login(client, people, settings):
    """settings.AXES_LOCKOUT_CALLABLE = "tasks.portal.views.lockout_response" gives the admin login
    the same Chinese lockout page (django-axes has no Chinese translation of its own message)."""
    settings.AXES_LOCKOUT_CALLABLE = "tasks.portal.views.lockout_response"
    for i in range(5):
        r = client.post("/admin/login/", {"username": "ducha", "password": f"wrong-{i}"})
    assert r.status_code == 429
    assert LOCKED in r.content.decode()

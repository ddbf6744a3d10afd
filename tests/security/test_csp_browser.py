"""The strict Content-Security-Policy in a real browser (Debian's chromium): the Django admin, its
widgets, Swagger UI and the portal still work, and chromium reports no CSP violation anywhere.
Screenshots: test-artifacts/screenshots/csp-*.png."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import _fast_hasher, browser, new_page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Csp-check-2026!x"


def _watch(page, seen: list):
    page.on("console", lambda m: seen.append(f"{page.url}: {m.text[:400]}")
            if "Content Security Policy" in m.text or m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"pageerror {page.url}: {e}"))


def _login(page, base, username, admin):
    page.goto(base + ("/admin/login/" if admin else "/portal/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]" if admin else "button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def site(db):
    from django.contrib.auth import get_user_model

    from accounts.models import Role, Unit
    from accounts.services import create_login
    from tasks.services.workflow import create_task

    unit = Unit.objects.create(name="县发展和改革局", short_name="县发改局")
    staff = create_login(username="dcs", password=PASSWORD, name="王督查", role=Role.STAFF).user
    op = create_login(username="fgj", password=PASSWORD, name="张联络", role=Role.OPERATOR, unit=unit).user
    create_login(username="ld", password=PASSWORD, name="李县长", role=Role.LEADER)
    get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    create_task(title="推进县城污水管网改造", by=staff, units=[(unit, "lead")],
                deadline=dt.date.today() + dt.timedelta(days=20))
    return {"op": op, "unit": unit}


def test_admin_swagger_and_portal_work_under_the_csp(live_server, new_page, shot, site):
    base = live_server.url
    seen: list[str] = []
    page = new_page()
    _watch(page, seen)
    _login(page, base, "root", admin=True)

    # changelist: the "select all" checkbox is admin JavaScript
    page.goto(base + "/admin/tasks/task/")
    page.click("#action-toggle")
    assert "1" in page.locator(".action-counter").inner_text()
    shot(page, "csp-admin-changelist")

    # the add form: calendar and clock widgets, related-object widgets
    page.goto(base + "/admin/tasks/task/add/")
    today_link = page.locator(".datetimeshortcuts a", has_text="今天").first
    if today_link.count():
        today_link.click()
    shot(page, "csp-admin-task-add")

    # autocomplete (select2) on the person form
    page.goto(base + "/admin/accounts/person/add/")
    page.locator(".select2-selection").first.click()
    page.wait_for_selector(".select2-search__field")
    page.keyboard.type("发改")
    page.wait_for_selector(".select2-results__option:has-text('县发改局')")
    shot(page, "csp-admin-person-autocomplete")

    for path in ("/admin/", f"/admin/auth/user/{site['op'].pk}/change/", "/admin/auth/group/add/",
                 "/admin/django_celery_beat/periodictask/add/", "/admin/tasks/speech/upload/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    shot(page, "csp-admin-upload")

    # Swagger UI, served locally, its start-up code a script file
    page.goto(base + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "督查督办" in page.locator(".swagger-ui .info .title").inner_text()
    shot(page, "csp-swagger")

    # the portal, desktop and phone width, as an operator and a leader
    for username, path, width in (("fgj", "/portal/", 1280), ("fgj", "/portal/", 390), ("ld", "/portal/dashboard/", 1280)):
        p = new_page(width=width, height=900)
        _watch(p, seen)
        _login(p, base, username, admin=False)
        p.goto(base + path)
        p.wait_for_load_state("networkidle")
        assert p.locator("body").inner_text().strip()
        shot(p, f"csp-portal-{username}-{width}")

    # an error page under the same policy: styled by its stylesheet, no violation
    page.goto(base + "/portal/no-such-page/")
    assert "页面不存在" in page.locator("h1").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('.error-card')).borderTopStyle") == "solid"
    shot(page, "csp-404")

    violations = [m for m in seen if "Content Security Policy" in m]
    assert not violations, violations
    errors = [m for m in seen if m.startswith("pageerror")]
    assert not errors, errors

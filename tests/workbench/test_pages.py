"""Every workbench page answers below 500 for every role: 督查室 staff (and the superuser) get the
page, leaders, unit operators and logins without a role a Chinese 403, anonymous users the login
page; unknown objects a Chinese 404; no English widget text, no raw JSON, no inline script."""
import re

import pytest
from django.test import Client

from tasks.models import Task
from tasks.services import workflow
from tests.workbench.conftest import future, unit

pytestmark = pytest.mark.django_db

FORBIDDEN = ("Choose all", "Remove all", " object (", "CHANGES", "Traceback", "None", "[{", "{'", "Page not found")


@pytest.fixture
def world(users, demo_speech):
    from django.contrib.auth import get_user_model

    task = workflow.create_task(title="推进项目建设", by=users["staff"], units=[(unit("县发展和改革局"), "lead")], deadline=future())
    ext_task = workflow.create_task(title="延期事项", by=users["staff"], units=[(unit("县发展和改革局"), "lead")], deadline=future())
    workflow.create_task(title="待签收事项", by=users["staff"], units=[(unit("县财政局"), "lead")], deadline=future())
    for t in (task, ext_task):
        workflow.acknowledge(task=t, unit=unit("县发展和改革局"), by=users["operator"])
    workflow.request_extension(task=ext_task, unit=unit("县发展和改革局"), by=users["operator"], proposed_deadline=future(90), reason="理由")
    workflow.request_completion(task=task, unit=unit("县发展和改革局"), by=users["operator"], summary="已完成")
    admin = get_user_model().objects.create_superuser("root", password="Duchashi#2026pw")
    return {"task": task, "speech": demo_speech, "directive": demo_speech.directives.first(), "users": {**users, "admin": admin}}


def _urls(w):
    t, s, d = w["task"], w["speech"], w["directive"]
    return ["/workbench/", "/workbench/speeches/", "/workbench/speeches/upload/", f"/workbench/speeches/{s.pk}/",
            f"/workbench/speeches/{s.pk}/?d={d.pk}", f"/workbench/speeches/{s.pk}/?d={d.pk}&partial=editor",
            f"/workbench/speeches/{s.pk}/?d=abc", "/workbench/queues/candidates/", "/workbench/queues/unacknowledged/?days=0",
            "/workbench/queues/extensions/", "/workbench/queues/completions/", "/workbench/tasks/", "/workbench/tasks/?status=bogus",
            "/workbench/tasks/new/", f"/workbench/tasks/{t.pk}/", f"/workbench/tasks/{t.pk}/notice.docx"]


def _client(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize("role", ["anonymous", "norole", "operator", "leader", "staff", "admin"])
def test_every_page_every_role(world, role):
    user = None if role == "anonymous" else world["users"][role]
    c = _client(user)
    for url in _urls(world):
        r = c.get(url)
        assert r.status_code < 500, (role, url)
        if role == "anonymous":
            assert r.status_code == 302 and "/login/" in r["Location"], url
        elif role in ("norole", "operator", "leader"):
            assert r.status_code == 403, (role, url)
            assert "工作台仅供督查室工作人员使用" in r.content.decode()
        else:
            assert r.status_code == 200, (role, url)
            if r["Content-Type"].startswith("text/html"):
                html = r.content.decode()
                # the unit directory for the autocomplete is a data block (never shown, not executed)
                html = re.sub(r'<script id="wb-directory" type="application/json">.*?</script>', "", html, flags=re.S)
                for bad in FORBIDDEN:
                    assert bad not in html, (url, bad)
                assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), url  # no inline script
                assert ' style="' not in html and " onclick=" not in html, url


@pytest.mark.parametrize("role", ["norole", "operator", "leader"])
def test_posts_refused_for_non_staff(world, role):
    c = _client(world["users"][role])
    t, s, d = world["task"], world["speech"], world["directive"]
    for url in [f"/workbench/speeches/{s.pk}/bulk/", f"/workbench/speeches/{s.pk}/candidates/{d.pk}/",
                f"/workbench/speeches/{s.pk}/candidates/add/", "/workbench/queues/extensions/", "/workbench/queues/completions/",
                "/workbench/queues/candidates/", "/workbench/tasks/new/", f"/workbench/tasks/{t.pk}/chase/"]:
        assert c.post(url, {"action": "reject", "ids": [d.pk], "decision": "approve", "grade": "good"}).status_code == 403, url
    d.refresh_from_db()
    assert d.review_state == "pending"
    assert Task.objects.count() == 3


def test_unknown_objects_are_a_chinese_404(staff_client):
    for url in ["/workbench/speeches/999999/", "/workbench/tasks/999999/", "/workbench/tasks/999999/notice.docx",
                "/workbench/files/999999/"]:
        r = staff_client.get(url)
        assert r.status_code == 404, url
        assert "不存在" in r.content.decode()
    r = staff_client.post("/workbench/speeches/999999/bulk/", {"action": "reject"})
    assert r.status_code == 404


def test_get_on_post_only_urls(staff_client, world):
    r = staff_client.get(f"/workbench/tasks/{world['task'].pk}/chase/")
    assert r.status_code == 405


def test_staff_nav_entry(client, users):
    client.force_login(users["staff"])
    assert "工作台" in client.get("/portal/").content.decode()
    client.force_login(users["operator"])
    assert 'data-testid="nav-workbench"' not in client.get("/portal/").content.decode()


def test_task_page_points_to_pending_requests(world, staff_client):
    html = staff_client.get(f"/workbench/tasks/{world['task'].pk}/").content.decode()
    assert "申请办结" in html and 'href="/workbench/queues/completions/">去审核' in html


def test_home_counts_overdue_tasks(staff_client, users):
    import datetime as dt

    from django.utils import timezone

    past = timezone.now() - dt.timedelta(days=30)
    workflow.create_task(title="逾期事项", by=users["staff"], units=[(unit("县财政局"), "lead")], now=past,
                         start_date=past.date(), deadline=past.date() + dt.timedelta(days=5))
    html = staff_client.get("/workbench/").content.decode()
    tile = html[html.index('data-testid="red-tile"'):]
    assert '<div class="n">1</div>' in tile[:200]


def test_task_page_shows_the_leaders_comments(world, staff_client):
    from tasks.services.comments import write_leader_comment

    url = f"/workbench/tasks/{world['task'].pk}/"
    assert 'data-testid="leader-comments"' not in staff_client.get(url).content.decode()
    write_leader_comment(task=world["task"], by=world["users"]["leader"], text="请倒排工期，每周报送进展。")
    write_leader_comment(task=world["task"], by=world["users"]["leader"], text="月底前拿出方案。")
    html = staff_client.get(url).content.decode()
    block = html[html.index('data-testid="leader-comments"'):]
    assert "领导批示" in block and "常务副县长胡世胜" in block
    assert block.index("月底前拿出方案") < block.index("倒排工期")  # newest first
    # and on the workbench's home, linked to the task
    home = staff_client.get("/workbench/").content.decode()
    latest = home[home.index('data-testid="home-leader-comments"'):]
    assert "最新领导批示" in latest and "月底前拿出方案" in latest and f'href="{url}"' in latest


def test_holiday_banner_on_every_workbench_page(world, staff_client, monkeypatch):
    """The admin's 日历提醒 (no holiday data for a year) is on the workbench too: the same template,
    filled by the same context processor, styled by a stylesheet (no inline style: strict CSP)."""
    import datetime as dt
    from types import SimpleNamespace

    from tasks.models import Holiday
    from tasks.reminders import context

    # late November 2030: this year and the next, which no calendar data knows yet
    monkeypatch.setattr(context, "timezone", SimpleNamespace(localdate=lambda: dt.date(2030, 11, 20)))
    pages = ["/workbench/", f"/workbench/speeches/{world['speech'].pk}/", "/workbench/queues/extensions/",
             f"/workbench/tasks/{world['task'].pk}/", "/workbench/tasks/new/"]
    for url in pages:
        html = staff_client.get(url).content.decode()
        assert html.count('data-testid="calendar-banner"') == 2, url
        assert "系统尚无2030年法定节假日数据" in html and "录入2031年节假日" in html and 'href="/admin/tasks/holiday/"' in html
        assert "reminders/calendar_banner.css" in html and ' style="' not in html, url
    # the days off entered: the banner is gone
    Holiday.objects.create(date=dt.date(2030, 10, 1), name="国庆节")
    Holiday.objects.create(date=dt.date(2031, 1, 1), name="元旦")
    for url in pages:
        html = staff_client.get(url).content.decode()
        assert 'data-testid="calendar-banner"' not in html and "calendar_banner.css" not in html, url

"""A county leader's day in Debian's chromium, and the 督查室's admin pages as a person sees them.

Leader: the dashboard's charts render (Chart.js from static), drill-down from a unit row to its
tasks, 我分管的, a 批示 on a task; then the unit's operator finds it in the inbox and on the task
page, and the 督查室 sees it in the admin. Staff: the admin pages of issue #9 rendered with their
JavaScript: no English widget text, no raw JSON, no “object (1)”. Screenshots (desktop and phone)
go to test-artifacts/screenshots/leader-*.png and admin-*.png."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from tasks.models import LeaderComment, Notice
from tests.e2e.test_story import PASSWORD, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = re.compile(r"Choose|Remove|selecting them|Available|Chosen|object \(\d+\)|CHANGES|Changes|Revert|History|Filter\b"
                     r"|Model name|Add link|view list link")


@pytest.fixture
def county(db):
    from accounts.models import Unit, UnitKind
    from accounts.services import create_login
    from tasks.services.workflow import create_task, report_progress

    fgj = Unit.objects.create(name="县发展和改革局", short_name="县发改局", kind=UnitKind.DEPARTMENT, sort_order=1)
    jyj = Unit.objects.create(name="县教育体育局", short_name="县教体局", kind=UnitKind.DEPARTMENT, sort_order=2)
    staff = create_login(username="ducha", password=PASSWORD, name="王督查", role="staff").user
    leader = create_login(username="lingdao", password=PASSWORD, name="胡世胜", title="常务副县长", role="leader")
    op = create_login(username="fgj", password=PASSWORD, name="李联络", role="operator", unit=fgj).user
    today = timezone.localdate()
    mine = create_task(title="推进城区污水管网改造", by=staff, units=[(fgj, "lead"), (jyj, "co")], leaders=[leader],
                       deadline=today + dt.timedelta(days=60), requirement="年底前完成主管网改造")
    late = create_task(title="完成项目储备入库", by=staff, units=[(fgj, "lead")], start_date=today - dt.timedelta(days=40),
                       deadline=today + dt.timedelta(days=1))
    from tasks.models import Task

    Task.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=4))
    other = create_task(title="抓好控辍保学自查清理", by=staff, units=[(jyj, "lead")], deadline=today + dt.timedelta(days=20))
    report_progress(task=other, unit=jyj, by=staff, text="已完成自查", percent=40)
    return {"fgj": fgj, "mine": mine, "late": late, "other": other, "op": op, "leader": leader}


def _charts_ready(page):
    for cid in ("chart-lights", "chart-units", "chart-trend"):
        page.wait_for_selector(f"#{cid}[data-ready='1']")
        box = page.locator(f"#{cid}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, cid


def test_leader_day(live_server, new_page, shot, county):
    base = live_server.url
    errors = []
    leader = new_page()
    leader.on("pageerror", lambda e: errors.append(str(e)))
    _login(leader, base, "lingdao")
    leader.goto(base + "/portal/dashboard/")
    _charts_ready(leader)
    # a chart really drew: the canvas holds coloured pixels, not a blank bitmap
    painted = leader.evaluate("""() => { const c = document.getElementById('chart-lights');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
    assert painted > 1000
    shot(leader, "leader-01-dashboard")

    # drill-down from the unit's row
    leader.click('[data-testid="unit-table"] tr[data-unit="县发展和改革局"] a')
    leader.wait_for_load_state()
    assert "县发展和改革局 · 主办事项" in leader.locator('[data-testid="list-heading"]').inner_text()
    codes = leader.locator("tr[data-task]").evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert set(codes) == {county["mine"].code, county["late"].code} and codes[0] == county["late"].code
    shot(leader, "leader-02-unit-drilldown")

    # 我分管的 → the task → 批示
    leader.goto(base + "/portal/dashboard/")
    leader.click('[data-testid="mine-link"]')
    leader.wait_for_load_state()
    assert leader.locator("tr[data-task]").evaluate_all("rows => rows.map(r => r.dataset.task)") == [county["mine"].code]
    shot(leader, "leader-03-mine")
    leader.click(f'tr[data-task="{county["mine"].code}"] a')
    leader.wait_for_load_state()
    leader.click('[data-testid="comment-button"]')  # empty: refused with a Chinese message, nothing stored
    leader.wait_for_load_state()
    assert "请填写批示内容" in leader.content() and LeaderComment.objects.count() == 0
    leader.fill("#id_text", "此事关系民生，请县发改局倒排工期，每周报送进展。")
    leader.click('[data-testid="comment-button"]')
    leader.wait_for_load_state()
    assert "批示已发送" in leader.locator("ul.messages").inner_text()
    assert "倒排工期" in leader.locator('[data-testid="leader-comments"]').inner_text()
    shot(leader, "leader-04-comment-written")

    # the phone: dashboard charts fit a 390 px screen
    phone = new_page(width=390, height=844)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    _login(phone, base, "lingdao")
    phone.goto(base + "/portal/dashboard/")
    _charts_ready(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "leader-05-dashboard-phone")

    # the unit sees the 批示: in the inbox and on the task page
    op = new_page()
    _login(op, base, "fgj")
    op.goto(base + "/portal/notices/")
    assert "领导批示" in op.content() and "倒排工期" in op.content()
    op.goto(base + f"/portal/tasks/{county['mine'].pk}/")
    block = op.locator('[data-testid="leader-comments"]').inner_text()
    assert "常务副县长胡世胜" in block and "倒排工期" in block
    assert op.locator('[data-testid="comment-form"]').count() == 0
    shot(op, "leader-06-unit-sees-comment")
    assert Notice.objects.filter(unit=county["fgj"], title__startswith="领导批示").count() == 1

    # the 督查室 sees it on the task's admin page
    staff = new_page()
    _login(staff, base, "ducha", admin=True)
    staff.goto(base + f"/admin/tasks/task/{county['mine'].pk}/change/")
    assert "倒排工期" in staff.content()
    shot(staff, "leader-07-admin-task")
    assert not errors, errors


def test_admin_pages_read_chinese_in_the_browser(live_server, new_page, shot, county):
    """The pages of issue #9 with their JavaScript run: what a staff member reads has no English."""
    from tasks.models import Directive, ExtensionRequest, Meeting, Speech
    from tasks.services.workflow import acknowledge, request_extension

    today = timezone.localdate()
    meeting = Meeting.objects.create(title="全市经济工作会议", date=today)
    speech = Speech.objects.create(meeting=meeting, title="市长讲话", original_name="a.txt", text="市财政局、县发改局要抓好落实。",
                                   encoding="utf-8", sha256="2" * 64, chars=15)
    d = Directive.objects.create(speech=speech, seq=1, text="市财政局、县发改局要抓好落实。", start=0, end=15,
                                 owners=[{"name": "县发展和改革局", "kind": "unit", "role": "lead", "unit_id": county["fgj"].pk},
                                         {"name": "市财政局", "kind": "unit", "role": "co", "unit_id": None}])
    acknowledge(task=county["mine"], unit=county["fgj"], by=county["op"])
    req = request_extension(task=county["mine"], unit=county["fgj"], by=county["op"],
                            proposed_deadline=county["mine"].deadline + dt.timedelta(days=20), reason="管材供应延迟")
    base = live_server.url
    page = new_page()
    _login(page, base, "ducha", admin=True)
    pages = [("admin-01-home", "/admin/"), ("admin-02-directive", f"/admin/tasks/directive/{d.pk}/change/"),
             ("admin-03-task-history", f"/admin/tasks/task/{county['mine'].pk}/history/"),
             ("admin-04-task-list", "/admin/tasks/task/"), ("admin-05-extension", f"/admin/tasks/extensionrequest/{req.pk}/change/")]
    for name, path in pages:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        text = page.locator("body").inner_text()
        found = ENGLISH.findall(text)
        assert not found, (path, found)
        assert '"unit_id"' not in text and "[{" not in text, path
        shot(page, name)
    # the unit pickers were drawn by the admin's JavaScript, in Chinese
    page.goto(base + f"/admin/tasks/directive/{d.pk}/change/")
    assert "全选主办单位" in page.locator("body").inner_text()
    # a refused approval: the error next to the field, what was typed kept, no green message
    page.goto(base + f"/admin/tasks/extensionrequest/{req.pk}/change/")
    page.select_option("#id_decision", "reject")
    page.click('input[name="_save"]')
    page.wait_for_load_state()
    assert "退回延期申请时请填写理由" in page.locator("body").inner_text()
    assert page.locator("#id_decision").input_value() == "reject"
    assert page.locator("ul.messagelist li.success").count() == 0
    shot(page, "admin-06-extension-refused")
    assert ExtensionRequest.objects.get(pk=req.pk).state == "pending"
    phone = new_page(width=390, height=844)
    _login(phone, base, "ducha", admin=True)
    phone.goto(base + "/admin/")
    shot(phone, "admin-07-home-phone")

    # every model's list, add form, and a real object's change and history pages, as staff see them
    from django.contrib import admin as django_admin
    from django.urls import reverse

    seen = 0
    for model in django_admin.site._registry:
        o = model._meta
        paths = [reverse(f"admin:{o.app_label}_{o.model_name}_changelist"), reverse(f"admin:{o.app_label}_{o.model_name}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            paths += [reverse(f"admin:{o.app_label}_{o.model_name}_change", args=[obj.pk]),
                      reverse(f"admin:{o.app_label}_{o.model_name}_history", args=[obj.pk])]
        for path in paths:
            r = page.goto(base + path)
            if r.status != 200 or "/admin/login/" in page.url or "/workbench/" in page.url:
                continue  # not the staff's page (403), or the workbench's
            page.wait_for_load_state("networkidle")
            found = ENGLISH.findall(page.locator("body").inner_text())
            assert not found, (path, found)
            seen += 1
    assert seen >= 40, seen

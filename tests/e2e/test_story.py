"""The issue's "Done when": the whole supervision story in a real browser.

督查室 uploads a speech in the admin → extraction → review queue → 采纳并交办 → the unit's operator
logs into the portal, reads the 交办通知, 签收, reports 50% with evidence, asks to close → 督查室
approves in the admin (销号, 优秀) → the operator and a county leader see it closed on time.
The light, status and history are asserted on the page at every step; every portal page is
saved to test-artifacts/screenshots/.
"""
import re

import pytest
from django.utils import timezone

from tasks.models import CompletionRequest, Directive, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Duchashi#2026pw"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
SENTENCE_START = "县发改局、统计局要在6月底前"


def _login(page, base, username, admin=False):
    page.goto(base + ("/admin/login/" if admin else "/portal/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]" if admin else "button[type=submit]")
    page.wait_for_load_state()


def _light(page) -> str:
    return page.locator('[data-testid="task-light"] .light').get_attribute("data-light")


def _timeline(page) -> str:
    return page.locator('[data-testid="timeline"]').inner_text()


def test_speech_to_closed_task(live_server, new_page, shot, tmp_path):
    from accounts.models import Unit
    from accounts.services import create_login, load_units_file

    load_units_file()
    create_login(username="ducha", password=PASSWORD, name="王督查", role="staff")
    create_login(username="lingdao", password=PASSWORD, name="胡世胜", title="常务副县长", role="leader")
    fgj = Unit.objects.get(name="县发展和改革局")
    create_login(username="fgj", password=PASSWORD, name="李联络", role="operator", unit=fgj)
    base = live_server.url

    # --- 督查室: upload the speech in the admin -------------------------------------------------
    staff = new_page()
    _login(staff, base, "ducha", admin=True)
    staff.goto(base + "/admin/tasks/speech/upload/")
    speech_file = tmp_path / "经济运行分析会讲话.txt"
    from pathlib import Path

    speech_file.write_bytes((Path(__file__).resolve().parents[2] / "tasks/fixtures/demo_speech.txt").read_bytes())
    staff.set_input_files("#id_file", str(speech_file))
    staff.fill("#id_meeting_title", "全县经济运行分析会议")
    staff.fill("#id_meeting_date", timezone.localdate().isoformat())
    staff.fill("#id_speaker", "县长")
    staff.click("input[type=submit]")
    staff.wait_for_load_state()
    assert "条交办语句" in staff.locator("ul.messagelist").inner_text()

    # the review queue lists the sentence; accept it with the admin action 采纳并交办
    directive = Directive.objects.get(text__startswith=SENTENCE_START)
    assert directive.review_state == "pending"
    staff.check(f'input[name="_selected_action"][value="{directive.pk}"]')
    staff.select_option('select[name="action"]', "accept_selected")
    staff.click('button[name="index"]')
    staff.wait_for_load_state()
    assert "已交办 1 条" in staff.locator("ul.messagelist").inner_text()
    task = Task.objects.get(source_directive=directive)
    assert task.deadline is not None and task.deadline > timezone.localdate()
    assert set(task.assignments.values_list("unit__name", flat=True)) >= {"县发展和改革局"}

    # --- the operator of 县发改局 in the portal --------------------------------------------------
    op = new_page()
    _login(op, base, "fgj")
    assert op.url.endswith("/portal/")
    assert op.locator('[data-testid="unread-count"]').inner_text() == "1"
    row = op.locator(f'tr[data-task="{task.code}"]')
    assert row.count() == 1
    assert row.locator(".light").get_attribute("data-light") == "green"
    assert "绿灯" in row.inner_text() and "待签收" in row.inner_text()
    assert op.locator('[data-count="green"]').inner_text() == "1"
    shot(op, "01-portal-list")

    op.click('[data-testid="nav-notices"]')
    notice = op.locator('[data-testid="notice"]').first
    assert "交办通知" in notice.inner_text() and task.code in notice.inner_text()
    shot(op, "02-portal-notices")
    notice.locator("button", has_text="标为已读").click()
    op.wait_for_load_state()
    assert op.locator('[data-testid="unread-count"]').count() == 0
    assert op.locator('[data-testid="notice"]').first.get_attribute("data-read") == "1"

    op.locator('[data-testid="notice"]').first.locator("a", has_text="查看事项").click()
    op.wait_for_load_state()
    assert op.locator('[data-testid="task-title"]').inner_text() == task.title
    assert SENTENCE_START in op.locator('[data-testid="source-sentence"]').inner_text()
    assert "全县经济运行分析会议" in op.locator('[data-testid="meeting"]').inner_text()
    assert "6月底前" in op.locator('[data-testid="deadline"]').inner_text()
    assert _light(op) == "green"
    shot(op, "03-portal-task-assigned")

    # 签收
    op.click('[data-testid="ack-button"]')
    op.wait_for_load_state()
    assert "已签收" in op.locator("ul.messages").inner_text()
    assert "县发改局 签收" in _timeline(op) or "县发展和改革局 签收" in _timeline(op)
    assert "已签收" in op.locator('[data-testid="lead-units"]').inner_text()
    assert _light(op) == "green"

    # a bad report first: the error is shown next to the field and nothing is stored
    op.fill("#id_text", "")
    op.fill("#id_percent", "50")
    op.click("#act-report button[type=submit]")
    op.wait_for_load_state()
    assert "请填写进展情况" in op.locator("#act-report .errorlist").inner_text()
    assert task.progress_reports.count() == 0

    # 进展 50% with a photo as evidence
    op.fill("#id_text", "已完成“十三五”目标完成情况初步研判，形成预测报告初稿。")
    op.fill("#id_percent", "50")
    op.set_input_files("#id_files", files=[{"name": "研判会议照片.png", "mimeType": "image/png", "buffer": PNG}])
    op.click("#act-report button[type=submit]")
    op.wait_for_load_state()
    assert "进展已报送" in op.locator("ul.messages").inner_text()
    assert "已报送进度 50%" in op.locator('[data-testid="progress"]').inner_text()
    report = op.locator('[data-testid="report"]').first
    assert "研判会议照片.png" in report.inner_text() and "进度 50%" in report.inner_text()
    assert re.search(r"报送进展 50%", _timeline(op))
    assert _light(op) == "green"
    shot(op, "04-portal-task-reported")

    # 申请办结 (lead unit)
    op.fill("#id_summary", "已完成“十三五”目标完成情况研判和预测，报告已提交县政府常务会审定。")
    op.click('[data-testid="completion-button"]')
    op.wait_for_load_state()
    assert "办结申请已提交" in op.locator("ul.messages").inner_text()
    assert op.locator('[data-testid="completion-pending"]').count() == 1
    assert "申请办结" in _timeline(op)
    assert _light(op) == "green"  # still open until 督查室 decides
    shot(op, "05-portal-task-completion-requested")

    # --- 督查室 approves in the admin (销号, 优秀) ----------------------------------------------
    req = CompletionRequest.objects.get(task=task)
    staff.goto(base + f"/admin/tasks/completionrequest/{req.pk}/change/")
    staff.select_option("#id_decision", "approve")
    staff.select_option("#id_grade", "excellent")
    staff.click('input[name="_save"]')
    staff.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED and task.grade == "excellent"

    # the operator sees it closed on time, with the decision in the history and no more forms
    op.reload()
    assert _light(op) == "done_on_time"
    assert "按时办结" in op.locator('[data-testid="task-light"]').inner_text()
    assert "办结评定：优秀" in op.inner_text("main")
    assert "办结申请已同意（优秀）" in _timeline(op)
    assert op.locator('input[name="action"]').count() == 0
    assert op.locator('[data-testid="unread-count"]').inner_text() == "1"  # 办结申请已同意（销号）
    shot(op, "06-portal-task-closed")
    op.goto(base + "/portal/")
    assert op.locator(f'tr[data-task="{task.code}"] .light').get_attribute("data-light") == "done_on_time"

    # --- a county leader: read-only dashboard and task page --------------------------------------
    leader = new_page()
    _login(leader, base, "lingdao")
    leader.goto(base + "/portal/dashboard/")
    assert leader.locator('[data-count="done_on_time"]').first.inner_text() == "1"
    assert "县发展和改革局" in leader.locator('[data-testid="unit-table"]').inner_text()
    shot(leader, "07-portal-dashboard")
    leader.goto(base + f"/portal/tasks/{task.pk}/")
    assert _light(leader) == "done_on_time"
    assert leader.locator("form input[name=action]").count() == 0
    assert leader.locator('[data-testid="readonly-note"]').count() == 1
    shot(leader, "08-portal-task-leader")

    # phone layout: one column, no horizontal scrolling
    phone = new_page(390, 844)
    _login(phone, base, "fgj")
    shot(phone, "09-portal-list-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(base + f"/portal/tasks/{task.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "10-portal-task-phone")


def test_login_lockout_in_the_browser(live_server, new_page, shot):
    from accounts.models import Unit
    from accounts.services import create_login

    unit = Unit.objects.create(name="县统计局")
    create_login(username="tjj", password=PASSWORD, name="周联络", role="operator", unit=unit)
    page = new_page()
    for i in range(5):
        page.goto(live_server.url + "/portal/login/")
        page.fill("#id_username", "tjj")
        page.fill("#id_password", f"wrong-{i}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert "登录失败次数过多，账号已暂时锁定，请15分钟后再试或联系督查室" in page.locator('[data-testid="login-error"]').inner_text()
    # the right password is refused while locked
    page.fill("#id_username", "tjj")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "账号已暂时锁定" in page.locator('[data-testid="login-error"]').inner_text()
    assert page.url.endswith("/portal/login/")
    shot(page, "00-portal-login-locked")

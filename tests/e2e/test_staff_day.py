"""The 督查室 officer's day on the workbench, in Debian chromium (issue 9).

Upload a city-level speech → review it on one page (candidates highlighted in place, an owner the
directory does not know marked, one candidate edited beside the text with the unit autocomplete,
a missed sentence selected and added) → bulk: a refused 采纳并交办 first (nothing changes, the
reason is shown, the selection kept), then set units and a deadline for all, 驳回 two, 采纳并交办
the rest → register a 领导批示件 with its scan and download its 交办单 → approve a batch of
extension and completion requests (a refusal without a reason first) → 催办 one task → a leader
writes a 批示 on one of the tasks assigned that day; its units see it (inbox, task page, the 13710
部署签收 done once the lead unit signed) and so does the 督查室 (the workbench task page, the inbox).

Screenshots (desktop and phone width) go to test-artifacts/screenshots/wb-*.png.
"""
import datetime as dt
import io
import os
import re

import pytest
from django.utils import timezone

from tasks.models import Chase, CompletionRequest, Directive, ExtensionRequest, Reminder, Speech, Task, TaskFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Duchashi#2026pw"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00"
       b"\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
FORBIDDEN = ("Choose all", "Remove all", " object (", "CHANGES", "None", "null", "Traceback", "[{", "{'", '"unit_id"',
             "mm/dd/yyyy", "Not Found", "Server Error", "Forbidden")


@pytest.fixture(scope="module", autouse=True)
def _chinese_browser_ui():
    """Chromium draws date fields in its UI language: Chinese (needs Debian's chromium-l10n)."""
    before = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = "zh_CN:zh"
    yield
    if before is None:
        os.environ.pop("LANGUAGE", None)
    else:
        os.environ["LANGUAGE"] = before


# the strict policy the deployment is moving to: no inline script, no inline style, nothing external
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
              "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _enforce_csp(page, problems: list):
    """Serve every workbench page (GET) with STRICT_CSP; collect violations and script errors."""
    def handle(route):
        if route.request.method != "GET":  # uploads pass untouched (their answer is a redirect to a GET)
            route.continue_()
            return
        resp = route.fetch()
        route.fulfill(response=resp, headers={**resp.headers, "content-security-policy": STRICT_CSP})

    page.route("**/workbench/**", handle)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))


def _clean(page, where):
    body = page.locator("body").inner_text()
    for bad in FORBIDDEN:
        assert bad not in body, f"{where}: “{bad}” on the page"
    return body


def _view(page, name):
    """The visible part only (the review page of a long speech is many screens tall)."""
    _shots().mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(_shots() / f"wb-{name}.png"), full_page=False)


def _both(page, phone, shot, name, url=None, full=True):
    """Screenshot the page at desktop width and the same URL at phone width."""
    _clean(page, name)
    if full:
        shot(page, f"wb-{name}")
    else:
        _view(page, name)
    phone.goto(url or page.url)
    phone.wait_for_load_state()
    _clean(phone, name + " (phone)")
    phone.screenshot(path=str(_shots() / f"wb-{name}-phone.png"), full_page=False)


def _shots():
    from tests.e2e.conftest import SCREENSHOTS

    return SCREENSHOTS


def _login(page, base, username="ducha"):
    page.goto(base + "/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _messages(page) -> tuple[str, str]:
    ok = " ".join(page.locator("ul.messages li.success").all_inner_texts())
    bad = " ".join(page.locator("ul.messages li.error").all_inner_texts() + page.locator(".form-errors").all_inner_texts())
    return ok, bad


def _missed_sentence(speech: Speech) -> str:
    """A sentence of the speech the engine did not pick (outside every candidate), with a 要."""
    spans = list(speech.directives.values_list("start", "end"))
    text = speech.text
    for m in re.finditer(r"[^。；！？\n]{16,70}[。；]", text):
        a, b = m.span()
        if "要" in m.group(0) and not any(a < e and s < b for s, e in spans) and a > (spans[0][0] if spans else 0):
            return m.group(0).strip()
    pytest.skip("讲话稿中没有未被抽取的句子可供测试")


def _pick(page, label_text, fill):
    inp = page.locator(f'input.unit-ac[data-target="{label_text}"]')
    inp.fill(fill)
    page.locator(".ac-list li").first.wait_for()
    page.locator(".ac-list li").first.click()


def test_staff_day(live_server, new_page, shot, tmp_path):
    from accounts.models import Person, Unit
    from accounts.services import create_login, load_units_file
    from tasks.workdays import add_workdays
    from tests.workbench.conftest import city_speech_bytes

    load_units_file()
    staff_person = create_login(username="ducha", password=PASSWORD, name="王督查", role="staff")
    leader = create_login(username="lingdao", password=PASSWORD, name="胡世胜", title="常务副县长", role="leader")
    Person.objects.filter(pk=leader.pk).update(is_leader=True)
    fgj = Unit.objects.get(name="县发展和改革局")
    czj = Unit.objects.get(name="县财政局")
    create_login(username="fgj", password=PASSWORD, name="李联络", role="operator", unit=fgj)
    base = live_server.url
    today = timezone.localdate()

    page = new_page()
    phone = new_page(width=390, height=844)
    problems: list[str] = []
    _enforce_csp(page, problems)
    _enforce_csp(phone, problems)
    _login(page, base)
    _login(phone, base)

    # --- the workbench home, reached from the portal's nav -------------------------------------
    page.click('[data-testid="nav-workbench"]')
    page.wait_for_load_state()
    assert page.url.endswith("/workbench/")
    _both(page, phone, shot, "01-home")

    # --- upload a city speech -------------------------------------------------------------------
    page.click('[data-testid="upload-link"]')
    speech_file = tmp_path / "全市前三季度经济运行分析会讲话.txt"
    speech_file.write_bytes(city_speech_bytes())
    page.set_input_files("#id_file", str(speech_file))
    page.fill("#id_meeting_title", "全市前三季度经济运行分析会议")
    page.fill("#id_meeting_date", today.isoformat())
    page.select_option("#id_level", "city")
    page.fill("#id_speaker", "市长")
    page.click('[data-testid="upload-form"] button[type=submit]')
    page.wait_for_load_state()
    speech = Speech.objects.get()
    n = speech.directives.count()
    assert n >= 7
    ok, bad = _messages(page)
    assert f"已抽取 {n} 条候选事项" in ok and not bad
    assert page.locator('[data-testid="cand"]').count() == n
    assert page.locator('[data-count="pending"]').inner_text() == str(n)
    _both(page, phone, shot, "02-review", full=False)

    # --- one candidate whose owner the directory does not know: edit it beside the text ---------
    marked = next((d for d in speech.directives.order_by("start")
                   if any(not o.get("unit_id") and o.get("kind") != "person" for o in d.owners)), None)
    target = marked or speech.directives.order_by("start").first()
    page.click(f'#c-{target.pk} a.cand-text')
    page.locator(f'[data-testid="editor-form"][data-id="{target.pk}"]').wait_for()
    assert "current" in page.locator(f"#c-{target.pk}").get_attribute("class")
    assert f"?d={target.pk}" in page.url  # the editor opened in place (no reload), the address follows
    _view(page, "03a-editor-marked")
    if marked is not None:
        mark = page.locator('[data-testid="owner-mark"]').first.inner_text()
        assert mark == "未在名录中" or mark.startswith("层级不符")
        page.locator('#chips-editor .chip.unknown .chip-x').first.click()  # 移除 the unknown owner
    _pick(page, "editor", "发改")
    assert "县发展和改革局" in page.locator("#chips-editor").inner_text()
    page.fill('[data-testid="editor-form"] input[name=title]', "加快中小项目投资进度")
    page.select_option('[data-testid="editor-form"] select[name=deadline_kind]', "date")
    page.fill('[data-testid="editor-form"] input[name=deadline]', (today + dt.timedelta(days=30)).isoformat())
    _view(page, "03-editor")
    page.click('[data-testid="editor-save"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert f"第{target.seq}条已保存" in ok and not bad
    target.refresh_from_db()
    assert target.title == "加快中小项目投资进度" and target.deadline == today + dt.timedelta(days=30)
    assert any(o.get("unit_id") == fgj.pk for o in target.owners)
    assert all(o.get("unit_id") or o.get("kind") == "person" for o in target.owners)
    # on a phone the page opened on that candidate shows its editor (and the message) first
    phone.goto(base + f"/workbench/speeches/{speech.pk}/?d={target.pk}#c-{target.pk}")
    phone.locator(f'[data-testid="editor-form"][data-id="{target.pk}"]').wait_for()
    phone.wait_for_timeout(300)
    assert phone.evaluate("document.getElementById('editor').getBoundingClientRect().top") < 200
    phone.screenshot(path=str(_shots() / "wb-03-editor-phone.png"))
    # 下一条: the next pending candidate in reading order opens in place
    following = speech.directives.filter(start__gt=target.start, review_state="pending").order_by("start").first()
    if following is not None:
        page.click('[data-testid="editor-next"]')
        page.locator(f'[data-testid="editor-form"][data-id="{following.pk}"]').wait_for()

    # --- a sentence the engine missed: select part of it, add it in one action ------------------
    sentence = _missed_sentence(speech)
    needle = sentence[3:12]
    found = page.evaluate("""(needle) => {
        for (const s of document.querySelectorAll('#speech-text > span.seg')) {
          const i = s.textContent.indexOf(needle);
          if (i < 0) continue;
          const r = document.createRange();
          r.setStart(s.firstChild, i); r.setEnd(s.firstChild, i + needle.length);
          const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
          s.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
          return true;
        }
        return false; }""", needle)
    assert found
    page.locator('[data-testid="selbar"]').wait_for(state="visible")
    _view(page, "04-selection")
    page.click('[data-testid="selbar-add"]')
    page.wait_for_load_state()
    added = Directive.objects.get(speech=speech, origin=Directive.Origin.MANUAL)
    assert added.text == sentence.rstrip("。；") or added.text == sentence  # widened to the whole sentence
    ok, bad = _messages(page)
    assert f"第{added.seq}条候选事项" in ok and not bad
    assert page.locator(f'[data-testid="editor-form"][data-id="{added.pk}"]').count() == 1
    assert "人工补充" in page.locator('[data-testid="editor-conf"]').inner_text()

    # --- bulk: 采纳并交办 everything first → refused as a whole, selection kept ---------------------
    total = speech.directives.count()
    page.click('[data-testid="select-pending"]')
    assert page.locator('[data-testid="sel-count"]').inner_text() == str(total)
    page.click('[data-testid="bulk-accept"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    unmapped = [d for d in speech.directives.all() if not any(o.get("unit_id") for o in d.owners)]
    if unmapped:
        assert "本次操作未作任何修改" in bad and not ok
        assert Task.objects.count() == 0
        assert page.locator("input.pick:checked").count() == total  # the selection is kept
        _clean(page, "bulk refused")
        _view(page, "05-bulk-refused")

    # 驳回 the two lowest-confidence candidates
    low = list(speech.directives.exclude(pk__in=[target.pk, added.pk]).order_by("confidence", "seq")[:2])
    page.click('[data-select="none"]')
    for d in low:
        page.check(f'#c-{d.pk} input.pick')
    page.click('[data-testid="bulk-reject"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert "已驳回 2 条" in ok and not bad

    # set units for all the others in one action: 县财政局 主办, 县发改局 协办, replacing what was found
    page.click('[data-testid="select-pending"]')
    _pick(page, "bulk-lead", "财政")
    _pick(page, "bulk-co", "发改")
    page.check('input[name=mode][value=replace]')
    page.click('[data-testid="bulk-set-units"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    pending = total - 2
    assert f"已为 {pending} 条候选事项设置责任单位：县财政局" in ok and not bad
    assert page.locator('[data-count="unmapped"]').count() == 0

    # one deadline for all, then 采纳并交办 all
    page.click('[data-testid="select-pending"]')
    page.fill('#bulk-form input[name=deadline]', (today + dt.timedelta(days=90)).isoformat())
    page.select_option('#bulk-form select[name=deadline_kind]', "date")
    page.click('[data-testid="bulk-set-deadline"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert f"已将 {pending} 条候选事项的时限设为{today + dt.timedelta(days=90):%Y-%m-%d}" in ok and not bad
    page.click('[data-testid="select-pending"]')
    page.click('[data-testid="bulk-accept"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert f"已采纳并交办 {pending} 条" in ok and not bad
    assert Task.objects.filter(source=Task.Source.SPEECH).count() == pending
    assert not Directive.objects.filter(review_state="pending").exists()
    assert Task.objects.filter(units=czj).count() == pending
    _both(page, phone, shot, "06-review-done", full=False)

    # --- register a 领导批示件 with its scan, download the 交办单 -------------------------------------
    page.click('.wb-nav a:has-text("登记事项")')
    page.wait_for_load_state()
    page.check('input[name=source][value=instruction]')
    page.fill("#id_title", "关于加快城区污水管网改造的批示")
    page.fill("#id_requirement", "请县住建局牵头，会同县财政局抓紧研究，拿出改造方案，按期报送办理情况。")
    page.check('input[name=urgency][value=urgent]')
    _pick(page, "reg-lead", "住建")
    _pick(page, "reg-co", "财政局")
    page.check(f'input[name=leaders][value="{leader.pk}"]')
    scan = tmp_path / "批示件扫描.png"
    scan.write_bytes(PNG)
    page.set_input_files("#id_files", str(scan))
    # a deadline before today (the 交办 date) is refused with a clear message, nothing stored
    page.fill("#id_deadline", (today - dt.timedelta(days=1)).isoformat())
    page.click('[data-testid="register-submit"]')
    page.wait_for_load_state()
    assert "不能早于交办日期" in page.locator('[data-testid="register-form"]').inner_text()
    assert not Task.objects.filter(source=Task.Source.INSTRUCTION).exists()
    assert page.locator("#id_title").input_value() == "关于加快城区污水管网改造的批示"  # kept
    assert "县住房和城乡建设局" in page.locator("#chips-reg-lead").inner_text()
    shot(page, "wb-07-register-refused")
    page.fill("#id_deadline", "")
    page.set_input_files("#id_files", str(scan))
    page.click('[data-testid="register-submit"]')
    page.wait_for_load_state()
    task = Task.objects.get(source=Task.Source.INSTRUCTION)
    assert task.deadline == add_workdays(today, 5)  # 紧急: 5 working days
    assert set(task.leaders.all()) == {leader}
    assert TaskFile.objects.filter(task=task).count() == 1
    ok, bad = _messages(page)
    assert "已登记并交办" in ok and not bad
    _both(page, phone, shot, "08-instruction-task")
    with page.expect_download() as dl:
        page.click('[data-testid="notice-download"]')
    path = dl.value.path()
    assert dl.value.suggested_filename.endswith(".docx")
    from docx import Document

    doc = Document(io.BytesIO(open(path, "rb").read()))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    for needle in ("领导批示件交办单", task.code, "关于加快城区污水管网改造的批示", "县住房和城乡建设局", "县财政局",
                   f"{task.deadline.year}年{task.deadline.month}月{task.deadline.day}日", "县委督查室", "办理要求"):
        assert needle in text, needle

    # --- a batch of requests: extensions (a refusal without reason first), then completions ----------
    from tasks.services import workflow

    op = Person.objects.get(user__username="fgj").user
    fgj_tasks = list(Task.objects.filter(units=fgj, source=Task.Source.SPEECH).order_by("id")[:4])
    for t in fgj_tasks[:2]:
        workflow.acknowledge(task=t, unit=fgj, by=op)  # signed first (whatever the 签收 rule)
        workflow.request_extension(task=t, unit=fgj, by=op, proposed_deadline=t.deadline + dt.timedelta(days=30), reason="项目审批手续尚未完成")
    page.goto(base + "/workbench/queues/extensions/")
    page.check("input.pick-all")
    page.select_option("#id_decision", "reject")
    page.click('[data-testid="decide-submit"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert "退回延期申请时请填写理由" in page.locator('[data-testid="decide-form"]').inner_text() and not ok
    assert page.locator("input.pick:checked").count() == 2  # kept
    assert ExtensionRequest.objects.filter(state="pending").count() == 2
    shot(page, "wb-09-extension-refused")
    page.select_option("#id_decision", "approve")
    page.click('[data-testid="decide-submit"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert "已同意 2 份延期申请" in ok and not bad
    assert ExtensionRequest.objects.filter(state="approved").count() == 2

    # the lead of two tasks is 县财政局: its operator asks to close them
    czj_op = create_login(username="czj", password=PASSWORD, name="周联络", role="operator", unit=czj).user
    for t in fgj_tasks[2:4]:
        workflow.acknowledge(task=t, unit=czj, by=czj_op)
        workflow.request_completion(task=t, unit=czj, by=czj_op, summary="已完成，佐证材料见附件")
    page.goto(base + "/workbench/queues/completions/")
    _both(page, phone, shot, "10-completions")
    page.check("input.pick-all")
    page.select_option("#id_decision", "approve")
    page.select_option("#id_grade", "excellent")
    page.click('[data-testid="decide-submit"]')
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert "已同意办结（销号） 2 份办结申请" in ok and not bad
    assert CompletionRequest.objects.filter(state="approved").count() == 2

    # --- 催办 one task -------------------------------------------------------------------------------
    page.goto(base + "/workbench/tasks/")
    row = page.locator(f'tr[data-task="{task.code}"]')
    row.locator('[data-testid="chase-button"]').click()
    page.wait_for_load_state()
    ok, bad = _messages(page)
    assert f"已催办 {task.code}" in ok and "王督查" in ok and not bad
    chase = Chase.objects.get(task=task)
    assert chase.by.username == "ducha" and set(chase.units.values_list("name", flat=True)) == {"县住房和城乡建设局", "县财政局"}
    rows = Reminder.objects.filter(task=task, kind="manual")
    assert rows.count() >= 2 and set(rows.values_list("channel", flat=True)) >= {"inbox"}
    assert "站内通知" in page.locator(f'tr[data-task="{task.code}"] [data-testid="last-chase"]').inner_text()
    _both(page, phone, shot, "11-tasks-chased")
    page.goto(base + f"/workbench/tasks/{task.pk}/")
    assert "王督查 催办" in page.locator('[data-testid="chase-history"]').inner_text()
    _both(page, phone, shot, "12-task-chase-history")
    assert staff_person.user.username == "ducha"

    # --- a leader writes a 批示 on a task assigned earlier; the units and the 督查室 see it -----------
    from tasks.models import LeaderComment, Notice

    commented = fgj_tasks[0]  # 县财政局 主办 (signs now), 县发改局 协办 (signed, extension approved)
    workflow.acknowledge(task=commented, unit=czj, by=czj_op)
    boss, boss_phone = new_page(), new_page(width=390, height=844)
    _login(boss, base, "lingdao")
    _login(boss_phone, base, "lingdao")
    boss.goto(base + f"/portal/tasks/{commented.pk}/")
    words = "此项关系全市经济运行大局，请县财政局牵头倒排工期，县发改局全力配合，每周报送进展。"
    boss.fill("#id_text", words)
    boss.click('[data-testid="comment-button"]')
    boss.wait_for_load_state()
    ok, bad = _messages(boss)
    assert "批示已发送" in ok and not bad
    assert "倒排工期" in boss.locator('[data-testid="leader-comments"]').inner_text()
    assert LeaderComment.objects.get(task=commented).author.pk == leader.pk
    _both(boss, boss_phone, shot, "13-leader-comment")
    # the units: the lead unit's and the co-unit's inbox, and the co-unit's task page
    for unit in (czj, fgj):
        assert Notice.objects.filter(unit=unit, task=commented, title__startswith="领导批示").count() == 1
    unit_page, unit_phone = new_page(), new_page(width=390, height=844)
    _login(unit_page, base, "fgj")
    _login(unit_phone, base, "fgj")
    unit_page.goto(base + "/portal/notices/")
    inbox = _clean(unit_page, "unit inbox")
    assert "领导批示" in inbox and "倒排工期" in inbox
    unit_page.goto(base + f"/portal/tasks/{commented.pk}/")
    block = unit_page.locator('[data-testid="leader-comments"]').inner_text()
    assert "常务副县长胡世胜" in block and "倒排工期" in block
    assert unit_page.locator('[data-testid="comment-form"]').count() == 0  # units read, only leaders write
    # 部署签收 is done (the lead unit signed): shown as done, not 待完成
    deploy = unit_page.locator('[data-testid="checkpoints"] li[data-key="deploy"]')
    assert deploy.locator("[data-state]").get_attribute("data-state") == "done" and "待完成" not in deploy.inner_text()
    _both(unit_page, unit_phone, shot, "14-unit-sees-comment")
    # the 督查室: the workbench task page and the staff's inbox
    assert Notice.objects.filter(person=staff_person, task=commented, title__startswith="领导批示").count() == 1
    page.goto(base + f"/workbench/tasks/{commented.pk}/")
    block = page.locator('[data-testid="leader-comments"]').inner_text()
    assert "领导批示" in block and "常务副县长胡世胜" in block and "倒排工期" in block
    _both(page, phone, shot, "15-staff-sees-comment")
    page.goto(base + "/workbench/")
    assert "倒排工期" in page.locator('[data-testid="home-leader-comments"]').inner_text()
    _both(page, phone, shot, "15a-home-leader-comment")

    # --- the admin points to the workbench; 督查室设置 is a form, not JSON ------------------------------
    page.goto(base + f"/admin/tasks/directive/?speech__id__exact={speech.pk}")
    _both(page, phone, shot, "15b-admin-review-list", full=False)
    page.click('[data-testid="workbench-review"]')
    page.wait_for_load_state()
    assert page.url.endswith(f"/workbench/speeches/{speech.pk}/")
    page.goto(base + f"/admin/tasks/task/{commented.pk}/change/")
    assert "倒排工期" in _clean(page, "admin task")
    _both(page, phone, shot, "15c-admin-task")
    page.click('[data-testid="workbench-task"]')
    page.wait_for_load_state()
    assert page.url.endswith(f"/workbench/tasks/{commented.pk}/")
    page.goto(base + "/admin/tasks/officesettings/")
    _both(page, phone, shot, "16-admin-office-settings")
    phone.locator('[data-testid="checkpoints-table"]').scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # the table scrolls inside its box
    phone.screenshot(path=str(_shots() / "wb-16-admin-office-settings-phone-table.png"))
    assert page.locator('textarea[name="checkpoints"], textarea[name="level_names"]').count() == 0
    # a new checkpoint without its requirement: refused next to the table, what was typed kept, nothing stored
    page.fill('input[name="checkpoints-3-name"]', "专项报告")
    page.fill('input[name="checkpoints-3-offset"]', "10")
    page.fill('input[name="level_names_2"]', "挂牌督办")
    page.click('input[name="_save"]')
    page.wait_for_load_state()
    assert "请选择该节点要求单位做到的事" in _clean(page, "office settings refused")
    assert page.locator('input[name="checkpoints-3-name"]').input_value() == "专项报告"
    from tasks.models import OfficeSettings

    assert OfficeSettings.objects.get().checkpoints == [] and OfficeSettings.objects.get().level_names in ([], None)
    shot(page, "wb-16b-admin-office-settings-refused")
    page.select_option('select[name="checkpoints-3-requires"]', "progress")
    page.click('input[name="_save"]')
    page.wait_for_load_state()
    assert page.locator("ul.messagelist li.success").count() == 1
    s = OfficeSettings.objects.get()
    assert [c["name"] for c in s.checkpoints] == ["部署签收", "报告措施和进展", "办结或申请销号", "专项报告"]
    assert s.level_names == ["正常", "黄牌", "挂牌督办"]
    assert problems == []  # no CSP violation, no script error on any workbench page

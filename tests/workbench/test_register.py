"""Registering a task by hand or a 领导批示件: working-day limits, refusals that store nothing,
the scanned 批示 served only to those who may see the task, the printable 交办单."""
import datetime as dt
import io

import pytest
from django.utils import timezone

from tasks.models import Notice, Task, TaskFile
from tasks.services.registration import instruction_limits, register_task
from tasks.services.workflow import WorkflowError
from tasks.workdays import add_workdays
from tests.workbench.conftest import future, unit

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00"
       b"\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _units():
    return [(unit("县住房和城乡建设局"), "lead"), (unit("县财政局"), "co")]


@pytest.mark.parametrize("urgency,days", [("urgent", 5), ("normal", 15), ("complex", 30)])
def test_instruction_deadline_in_working_days(users, people, urgency, days):
    task = register_task(by=users["staff"], source="instruction", title="关于污水管网改造的批示", units=_units(),
                         leaders=[people["leader"]], urgency=urgency, files=[("批示.png", PNG)])
    today = timezone.localdate()
    assert task.deadline == add_workdays(today, days)
    assert task.source == "instruction" and task.start_date == today
    assert f"{days}个工作日" in task.deadline_text
    assert TaskFile.objects.get(task=task).name == "批示.png"
    assert {r["urgency"]: r["deadline"] for r in instruction_limits(today)}[urgency] == task.deadline


@pytest.mark.parametrize("kwargs,message", [
    ({"deadline": None, "source": "manual"}, "请填写完成时限"),
    ({"deadline": "yesterday"}, "不能早于交办日期"),
    ({"files": [("批示.exe", b"MZ...")]}, "类型不允许"),
    ({"files": [("批示.pdf", b"not a pdf")]}, "内容与扩展名不符"),
    ({"source": "speech"}, "来源只能是"),
    ({"units": []}, "主办"),
    ({"title": ""}, "事项名称不能为空"),
])
def test_refusals_store_nothing(users, people, kwargs, message):
    args = {"by": users["staff"], "source": "instruction", "title": "批示件", "units": _units(),
            "leaders": [people["leader"]], "urgency": "normal", "deadline": future(10), "files": [("批示.png", PNG)]}
    args.update(kwargs)
    if args["deadline"] == "yesterday":
        args["deadline"] = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(WorkflowError, match=message):
        register_task(**args)
    assert not Task.objects.exists() and not TaskFile.objects.exists() and not Notice.objects.exists()


def test_only_leaders_may_be_the_responsible_leader(users, people):
    from accounts.models import Person

    clerk = Person.objects.create(name="普通干部")
    with pytest.raises(WorkflowError, match="不是领导"):
        register_task(by=users["staff"], source="manual", title="事项", units=_units(), leaders=[clerk], deadline=future())
    assert not Task.objects.exists()


def test_register_view_keeps_input_on_error_then_succeeds(staff_client, people):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    zjj, czj = unit("县住房和城乡建设局"), unit("县财政局")
    data = {"source": "instruction", "title": "关于城区内涝治理的批示", "requirement": "请抓紧研究", "urgency": "urgent",
            "reg_lead": [zjj.pk], "co_text": "财政局", "leaders": [people["leader"].pk], "deadline": yesterday}
    r = staff_client.post("/workbench/tasks/new/", data)
    html = r.content.decode()
    assert r.status_code == 400 and "不能早于交办日期" in html
    assert "关于城区内涝治理的批示" in html and "县住房和城乡建设局" in html and "已登记" not in html
    assert not Task.objects.exists()
    # a non-leader in the list: the form refuses it
    r = staff_client.post("/workbench/tasks/new/", {**data, "deadline": "", "leaders": [people["operator"].pk]})
    assert r.status_code == 400 and "不是在职领导" in r.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("批示件.png", PNG, content_type="image/png")
    r = staff_client.post("/workbench/tasks/new/", {**data, "deadline": "", "files": [scan]})
    assert r.status_code == 302, [line for line in r.content.decode().splitlines() if "errorlist" in line or "form-errors" in line]
    task = Task.objects.get()
    assert r["Location"] == f"/workbench/tasks/{task.pk}/"
    assert {(a.unit, a.role) for a in task.assignments.all()} == {(zjj, "lead"), (czj, "co")}
    assert task.deadline == add_workdays(timezone.localdate(), 5)
    assert TaskFile.objects.get(task=task).name == "批示件.png"


def test_unknown_unit_typed_is_refused(staff_client, people):
    r = staff_client.post("/workbench/tasks/new/", {"source": "manual", "title": "事项", "urgency": "normal",
                                                    "lead_text": "火星局", "deadline": future().isoformat()})
    assert r.status_code == 400 and "单位名录中没有“火星局”" in r.content.decode()
    assert not Task.objects.exists()


def test_task_file_served_by_role(client, users, people):
    from accounts.models import Unit
    from accounts.services import create_login
    from django.test import Client

    task = register_task(by=users["staff"], source="instruction", title="批示件", units=[(unit("县发展和改革局"), "lead")],
                         files=[("批示.png", PNG)])
    f = TaskFile.objects.get(task=task)
    other = create_login(username="jyj", password="Duchashi#2026pw", name="赵联络", role="operator",
                         unit=Unit.objects.get(name="县教育体育局"))

    def get(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c.get(f"/workbench/files/{f.pk}/")

    for who in ("staff", "leader", "operator"):  # the operator of 县发改局, the task's unit
        r = get(users[who])
        assert r.status_code == 200 and b"".join(r.streaming_content) == PNG, who
    assert get(other.user).status_code == 404
    assert get(users["norole"]).status_code == 404
    assert get(None).status_code == 302


def test_notice_docx(staff_client, users, people):
    from docx import Document

    task = register_task(by=users["staff"], source="instruction", title="关于城区内涝治理的批示", units=_units(),
                         leaders=[people["leader"]], requirement="请抓紧研究，拿出方案。", urgency="urgent")
    from tasks.models import OfficeSettings
    from tasks.selectors.lights import office_settings

    OfficeSettings.objects.filter(pk=office_settings().pk).update(report_issuer="县委县政府督查室")  # the office's 落款
    r = staff_client.get(f"/workbench/tasks/{task.pk}/notice.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    paras = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert paras[0] == "县委县政府督查室" and "领导批示件交办单" in paras
    assert paras[-2:] == ["县委县政府督查室", f"{timezone.localdate().year}年{timezone.localdate().month}月{timezone.localdate().day}日"]
    for label, value in [("编　　号", task.code), ("事　　项", "关于城区内涝治理的批示"), ("主办单位", "县住房和城乡建设局"),
                         ("协办单位", "县财政局"), ("工作要求", "请抓紧研究，拿出方案。")]:
        assert value in cells[cells.index(label) + 1]
    limit = cells[cells.index("办理时限") + 1]
    assert f"{task.deadline.year}年{task.deadline.month}月{task.deadline.day}日前" in limit
    assert "胡世胜" in cells[cells.index("责任领导") + 1]
    assert any("签收" in p for p in paras)


def test_a_lead_unit_is_required_and_a_unit_is_never_both(staff_client, people):
    czj = unit("县财政局")
    base = {"source": "manual", "title": "事项", "urgency": "normal", "deadline": future().isoformat()}
    r = staff_client.post("/workbench/tasks/new/", {**base, "co_text": "财政局"})
    html = r.content.decode()
    assert r.status_code == 400 and "请至少选择一个主办单位" in html and not Task.objects.exists()
    # the same unit picked as 主办 and typed as 协办: 主办 only
    r = staff_client.post("/workbench/tasks/new/", {**base, "reg_lead": [czj.pk], "co_text": "财政局、发改局"})
    assert r.status_code == 302
    assert sorted((a.unit.name, a.role) for a in Task.objects.get().assignments.all()) == [("县发展和改革局", "co"), ("县财政局", "lead")]

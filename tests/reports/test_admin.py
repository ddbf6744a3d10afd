import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tasks.models import ReportFile, Task
from tests.reports.conftest import write_xlsx
from tests.reports.test_ledger import HEADER


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_generate_button_and_download(staff_client, scenario, tmp_path):
    page = staff_client.get(reverse("admin:tasks_reportfile_changelist"))
    assert "生成本周督查通报" in page.content.decode()
    assert staff_client.get(reverse("admin:tasks_reportfile_generate")).status_code == 405
    resp = staff_client.post(reverse("admin:tasks_reportfile_generate"), {"date": "2024-06-05"}, follow=True)
    assert "已生成《督查通报_2024年第23周.xlsx》" in resp.content.decode()
    rf = ReportFile.objects.get()
    assert rf.trigger == "admin" and rf.created_by.username == "duchashi"
    listing = staff_client.get(reverse("admin:tasks_reportfile_changelist")).content.decode()
    url = reverse("admin:tasks_reportfile_download", args=[rf.pk])
    assert url in listing
    dl = staff_client.get(url)
    assert dl.status_code == 200 and "attachment" in dl["Content-Disposition"]
    target = tmp_path / "dl.xlsx"
    target.write_bytes(b"".join(dl.streaming_content))
    assert load_workbook(target).sheetnames[0] == "总体情况"


def test_generate_rejects_bad_date(staff_client, scenario):
    resp = staff_client.post(reverse("admin:tasks_reportfile_generate"), {"date": "2024-13-01"}, follow=True)
    assert "格式不正确" in resp.content.decode() and not ReportFile.objects.exists()


def test_download_needs_staff(client, scenario, units, db):
    from accounts.models import Role
    from accounts.services import create_login
    from tasks.services.reports import generate_report

    rf = generate_report(on=dt.date(2024, 6, 5), trigger="command", announce=False)
    op = create_login(username="op9", password="Op-2024-secret!", name="联络员", role=Role.OPERATOR, unit=units["财政局"]).user
    client.force_login(op)
    assert client.get(reverse("admin:tasks_reportfile_download", args=[rf.pk])).status_code in (302, 404)


def test_ledger_preview_then_confirm(staff_client, units, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", [["XX县2099年重点工作台账"], HEADER, [1, "事项甲", "县发改局", "", "", "2099-09-30", "", ""],
                                           [2, "事项乙", "财政局", "统计局", "", "年底前", "", ""]])
    url = reverse("admin:tasks_task_import_ledger")
    assert "导入台账" in staff_client.get(reverse("admin:tasks_task_changelist")).content.decode()
    with open(path, "rb") as fh:
        resp = staff_client.post(url, {"file": fh, "action": "preview"})
    html = resp.content.decode()
    assert resp.status_code == 200 and "预检通过：共2行" in html and "确认导入（2 项）" in html
    assert "第3行" in html and "第4行" in html and Task.objects.count() == 0
    resp = staff_client.post(url, {"action": "confirm"}, follow=True)
    assert "导入成功：共创建2个督办事项" in resp.content.decode()
    assert set(Task.objects.values_list("title", flat=True)) == {"事项甲", "事项乙"}


def test_ledger_preview_shows_errors_no_confirm(staff_client, units, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", [HEADER, [1, "事项甲", "县宣传部", "", "", "2099-09-30", "", ""]])
    with open(path, "rb") as fh:
        resp = staff_client.post(reverse("admin:tasks_task_import_ledger"), {"file": fh, "action": "preview"})
    html = resp.content.decode()
    assert "第2行：责任单位“县宣传部”不在单位名录中" in html and "确认导入（" not in html
    resp = staff_client.post(reverse("admin:tasks_task_import_ledger"), {"action": "confirm"})
    assert Task.objects.count() == 0


def test_big_ledger_confirm_goes_to_the_worker(staff_client, staff_user, units, tmp_path, monkeypatch):
    from tasks.jobs import import_ledger_file
    from tasks.models import Notice
    from tasks.reports import admin_views
    from tasks.services import dispatch

    monkeypatch.setattr(admin_views, "INLINE_ROWS", 1)
    sent = []
    monkeypatch.setattr(dispatch, "enqueue", lambda name, *args: sent.append((name, args)) or True)
    path = write_xlsx(tmp_path / "big.xlsx", [HEADER, [1, "事项甲", "县发改局", "", "", "2099-09-30", "", ""],
                                             [2, "事项乙", "财政局", "", "", "2099-09-30", "", ""]])
    url = reverse("admin:tasks_task_import_ledger")
    with open(path, "rb") as fh:
        assert "预检通过：共2行" in staff_client.post(url, {"file": fh, "action": "preview"}).content.decode()
    resp = staff_client.post(url, {"action": "confirm"}, follow=True)
    assert "已转入后台导入" in resp.content.decode() and Task.objects.count() == 0
    (name, args), = sent
    assert name == "tasks.jobs.import_ledger_file" and args[1] == staff_user.pk and args[2] == "big.xlsx"
    res = import_ledger_file.apply(args=args).result  # what the worker runs
    assert res["ok"] and res["created"] == 2 and Task.objects.filter(source="ledger").count() == 2
    notice = Notice.objects.get(person__user=staff_user)
    assert notice.title == "台账《big.xlsx》导入完成" and "导入成功：共创建2个督办事项" in notice.body
    assert not list((tmp_path / "media" / "ledger-uploads").glob("*.xlsx"))  # the job removed the upload


def test_ledger_upload_job_failure_notifies_and_stores_nothing(staff_user, units, tmp_path):
    from tasks.models import Notice
    from tasks.services.ledger import import_ledger_upload

    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, [1, "事项甲", "县宣传部", "", "", "2099-09-30", "", ""]])
    res = import_ledger_upload(path, by=staff_user, original_name="台账.xlsx")
    assert not res["ok"] and Task.objects.count() == 0 and not path.exists()
    notice = Notice.objects.get(person__user=staff_user)
    assert notice.title == "台账《台账.xlsx》导入失败" and "第2行：责任单位“县宣传部”不在单位名录中" in notice.body
    assert import_ledger_upload(path, by=staff_user)["message"] == "上传的台账文件已不存在或无法读取，请重新上传。"

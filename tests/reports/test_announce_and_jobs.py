import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tasks.models import Notice, Reminder, ReportFile
from tasks.services.reports import announce_report, generate_report
from tests.reports.conftest import ON


@pytest.fixture
def webhook_unit(units):
    u = units["财政局"]
    u.webhook_kind, u.webhook_url = "wecom", "http://127.0.0.1:9/cgi-bin/webhook/send?key=test"
    u.save()
    return u


def test_announced_once_per_week(scenario, staff_user, webhook_unit):
    rf1 = generate_report(on=ON, trigger="command")
    rf2 = generate_report(on=ON - dt.timedelta(days=1), trigger="admin", by=staff_user)  # same ISO week
    assert ReportFile.objects.count() == 2
    notices = Notice.objects.filter(person__user=staff_user)
    assert notices.count() == 1 and notices.get().title == "督查通报（2024年第23周）已生成"
    assert "共督办事项10项" in notices.get().body and f"/admin/tasks/reportfile/{rf1.pk}/download/" in notices.get().body
    rems = Reminder.objects.filter(kind=Reminder.Kind.REPORT)
    assert rems.count() == 1
    rem = rems.get()
    assert rem.unit == webhook_unit and rem.channel == "wecom" and rem.period == "2024-W23"
    assert rem.target == webhook_unit.webhook_url and "贵单位牵头事项3项" in rem.body and "逾期未办结2项" in rem.body
    assert "本期应考核2项，综合得分12.5，排名第3位。" in rem.body  # 财政局, last of three
    assert f"/admin/tasks/reportfile/{rf1.pk}/download-docx/" in notices.get().body and "2024年第1期" in notices.get().body
    assert announce_report(rf2) == {"notices": 0, "reminders": 0}
    generate_report(on=ON + dt.timedelta(days=5), trigger="command")  # next ISO week: announced again
    assert Reminder.objects.filter(kind=Reminder.Kind.REPORT).count() == 2
    assert Notice.objects.filter(person__user=staff_user).count() == 2


def test_units_without_webhook_get_no_report_reminder(scenario, staff_user):
    generate_report(on=ON, trigger="command")
    assert not Reminder.objects.filter(kind=Reminder.Kind.REPORT).exists()


def test_command_writes_copy(scenario, tmp_path):
    out = io.StringIO()
    call_command("export_report", "--date", "2024-06-05", "-o", str(tmp_path), "--no-announce", stdout=out)
    target = tmp_path / "督查通报_2024年第23周.xlsx"
    assert target.exists() and load_workbook(target).sheetnames[-1] == "说明"
    assert "已生成 督查通报_2024年第23周.xlsx" in out.getvalue()
    assert (tmp_path / "督查通报_2024年第23周.docx").read_bytes()[:2] == b"PK"
    assert "通报文稿 督查通报_2024年第23周.docx（2024年第1期）" in out.getvalue()
    rf = ReportFile.objects.get()
    assert rf.trigger == "command" and not Notice.objects.filter(title__contains="督查通报").exists()


def test_command_errors_in_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("export_report", "--date", "06/05/2024", stdout=io.StringIO())
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command("export_report", "--date", "2024-06-05", "-o", str(tmp_path / "nope" / "x.xlsx"), stdout=io.StringIO())


def test_weekly_report_job_eager(scenario, settings):
    from tasks.jobs import weekly_report

    res = weekly_report.apply(kwargs={"on": "2024-06-05"})
    assert res.successful(), res.traceback
    rf = ReportFile.objects.get()
    assert res.result == {"report_file": rf.pk, "filename": "督查通报_2024年第23周.xlsx", "docx": "督查通报_2024年第23周.docx",
                          "issue": 1, "tasks": 10, "size": rf.size}
    assert rf.trigger == "beat"


def test_beat_schedule_points_at_the_job():
    from django.conf import settings

    from tracker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report"]
    assert entry["task"] == "tasks.jobs.weekly_report"
    assert entry["schedule"].hour == {8} and entry["schedule"].day_of_week == {1}
    app.loader.import_default_modules()
    assert "tasks.jobs.weekly_report" in app.tasks

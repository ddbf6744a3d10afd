"""The weekly 督查通报: build the workbook, store it as a ReportFile, announce it once a week.

`generate_report(on=None, trigger=..., by=None)` is the one entry point used by the command
(export_report), the admin action, the API and the Celery beat job (tasks.jobs.weekly_report).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse

from accounts.models import Person, Role, Unit
from tasks.models import Notice, Reminder, ReportFile
from tasks.reports.bulletin import write_bulletin
from tasks.reports.workbook import write_report
from tasks.selectors import stats
from tasks.selectors.lights import today

log = logging.getLogger(__name__)


class ReportError(Exception):
    """A report that cannot be produced; `message` is for the user (Chinese)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def report_filename(on: dt.date) -> str:
    return f"督查通报_{stats.iso_week_label(on)}.xlsx"


def report_title(on: dt.date) -> str:
    """督查通报（2024年第23周）; a past day's report says that its figures are rebuilt from history."""
    title = f"督查通报（{stats.iso_week_label(on)}）"
    if stats.is_past(on):
        title += f"（按{on.year}年{on.month}月{on.day}日状态，据历史记录）"
    return title


def report_week_key(on: dt.date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


def parse_report_date(value: str | None) -> dt.date:
    """A YYYY-MM-DD string (or None/empty = today) → date, else ReportError in Chinese."""
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD，例如 2024-06-03。") from None


def report_docx_filename(on: dt.date) -> str:
    """The 通报 document's name: the workbook's, as .docx."""
    return report_filename(on).removesuffix(".xlsx") + ".docx"


def issue_number(on: dt.date) -> tuple[int, int]:
    """(year, 期号) of the report of `on`'s week: numbered per calendar year; regenerating a week's
    report keeps its number; a new week takes the next one."""
    year = on.year
    monday = on - dt.timedelta(days=on.weekday())
    same_week = (ReportFile.objects.filter(issue_year=year, as_of__gte=monday, as_of__lte=monday + dt.timedelta(days=6))
                 .exclude(issue_no=None).order_by("id").values_list("issue_no", flat=True).first())
    if same_week is not None:
        return year, same_week
    last = ReportFile.objects.filter(issue_year=year).aggregate(m=Max("issue_no"))["m"] or 0
    return year, last + 1


def generate_report(*, on: dt.date | None = None, trigger: str, by=None, announce: bool = True) -> ReportFile:
    """Write the 督查通报 for the week of `on` (default today), store it and announce it.

    The workbook and the 通报 document (.docx, tasks.reports.bulletin, same figures) are written
    to temporary files, then stored under MEDIA_ROOT/reports/<year>/ in one ReportFile with its
    期号. Announcements (a Notice to each 督查室 staff member, a Reminder of kind "report" for each
    unit with a webhook) happen once per ISO week, however many times the report is regenerated.
    """
    on = on or today()
    if isinstance(on, str):
        on = parse_report_date(on)
    if trigger not in ReportFile.Trigger.values:
        raise ReportError(f"未知的生成方式：{trigger}")
    if on > today():
        raise ReportError(f"统计截至日期 {on:%Y-%m-%d} 晚于今天，无法生成通报。")
    start, end = stats.report_period(on)
    filename = report_filename(on)
    title = report_title(on)
    docx_name = report_docx_filename(on)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix="report-")
    os.close(fd)
    fd, tmp_docx = tempfile.mkstemp(suffix=".docx", prefix="report-")
    os.close(fd)
    try:
        summary = write_report(tmp, on, title=f"督查通报（{stats.iso_week_label(on)}）")  # each sheet states the as-of day
        with transaction.atomic():
            year, no = issue_number(on)
            write_bulletin(tmp_docx, on, summary, issue_year=year, issue_no=no)
            with open(tmp, "rb") as fh, open(tmp_docx, "rb") as dh:
                rf = ReportFile(
                    title=title, as_of=on, period_start=start, period_end=end, filename=filename,
                    size=os.path.getsize(tmp), task_count=summary["task_count"], trigger=trigger,
                    created_by=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
                    docx_filename=docx_name, issue_year=year, issue_no=no,
                )
                rf.file.save(filename, File(fh), save=False)
                rf.docx.save(docx_name, File(dh), save=False)
                rf.save()
    finally:
        os.unlink(tmp)
        os.unlink(tmp_docx)
    log.info("督查通报已生成：%s（%s 项，%s 字节，方式 %s）", filename, rf.task_count, rf.size, trigger)
    if announce:
        announce_report(rf, summary=summary)
    return rf


def report_download_url(rf: ReportFile, docx: bool = False) -> str:
    """The staff download of the workbook (.xlsx), or with docx=True of the 通报 document (.docx)."""
    name, field = ("admin:tasks_reportfile_download_docx", rf.docx) if docx else ("admin:tasks_reportfile_download", rf.file)
    try:
        path = reverse(name, args=[rf.pk])
    except NoReverseMatch:
        path = field.url if field else ""
    return settings.SITE_URL.rstrip("/") + path


def announce_report(rf: ReportFile, summary: dict | None = None) -> dict:
    """Notice to staff + a "report" Reminder per unit with a webhook; once per ISO week.

    Returns {"notices": n, "reminders": n} (the ones created now). The Reminder rows are left
    pending for the reminders engineer's channel senders (tasks.services.reminders), which are
    asked to send them if they exist.
    """
    week = report_week_key(rf.as_of)
    paragraph = (summary or {}).get("paragraph") or stats.summary_paragraph(stats.totals(rf.as_of))
    url = report_download_url(rf)
    subject = f"督查通报（{stats.iso_week_label(rf.as_of)}）已生成"  # one per week, whatever the as-of day
    body = f"{paragraph}\n下载：{url}"
    if rf.docx:
        body += f"\n通报文稿（{rf.issue_year}年第{rf.issue_no}期，.docx）：{report_download_url(rf, docx=True)}"
    notices = reminders = 0
    for person in Person.objects.filter(role=Role.STAFF, active=True).order_by("id"):
        if Notice.objects.filter(person=person, title=subject).exists():
            continue
        from tasks.services.notices import create_notice

        create_notice(title=subject, body=body, person=person)
        notices += 1
    ranking = {r["unit_id"]: r for r in stats.unit_ranking(rf.as_of)}
    created_ids = []
    for unit in Unit.objects.filter(active=True).exclude(webhook_url="").exclude(webhook_kind="").order_by("sort_order", "id"):
        r = ranking.get(unit.pk)
        mine = (f"贵单位牵头事项{r['tasks']}项，已办结{r['closed']}项，逾期未办结{r['overdue']}项，滞后{r['lagging']}项"
                + (f"，本期应考核{r['counted']}项，综合得分{r['score']}，排名第{r['rank']}位{'（并列）' if r['tie'] else ''}。"
                   if r["rank"] else f"，{r['note']}。")) if r else "贵单位本期无牵头督办事项。"
        key = f"report:weekly:unit-{unit.pk}:{week}:{unit.webhook_kind}"  # same shape as policy.reminder_key
        try:
            with transaction.atomic():
                rem, created = Reminder.objects.get_or_create(
                    key=key,
                    defaults=dict(kind=Reminder.Kind.REPORT, channel=unit.webhook_kind, period=week, unit=unit,
                                  target=unit.webhook_url, subject=subject, body=f"{paragraph}\n{mine}"),
                )
        except IntegrityError:  # created concurrently by another run: still exactly one
            created = False
        if created:
            reminders += 1
            created_ids.append(rem.pk)
    if created_ids:
        _hand_to_channels(created_ids)
    return {"notices": notices, "reminders": reminders}


def _hand_to_channels(reminder_ids: list[int]) -> None:
    """Ask the reminders area to deliver the new rows after commit (else they wait pending for its sweep)."""
    try:
        from tasks.services import reminders as rs
    except ImportError:
        log.info("提醒发送模块尚不可用：%s 条督查通报推送保持待发送状态。", len(reminder_ids))
        return
    send = getattr(rs, "send_pending", None)
    if send is None:
        return

    def deliver():
        try:
            send(ids=reminder_ids)
        except Exception:  # noqa: BLE001 - failures are retried by the reminder sweep
            log.exception("督查通报推送发送出错，等待定时重试。")

    transaction.on_commit(deliver)

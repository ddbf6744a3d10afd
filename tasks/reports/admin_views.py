"""Admin pages of the reports area, hooked into tasks/admin.py through get_urls():

- ReportFile changelist: "生成本周督查通报" (POST) and download views for the workbook and the 通报
  document (staff only; media files are not served by the web server in production, so reports go
  through these views).
- Task changelist: "导入台账" — upload an xlsx, "预检" shows every row's result, "确认导入" imports.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse

from accounts.selectors import is_supervisor
from tasks.models import ReportFile
from tasks.services.ledger import SHOWN_ERRORS, LedgerError, import_ledger
from tasks.services.reports import ReportError, generate_report, parse_report_date

SESSION_KEY = "ledger_upload"


def report_urls(model_admin):
    site = model_admin.admin_site
    return [
        path("generate/", site.admin_view(lambda r: generate_view(model_admin, r)), name="tasks_reportfile_generate"),
        path("<int:pk>/download/", site.admin_view(lambda r, pk: download_view(model_admin, r, pk)),
             name="tasks_reportfile_download"),
        path("<int:pk>/download-docx/", site.admin_view(lambda r, pk: download_docx_view(model_admin, r, pk)),
             name="tasks_reportfile_download_docx"),
    ]


def ledger_urls(model_admin):
    site = model_admin.admin_site
    return [path("import-ledger/", site.admin_view(lambda r: ledger_view(model_admin, r)), name="tasks_task_import_ledger")]


def generate_view(model_admin, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    changelist = reverse("admin:tasks_reportfile_changelist")
    if not is_supervisor(request.user):
        messages.error(request, "只有督查室工作人员可以生成督查通报。")
        return redirect(changelist)
    try:
        on = parse_report_date(request.POST.get("date"))
        rf = generate_report(on=on, trigger=ReportFile.Trigger.ADMIN, by=request.user)
    except ReportError as exc:
        messages.error(request, exc.message)
        return redirect(changelist)
    messages.success(request, f"已生成《{rf.filename}》（事项 {rf.task_count} 项）。")
    return redirect(changelist)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(request, pk, *, field: str, filename: str, default_name: str, content_type: str, missing: str):
    if not is_supervisor(request.user):
        raise Http404("无权下载")
    rf = ReportFile.objects.filter(pk=pk).first()
    if rf is None or not getattr(rf, field):
        raise Http404(missing)
    from tasks.files import file_response

    return file_response(request, getattr(rf, field), filename=getattr(rf, filename) or default_name,
                         content_type=content_type)


def download_view(model_admin, request, pk):
    """The 通报 workbook (.xlsx)."""
    return _download(request, pk, field="file", filename="filename", default_name="督查通报.xlsx",
                     content_type=XLSX, missing="通报文件不存在")


def download_docx_view(model_admin, request, pk):
    """The 通报 document (.docx), with the same checks as the workbook's download."""
    return _download(request, pk, field="docx", filename="docx_filename", default_name="督查通报.docx",
                     content_type=DOCX, missing="通报文稿不存在")


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）", required=False,
                           help_text="表头可在标题行之下；列名如 序号、督办事项/工作任务、责任单位/牵头单位、配合单位、责任领导、完成时限、"
                                     "交办日期、状态、进展情况。")
    year = forms.IntegerField(label="台账年份", required=False, min_value=2000, max_value=2100,
                              help_text="没写年份的时限（如“6月底前”“11月30日”）按该年理解；不填则取各行交办日期或台账标题中的年份，"
                                        "都没有时该行报错（不会按今天猜）。")
    allow_duplicates = forms.BooleanField(label="重复事项也导入", required=False,
                                          help_text="默认跳过与已有事项或前面行重复的事项，并在预检中列出")
    include_hidden = forms.BooleanField(label="导入隐藏行", required=False, help_text="默认跳过 Excel 中隐藏的行，并在预检中列出")


def _upload_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "ledger-uploads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _stash(request, upload) -> Path:
    """Keep the uploaded file between 预检 and 确认导入 (one per session)."""
    _discard(request)
    target = _upload_dir() / f"{secrets.token_hex(16)}.xlsx"
    with open(target, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    request.session[SESSION_KEY] = {"path": target.name, "name": upload.name}
    return target


def _stashed(request) -> tuple[Path, str] | None:
    info = request.session.get(SESSION_KEY)
    if not info:
        return None
    p = _upload_dir() / os.path.basename(info["path"])
    return (p, info["name"]) if p.exists() else None


def _discard(request):
    s = _stashed(request)
    if s:
        s[0].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


INLINE_ROWS = 300  # bigger ledgers are handed to a Celery worker (bulk import: ≈1 ms a row, but a web request stays short)


def _queue_big_import(request, stashed) -> str | None:
    """Hand a big, already checked ledger to the worker; None → import here (small, or broker down)."""
    info = request.session.get(SESSION_KEY) or {}
    rows = info.get("rows") or 0
    if rows <= INLINE_ROWS:
        return None
    from tasks.services.dispatch import enqueue

    if not enqueue("tasks.jobs.import_ledger_file", stashed[0].name, request.user.pk, stashed[1], info.get("options") or {}):
        return None
    request.session.pop(SESSION_KEY, None)  # the file now belongs to the job, which deletes it
    return (f"台账《{stashed[1]}》共{rows}项，已转入后台导入（约需1分钟）；"
            "完成或失败都会发送站内通知（后台“站内通知”中可查看）。全部成功才会写入。")


def ledger_view(model_admin, request):
    if not is_supervisor(request.user):
        messages.error(request, "只有督查室工作人员可以导入台账。")
        return redirect(reverse("admin:tasks_task_changelist"))
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    result = error = None
    stashed = _stashed(request)
    action = request.POST.get("action")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        max_bytes = getattr(settings, "TRACKER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        if upload is not None and upload.size > max_bytes:
            form.add_error("file", f"文件过大（{upload.size // 1024} KB），上限为 {max_bytes // 1024 // 1024} MB。")
        elif upload is not None:
            stashed = (_stash(request, upload), upload.name)
            action = "preview"
        if not form.errors:
            if stashed is None:
                form.add_error("file", "请选择要导入的台账文件（.xlsx）。")
            elif action == "confirm" and (queued := _queue_big_import(request, stashed)):
                messages.success(request, queued)
                return redirect(reverse("admin:tasks_task_changelist"))
            else:
                dry = action != "confirm"
                options = {"year": form.cleaned_data.get("year"),
                           "allow_duplicates": bool(form.cleaned_data.get("allow_duplicates")),
                           "include_hidden": bool(form.cleaned_data.get("include_hidden"))}
                try:
                    with open(stashed[0], "rb") as fh:
                        result = import_ledger(fh, by=request.user, dry_run=dry, **options)
                except LedgerError as exc:
                    error, result = exc.message, exc.result
                    _discard(request)  # a refused file is not kept: the user uploads a corrected one
                except OSError:
                    error, result = "上传的台账文件已不存在，请重新上传。", None
                    _discard(request)
                else:
                    if dry and SESSION_KEY in request.session:
                        request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "rows": len(result.importable),
                                                        "options": options}
                    if not dry:
                        _discard(request)
                        messages.success(request, f"台账《{stashed[1]}》{result.summary()}")
                        return redirect(reverse("admin:tasks_task_changelist") + "?source__exact=ledger")
                stashed = _stashed(request)
    rows = []
    if result is not None:
        rows = result.rows if not result.error_count else [r for r in result.rows if r.errors][:SHOWN_ERRORS]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "导入台账",
        "opts": model_admin.model._meta,
        "form": form,
        "result": result,
        "rows": rows,
        "error": error,
        "errors_shown": result.error_messages() if result is not None else [],
        "errors_hidden": max(0, result.error_count - SHOWN_ERRORS) if result is not None else 0,
        "stashed_name": stashed[1] if stashed else "",
        "can_confirm": bool(result is not None and not error and result.dry_run and stashed),
    }
    return render(request, "admin/tasks/task/import_ledger.html", context)

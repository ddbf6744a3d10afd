"""Error answers that tell the user what happened in Chinese and leak nothing, in every mode.

- Under /api/: JSON {"detail", "code"} (404 for a path no endpoint matches, too).
- Elsewhere: the templates tracker/templates/403.html, 404.html, 500.html — fixed text, no
  path, no exception message, no settings, no traceback.

Django uses handler403/404/500 (tracker/urls.py) when DEBUG is off; with DEBUG on it would show
its technical pages (URL patterns, settings, source). ErrorPagesMiddleware answers the same
Chinese pages in that mode too; tracebacks still go to the log (logger django.request).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger("django.request")

MESSAGES = {
    400: ("请求有误", "请求的内容无法处理，请返回上一页重试。", "bad_request"),
    403: ("没有访问权限", "您没有权限访问此页面。如需开通，请联系督查室。", "forbidden"),
    404: ("页面不存在", "您要找的页面不存在，或您无权查看。请检查地址，或从首页重新进入。", "not_found"),
    413: ("上传内容过大", "本次提交的内容超过了大小上限，请压缩或分次上传。", "too_large"),
    500: ("服务器出错了", "服务器处理请求时出错，已记录在日志中。请稍后重试；如多次出现，请联系督查室。", "server_error"),
}


API_MESSAGES = {
    400: "请求有误。",
    403: "无权限。",
    404: "未找到该接口地址或对象。",
    413: "提交的内容超过大小上限。",
    500: "服务器内部错误，已记录在日志中，请稍后重试。",
}


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, detail: str | None = None) -> HttpResponse:
    heading, text, code = MESSAGES.get(status, MESSAGES[500])
    if is_api(request):
        resp = JsonResponse({"detail": detail or API_MESSAGES.get(status, text), "code": code, "field": None}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    else:
        template = f"{status}.html" if status in (403, 404, 500) else "500.html"
        try:
            body = loader.get_template(template).render({"heading": heading, "detail": detail or text})
        except Exception:  # noqa: BLE001 - the error page itself must never fail
            body = f"<!doctype html><meta charset=utf-8><title>{heading}</title><h1>{heading}</h1><p>{text}</p>"
        resp = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    resp.tracker_error_page = True
    return resp


# handler400/403/404/500 (DEBUG off) and CSRF_FAILURE_VIEW
def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def csrf_failure(request, reason=""):
    return error_response(request, 403, "页面已过期或来源无法验证（CSRF），请刷新页面后重新提交。")


class ErrorPagesMiddleware:
    """The Chinese pages (JSON under /api/) with DEBUG on as well, and for unmatched URLs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "tracker_error_page", False):
            return response
        if response.status_code == 404 and (settings.DEBUG or is_api(request)) and request.resolver_match is None:
            return error_response(request, 404)  # no URL matched: Django's own (technical) 404
        if response.status_code == 500 and settings.DEBUG and "text/html" in response.get("Content-Type", ""):
            return error_response(request, 500)  # a technical 500 from outside the views
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return error_response(request, 404)
        if isinstance(exception, PermissionDenied):
            return error_response(request, 403)
        if isinstance(exception, SuspiciousOperation):
            logging.getLogger("django.security").warning("%s: %s", type(exception).__name__, exception)
            return error_response(request, 400)
        log.error("服务器错误：%s %s", request.method, request.path, exc_info=exception)
        # as Django's own handler does: lets the test client re-raise, error reporters see it
        signals.got_request_exception.send(sender=None, request=request)
        return error_response(request, 500)

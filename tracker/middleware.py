"""Security middleware of the whole site (settings.MIDDLEWARE):

- SecurityHeadersMiddleware: a strict Content-Security-Policy on every answer (scripts and
  stylesheets only from this server, no inline script, no eval, no framing, no plugins), plus
  Permissions-Policy. Inline style *attributes* stay allowed (style-src-attr): the portal sizes its
  progress bars with them, and they cannot run code.
- RequestSizeLimitMiddleware: a request body over TRACKER_MAX_REQUEST_BYTES is refused with 413
  before Django reads it (20 × 19 MB of "evidence" in one report used to be accepted).
"""
from __future__ import annotations

from django.conf import settings

from tracker.errors import error_response

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        return response


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "TRACKER_MAX_REQUEST_BYTES", None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return error_response(request, 413, f"本次提交的内容（{length / 1048576:.1f} MB）超过 {limit / 1048576:.0f} MB 的上限，"
                                                "请减少或压缩附件后分次提交。")
        return self.get_response(request)

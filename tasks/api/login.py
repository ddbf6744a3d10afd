"""POST /api/auth/token/: a token for a username and password; django-axes' lockout answered
as a JSON 403 whose Chinese `detail` says when to retry (also the AXES_LOCKOUT_CALLABLE, which
keeps the portal's lockout page for every other path)."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_role
from tasks.api.authentication import issue_token, token_ttl
from tasks.api.errors import _first_error


def lockout_until(request, username: str | None) -> dt.datetime:
    """When a locked-out login may try again (django-axes' record, else now + cool-off)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    cool_off = get_cool_off(request) or dt.timedelta(minutes=15)
    attempt = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first() if username else None
    if attempt is not None:
        expiration = getattr(attempt, "expiration", None)
        try:
            if expiration is not None and expiration.expires_at:
                return expiration.expires_at
        except Exception:  # noqa: BLE001 - no expiration row: fall back to the attempt time
            pass
        return attempt.attempt_time + cool_off
    return timezone.now() + cool_off


def lockout_payload(request, username: str | None) -> dict:
    until = lockout_until(request, username)
    seconds = max(60, int((until - timezone.now()).total_seconds()))
    local = timezone.localtime(until)
    return {
        "detail": f"登录失败次数过多，账号已临时锁定，请在 {local:%H:%M} 之后（约 {(seconds + 59) // 60} 分钟后）再试，"
                  "或联系督查室解锁。",
        "code": "locked",
        "retry_after": seconds,
    }


def api_lockout_response(request, username: str | None = None) -> JsonResponse:
    body = lockout_payload(request, username)
    resp = JsonResponse(body, status=status.HTTP_403_FORBIDDEN, json_dumps_params={"ensure_ascii": False})
    resp["Retry-After"] = str(body["retry_after"])
    return resp


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """settings.AXES_LOCKOUT_CALLABLE: JSON 403 under /api/, the portal's Chinese page elsewhere."""
    if request.path.startswith("/api/"):
        request.axes_locked_out = False
        username = (credentials or {}).get("username") if isinstance(credentials, dict) else None
        return api_lockout_response(request, username)
    from tasks.portal.views import lockout_response as page

    return page(request, original_response, credentials, *args, **kwargs)


class TokenRequestSerializer(serializers.Serializer):
    # bounded like the login form (django-axes records the username in a 255-character column)
    username = serializers.CharField(label="登录名", max_length=150)
    password = serializers.CharField(label="密码", max_length=4096, style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(APIView):
    """POST username + password → {"token", "expires_at"}."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="获取接口令牌（用户名 + 密码）",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenAnswer", {"token": serializers.CharField(),
                                                   "expires_at": serializers.DateTimeField()}),
            400: OpenApiResponse(description="用户名或密码错误"),
            403: OpenApiResponse(description="登录失败次数过多，账号已临时锁定（detail 说明何时可重试）"),
        },
        auth=[],
    )
    def post(self, request):
        from axes.handlers.proxy import AxesProxyHandler

        ser = TokenRequestSerializer(data=request.data)
        if not ser.is_valid():
            field, message = _first_error(ser.errors)
            label = ser.fields[field].label if field in ser.fields else "登录名和密码"
            return Response({"detail": f"{label}：{message}", "code": "invalid", "field": field},
                            status=status.HTTP_400_BAD_REQUEST)
        username, password = ser.validated_data["username"], ser.validated_data["password"]
        django_request = request._request
        credentials = {"username": username}
        if AxesProxyHandler.is_locked(django_request, credentials):
            return api_lockout_response(django_request, username)
        user = authenticate(django_request, username=username, password=password)
        if user is None:
            if getattr(django_request, "axes_locked_out", False) or AxesProxyHandler.is_locked(django_request, credentials):
                django_request.axes_locked_out = False  # answered here, not by the middleware
                return api_lockout_response(django_request, username)
            return Response({"detail": "用户名或密码错误。", "code": "invalid_credentials", "field": None},
                            status=status.HTTP_400_BAD_REQUEST)
        if user_role(user) is None:
            return Response({"detail": "您的账号没有开通督查督办系统的访问权限，或已停用。", "code": "forbidden", "field": None},
                            status=status.HTTP_403_FORBIDDEN)
        token = issue_token(user)
        return Response({"token": token.key, "expires_at": token.created + token_ttl()})


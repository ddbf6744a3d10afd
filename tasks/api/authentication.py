"""API tokens that end: they expire, they die with the password, and a lockout says when to retry.

A token is `<20 random hex><20 hex of HMAC(SECRET_KEY, random part + the user's password hash)>`
(DRF's Token table, 40 characters). Any password change — admin form, the user's own form,
manage.py changepassword, accounts.services — changes the hash, so every token issued before it
fails the check: tokens rotate on password change with no hook to forget. A token also expires
TRACKER_API_TOKEN_TTL_HOURS after it was issued (settings; default 7 days). Switching a login off
(is_active, or its person 不在职) stops it at once (accounts.services.revoke_access deletes it).

POST /api/auth/token/ (tasks/api/login.py) gives a fresh token and its expiry.
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

_SALT = "tracker.api.token"


def _signature(random_part: str, user) -> str:
    return salted_hmac(_SALT, f"{random_part}:{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:20]


def token_ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "TRACKER_API_TOKEN_TTL_HOURS", 168))


def token_valid_for(token: Token, user) -> bool:
    """Signed with the user's current password, and not expired."""
    key = token.key or ""
    if len(key) != 40 or not hmac.compare_digest(key[20:], _signature(key[:20], user)):
        return False
    return token.created + token_ttl() > timezone.now()


def issue_token(user) -> Token:
    """The user's token: the current one while it is valid, else a new one (old ones deleted)."""
    current = Token.objects.filter(user=user).first()
    if current is not None and token_valid_for(current, user):
        return current
    Token.objects.filter(user=user).delete()
    random_part = secrets.token_hex(10)
    return Token.objects.create(user=user, key=random_part + _signature(random_part, user))


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against the password it was issued under and its age."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("令牌无效，请通过 /api/auth/token/ 重新获取。") from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用，请联系督查室。")
        if not token_valid_for(token, user):
            token.delete()
            raise exceptions.AuthenticationFailed("令牌已过期或密码已修改，请通过 /api/auth/token/ 重新获取。")
        return user, token

"""Channels: pure send functions. Each one delivers one message or raises ChannelError.

- inbox     an in-app Notice for a unit or a person (tasks.services.notices.create_notice)
- email     Django email (Chinese subject and body)
- wecom     企业微信群机器人: POST {"msgtype":"markdown","markdown":{"content":…}}
- dingtalk  钉钉群机器人: POST {"msgtype":"markdown","markdown":{"title":…,"text":…}}, signed with
            HMAC-SHA256 (`timestamp` + `sign` query parameters) when the unit has a secret.
A webhook answer that is not HTTP 2xx, not JSON, or has errcode != 0 is a failure.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import requests
from django.conf import settings
from django.core.mail import EmailMessage

WEBHOOK_TIMEOUT = (3, 5)           # connect, read (seconds): a hanging robot costs one short wait
WECOM_MAX_BYTES = 4096             # 企业微信 markdown content limit
WECOM_TEXT_MAX_BYTES = 2048        # 企业微信 text content limit (text messages can @ people by mobile)
DINGTALK_MAX_BYTES = 18000         # 钉钉 text limit is 20000 bytes; keep a margin


class ChannelError(Exception):
    """A delivery that did not succeed; the message (Chinese) is stored in Reminder.last_error.

    `unreachable`: the server could not be reached or did not answer in time — the rest of that
    robot's (or the mail server's) messages wait for the next run instead of each waiting out
    the same timeout. `permanent`: retrying cannot help until someone fixes a setting."""

    def __init__(self, message: str, *, unreachable: bool = False, permanent: bool = False):
        super().__init__(message)
        self.unreachable = unreachable
        self.permanent = permanent


def _cut(text: str, max_bytes: int) -> str:
    """Shorten to max_bytes at a line boundary, keeping the last line that holds a link."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    lines = text.splitlines()
    link = next((ln for ln in reversed(lines) if "http://" in ln or "https://" in ln), "")
    tail = ["……（内容过长，请登录系统查看全文）"] + ([link] if link else [])
    room = max_bytes - sum(len(t.encode("utf-8")) + 1 for t in tail)
    out, used = [], 0
    for ln in lines:
        n = len(ln.encode("utf-8")) + 1
        if used + n > room:
            if not out:  # a single huge first line: cut it at a character boundary
                out.append(ln.encode("utf-8")[:max(room - 1, 0)].decode("utf-8", errors="ignore"))
            break
        out.append(ln)
        used += n
    return "\n".join(out + tail)


# --- inbox ----------------------------------------------------------------------------------

def send_inbox(*, title: str, body: str, unit_id: int | None = None, person_id: int | None = None, task_id: int | None = None):
    """Create the Notice. Call it inside the transaction that marks the reminder sent."""
    from accounts.models import Person, Unit
    from tasks.models import Task

    unit = Unit(pk=unit_id) if unit_id else None
    person = Person(pk=person_id) if person_id else None
    task = Task(pk=task_id) if task_id else None
    try:
        from tasks.services.notices import create_notice
    except ImportError:  # pragma: no cover - the notices service is being written alongside
        from tasks.models import Notice

        return Notice.objects.create(title=title[:200], body=body, unit=unit, person=person, task=task)
    return create_notice(title=title, body=body, unit=unit, person=person, task=task)


# --- email ----------------------------------------------------------------------------------

def send_email(*, to: str, subject: str, body: str, connection=None) -> None:
    """One mail. `connection`: an open Django email connection to reuse (one SMTP session per run)."""
    if not to:
        raise ChannelError("没有收件邮箱。", permanent=True)
    msg = EmailMessage(subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body=body, to=[to], connection=connection)
    msg.encoding = "utf-8"
    try:
        sent = msg.send(fail_silently=False)
    except (OSError, TimeoutError) as exc:  # refused, unreachable, timed out, dropped mid-session
        raise ChannelError(f"邮件服务器连接失败：{type(exc).__name__}: {exc}", unreachable=True) from exc
    except Exception as exc:  # noqa: BLE001 - any SMTP error is a failed delivery
        raise ChannelError(f"邮件发送失败：{type(exc).__name__}: {exc}") from exc
    if sent != 1:
        raise ChannelError("邮件服务器未接受该邮件。")


# --- webhooks -------------------------------------------------------------------------------

def wecom_payload(subject: str, body: str, mobiles=()) -> dict:
    """markdown (4096 bytes); with people to @, a text message (2048 bytes) — 企业微信 markdown
    messages cannot @ by mobile number."""
    if mobiles:
        content = _cut(f"{subject}\n{body}", WECOM_TEXT_MAX_BYTES)
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": list(mobiles)}}
    content = _cut(f"**{subject}**\n{body}", WECOM_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(subject: str, body: str, mobiles=()) -> dict:
    # DingTalk markdown needs a blank line for a line break; an @ shows only when "@mobile" is in the text
    at = ("\n\n" + " ".join(f"@{m}" for m in mobiles)) if mobiles else ""
    room = DINGTALK_MAX_BYTES - len(at.encode("utf-8"))
    text = _cut(f"#### {subject}\n\n" + "\n\n".join(body.splitlines()), room) + at
    payload = {"msgtype": "markdown", "markdown": {"title": subject[:64], "text": text}}
    if mobiles:
        payload["at"] = {"atMobiles": list(mobiles), "isAtAll": False}
    return payload


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str = "", timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def post_webhook(kind: str, url: str, subject: str, body: str, secret: str = "", mobiles=(), session=None) -> None:
    if not url:
        raise ChannelError("没有配置群机器人地址。", permanent=True)
    if kind == "wecom":
        payload, target = wecom_payload(subject, body, mobiles), url
    elif kind == "dingtalk":
        payload, target = dingtalk_payload(subject, body, mobiles), dingtalk_url(url, secret)
    else:
        raise ChannelError(f"未知的群机器人类型：{kind}", permanent=True)
    try:
        resp = (session or requests).post(target, json=payload, timeout=WEBHOOK_TIMEOUT)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ChannelError(f"群机器人接口连接失败：{type(exc).__name__}: {exc}", unreachable=True) from exc
    except requests.RequestException as exc:
        raise ChannelError(f"群机器人接口连接失败：{type(exc).__name__}: {exc}") from exc
    if resp.status_code // 100 != 2:
        raise ChannelError(f"群机器人接口返回 HTTP {resp.status_code}：{resp.text[:200]}")
    try:
        answer = resp.json()
    except ValueError:
        raise ChannelError(f"群机器人接口返回的不是 JSON：{resp.text[:200]}") from None
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        # 45009: the robot's own rate limit (another sender used it) — stop posting to it this run
        raise ChannelError(f"群机器人接口报错：errcode={errcode} {errmsg}".strip(), unreachable=errcode == 45009)

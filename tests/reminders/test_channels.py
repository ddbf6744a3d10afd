"""WeCom and DingTalk robots (documented payloads, DingTalk signature), errcode handling, email."""
import base64
import hashlib
import hmac

import pytest

from tasks.models import Reminder
from tasks.reminders import channels
from tasks.services import reminders

from .conftest import at, make_task

pytestmark = pytest.mark.django_db
NOW = at("2026-11-23")


def test_dingtalk_sign_matches_the_documented_algorithm():
    # 钉钉: string_to_sign = timestamp + "\n" + secret; HMAC-SHA256 with the secret; Base64; urlencode
    secret, ts = "SEC0123456789abcdef", 1700000000000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    from urllib.parse import unquote_plus

    assert unquote_plus(channels.dingtalk_sign(secret, ts)) == expected
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", secret, ts)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=")
    assert channels.dingtalk_url("http://x/robot", "", ts) == "http://x/robot"


def test_long_wecom_message_is_cut_to_the_4096_byte_limit():
    p = channels.wecom_payload("标题", "很长的内容。" * 2000)
    assert len(p["markdown"]["content"].encode("utf-8")) <= 4096
    assert "请登录系统查看全文" in p["markdown"]["content"]


def test_wecom_and_dingtalk_robots_receive_their_formats(units, receiver):
    u1, u2, _ = units
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/cgi-bin/webhook/send?key=abc-123"
    u1.save()
    u2.webhook_kind, u2.webhook_url, u2.webhook_secret = "dingtalk", f"{receiver.url}/robot/send?access_token=tok", "SECabc"
    u2.save()
    make_task([u1], deadline="2026-11-24", title="河道清淤", acknowledged=True)
    make_task([u2], deadline="2026-11-24", title="危房改造", acknowledged=True)
    counts = reminders.run(NOW)
    assert counts["failed"] == 0 and counts["given_up"] == 0
    assert len(receiver.calls) == 2
    wecom = next(c for c in receiver.calls if c["path"] == "/cgi-bin/webhook/send")
    assert wecom["query"] == {"key": "abc-123"}
    assert set(wecom["json"]) == {"msgtype", "markdown"} and wecom["json"]["msgtype"] == "markdown"
    assert set(wecom["json"]["markdown"]) == {"content"} and "河道清淤" in wecom["json"]["markdown"]["content"]
    assert wecom["headers"]["Content-Type"] == "application/json"
    ding = next(c for c in receiver.calls if c["path"] == "/robot/send")
    assert ding["json"]["msgtype"] == "markdown" and set(ding["json"]["markdown"]) == {"title", "text"}
    assert "危房改造" in ding["json"]["markdown"]["title"] and "危房改造" in ding["json"]["markdown"]["text"]
    q = ding["query"]
    assert q["access_token"] == "tok"
    expected = base64.b64encode(hmac.new(b"SECabc", f"{q['timestamp']}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert q["sign"] == expected
    assert Reminder.objects.filter(channel__in=["wecom", "dingtalk"], state="sent").count() == 2


@pytest.mark.parametrize("mode", ["errcode", "http"])
def test_webhook_errcode_or_http_error_is_a_failure(units, receiver, mode):
    u1, _, _ = units
    u1.webhook_kind, u1.webhook_url = "wecom", f"{receiver.url}/cgi-bin/webhook/send?key=k"
    u1.save()
    receiver.fail_first, receiver.fail_mode = 1, mode
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    counts = reminders.run(NOW)
    r = Reminder.objects.get(channel="wecom")
    assert r.state == "failed" and r.attempts == 1 and counts["failed"] == 1
    assert ("errcode=310000" in r.last_error) if mode == "errcode" else ("HTTP 502" in r.last_error)
    # the failure did not block the other channels of the same sweep
    assert Reminder.objects.filter(channel__in=["inbox", "email"], state="sent").count() == 2


def test_unreachable_webhook_is_a_failure_not_a_crash(units):
    u1, _, _ = units
    u1.webhook_kind, u1.webhook_url = "dingtalk", "http://127.0.0.1:1/robot/send?access_token=x"
    u1.save()
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.run(NOW)
    r = Reminder.objects.get(channel="dingtalk")
    assert r.state == "failed" and "连接失败" in r.last_error

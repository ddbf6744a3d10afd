"""Group robots: one per-minute budget shared by every run, robots posted to in parallel with short
timeouts, overdue and escalation first, long digests split within the limit with the link kept,
@ the unit's contact."""
import datetime as dt
import re
import time
import uuid

import pytest
from django.db import connection

from accounts.models import Person
from tasks.models import Reminder
from tasks.reminders import channels, policy, ratelimit
from tasks.services import reminders

from .conftest import Receiver, at, make_task, messages

NOW = at("2026-11-23")


def _robot(unit, receiver, kind="wecom", key="k"):
    unit.webhook_kind = kind
    unit.webhook_url = f"{receiver.url}/send?key={key}" if kind == "wecom" else f"{receiver.url}/robot/send?access_token={key}"
    unit.save()


def _rows(unit, n, kind="due_soon", prefix="r"):
    """n robot reminders of one unit, queued as they are (no digest), as another area would."""
    return reminders.insert_reminders([
        {"key": f"{kind}:{prefix}{i}:u{unit.pk}:p:{unit.webhook_kind}", "kind": kind, "channel": unit.webhook_kind,
         "period": "p", "unit_id": unit.pk, "subject": f"【测试】{prefix}{i}", "body": f"内容{i}\n查看详情：http://127.0.0.1:8000/portal/"}
        for i in range(n)])


@pytest.mark.django_db
def test_the_robot_budget_is_shared_by_runs_and_by_workers(units, receiver):
    _robot(units[0], receiver)
    _rows(units[0], policy.ROBOT_PER_MINUTE + 7)
    first = reminders.send_pending(NOW)
    second = reminders.send_pending(NOW)  # an overlapping run in the same minute gets nothing more
    assert first["sent"] == policy.ROBOT_PER_MINUTE and first["deferred"] == 7
    assert second["sent"] == 0 and second["deferred"] == 7
    assert len(receiver.calls) == policy.ROBOT_PER_MINUTE
    waiting = Reminder.objects.filter(state="pending")
    assert waiting.count() == 7 and all(r.attempts == 0 for r in waiting)  # untouched, no attempt spent
    # another worker (its own budget object) sees the same budget
    other = ratelimit.default_budget(policy.ROBOT_PER_MINUTE)
    assert other.take(units[0].webhook_url) is False


@pytest.mark.parametrize("backend", ["file", "redis"])
def test_budget_is_a_sliding_minute(tmp_path, backend):
    from tests.conftest import redis_url_or_skip

    url = redis_url_or_skip() if backend == "redis" else None
    clock = [1000.0]
    a = ratelimit.RobotBudget(3, url, tmp_path, clock=lambda: clock[0])
    b = ratelimit.RobotBudget(3, url, tmp_path, clock=lambda: clock[0])  # another process
    robot = f"http://127.0.0.1:9/send?key={uuid.uuid4().hex}"  # a robot of its own (keys live 61 s)
    assert [a.take(robot), b.take(robot), a.take(robot), b.take(robot)] == [True, True, True, False]
    clock[0] += 30
    assert a.take(robot) is False
    clock[0] += 31   # the first three are more than a minute old
    assert [b.take(robot), a.take(robot), a.take(robot), a.take(robot)] == [True, True, True, False]


def test_redis_down_falls_back_to_the_local_budget(tmp_path):
    budget = ratelimit.RobotBudget(2, "redis://127.0.0.1:1/0", tmp_path)
    assert [budget.take("http://x/r"), budget.take("http://x/r"), budget.take("http://x/r")] == [True, True, False]


@pytest.mark.django_db(transaction=True)
def test_hanging_robots_do_not_delay_the_others(units, monkeypatch):
    """Five robots that never answer in time, one that does: the good one gets everything at
    once, each hanging one costs one short timeout (its other rows wait, untouched)."""
    from accounts.models import Unit

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database they can share (PostgreSQL or a SQLite file); the test database is in memory")
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT", (1, 1))
    good = Receiver()
    hanging = [Receiver() for _ in range(5)]
    try:
        for h in hanging:
            h.delay = 4
        _robot(units[0], good)
        _rows(units[0], 6, prefix="good")
        for i, h in enumerate(hanging):
            u = Unit.objects.create(name=f"挂起单位{i}")
            _robot(u, h)
            _rows(u, 3, prefix=f"h{i}")
        t0 = time.monotonic()
        counts = reminders.send_pending(NOW)
        took = time.monotonic() - t0
        assert len(good.calls) == 6 and counts["sent"] == 6
        assert counts["failed"] == 5 and counts["held"] == 10  # one timeout per hanging robot, the rest wait
        assert took < 3.5, took  # in parallel: about one timeout, not 5 × 1 s (or 15 × 1 s)
        assert Reminder.objects.filter(state="pending", attempts=0).count() == 10
    finally:
        for r in (good, *hanging):
            r.stop()


@pytest.mark.django_db
def test_overdue_and_escalation_go_first(units, receiver):
    _robot(units[0], receiver)
    _rows(units[0], 3, kind="recurring", prefix="rec")
    _rows(units[0], 3, kind="due_soon", prefix="due")
    _rows(units[0], 2, kind="overdue", prefix="od")
    _rows(units[0], 2, kind="escalation", prefix="esc")
    reminders.send_pending(NOW)
    order = [re.search(r"【测试】([a-z]+)", c["json"]["markdown"]["content"]).group(1) for c in receiver.calls]
    assert order == ["od"] * 2 + ["esc"] * 2 + ["due"] * 3 + ["rec"] * 3


@pytest.mark.django_db
def test_a_long_overdue_digest_is_split_within_the_wecom_limit_keeping_every_line_and_the_link(units, receiver):
    u1 = units[0]
    _robot(u1, receiver)
    tasks = [make_task([u1], deadline="2026-11-10", title=f"关于推进第{i}号重点项目前期手续办理和要素保障的专项督办事项", acknowledged=True)
             for i in range(120)]
    reminders.run(NOW)
    posts = [c["json"]["markdown"]["content"] for c in receiver.calls]
    assert len(posts) > 1 and len(posts) == messages("wecom").count()
    for p in posts:
        assert len(p.encode("utf-8")) <= 4096
        assert "http://" in p.splitlines()[-1]                 # the link is in every part
        assert "内容过长" not in p                              # nothing was cut
    listed = [ln for p in posts for ln in p.splitlines() if re.match(r"\s+\d+\. DB-T", ln)]
    assert len(listed) == len(tasks)                            # every task listed once, whole
    assert sorted(re.search(r"(DB-T\d+)", ln).group(1) for ln in listed) == sorted(t.code for t in tasks)
    assert re.search(r"（1/\d+）", posts[0])


@pytest.mark.django_db
def test_robot_messages_mention_the_unit_contact(units, receiver):
    u1, u2, _ = units
    _robot(u1, receiver, "wecom", "w")
    _robot(u2, receiver, "dingtalk", "d")
    Person.objects.create(name="张联络", role="operator", unit=u1, phone="138-0000-1111")
    Person.objects.create(name="李联络", role="operator", unit=u2, phone="+8613900002222")
    Person.objects.create(name="固话", role="operator", unit=u2, phone="0851-1234567")  # not a mobile: no @
    make_task([u1], deadline="2026-11-24", acknowledged=True, title="河道清淤")
    make_task([u2], deadline="2026-11-24", acknowledged=True, title="危房改造")
    reminders.run(NOW)
    wecom = next(c["json"] for c in receiver.calls if c["path"] == "/send")
    assert wecom["msgtype"] == "text" and wecom["text"]["mentioned_mobile_list"] == ["13800001111"]
    assert "河道清淤" in wecom["text"]["content"] and len(wecom["text"]["content"].encode()) <= 2048
    ding = next(c["json"] for c in receiver.calls if c["path"] == "/robot/send")
    assert ding["at"] == {"atMobiles": ["13900002222"], "isAtAll": False}
    assert ding["markdown"]["text"].endswith("@13900002222")
    # the office can turn it off
    s = reminders.office_settings()
    s.robot_mentions = False
    s.save()
    receiver.calls.clear()
    make_task([u1], deadline="2026-11-26", acknowledged=True)
    reminders.run(NOW)
    assert receiver.calls and receiver.calls[0]["json"]["msgtype"] == "markdown"


@pytest.mark.django_db
def test_addresses_are_read_at_send_time(units, receiver, mailoutbox):
    u1 = units[0]
    _robot(u1, receiver, key="old")
    make_task([u1], deadline="2026-11-24", acknowledged=True)
    reminders.sweep(NOW)
    u1.email = "new-box@example.gov.cn"
    u1.webhook_url = f"{receiver.url}/send?key=new"
    u1.save()
    reminders.send_pending(NOW)
    assert [m.to for m in mailoutbox] == [["new-box@example.gov.cn"]]
    assert [c["query"]["key"] for c in receiver.calls] == ["new"]
    assert Reminder.objects.get(channel="email").target == "new-box@example.gov.cn"


@pytest.mark.django_db
def test_what_the_budget_held_back_is_sent_a_minute_later_by_one_follow_up_job(units, receiver, monkeypatch, tmp_path):
    from tasks import jobs

    _robot(units[0], receiver, key=uuid.uuid4().hex)
    _rows(units[0], policy.ROBOT_PER_MINUTE + 3)
    queued = []
    monkeypatch.setattr("tasks.services.dispatch.enqueue", lambda sig, *a, **k: queued.append(sig) or True)
    monkeypatch.setattr(ratelimit, "default_budget", lambda n: ratelimit.RobotBudget(n, None, tmp_path))  # a fresh file budget
    send = reminders.send_pending
    monkeypatch.setattr(reminders, "send_pending", lambda now=None, **kw: send(NOW, **kw))  # a working-day morning
    first = jobs.send_reminders.run()
    second = jobs.send_reminders.run()  # another run in the same minute: still only one follow-up
    assert first["deferred"] == 3 and second["deferred"] == 3
    assert len(queued) == 1 and queued[0].options["countdown"] == jobs.ROBOT_FOLLOW_UP_SECONDS


@pytest.mark.django_db
def test_a_long_dingtalk_digest_is_split_within_its_limit_and_mentions_fit(units, receiver):
    u2 = units[1]
    _robot(u2, receiver, "dingtalk", "d")
    Person.objects.create(name="李联络", role="operator", unit=u2, phone="13900002222")
    tasks = [make_task([u2], deadline="2026-11-10", title=f"关于加快推进第{i}批城镇老旧小区改造配套基础设施建设和长效管理机制的督办事项",
                       acknowledged=True) for i in range(300)]
    reminders.run(NOW)
    texts = [c["json"]["markdown"]["text"] for c in receiver.calls]
    assert len(texts) > 1
    for t in texts:
        assert len(t.encode("utf-8")) <= channels.DINGTALK_MAX_BYTES and "内容过长" not in t
        assert t.endswith("@13900002222") and "http://" in t
    listed = [ln for t in texts for ln in t.split("\n\n") if re.match(r"\s+\d+\. DB-T", ln)]
    assert sorted(re.search(r"(DB-T\d+)", ln).group(1) for ln in listed) == sorted(t.code for t in tasks)

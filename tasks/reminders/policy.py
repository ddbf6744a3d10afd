"""Reminder policy: who gets what, when, through which channel, and with which words.

Pure functions (no database, no network). The sweep in tasks/services/reminders.py asks the
database for the facts (which tasks are due, overdue, late on a checkpoint…) and uses this module
for the dates, keys, recipients' channels, texts and retry timing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# Kinds and channels mirror tasks.models.Reminder (kept as plain strings to stay import-free).
DUE_SOON, OVERDUE, ESCALATION, CHECKPOINT, RECURRING, CALENDAR = (
    "due_soon", "overdue", "escalation", "checkpoint", "recurring", "calendar")
INBOX, EMAIL, WECOM, DINGTALK = "inbox", "email", "wecom", "dingtalk"

MAX_ATTEMPTS = 5                      # a send failing this many times is given up
BACKOFF_BASE = dt.timedelta(minutes=5)  # 5, 10, 20, 40 minutes … between attempts (from the failure)
BACKOFF_CAP = dt.timedelta(hours=6)
# A group robot accepts 20 messages a minute (企业微信 errcode 45009 beyond); every run and every
# worker shares one budget per robot (Redis, or a file lock on the embedded defaults).
ROBOT_PER_MINUTE = 18
ROBOT_THREADS = 8                     # robots posted to at the same time (one thread per robot)
# A claim is a lease: the row is the claimer's until this long after the claim, on the wall clock
# at claim time. Far longer than one send can take (channel timeouts: a few seconds).
CLAIM_LEASE = dt.timedelta(minutes=10)
# Send order: overdue and escalation first, routine messages after (Reminder.priority).
PRIORITY = {OVERDUE: 0, ESCALATION: 1, "manual": 2, CHECKPOINT: 3, DUE_SOON: 4, RECURRING: 5, "report": 6, CALENDAR: 7}
DEFAULT_PRIORITY = 5
# Sent whenever a person asks for them, also outside the sending window: a staff member's own 催办.
WINDOW_EXEMPT_KINDS = ("manual",)
# Events (a checkpoint missed, a deadline passed, the escalation threshold reached) are acted on
# when they happened within this many days: enough to catch up after the sweep was down, while a
# level or flag that staff lowered by hand for an old event is not raised again by every sweep.
EVENT_LOOKBACK_DAYS = 10
CHECKPOINT_LOOKBACK_DAYS = EVENT_LOOKBACK_DAYS
RECURRING_LEAD_WORKDAYS = {"daily": 0, "weekly": 1, "dekad": 1}  # others: 2 working days before
DEFAULT_LEAD_WORKDAYS = 2

DEFAULT_DUE_SOON_DAYS = (3, 1, 0)
DEFAULT_CHECKPOINTS = (
    {"key": "deploy", "name": "部署签收", "offset": 1, "workdays": True, "requires": "acknowledge"},
    {"key": "report", "name": "报告措施和进展", "offset": 3, "workdays": True, "requires": "progress"},
    {"key": "settle", "name": "办结或申请销号", "offset": 7, "workdays": True, "requires": "completion",
     "complex_offset": 30, "complex_workdays": False},
)
REQUIREMENTS = {"acknowledge": "签收并部署落实", "progress": "报送工作措施和进展情况", "completion": "办结或提交办结（销号）申请"}
DEFAULT_LEVEL_NAMES = ("正常", "黄牌", "红牌")
KIND_LABELS = {DUE_SOON: "临期提醒", OVERDUE: "逾期催办", ESCALATION: "二次督办", CHECKPOINT: "响应节点提醒",
               RECURRING: "周期报送提醒", CALENDAR: "日历提醒", "digest": "汇总提醒", "manual": "手工催办", "report": "督查通报"}
CHANNEL_LABELS = {INBOX: "站内通知", EMAIL: "邮件", WECOM: "企业微信", DINGTALK: "钉钉"}


class PolicyError(ValueError):
    """Office settings the reminder policy cannot use; the message is for staff, in Chinese."""


# --- configuration --------------------------------------------------------------------------

def due_soon_days(raw: str | None) -> list[int]:
    """'3,1,0' → [0, 1, 3] (ascending, unique). Empty → the default."""
    if raw is None or not str(raw).strip():
        return sorted(DEFAULT_DUE_SOON_DAYS)
    out = set()
    for part in str(raw).replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 365:
            raise PolicyError(f"到期前提醒天数“{part}”无效：应为 0 到 365 之间的整数，用逗号分隔，如 3,1,0。")
        out.add(int(part))
    return sorted(out)


@dataclass(frozen=True)
class Checkpoint:
    key: str
    name: str
    offset: int
    workdays: bool
    requires: str               # acknowledge | progress | completion
    complex_offset: int | None = None
    complex_workdays: bool = False

    def offset_for(self, urgency: str) -> tuple[int, bool]:
        if urgency == "complex" and self.complex_offset is not None:
            return self.complex_offset, self.complex_workdays
        return self.offset, self.workdays


def checkpoints(raw) -> list[Checkpoint]:
    """OfficeSettings.checkpoints → Checkpoint list; empty → the 13710 set (1/3/7 working days).

    An entry without `requires` gets it by position (1st: acknowledge, 2nd: progress, 3rd+:
    completion), so the office can write just [{"key":…, "name":…, "offset":…, "workdays":…}].
    """
    entries = raw if raw else DEFAULT_CHECKPOINTS
    if not isinstance(entries, (list, tuple)):
        raise PolicyError("响应节点设置应为列表，如 [{\"key\":\"deploy\",\"name\":\"部署签收\",\"offset\":1,\"workdays\":true}]。")
    order = ("acknowledge", "progress", "completion")
    out, keys = [], set()
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise PolicyError(f"第{i + 1}个响应节点设置格式不正确。")
        key = str(e.get("key") or f"cp{i + 1}")
        if key in keys:
            raise PolicyError(f"响应节点“{key}”重复。")
        keys.add(key)
        try:
            offset = int(e.get("offset"))
        except (TypeError, ValueError):
            raise PolicyError(f"响应节点“{key}”的天数（offset）应为正整数。") from None
        if offset < 0:
            raise PolicyError(f"响应节点“{key}”的天数（offset）不能为负数。")
        requires = e.get("requires") or order[min(i, 2)]
        if requires not in REQUIREMENTS:
            raise PolicyError(f"响应节点“{key}”的要求“{requires}”无法识别（可为 acknowledge、progress、completion）。")
        cx = e.get("complex_offset")
        out.append(Checkpoint(key=key, name=str(e.get("name") or key), offset=offset, workdays=bool(e.get("workdays", True)),
                              requires=requires, complex_offset=int(cx) if cx not in (None, "") else None,
                              complex_workdays=bool(e.get("complex_workdays", False))))
    return out


def level_names(raw) -> list[str]:
    names = [str(n) for n in (raw or []) if str(n).strip()]
    return names[:3] + list(DEFAULT_LEVEL_NAMES[len(names[:3]):])


# --- dates ----------------------------------------------------------------------------------

def due_soon_windows(on: dt.date, previous_workday: dt.date, days: list[int]) -> list[tuple[int, dt.date, dt.date]]:
    """For each N (ascending): the deadlines (lo, hi] whose N-days-before reminder falls due on `on`.

    A reminder date that fell on a non-working day since the previous working day is caught up on
    `on`; when several N match one deadline (after a long holiday) only the smallest N is sent.
    Deadlines before `on` are never "due soon" (they are overdue).
    """
    out = []
    floor = on - dt.timedelta(days=1)  # deadline must be >= on
    for n in sorted(set(days)):
        lo = max(previous_workday + dt.timedelta(days=n), floor)
        hi = on + dt.timedelta(days=n)
        if hi > lo:
            out.append((n, lo, hi))
            floor = hi
    return out


def in_window(local: dt.datetime, start: dt.time, end: dt.time, workday: bool) -> bool:
    """Inside the office's sending window: a working day, start <= time < end (local time).
    A window with start after end runs over midnight (start → 24:00 and 00:00 → end); start equal
    to end means the whole working day (never "no time at all")."""
    if not workday:
        return False
    t = local.time()
    if start == end:
        return True
    if start < end:
        return start <= t < end
    return t >= start or t < end


def priority(kind: str) -> int:
    return PRIORITY.get(kind, DEFAULT_PRIORITY)


def is_urgent(source: str | None, urgency: str | None) -> bool:
    """An urgent 领导批示件: the office may let its reminders out of the sending window."""
    return source == "instruction" and urgency == "urgent"


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after `attempts` failed ones: 5 min, 10, 20, 40 … capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def recurring_lead(recurrence: str) -> int:
    return RECURRING_LEAD_WORKDAYS.get(recurrence, DEFAULT_LEAD_WORKDAYS)


def period_bounds(recurrence: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last calendar day of the reporting period `day` falls in (matches period_of)."""
    if recurrence == "daily":
        return day, day
    if recurrence == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    month_start = day.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    if recurrence == "dekad":
        i = min((day.day - 1) // 10, 2)
        return day.replace(day=1 + 10 * i), (day.replace(day=10 * (i + 1)) if i < 2 else month_end)
    if recurrence == "quarterly":
        q0 = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, q0, 1)
        end = (dt.date(day.year + (q0 + 3 > 12), (q0 + 2) % 12 + 1, 1)) - dt.timedelta(days=1)
        return start, end
    if recurrence == "yearly":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return month_start, month_end  # monthly and 定期


# --- keys and recipients --------------------------------------------------------------------

def reminder_key(kind: str, subject: str, recipient: str, period: str, channel: str) -> str:
    """The unique key: (task or digest, recipient, kind, period, channel)."""
    return f"{kind}:{subject}:{recipient}:{period}:{channel}"[:255]


@dataclass
class Recipient:
    """Where one unit or person can be reached: [(channel, target)]."""

    unit_id: int | None = None
    person_id: int | None = None
    name: str = ""
    routes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"u{self.unit_id}" if self.unit_id else f"p{self.person_id}"


def unit_recipient(unit_id: int, name: str, email: str = "", webhook_kind: str = "", webhook_url: str = "") -> Recipient:
    routes = [(INBOX, "")]
    if email:
        routes.append((EMAIL, email))
    if webhook_kind in (WECOM, DINGTALK) and webhook_url:
        routes.append((webhook_kind, webhook_url))
    return Recipient(unit_id=unit_id, name=name, routes=routes)


def person_recipient(person_id: int, name: str, email: str = "") -> Recipient:
    routes = [(INBOX, "")]
    if email:
        routes.append((EMAIL, email))
    return Recipient(person_id=person_id, name=name, routes=routes)


# --- texts (Chinese) ------------------------------------------------------------------------

def _d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "未定"


def _link(site_url: str, task_id: int | None = None) -> str:
    base = site_url.rstrip("/")
    return f"{base}/portal/tasks/{task_id}/" if task_id else f"{base}/portal/"


def due_soon_text(*, code, title, deadline: dt.date, days_left: int, progress: int, unit: str, task_id, site_url) -> tuple[str, str]:
    when = "今天到期" if days_left == 0 else f"还有{days_left}天到期"
    subject = f"【临期提醒】{code} {title}（{when}）"
    body = (f"{unit}：\n督办事项“{code} {title}”的完成时限为{_d(deadline)}，{when}，当前进度{progress}%。\n"
            f"请抓紧办理，按时报送进展或提交办结申请；确需延期的，请在到期前提出延期申请。\n查看详情：{_link(site_url, task_id)}")
    return subject, body


def overdue_digest_text(*, unit: str, on: dt.date, items: list[dict], site_url) -> tuple[str, str]:
    """items: [{code, title, deadline, days_overdue}] — one digest per unit per working day."""
    subject = f"【逾期催办】{unit}有{len(items)}项督办事项已逾期"
    lines = [f"{unit}：", f"截至{_d(on)}，贵单位承办的以下{len(items)}项督办事项已超过完成时限："]
    for i, it in enumerate(items, start=1):
        lines.append(f"{i}. {it['code']} {it['title']}（时限{_d(it['deadline'])}，已逾期{it['days_overdue']}天）")
    lines.append("请立即督促落实，当日报送办理进展；逾期较长的将按规定二次督办、挂牌督办。")
    lines.append(f"查看详情：{_link(site_url)}")
    return subject, "\n".join(lines)


def escalation_text(*, code, title, deadline, workdays_overdue: int, units: str, task_id, site_url) -> tuple[str, str]:
    subject = f"【二次督办】{code} {title}（逾期{workdays_overdue}个工作日，已挂牌督办）"
    body = (f"督办事项“{code} {title}”（责任单位：{units or '未分配'}）完成时限为{_d(deadline)}，"
            f"已逾期{workdays_overdue}个工作日，现转为二次督办并挂牌督办，请责任领导督促责任单位限期办结。\n"
            f"查看详情：{_link(site_url, task_id)}")
    return subject, body


def checkpoint_text(*, code, title, checkpoint_name: str, requires: str, due: dt.date, unit: str, task_id, site_url) -> tuple[str, str]:
    subject = f"【响应节点提醒】{code} {title}：未按期{checkpoint_name}"
    body = (f"{unit}：\n按照“13710”工作要求，督办事项“{code} {title}”应于{_d(due)}前{REQUIREMENTS[requires]}，"
            f"目前尚未完成。请立即办理。\n查看详情：{_link(site_url, task_id)}")
    return subject, body


def recurring_text(*, code, title, period: str, due: dt.date, unit: str, task_id, site_url) -> tuple[str, str]:
    subject = f"【周期报送提醒】请报送 {code} {title}（{period}）进展"
    body = (f"{unit}：\n督办事项“{code} {title}”需定期报送进展，本期（{period}）进展请于{_d(due)}前报送。\n"
            f"报送入口：{_link(site_url, task_id)}")
    return subject, body


def calendar_text(year: int) -> tuple[str, str]:
    subject = f"【日历提醒】系统尚无{year}年法定节假日数据"
    body = (f"系统内置的法定节假日数据尚未包含{year}年，{year}年的工作日暂按“周一至周五上班、周末休息”计算，"
            f"法定节假日和调休上班日不会被识别。\n请在后台“节假日（手工维护）”中录入{year}年的放假日期和调休上班日，"
            f"或升级 chinesecalendar 软件包。")
    return subject, body


def given_up_text(*, kind: str, channel: str, recipient: str, subject: str, attempts: int, error: str) -> tuple[str, str]:
    title = f"【提醒发送失败】{CHANNEL_LABELS.get(channel, channel)}：{subject}"[:200]
    body = (f"发往“{recipient}”的{KIND_LABELS.get(kind, kind)}（{CHANNEL_LABELS.get(channel, channel)}）已尝试{attempts}次仍未成功，"
            f"系统已停止重试。\n最近一次错误：{error}\n请核对该单位的邮箱或群机器人设置，"
            f"然后在后台“催办提醒”中选中该提醒执行“立即重试”。")
    return title, body


def failure_summary_text(rows: list[dict], limit: int = 30) -> tuple[str, str]:
    """One notice for every reminder a sending run gave up on (instead of one notice per row).
    rows: [{recipient, channel, kind, subject, attempts, error}]."""
    title = f"【提醒发送失败】{len(rows)}条提醒多次发送失败，已停止重试"
    lines = [f"以下{len(rows)}条提醒已尝试{MAX_ATTEMPTS}次仍未成功，系统已停止重试："]
    for i, r in enumerate(rows[:limit], start=1):
        lines.append(f"{i}. 发往“{r['recipient']}”的{KIND_LABELS.get(r['kind'], r['kind'])}"
                     f"（{CHANNEL_LABELS.get(r['channel'], r['channel'])}）：{r['subject']}\n   最近一次错误：{r['error'][:200]}")
    if len(rows) > limit:
        lines.append(f"……另有{len(rows) - limit}条，见后台“催办提醒”（状态：已放弃）。")
    lines.append("请核对相关单位的邮箱或群机器人设置，然后在后台“催办提醒”中选中这些提醒执行“立即重试”。")
    return title, "\n".join(lines)


# --- digests: one message per recipient and channel instead of one per reminder ---------------

# bytes of one robot message as composed (企业微信 markdown 4096; 钉钉 20000, kept at 15000: its
# markdown doubles every line break and channels.DINGTALK_MAX_BYTES leaves a margin)
ROBOT_LIMITS = {WECOM: 4096, DINGTALK: 15000}
WECOM_TEXT_LIMIT = 2048                          # 企业微信 text messages (used to @ people)
MENTION_ROOM = 300                               # bytes kept free for the @mentions added at send time


def robot_limit(channel: str, mentions: bool = False) -> int:
    """Bytes available for one robot message's text (title + body) composed at sweep time."""
    if channel == WECOM and mentions:
        return WECOM_TEXT_LIMIT - MENTION_ROOM
    return ROBOT_LIMITS.get(channel, 4096) - MENTION_ROOM


@dataclass
class Item:
    """One queued reminder going into a digest."""

    id: int
    kind: str
    subject: str
    body: str


def _counts(items: list[Item]) -> str:
    n: dict[str, int] = {}
    for it in items:
        n[it.kind] = n.get(it.kind, 0) + 1
    order = sorted(n, key=priority)
    return "、".join(f"{KIND_LABELS.get(k, k)}{n[k]}条" for k in order)


def digest_subject(name: str, items: list[Item], part: int = 0, parts: int = 1) -> str:
    suffix = f"（{part}/{parts}）" if parts > 1 else ""
    return f"【督办提醒】{name}：{_counts(items)}{suffix}"[:200]


def _strip_salutation(body: str, name: str) -> str:
    lines = body.splitlines()
    if lines and lines[0].rstrip("：:") == name:
        lines = lines[1:]
    return "\n".join(lines)


def digest_text(name: str, items: list[Item], site_url: str) -> tuple[str, str]:
    """Email and in-app digest: every reminder in full, overdue and escalation first."""
    items = sorted(items, key=lambda it: (priority(it.kind), it.id))
    out = [f"{name}：", f"今天共有{len(items)}条督办提醒（{_counts(items)}），逾期和二次督办事项列在最前：", ""]
    for i, it in enumerate(items, start=1):
        out.append(f"{i}. {it.subject}")
        out.append(_strip_salutation(it.body, name))
        out.append("")
    out.append(f"登录系统查看全部事项：{_link(site_url)}")
    return digest_subject(name, items), "\n".join(out)


_NUMBERED = re.compile(r"^\d+\. ")
_LINK = re.compile(r"https?://\S+")


def robot_block(it: Item) -> list[str]:
    """A reminder in a robot message: its title, the listed tasks of a unit digest, its link."""
    lines = it.body.splitlines()
    detail = ["  " + ln for ln in lines if _NUMBERED.match(ln)]
    link = next((ln for ln in reversed(lines) if _LINK.search(ln)), "")
    return [it.subject, *detail, *([link] if link else [])]


def _nbytes(lines: list[str]) -> int:
    return sum(len(ln.encode("utf-8")) + 1 for ln in lines)


def robot_parts(name: str, items: list[Item], site_url: str, max_bytes: int) -> list[tuple[str, str, list[int]]]:
    """A robot digest split into messages of at most `max_bytes` (title + "\\n" + body), never cutting
    a line, each ending with the system link: [(subject, body, [item ids in it])]."""
    items = sorted(items, key=lambda it: (priority(it.kind), it.id))
    footer = [f"查看全部：{_link(site_url)}"]
    title_room = len(digest_subject(name, items, 99, 99).encode("utf-8")) + 1
    room = max_bytes - title_room - _nbytes(footer)
    if room < 200:
        raise PolicyError("群机器人消息长度上限过小。")
    chunks: list[tuple[list[str], int]] = []   # (lines, item id): an item too long alone is cut at its lines
    for it in items:
        block = robot_block(it)
        if _nbytes(block) <= room:
            chunks.append((block, it.id))
            continue
        head, link = block[0], [block[-1]] if _LINK.search(block[-1]) else []
        body_lines = block[1:len(block) - len(link)]
        cur = [head]
        for ln in body_lines:
            ln = ln if len(ln.encode("utf-8")) < room // 2 else ln.encode("utf-8")[:room // 2].decode("utf-8", "ignore")
            if _nbytes(cur + [ln] + link) > room:
                chunks.append((cur + link, it.id))
                cur = [f"{head}（续）"]
            cur.append(ln)
        chunks.append((cur + link, it.id))
    parts: list[tuple[list[str], list[int], list[Item]]] = []
    by_id = {it.id: it for it in items}
    for lines, iid in chunks:
        if parts and _nbytes(parts[-1][0] + lines) <= room:
            parts[-1][0].extend(lines)
            if iid not in parts[-1][1]:
                parts[-1][1].append(iid)
                parts[-1][2].append(by_id[iid])
        else:
            parts.append((list(lines), [iid], [by_id[iid]]))
    n = len(parts)
    return [(digest_subject(name, its, i, n), "\n".join(lines + footer), ids)
            for i, (lines, ids, its) in enumerate(parts, start=1)]

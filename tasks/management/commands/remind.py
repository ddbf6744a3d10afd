"""manage.py remind [--now ISO]: one reminder sweep, synchronously (queue + send)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from tasks.models import Reminder
from tasks.reminders.policy import CHANNEL_LABELS, KIND_LABELS
from tasks.services import reminders


def parse_now(raw: str) -> dt.datetime:
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise CommandError(f"--now 格式不正确：{raw!r}（应为 2026-11-23 或 2026-11-23T09:00）。")
        value = dt.datetime.combine(day, dt.time(9, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


class Command(BaseCommand):
    help = "执行一次催办提醒扫描：生成到期、逾期、二次督办、响应节点、周期报送提醒并立即发送。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按指定时间执行（ISO 格式，如 2026-11-23T09:00；默认当前时间）")
        parser.add_argument("--no-send", action="store_true", help="只生成提醒，不发送")

    def handle(self, *args, now=None, no_send=False, **opts):
        when = parse_now(now) if now else timezone.now()
        try:
            new = reminders.sweep(when)
        except reminders.ReminderError as exc:
            raise CommandError(str(exc)) from exc
        rows = Reminder.objects.filter(pk__in=new).select_related("unit", "person").order_by("pk")
        for r in rows:
            who = r.unit or r.person or "-"
            self.stdout.write(f"[{KIND_LABELS.get(r.kind, r.kind)}][{CHANNEL_LABELS.get(r.channel, r.channel)}] {who}：{r.subject}")
        if new:
            self.stdout.write(f"新生成提醒 {len(new)} 条。")
        else:
            self.stdout.write("没有新的提醒")
        if no_send:
            return
        counts = reminders.send_pending(when)
        if any(counts.get(k) for k in ("sent", "failed", "given_up", "deferred", "held", "outside_window")):
            line = f"发送：成功 {counts['sent']} 条，失败待重试 {counts['failed']} 条，已放弃 {counts['given_up']} 条"
            if counts.get("deferred"):
                line += f"，群机器人限流顺延 {counts['deferred']} 条"
            if counts.get("held"):
                line += f"，服务器无响应顺延 {counts['held']} 条"
            if counts.get("outside_window"):
                line += f"，不在发送时段、待发送 {counts['outside_window']} 条"
            self.stdout.write(line + "。")

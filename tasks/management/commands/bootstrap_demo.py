"""Prepare a fresh installation for a trial: units, beat schedule, logins, the bundled speech."""
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, Unit
from accounts.services import create_login, load_units_file
from tasks.models import Directive, Speech
from tasks.services.ingest import IngestError, accept_directive, ingest_speech
from tasks.services.schedule import install_default_schedule

DEMO_SPEECH = Path(__file__).resolve().parents[2] / "fixtures" / "demo_speech.txt"


def one_time_password() -> str:
    return "Dc-" + secrets.token_urlsafe(9)


class Command(BaseCommand):
    help = "初始化试用环境：单位名录、定时任务、示范账号（打印一次性密码）、导入内置讲话稿并交办。可重复运行。"

    def handle(self, **opts):
        if not Unit.objects.exists():
            res = load_units_file()
            self.stdout.write(f"已导入内置单位名录：{res.created} 个单位。")
        made = install_default_schedule()
        if made:
            self.stdout.write(f"已创建 {made} 个定时任务（可在后台“周期任务”中修改）。")
        self._logins()
        self._speech()

    def _logins(self):
        User = get_user_model()
        lines = []
        with transaction.atomic():
            if not User.objects.filter(username="duchashi").exists():
                pw = one_time_password()
                create_login(username="duchashi", password=pw, name="督查室示范账号", role=Role.STAFF)
                lines.append(f"  督查室（管理后台 /admin/）  用户名 duchashi   一次性密码 {pw}")
            unit = Unit.objects.filter(aliases__alias="发改局").first() or Unit.objects.exclude(kind="group").first()
            if unit and not User.objects.filter(username="fagaiju").exists():
                pw = one_time_password()
                create_login(username="fagaiju", password=pw, name=f"{unit}联络员", role=Role.OPERATOR, unit=unit)
                lines.append(f"  单位联络员（{unit}，门户 /portal/）  用户名 fagaiju   一次性密码 {pw}")
            if not User.objects.filter(username="lingdao").exists():
                pw = one_time_password()
                create_login(username="lingdao", password=pw, name="示范领导", role=Role.LEADER, title="县长")
                lines.append(f"  领导（看板 /portal/dashboard/）  用户名 lingdao   一次性密码 {pw}")
        if lines:
            self.stdout.write("示范账号（密码只显示这一次，请妥善保存并尽快修改）：\n" + "\n".join(lines))

    def _speech(self):
        if Speech.objects.exists():
            return
        staff = get_user_model().objects.filter(username="duchashi").first()
        try:
            speech = ingest_speech(data=DEMO_SPEECH.read_bytes(), filename="示范讲话稿.txt",
                                   meeting_title="全县上半年经济运行分析会议", meeting_date=timezone.localdate(),
                                   speaker="县长", by=staff)
        except IngestError as exc:
            self.stderr.write(f"内置讲话稿导入失败：{exc.message}")
            return
        accepted = 0
        for d in speech.directives.filter(review_state=Directive.Review.PENDING):
            if any(o.get("unit_id") for o in d.owners):
                try:
                    accept_directive(directive=d, by=staff)
                    accepted += 1
                except IngestError:
                    pass
        self.stdout.write(f"已导入内置讲话稿：抽取 {speech.directives.count()} 条，交办 {accepted} 项（其余在审核队列中）。")

from django.core.management.base import BaseCommand

from tasks.services.schedule import install_default_schedule


class Command(BaseCommand):
    help = "把默认定时任务（催办扫描、每周督查通报）写入 django-celery-beat，之后可在后台修改。已存在的不覆盖。"

    def handle(self, **opts):
        made = install_default_schedule()
        self.stdout.write(f"新建定时任务 {made} 个。")

import time

from django.core.management.base import BaseCommand, CommandError

from tasks.services.demo import seed_demo


class Command(BaseCommand):
    help = "生成示范数据（单位、领导、督办事项、进展），用于试用和性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=30, help="单位数")
        parser.add_argument("--tasks", type=int, default=1000, help="事项数")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, units, tasks, seed, **opts):
        if units < 1 or tasks < 0:
            raise CommandError("--units 至少为 1，--tasks 不能为负数。")
        t0 = time.perf_counter()
        res = seed_demo(units=units, tasks=tasks, seed=seed)
        self.stdout.write(f"已生成示范数据：{res['units']} 个单位，{res['tasks']} 项督办事项，用时 {time.perf_counter() - t0:.1f} 秒。")

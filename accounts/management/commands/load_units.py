from django.core.management.base import BaseCommand, CommandError

from accounts.services import DEFAULT_UNITS_FILE, DirectoryError, load_units_file


class Command(BaseCommand):
    help = "导入单位名录（默认：内置的县级单位名录；也可指定 xlsx/csv/json 文件）。全部成功或全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_UNITS_FILE), help="名录文件路径")

    def handle(self, path, **opts):
        try:
            res = load_units_file(path)
        except DirectoryError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已导入单位名录：新增 {res.created} 个，更新 {res.updated} 个，别名 {res.aliases} 个。")

"""python manage.py import_ledger PATH [--dry-run] [--user USERNAME] [--year YYYY] [--allow-duplicates] [--include-hidden]"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tasks.services.ledger import SHOWN_ERRORS, LedgerError, import_ledger


class Command(BaseCommand):
    help = "导入督查室现有的台账（.xlsx）为督办事项；--dry-run 只预检不写入。全部成功才写入，任何一行有误都不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="台账文件路径（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="预检：逐行显示结果和错误，不写入")
        parser.add_argument("--user", help="以该督查室账号的名义交办（默认：第一个超级管理员）")
        parser.add_argument("--year", type=int, help="台账年份：没写年份的时限（如“6月底前”）按该年理解（没有交办日期列时）")
        parser.add_argument("--allow-duplicates", action="store_true", help="与已有事项或前面行重复的也导入（默认跳过并列出）")
        parser.add_argument("--include-hidden", action="store_true", help="Excel 中隐藏的行也导入（默认跳过并列出）")

    def handle(self, *args, **opts):
        by = self._user(opts.get("user"))
        try:
            with open(opts["path"], "rb") as fh:
                result = import_ledger(fh, by=by, dry_run=opts["dry_run"], year=opts.get("year"),
                                       allow_duplicates=opts["allow_duplicates"], include_hidden=opts["include_hidden"])
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{opts['path']}") from None
        except IsADirectoryError:
            raise CommandError(f"{opts['path']} 是目录，不是文件。") from None
        except PermissionError:
            raise CommandError(f"没有读取 {opts['path']} 的权限。") from None
        except LedgerError as exc:
            if exc.result is not None:
                self._table(exc.result, refused=True)
                for msg in exc.result.error_messages():
                    self.stderr.write(msg)
                hidden = exc.result.error_count - min(exc.result.error_count, SHOWN_ERRORS)
                if hidden:
                    self.stderr.write(f"……另有{hidden}处错误未显示。")
            raise CommandError(exc.message) from None
        self._table(result)
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _user(self, username):
        User = get_user_model()
        if username:
            try:
                return User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"账号“{username}”不存在或已停用。") from None
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        if user is None:
            raise CommandError("没有可用的超级管理员账号，请用 --user 指定一个督查室账号。")
        return user

    def _table(self, result, refused: bool = False):
        self.stdout.write(f"工作表“{result.sheet}”，表头在第{result.header_row}行；识别的列："
                          + "、".join(f"{k}←“{v}”" for k, v in result.columns.items()))
        if result.year:
            self.stdout.write(f"没写年份的时限按{result.year}年理解（依据：{result.year_source}；有交办日期的行按交办日期）。")
        for r in result.rows[:SHOWN_ERRORS] if result.error_count else result.rows:
            if r.errors:
                state = "错误"
            elif r.skipped:
                state = "跳过：" + r.skipped
            elif refused:
                state = "未导入"  # a refused import created nothing, whatever the row
            else:
                state = "可导入" if result.dry_run else "已创建"
            deadline = r.deadline.isoformat() if r.deadline else (r.deadline_text or "—")
            line = f"第{r.row}行\t{state}\t{r.code or ''}\t{r.title[:30]}\t{'、'.join(r.lead)}\t{deadline}"
            if r.warnings:
                line += "\t提示：" + "；".join(r.warnings)
            self.stdout.write(line)

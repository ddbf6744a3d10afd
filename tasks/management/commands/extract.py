"""python manage.py extract PATH [--date YYYY-MM-DD] [--format json|table] [--units PATH]

Prints the directives of a speech. Changes nothing in the database. Owners are matched against the
unit directory in the database, or the bundled default directory when none is loaded (or there is
no database yet), or the directory file given with --units.
"""
import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from tasks.extraction import Directory, format_table


class Command(BaseCommand):
    help = "从讲话稿中抽取交办事项（不写数据库）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--date", help="会议日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--units", help="单位名录文件（xlsx/csv/json），代替数据库中的名录")

    def handle(self, path, date=None, format="table", units=None, **opts):
        from django.utils import timezone

        from tasks.services.ingest import IngestError, extract_file

        try:
            meeting_date = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"会议日期格式不正确：{date!r}，应为 YYYY-MM-DD。") from None
        p = Path(path)
        if not p.is_file():
            raise CommandError(f"找不到文件：{path}")
        directory = self._directory(units)
        try:
            result = extract_file(p.read_bytes(), p.name, meeting_date, directory, self._events())
        except IngestError as exc:
            raise CommandError(exc.message) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(format_table(result))
        if not result["directives"]:
            # not an error: the result (an empty list) is printed and the exit status stays 0, so that a
            # pipeline or a scorer reading the JSON does not stop at a speech without directives
            self.stderr.write("提示：未在讲话稿中找到可督办的交办事项。")

    def _directory(self, units_path):
        from accounts.services import KIND_WORDS, DirectoryError, read_directory_file

        if units_path:
            try:
                entries = read_directory_file(units_path)
            except DirectoryError as exc:
                raise CommandError(str(exc)) from None
            return Directory.from_entries(
                [{**e, "id": None, "kind": str(KIND_WORDS.get(str(e.get("kind") or "").strip(), "other"))} for e in entries]
            )
        try:
            from tasks.services.ingest import current_directory

            return current_directory()
        except DatabaseError:  # no database yet (fresh checkout): the bundled directory
            from tasks.extraction import DEFAULT_UNITS_PATH

            return Directory.from_json_file(DEFAULT_UNITS_PATH)

    @staticmethod
    def _events():
        from tasks.services.ingest import named_events

        try:
            return named_events()
        except DatabaseError:
            return {}

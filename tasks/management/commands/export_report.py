"""python manage.py export_report [--date YYYY-MM-DD] [-o PATH] [--no-announce]

Writes the workbook and the 通报 document (.docx) of the week, like the Monday job."""
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.models import ReportFile
from tasks.services.reports import ReportError, generate_report, parse_report_date


class Command(BaseCommand):
    help = "生成本周督查通报（Excel 工作簿和 Word 通报文稿），保存为“督查通报”记录，并按周通知督查室和各单位。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="统计截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("-o", "--output", help="另存一份到该路径（目录：工作簿和文稿都存入；文件：工作簿存为该文件，文稿存在旁边）")
        parser.add_argument("--no-announce", action="store_true", help="只生成文件，不发送通知")

    def handle(self, *args, **opts):
        try:
            on = parse_report_date(opts.get("date"))
            rf = generate_report(on=on, trigger=ReportFile.Trigger.COMMAND, announce=not opts["no_announce"])
        except ReportError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已生成 {rf.filename}：事项 {rf.task_count} 项，{rf.size} 字节，保存于 {rf.file.name}")
        if rf.docx:
            self.stdout.write(f"通报文稿 {rf.docx_filename}（{rf.issue_year}年第{rf.issue_no}期），保存于 {rf.docx.name}")
        out = opts.get("output")
        if out:
            target = Path(out)
            if target.is_dir():
                target = target / rf.filename
            if not target.parent.exists():
                raise CommandError(f"输出目录不存在：{target.parent}")
            with rf.file.open("rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            self.stdout.write(f"已另存为 {target}")
            if rf.docx:
                doc_target = target.parent / rf.docx_filename if Path(out).is_dir() else target.with_suffix(".docx")
                with rf.docx.open("rb") as src, open(doc_target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                self.stdout.write(f"已另存为 {doc_target}")

"""python manage.py train_extractor [--manifest M ...] [--no-lodo] [--report PATH] [--min-precision P]

Rebuilds tasks/extraction/weights.json (the extraction decision layer) from the annotated
speeches: the shared corpus (seed + c21–c37) and tests/gold (c01–c19) unless --manifest is given.
Deterministic; the training code is tasks/extraction/training.py (pure Python).  Prints the
leave-one-document-out report next to the plain-rules and in-sample figures.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.extraction import training
from tasks.extraction.gold import default_manifests


class Command(BaseCommand):
    help = "用标注语料重新训练讲话稿抽取的判定层（tasks/extraction/weights.json），并输出留一文档交叉验证结果。"

    def add_arguments(self, parser):
        parser.add_argument("--manifest", action="append", help="标注清单 manifest.json（可多次指定）")
        parser.add_argument("--no-lodo", action="store_true", help="不做留一文档交叉验证（阈值取 0.5）")
        parser.add_argument("--min-precision", type=float, default=training.MIN_PRECISION)
        parser.add_argument("--report", help="把结果表（Markdown）写到此文件")
        parser.add_argument("--output", default=str(training.WEIGHTS_PATH), help="权重文件路径")

    def handle(self, manifest=None, no_lodo=False, min_precision=None, report=None, output=None, **opts):
        manifests = [Path(m) for m in manifest] if manifest else default_manifests()
        missing = [str(m) for m in manifests if not Path(m).exists()]
        if missing or not manifests:
            raise CommandError("找不到标注清单：" + ("、".join(missing) or "共享语料 shared/corpus 与 tests/gold 均不存在"))
        result = training.train(manifests, lodo=not no_lodo, min_precision=min_precision, path=Path(output))
        text = training.format_report(result, result.get("data"))
        self.stdout.write(text)
        if report:
            Path(report).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"已写入 {output}")

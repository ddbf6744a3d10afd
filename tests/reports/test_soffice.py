"""The workbook and the 通报 document open in LibreOffice and print without overprinting.

Both are converted to PDF with `soffice --headless` and kept in test-artifacts/reports/ (look at
them: `pdftoppm -png -r 60 test-artifacts/reports/督查通报.pdf /tmp/page`). The PDF text is then read
back with pdfminer: on no page may two printed characters overlap (a wrapped cell whose row is too
low prints its second line over the next row). Skipped with a reason when soffice is missing
(apt-get install libreoffice-calc-nogui libreoffice-writer-nogui).
"""
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from tasks.models import ProgressReport
from tasks.services.reports import generate_report
from tests.reports.conftest import ON, aware

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
WRITER = Path("/usr/lib/libreoffice/program/libswlo.so").exists()  # Debian's libreoffice-writer-nogui
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="soffice 未安装（apt-get install libreoffice-calc-nogui），跳过 LibreOffice 测试")

LONG_TITLE = "统筹推进城乡供水一体化工程建设，完成县城第二水厂扩建和农村集中供水管网改造，确保年底前全面通水并通过验收"
LONG_NOTE = ("已完成第二水厂主体工程的百分之八十，管网改造完成三个乡镇，剩余两个乡镇正在招标；\n"
             "存在问题：资金缺口约1200万元，已向县财政局申请调度；下一步将加快施工进度，确保按期完成。")


@pytest.fixture
def wordy(scenario, units, make_task):
    """The scenario plus tasks with long titles and multi-line progress notes (wrapped cells)."""
    for i in range(12):
        t = make_task(f"{LONG_TITLE}（{i + 1}）", lead=units["县住建局"], co=[units["财政局"], units["交通局"]],
                      deadline=dt.date(2024, 6, 1 + i), deadline_text="6月上旬前完成", progress=40)
        p = ProgressReport.objects.create(task=t, unit=units["县住建局"], text=LONG_NOTE, percent=40)
        ProgressReport.objects.filter(pk=p.pk).update(created_at=aware(dt.date(2024, 6, 4)))
    return scenario


def to_pdf(src: Path, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = outdir / (src.stem + ".pdf")
    assert proc.returncode == 0, proc.stderr
    assert pdf.exists() and pdf.stat().st_size > 2000, proc.stdout + proc.stderr
    return pdf


def overprinted(pdf: Path) -> list[tuple[int, str, str]]:
    """(page, char, char) for every pair of printed characters whose boxes overlap by more than a
    third of the smaller one in both directions: text printed over text (a wrapped cell whose row is
    too low prints its next line over the row below). Characters of one line only touch."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar

    def chars(obj):
        for x in obj:
            if isinstance(x, LTChar):
                if x.get_text().strip():
                    yield x
            elif hasattr(x, "__iter__"):
                yield from chars(x)

    found = []
    for page_no, page in enumerate(extract_pages(str(pdf), laparams=LAParams()), start=1):
        active = []
        for c in sorted(chars(page), key=lambda c: c.x0):
            active = [a for a in active if a.x1 > c.x0]
            for a in active:
                dx = min(a.x1, c.x1) - max(a.x0, c.x0)
                dy = min(a.y1, c.y1) - max(a.y0, c.y0)
                if dx > min(a.width, c.width) / 3 and dy > min(a.height, c.height) / 3:
                    found.append((page_no, a.get_text(), c.get_text()))
            active.append(c)
    return found


def test_workbook_and_bulletin_render_without_overprint(wordy, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rf = generate_report(on=ON, trigger="command", announce=False)
    xlsx, docx = ARTIFACTS / "督查通报.xlsx", ARTIFACTS / "督查通报文稿.docx"
    with rf.file.open("rb") as fh:
        xlsx.write_bytes(fh.read())
    with rf.docx.open("rb") as fh:
        docx.write_bytes(fh.read())
    import re

    assert WRITER, "LibreOffice Writer 未安装（apt-get install libreoffice-writer-nogui；bin/setup --dev 会安装）"
    for src, min_pages in ((xlsx, 7), (docx, 5)):
        pdf = to_pdf(src, tmp_path)
        shutil.copy(pdf, ARTIFACTS / pdf.name)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) >= min_pages, src.name
        assert overprinted(pdf) == [], src.name


def test_the_overprint_check_catches_rows_that_are_too_low(wordy, tmp_path, monkeypatch):
    """Without fitted row heights the wrapped 事项明细 cells overprint: the check above would see it."""
    from tasks.reports import workbook

    monkeypatch.setattr(workbook.SheetWriter, "_height", lambda self, cells: None)
    rf = generate_report(on=ON, trigger="command", announce=False)
    src = tmp_path / "unfitted.xlsx"
    with rf.file.open("rb") as fh:
        src.write_bytes(fh.read())
    assert overprinted(to_pdf(src, tmp_path))

"""The workbook opens in LibreOffice without a repair prompt: a headless conversion to PDF succeeds."""
import shutil
import subprocess

import pytest

from tasks.services.reports import generate_report
from tests.reports.conftest import ON

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="soffice 未安装（apt-get install libreoffice-calc-nogui），跳过 LibreOffice 打开测试")
def test_libreoffice_converts_report_to_pdf(scenario, tmp_path):
    rf = generate_report(on=ON, trigger="command", announce=False)
    src = tmp_path / "report.xlsx"
    with rf.file.open("rb") as fh:
        src.write_bytes(fh.read())
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert proc.returncode == 0, proc.stderr
    assert pdf.exists() and pdf.stat().st_size > 2000, proc.stdout + proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    # five sheets, each at least one landscape page
    import re

    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    assert pages >= 5

import datetime as dt

import pytest
from openpyxl import load_workbook

from tasks.models import ReportFile
from tasks.selectors import stats
from tasks.services.reports import ReportError, generate_report, report_filename
from tests.reports.conftest import ON


@pytest.fixture
def report(scenario):
    return generate_report(on=ON, trigger=ReportFile.Trigger.COMMAND)


@pytest.fixture
def wb(report):
    with report.file.open("rb") as fh:
        book = load_workbook(fh)
    return book


def test_report_file_stored(report):
    assert report.filename == "督查通报_2024年第23周.xlsx" == report_filename(ON)
    assert report.as_of == ON and report.period_start == dt.date(2024, 5, 30) and report.period_end == ON
    assert report.task_count == 10 and report.size > 0
    assert report.file.name.startswith("reports/") and report.file.name.endswith(".xlsx")


def test_sheets_and_headers(wb):
    assert wb.sheetnames == ["总体情况", "单位排名", "事项明细", "逾期事项", "本周进展"]
    headers = {ws.title: [c.value for c in ws[2]] for ws in wb}
    assert headers["事项明细"][:6] == ["序号", "编号", "事项名称", "会议", "会议日期", "牵头单位"]
    assert headers["单位排名"][:3] == ["排名", "责任单位", "牵头事项"]
    for ws in wb:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$1:$2"

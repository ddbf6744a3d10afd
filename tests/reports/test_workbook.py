import datetime as dt
import io

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
    assert wb.sheetnames == ["总体情况", "单位排名", "协办单位排名", "事项明细", "逾期事项", "本周进展", "说明"]
    headers = {ws.title: [c.value for c in ws[2]] for ws in wb}
    assert headers["事项明细"][:6] == ["序号", "编号", "事项名称", "会议", "会议日期", "牵头单位"]
    assert headers["单位排名"][:3] == ["排名", "责任单位", "牵头事项"]
    for ws in wb:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$1:$2"


def rows_of(ws):
    return list(ws.iter_rows(min_row=3, values_only=True))


def test_summary_paragraph_matches_data(wb, report):
    ws = wb["总体情况"]
    t = stats.totals(ON)
    values = {r[0]: r[1] for r in rows_of(ws) if r[0]}
    assert values["督办事项总数"] == t["total"] == 10
    assert values["　其中：按时办结"] == 3 and values["　　　　逾期未办结（红灯）"] == 2
    assert ws.cell(row=4, column=1).value == "通报摘要（可直接粘贴）"
    assert "B4:F4" in {str(m) for m in ws.merged_cells.ranges}
    paragraph = ws.cell(row=4, column=2).value
    assert paragraph == stats.summary_paragraph(t, stats.totals(ON - dt.timedelta(days=7)))
    assert "与上周相比" in paragraph
    assert "共督办事项10项，已办结4项，其中按时办结3项" in paragraph and "逾期未办结2项" in paragraph
    assert ws.cell(row=3, column=2).value.date() == dt.date(2024, 5, 30)  # 统计期间 as a real date
    assert ws.cell(row=3, column=2).number_format == "yyyy-mm-dd"


def test_ranking_order_and_highlights(wb):
    ws = wb["单位排名"]
    data = [r for r in ws.iter_rows(min_row=3) if r[1].value and not str(r[0].value).startswith("说明")]
    names = [r[1].value for r in data]
    # 统计局 has nothing due, closed or overdue this period: listed, not ranked, never "末位"
    assert names == ["县发展和改革局", "县住房和城乡建设局", "县财政局", "县统计局"]
    assert [r[0].value for r in data] == [1, 2, 3, "—"]
    assert data[0][1].fill.fgColor.rgb.endswith("C6EFCE") and data[2][1].fill.fgColor.rgb.endswith("FFC7CE")
    assert data[0][12].value == "排名第一" and data[2][12].value == "排名末位"
    assert data[3][12].value == "不参与排名（本期无应考核事项）" and data[3][1].fill.fill_type is None
    assert data[1][1].fill.fill_type is None
    note = [r[0].value for r in ws.iter_rows(min_row=3) if str(r[0].value or "").startswith("说明")]
    assert note and "只计本期应考核事项" in note[0]
    co = wb["协办单位排名"]
    co_names = [r[1].value for r in co.iter_rows(min_row=3) if r[1].value and not str(r[0].value).startswith("说明")]
    assert co_names == ["县发展和改革局", "县统计局", "县交通运输局"]  # co-only units are not lost
    assert [r.value for r in wb["说明"]["A"]][2:4] == ["统计截至", "统计期间（本周）"]


def test_detail_sheet_lights_dates_and_rows(wb):
    ws = wb["事项明细"]
    header = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=3))
    titles = [r[col["事项名称"]].value for r in rows]
    # open tasks + the one closed this period; not the older closed, cancelled or future ones
    assert set(titles) == {"编制十五五规划纲要", "清理拖欠企业账款", "盘活闲置国有资产", "统计数据质量核查",
                           "报送一季度统计公报", "供暖季前完成管网改造", "老旧小区改造验收"}
    by_title = {r[col["事项名称"]].value: r for r in rows}
    expect = {"清理拖欠企业账款": ("红灯", "FFC7CE"), "统计数据质量核查": ("黄灯", "FFEB9C"),
              "编制十五五规划纲要": ("绿灯", "C6EFCE"), "供暖季前完成管网改造": ("待定时限", "D9D9D9")}
    for title, (label, color) in expect.items():
        cell = by_title[title][col["灯号"]]
        assert cell.value == label and cell.fill.fgColor.rgb.endswith(color), title
    d = by_title["清理拖欠企业账款"][col["完成时限"]]
    assert isinstance(d.value, dt.datetime) and d.value.date() == dt.date(2024, 5, 26) and d.number_format == "yyyy-mm-dd"
    assert by_title["清理拖欠企业账款"][col["逾期天数"]].value == 10
    assert by_title["清理拖欠企业账款"][col["最新进展"]].value == "已清理五成，剩余款项正在协调"
    g = by_title["编制十五五规划纲要"]
    assert g[col["牵头单位"]].value == "县发改局" and g[col["配合单位"]].value == "交通局"
    assert g[col["责任领导"]].value == "副县长张三" and g[col["会议"]].value == "县委常委会第12次会议"
    assert g[col["进度"]].value == 0.3 and g[col["进度"]].number_format == "0.0%"
    assert g[col["事项名称"]].alignment.wrap_text is None  # short text: plain cell, no style cost


def test_lean_cells_wrap_only_long_text():
    from openpyxl import Workbook

    from tasks.reports.workbook import SheetWriter

    book = Workbook(write_only=True)
    s = SheetWriter(book, "x", "x", [("事项名称", 20), ("数", 8)], lean=True)
    long_text = "推进城乡供水一体化工程建设并完成验收"
    cells = s._to_cells([long_text, 3])
    assert cells[0].alignment.wrap_text and cells[0].value == long_text and cells[1] == 3
    assert s._to_cells(["短", None]) == ["短", None]
    d = s._to_cells([dt.date(2024, 6, 1), ""])
    assert d[0].number_format == "yyyy-mm-dd" and d[1] is None
    s.close()
    book.save(io.BytesIO())


def test_overdue_and_progress_sheets(wb):
    ws = wb["逾期事项"]
    assert [(r[2], r[7], r[8]) for r in rows_of(ws)] == [("清理拖欠企业账款", "红灯", 10), ("盘活闲置国有资产", "红灯", 2)]
    ws = wb["本周进展"]
    got = rows_of(ws)
    assert [r[6] for r in got] == ["完成初稿框架", "已清理五成，剩余款项正在协调"]
    assert isinstance(got[0][1], dt.datetime) and got[0][1] == dt.datetime(2024, 6, 5, 9, 0)  # local time


def test_column_widths_fit_chinese(wb):
    ws = wb["事项明细"]
    from openpyxl.utils import get_column_letter

    widths = {ws.cell(row=2, column=i).value: ws.column_dimensions[get_column_letter(i)].width for i in range(1, 22)}
    assert widths["事项名称"] >= 2 * len("供暖季前完成管网改造") and widths["事项名称"] <= 40
    assert widths["序号"] < widths["编号"] < widths["事项名称"]
    assert widths["完成时限"] >= 10


def test_text_width_counts_cjk_as_two():
    from tasks.reports.workbook import text_width

    assert text_width("督查ab") == 6 and text_width(dt.date(2024, 1, 1)) == 10 and text_width(None) == 0


def test_bad_date_and_future_rejected(scenario):
    with pytest.raises(ReportError, match="格式不正确"):
        generate_report(on="2024-02-30", trigger="command")
    with pytest.raises(ReportError, match="晚于今天"):
        generate_report(on=dt.date(2999, 1, 1), trigger="command")
    assert not ReportFile.objects.exists()


def test_empty_database_report(db):
    rf = generate_report(on=ON, trigger="command")
    with rf.file.open("rb") as fh:
        book = load_workbook(fh)
    assert book.sheetnames[0] == "总体情况" and rf.task_count == 0
    assert book["事项明细"].auto_filter.ref == "A2:U2"


def test_wrapped_rows_get_a_height_that_fits(units, make_task):
    long_title = "统筹推进城乡供水一体化工程建设，完成县城第二水厂扩建和农村集中供水管网改造，确保年底前全面通水"
    make_task(long_title, lead=units["财政局"], deadline=dt.date(2024, 6, 30))
    make_task("短标题", lead=units["财政局"], deadline=dt.date(2024, 6, 30))
    rf = generate_report(on=ON, trigger="command", announce=False)
    with rf.file.open("rb") as fh:
        ws = load_workbook(fh)["事项明细"]
    col = {c.value: c.column_letter for c in ws[2]}
    width = ws.column_dimensions[col["事项名称"]].width
    rows = {ws[f"{col['事项名称']}{r}"].value: r for r in range(3, ws.max_row + 1)}
    tall, short = ws.row_dimensions[rows[long_title]].height, ws.row_dimensions[rows["短标题"]].height
    lines = -(-len(long_title) * 1.9 // (width - 1))  # CJK characters at 1.9 width units
    assert tall is not None and tall >= lines * 14 and short is None
    assert ws[f"{col['事项名称']}{rows[long_title]}"].alignment.wrap_text

"""Reading an office's 台账.xlsx: find the header row, map loosely named columns, stream rows.

No database access here (tasks.services.ledger resolves units, leaders and deadlines and
creates the tasks). The workbook is opened read-only and rows are iterated one at a time; merged
cells are read from the sheet XML with a streaming parser, so a merged 责任单位 cell spanning
several rows gives its value to each of them.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from tasks.safezip import XLSX_LIMITS, ZipBombError, check_zip

HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 60

# canonical column → words; the first rule matching a header cell wins (order matters:
# "配合单位" before "责任单位", "时限要求" before "完成时限", "办结时间" before "完成时间",
# "时序进度" ignored before "进度", "任务完成情况" before "任务").
COLUMN_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("seq", ("序号", "顺序号")),
    ("code", ("编号", "事项编号", "督办编号", "督办号")),
    ("co", ("配合单位", "协办单位", "配合部门", "协办部门", "协同单位", "参与单位", "配合", "协办")),
    ("leader", ("责任领导", "分管领导", "牵头领导", "包抓领导", "联系领导", "县领导", "领导")),
    ("closed_on", ("办结时间", "办结日期", "销号时间", "销号日期", "实际完成时间", "实际完成日期")),
    ("status", ("办理状态", "完成状态", "办结状态", "是否办结", "是否完成", "状态")),
    ("grade", ("办结评定", "评定等次", "评定")),
    ("flagged", ("挂牌督办", "挂牌")),
    ("meeting_date", ("会议日期", "会议时间")),
    ("meeting", ("会议名称", "来源会议", "会议")),
    ("deadline_text", ("时限要求", "时限原话", "时间要求")),
    ("deadline", ("完成时限", "办结时限", "完成时间", "完成期限", "截止时间", "截止日期", "时间节点", "时限", "期限")),
    ("start", ("交办时间", "交办日期", "下达时间", "下达日期", "立项时间")),
    ("progress", ("进展情况", "推进情况", "完成情况", "工作进展", "落实情况", "最新进展", "进展", "办理情况")),
    ("percent", ("完成进度", "进度（%）", "进度(%)", "完成比例", "进度")),
    ("lead", ("责任单位", "牵头单位", "主办单位", "承办单位", "责任部门", "牵头部门", "主办部门", "责任主体", "牵头", "主办")),
    ("requirement", ("工作要求", "目标要求", "具体要求", "工作目标", "工作措施", "要求")),
    ("recurrence", ("报送周期", "周期")),
    ("category", ("类别", "分类", "类型")),
    ("title", ("督办事项", "交办事项", "工作任务", "事项名称", "任务名称", "督查事项", "工作事项", "重点工作", "重点任务", "工作内容",
               "督办内容", "项目名称", "事项", "任务", "内容")),
]
COLUMN_LABELS = {
    "seq": "序号", "code": "编号", "title": "督办事项", "lead": "责任单位", "co": "配合单位", "leader": "责任领导",
    "deadline": "完成时限", "deadline_text": "时限要求", "start": "交办时间", "progress": "进展情况",
    "percent": "完成进度", "requirement": "工作要求", "category": "类别", "status": "状态", "closed_on": "办结日期",
    "grade": "办结评定", "flagged": "挂牌督办", "meeting": "会议", "meeting_date": "会议日期", "recurrence": "周期",
}
# columns our own report computes (light, schedule, days overdue): never read back
IGNORED_WORDS = ("备注", "说明", "灯号", "时序进度", "逾期天数", "逾期时间")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


class LedgerFormatError(Exception):
    """The file as a whole cannot be read (not xlsx, no header…); `message` is Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class LedgerRow:
    row: int  # Excel row number (1-based), what the user sees
    values: dict = field(default_factory=dict)  # canonical column → raw cell value
    percent_format: bool = False  # the 完成进度 cell is formatted as a percentage (0.3 shown as 30%)
    hidden: bool = False  # the row is hidden in Excel


def _norm(value) -> str:
    return re.sub(r"[\s\u3000*＊:：]+", "", str(value)) if value is not None else ""


def classify_header(text) -> str | None:
    h = _norm(text)
    if not h or len(h) > 20 or any(w in h for w in IGNORED_WORDS):
        return None
    for key, words in COLUMN_RULES:
        if any(w in h for w in words):
            return key
    return None


def map_header(cells) -> dict[str, int]:
    """canonical column → 0-based index, for one candidate header row (first occurrence wins)."""
    out: dict[str, int] = {}
    for i, v in enumerate(cells):
        key = classify_header(v)
        if key and key not in out:
            out[key] = i
    return out


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


MERGE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)\"")
HIDDEN_ROW_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*>")
ROW_NO_RE = re.compile(rb"\br=\"(\d+)\"")
HIDDEN_RE = re.compile(rb"\bhidden=\"(?:1|true)\"")
SCAN_CHUNK = 1 << 20


def _scan_sheet(wb, ws) -> tuple[list[tuple[int, int, int, int]], set[int]]:
    """(merged ranges as (min_col, min_row, max_col, max_row), hidden row numbers) of a sheet.

    The sheet XML is scanned in 1 MB chunks with bytes regexes (bounded memory, and ~20x faster
    than an XML parser over 100,000 rows); the regexes only run on chunks that contain the words.
    """
    ranges, hidden = [], set()
    try:
        src = ws._get_source()  # read-only worksheet: the sheet XML inside the archive
    except AttributeError:
        return ranges, hidden
    tail = b""
    with src:
        while chunk := src.read(SCAN_CHUNK):
            buf = tail + chunk
            last_end = 0
            if b"hidden=" in buf:  # rare: hidden rows
                for m in HIDDEN_ROW_RE.finditer(buf):
                    tag = m.group(0)
                    if HIDDEN_RE.search(tag) and (n := ROW_NO_RE.search(tag)):
                        hidden.add(int(n.group(1)))
                    last_end = max(last_end, m.end())
            if b"mergeCell" in buf:  # the common case has none: plain C-speed search, no regex
                for m in MERGE_RE.finditer(buf):
                    try:
                        ranges.append(range_boundaries(m.group(1).decode("ascii")))
                    except (TypeError, ValueError):
                        pass
                    last_end = max(last_end, m.end())
            tail = buf[max(last_end, len(buf) - 256):]
    return ranges, hidden


def _merged_ranges(wb, ws) -> list[tuple[int, int, int, int]]:
    return _scan_sheet(wb, ws)[0]


class MergedFill:
    """Gives every cell of a merged range the value of its top-left cell while rows stream by."""

    def __init__(self, ranges):
        self.starts: dict[int, list[tuple[int, int, int, int]]] = {}
        for r in ranges:
            if r[3] > r[1] or r[2] > r[0]:
                self.starts.setdefault(r[1], []).append(r)
        self.active: list[tuple[tuple[int, int, int, int], object]] = []

    def apply(self, row_no: int, cells: list) -> list:
        self.active = [(r, v) for r, v in self.active if r[3] >= row_no]
        for r in self.starts.pop(row_no, ()):
            top_left = cells[r[0] - 1] if r[0] - 1 < len(cells) else None
            self.active.append((r, top_left))
        if not self.active:
            return cells
        cells = list(cells)
        for (c1, r1, c2, r2), v in self.active:
            need = c2 - len(cells)
            if need > 0:
                cells.extend([None] * need)
            for c in range(c1, c2 + 1):
                if (c, row_no) != (c1, r1):
                    cells[c - 1] = v
        return cells


def open_workbook(source):
    """A read-only workbook from a path or a binary file object, or LedgerFormatError."""
    try:
        head = source.read(8) if hasattr(source, "read") else open(source, "rb").read(8)
        if hasattr(source, "seek"):
            source.seek(0)
    except OSError as exc:
        raise LedgerFormatError(f"无法读取文件：{exc.strerror or exc}") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFormatError("这是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入。")
    if not head.startswith(b"PK"):
        raise LedgerFormatError("文件不是有效的 xlsx 工作簿（请上传 Excel 2007 及以上版本保存的 .xlsx 文件）。")
    try:  # a zip bomb is refused before openpyxl unpacks anything
        check_zip(source, XLSX_LIMITS, what="该台账文件")
    except ZipBombError as exc:
        if exc.code != "bad_zip":  # a broken archive gets openpyxl's own answer below
            raise LedgerFormatError(exc.message) from None
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise LedgerFormatError(f"文件不是有效的 xlsx 工作簿：{type(exc).__name__}。") from None
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's error
        raise LedgerFormatError(f"xlsx 工作簿无法解析：{type(exc).__name__}。") from None


@dataclass
class LedgerSheet:
    title: str
    header_row: int  # Excel row number of the (last) header row
    columns: dict[str, int]  # canonical column → 0-based index
    headers: dict[str, str]  # canonical column → header text as written
    caption: str = ""  # the text of the rows above the header (the ledger's title)
    year: int | None = None  # a year written in the caption or the sheet name ("2024年重点工作台账")


def find_header(rows: list[tuple[int, list]]) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """(header row number, columns, header texts) in the first rows, or None.

    A header row has a title-like and a unit-like column. A second header row right below
    (a merged "责任单位" over "牵头单位 | 配合单位") adds or overrides columns.
    """
    for i, (row_no, cells) in enumerate(rows):
        cols = map_header(cells[:MAX_COLUMNS])
        if "title" in cols and ("lead" in cols or "co" in cols):
            headers = {k: cell_text(cells[v]) for k, v in cols.items()}
            last = row_no
            if i + 1 < len(rows):
                nxt_no, nxt = rows[i + 1]
                filled = [(j, v) for j, v in enumerate(nxt[:MAX_COLUMNS]) if cell_text(v)]
                if filled and all(classify_header(v) for _, v in filled):  # a second header row
                    for j, v in filled:
                        k = classify_header(v)
                        for old_k, old_idx in list(cols.items()):
                            if old_idx == j or old_k == k:
                                del cols[old_k]
                                headers.pop(old_k, None)
                        cols[k] = j
                        headers[k] = cell_text(v)
                    last = nxt_no
            return last, cols, headers
    return None


def read_ledger(source, max_rows: int, slack: int = 0):
    """(LedgerSheet, iterator of LedgerRow) for the first sheet with a recognisable header.

    The iterator raises LedgerFormatError once more than `max_rows + slack` non-empty rows are seen
    (`slack`: room for section headings and 合计 rows, which are not tasks; the caller counts the
    tasks themselves against `max_rows`).
    """
    wb = open_workbook(source)
    found = None
    for ws in wb.worksheets:
        head = []
        for n, cells in enumerate(ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
            head.append((n, list(cells)))
        hit = find_header(head)
        if hit:
            found = (ws, hit)
            break
    if found is None:
        wb.close()
        raise LedgerFormatError(
            f"未找到表头：前{HEADER_SCAN_ROWS}行中没有同时包含“督办事项（或工作任务、事项名称）”"
            "和“责任单位（或牵头单位）”的行。"
        )
    ws, (header_row, columns, headers) = found
    if "lead" not in columns:
        wb.close()
        raise LedgerFormatError("未找到“责任单位/牵头单位”列：每个事项至少要有一个牵头单位。")
    def is_header(cells):
        cols = map_header(cells[:MAX_COLUMNS])
        return "title" in cols and ("lead" in cols or "co" in cols)

    first_header = next((n for n, cells in head if is_header(cells)), header_row)
    caption = " ".join(cell_text(v) for n, cells in head if n < first_header for v in cells if cell_text(v))[:500]
    year_hit = YEAR_RE.search(caption) or YEAR_RE.search(ws.title)
    sheet = LedgerSheet(title=ws.title, header_row=header_row, columns=columns, headers=headers, caption=caption,
                        year=int(year_hit.group(1)) if year_hit else None)
    ranges, hidden = _scan_sheet(wb, ws)
    merged = MergedFill(ranges)
    pct_col = columns.get("percent")

    def rows():
        count = 0
        try:
            for n, cells in enumerate(ws.iter_rows(), start=1):
                if n <= header_row:
                    continue
                values_row = merged.apply(n, [getattr(c, "value", None) for c in cells])
                values = {k: (values_row[i] if i < len(values_row) else None) for k, i in columns.items()}
                if all(cell_text(v) == "" for k, v in values.items() if k != "seq"):
                    seq = cell_text(values.get("seq"))
                    if not seq or re.fullmatch(r"[\d.\s]+", seq):
                        continue  # an empty (perhaps pre-numbered) row
                    # else text in the 序号 column alone: a section heading, reported by the caller
                count += 1
                if count > max_rows + slack:
                    raise LedgerFormatError(
                        f"台账超过{max_rows}行数据（工作表“{ws.title}”第{n}行已是第{count}条），请分批导入。"
                    )
                fmt = getattr(cells[pct_col], "number_format", "") if pct_col is not None and pct_col < len(cells) else ""
                yield LedgerRow(row=n, values=values, percent_format="%" in (fmt or ""), hidden=n in hidden)
        finally:
            wb.close()

    return sheet, rows()


DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:前|之前|以前)?\s*$")


def explicit_date(value) -> dt.date | None:
    """A real Excel date cell, or a text date like 2024-06-30, 2024/6/30, 2024.6.30, 2024年6月30日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = DATE_RE.match(cell_text(value))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None

"""The weekly 督查通报 workbook (openpyxl write-only, streamed).

`write_report(target, on)` writes seven sheets: 总体情况, 单位排名, 协办单位排名, 事项明细, 逾期事项,
本周进展, 说明. Figures come from tasks.selectors.stats (lights only through
tasks.selectors.lights.with_light; a past day's figures from the task history).
Rows are read in chunks (values() + .iterator(chunk_size)) and written as they come, so the
memory used does not grow with the number of tasks.

Printing: the small sheets are fitted on all their rows; the streamed sheets have fixed widths
(a write-only sheet's widths must be known before its first row). Every row that holds wrapped
text gets a height that fits it (CJK counted as two), so nothing overprints on paper.
Every text cell is data: a text that Excel could read as a formula (=, +, -, @, ＝…) is written
as a string cell with the quote prefix, never as a formula.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from copy import copy
from collections import defaultdict
from itertools import islice

from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from tasks.models import Assignment, Recurrence, Task
from tasks.selectors import stats
from tasks.selectors.lights import LIGHT_LABELS, office_settings

CHUNK = 1000
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CJK_UNITS = 1.9  # column-width units a 10 pt CJK character takes in Excel (LibreOffice: about 1.55)
LINE_HEIGHT = 14.0  # points per line of wrapped 10 pt body text (LibreOffice and Excel both fit in it)
HEADER_LINE_HEIGHT = 15.5

SHEETS = ("总体情况", "单位排名", "协办单位排名", "事项明细", "逾期事项", "本周进展", "说明")

LIGHT_FILLS = {
    "red": "FFC7CE",
    "yellow": "FFEB9C",
    "green": "C6EFCE",
    "no_deadline": "D9D9D9",
    "done_on_time": "C6EFCE",
    "done_late": "F4B183",
}
BEST_FILL = "C6EFCE"
WORST_FILL = "FFC7CE"
STATUS_LABELS = dict(Task.Status.choices)
GRADE_LABELS = dict(Task.Grade.choices)
# a text starting with one of these could be taken for a formula by a spreadsheet (CSV/DDE habits,
# full-width ＝ that IMEs type): such text is written as a string cell with the quote prefix
FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "\t", "\r", "\n")

_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="bottom")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)  # header cells
DATA_CENTER = Alignment(horizontal="center", vertical="bottom", wrap_text=True)  # data: bottom, like unstyled cells
HEADER_FONT = Font(name="宋体", bold=True, size=11)
TITLE_FONT = Font(name="黑体", bold=True, size=16)
BODY_FONT = Font(name="宋体", size=10)
HEADER_COLOR = "DDEBF7"


def text_width(value) -> int:
    """Display width of a value: CJK and other wide characters count as 2."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    s = str(value)
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in s.split("\n")), default=0)


def lines_needed(value, width: float) -> int:
    """Lines a wrapped text takes in a column `width` units wide (Excel's widest case, so LibreOffice
    gets a little room to spare, never an overprint). The width of a line comes from its UTF-8 length
    (a CJK character is 3 bytes, ASCII 1 → CJK_UNITS and half of it), which is C-speed where
    east_asian_width per character would cost a second on 10,000 rows."""
    if value is None or isinstance(value, (int, float, dt.date)):
        return 1
    usable = max(1.0, width - 1.0)
    n = 0
    for line in str(value).split("\n"):
        w = (len(line.encode("utf-8")) + len(line)) * (CJK_UNITS / 4)
        n += max(1, math.ceil(w / usable))
    return n


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def fill(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color)


class SheetWriter:
    """One sheet: title row, header row, data rows.

    `fixed` (the streamed sheets): the caps are the widths and rows are written as they come.
    Otherwise (small sheets) rows are buffered until `close()` so the widths fit all of them.
    Each row's height fits its wrapped text."""

    def __init__(self, wb: Workbook, title: str, caption: str, columns: list[tuple[str, float]], fixed: bool = False,
                 lean: bool = False, one_page: bool = False):
        """columns: (header, cap width); `lean`: the streamed detail sheets (see _lean); `one_page`:
        printed on one page (the summary), else one page wide and as many long as needed."""
        self.one_page = one_page
        self.ws = wb.create_sheet(title)
        self.fixed = fixed or lean
        self.lean = lean
        self.widths = [cap for _, cap in columns]
        self.caption = caption
        self.columns = columns
        self.buffer: list = []
        self.started = False
        self.rows = 0  # data rows written
        self.filter_end = None  # last row under the autofilter (before notes)
        self._styles: dict = {}
        self._wrap_ids: set = set()  # alignment ids that wrap (their cells need a fitted row height)
        if self.fixed:
            self._start()

    # cells ----------------------------------------------------------------------------------
    def cell(self, value, *, number_format=None, fill_color=None, bold=False, align=WRAP, font=None):
        """A styled write-only cell. Styles are resolved once per combination and then copied as
        a StyleArray: assigning openpyxl style objects per cell hashes them every time (~10x slower).
        Text that looks like a formula is stored as a string with the quote prefix."""
        quoted = is_formula_like(value)
        key = (number_format, fill_color, bold, id(align), id(font), quoted)
        style = self._styles.get(key)
        if style is None:
            t = WriteOnlyCell(self.ws)
            t.font = font or (HEADER_FONT if bold else BODY_FONT)
            t.alignment = align
            t.border = BORDER
            if number_format:
                t.number_format = number_format
            if fill_color:
                t.fill = fill(fill_color)
            if quoted:
                t._style.quotePrefix = 1
            if align.wrap_text:
                self._wrap_ids.add(t._style.alignmentId)
            style = self._styles[key] = t._style
        c = WriteOnlyCell(self.ws, value=value)
        if quoted:
            c.data_type = "s"
        c._style = copy(style)
        return c

    def _to_cells(self, row):
        if self.lean:
            return [self._lean(v, i) for i, v in enumerate(row)]
        out = []
        for v in row:
            if isinstance(v, Cell):
                out.append(v)
            elif isinstance(v, dt.datetime):
                out.append(self.cell(timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v,
                                     number_format=DATETIME_FORMAT, align=DATA_CENTER))
            elif isinstance(v, dt.date):
                out.append(self.cell(v, number_format=DATE_FORMAT, align=DATA_CENTER))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(self.cell(v, align=DATA_CENTER))
            else:
                out.append(self.cell(v))
        return out

    def _lean(self, v, i):
        """Big sheets: empty cells are left out, numbers and short text go unstyled (printed
        gridlines stand in for borders); only dates, fills, percentages, text that needs wrapping and
        text that looks like a formula get a style. Per-cell styling is what costs most in openpyxl.
        All data cells sit at the bottom of a tall row, styled or not (the spreadsheet default)."""
        if v is None or v == "":
            return None
        if isinstance(v, (Cell, int, float)):
            return v
        if isinstance(v, dt.datetime):
            return self.cell(timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v,
                             number_format=DATETIME_FORMAT, align=DATA_CENTER)
        if isinstance(v, dt.date):
            return self.cell(v, number_format=DATE_FORMAT, align=DATA_CENTER)
        v = str(v)
        if 2 * len(v) + 2 > self.widths[i] or "\n" in v or v.startswith(FORMULA_START):
            return self.cell(v)
        return v  # short text: plain, one line

    def _height(self, cells) -> float | None:
        lines = 1
        for i, c in enumerate(cells):
            if isinstance(c, Cell) and isinstance(c._value, str) and c._style.alignmentId in self._wrap_ids:
                lines = max(lines, lines_needed(c._value, self.widths[i] if i < len(self.widths) else 10))
        return None if lines == 1 else lines * LINE_HEIGHT + 4

    # writing --------------------------------------------------------------------------------
    def add(self, row: list):
        if self.started:
            self._write(row)
        else:
            self.buffer.append(row)

    def _write(self, row, height: float | None = None):
        cells = self._to_cells(row)
        row_no = self.rows + 3  # title + header + rows written so far + this one
        h = height or self._height(cells)
        if h:
            self.ws.row_dimensions[row_no].height = h
        self.ws.append(cells)
        if h:
            del self.ws.row_dimensions[row_no]  # written: keep memory flat over 100,000 rows
        self.rows += 1

    def _start(self):
        ws = self.ws
        ncol = len(self.columns)
        for i, (header, cap) in enumerate(self.columns, start=1):
            if self.fixed:
                width = cap
            else:
                sample = [text_width(r[i - 1].value if isinstance(r[i - 1], Cell) else r[i - 1])
                          for r in self.buffer if isinstance(r, list) and i - 1 < len(r)]
                width = max(6, min(max([text_width(header), *sample]) + 2, cap, MAX_WIDTH))
            self.widths[i - 1] = width
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A3"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if self.one_page else 0
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = self.lean
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_title_rows = "1:2"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        total = sum(self.widths)
        title_lines = max(1, math.ceil(text_width(self.caption) * 1.6 / max(total - 2, 10)))
        ws.row_dimensions[1].height = 24 * title_lines + 4
        ws.append([self.cell(self.caption, font=TITLE_FONT, align=Alignment(horizontal="left", vertical="center", wrap_text=True))])
        ws.merged_cells.add(f"A1:{get_column_letter(ncol)}1")
        header_lines = max(lines_needed(h, w) for (h, _), w in zip(self.columns, self.widths))
        ws.row_dimensions[2].height = header_lines * HEADER_LINE_HEIGHT + 4
        ws.append([self.cell(h, bold=True, fill_color=HEADER_COLOR, align=CENTER) for h, _ in self.columns])
        self.started = True
        buffered, self.buffer = self.buffer, []
        for row in buffered:
            if isinstance(row, tuple):  # a wide row (see add_wide)
                self._wide(*row)
            else:
                self._write(row)

    def add_wide(self, text: str, label: str | None = None):
        """A wrapped text row merged across all columns (or all but the first, which holds `label`);
        its height is fitted to the text over the merged width. A note row after the data is left
        out of the autofilter."""
        if self.started:
            self._wide(text, label)
        else:
            self.buffer.append((text, label))

    def _wide(self, text, label):
        row = self.rows + 3
        if self.filter_end is None and label is None:
            self.filter_end = row - 1
        first = "A" if label is None else "B"
        width = sum(self.widths) if label is None else sum(self.widths[1:])
        lines = max(lines_needed(text, width), lines_needed(label, self.widths[0]) if label else 1)
        self.ws.merged_cells.add(f"{first}{row}:{get_column_letter(len(self.columns))}{row}")
        cells = [self.cell(text, align=WRAP), *[self.cell(None) for _ in range(len(self.columns) - 1)]]
        if label is not None:
            cells = [self.cell(label, bold=True), *cells[:-1]]
        self._write(cells, height=lines * LINE_HEIGHT + 6)

    def close(self):
        if not self.started:
            self._start()
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A2:{last}{self.filter_end or self.rows + 2}"


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def _task_people(task_ids: list[int]) -> tuple[dict, dict, dict]:
    """lead units, co units, leaders (names joined with 、) of a chunk of tasks: two queries."""
    lead, co, leaders = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in (Assignment.objects.filter(task_id__in=task_ids).order_by("unit__sort_order", "unit_id")
              .values("task_id", "role", "unit__name", "unit__short_name")):
        (lead if a["role"] == Assignment.Role.LEAD else co)[a["task_id"]].append(a["unit__short_name"] or a["unit__name"])
    through = Task.leaders.through
    for r in (through.objects.filter(task_id__in=task_ids).order_by("person_id")
              .values("task_id", name=F("person__name"), title=F("person__title"))):
        leaders[r["task_id"]].append(f"{r['title']}{r['name']}" if r["title"] else r["name"])
    return lead, co, leaders


def task_rows(qs, fields, on: dt.date):
    """Task dicts from `qs.values(*fields)` with lead/co/leaders and the latest progress (as of the
    end of `on`) added, chunk by chunk (also used by the 通报 document's 附件)."""
    for chunk in _chunks(qs.values(*fields).iterator(chunk_size=CHUNK), CHUNK):
        ids = [r["id"] for r in chunk]
        lead, co, leaders = _task_people(ids)
        latest = stats.latest_progress_for(ids, on)
        for r in chunk:
            r["latest_progress"] = latest.get(r["id"], "")
            r["lead"] = "、".join(lead.get(r["id"], ()))
            r["co"] = "、".join(co.get(r["id"], ()))
            r["leaders"] = "、".join(leaders.get(r["id"], ()))
            yield r


def _light_cell(sheet: SheetWriter, light: str):
    return sheet.cell(LIGHT_LABELS.get(light, light), fill_color=LIGHT_FILLS.get(light), align=DATA_CENTER)


def _pct_cell(sheet, v):
    if v is None:
        return sheet.cell("—", align=DATA_CENTER)
    return sheet.cell(v / 100.0, number_format="0.0%", align=DATA_CENTER)


def state_note(on: dt.date) -> str:
    """What the figures of a report are: today's state, or a past day's state rebuilt from history."""
    if stats.is_past(on):
        return f"按{on.year}年{on.month}月{on.day}日当日状态，据系统历史记录还原"
    return f"统计截至{on.year}年{on.month}月{on.day}日"


# sheets ---------------------------------------------------------------------------------------
SUMMARY_LINES = [  # (label, totals key, note)
    ("督办事项总数", "total", "不含已撤销事项"),
    ("已办结（销号）", "closed", ""),
    ("　其中：按时办结", "closed_on_time", ""),
    ("　　　　逾期办结", "closed_late", ""),
    ("在办事项", "open", "已交办、推进中、申请办结"),
    ("　其中：正常推进（绿灯）", "on_track", ""),
    ("　　　　临期（黄灯）", "due_soon", None),
    ("　　　　滞后（黄灯）", "lagging", "实际进度落后时序进度超过容差"),
    ("　　　　逾期未办结（红灯）", "overdue", ""),
    ("　　　　待明确时限", "no_deadline", "须由督查室设置具体日期"),
    ("挂牌督办（在办）", "flagged", ""),
]


def _change(s, now, before):
    """The week-on-week change as a centred text cell: +3, -2, 持平 (a text, quote-prefixed: "+3" is
    data, not a formula)."""
    if now is None or before is None:
        return s.cell("—", align=DATA_CENTER)
    d = now - before
    if isinstance(d, float):
        d = round(d, 1)
    return s.cell("持平" if d == 0 else (f"+{d}" if d > 0 else f"{d}"), align=DATA_CENTER)


def _sheet_summary(wb, on, t, prev, title):
    s = SheetWriter(wb, "总体情况", f"{title}（{state_note(on)}）",
                    [("项目", 28), ("本周", 10), ("上周", 10), ("较上周", 10), ("占比", 10), ("说明", 44)], one_page=True)
    total = t["total"] or 0

    def share(n):
        return _pct_cell(s, 100.0 * n / total if total else None)

    s.add(["统计期间", s.cell(t["period_start"], number_format=DATE_FORMAT, align=DATA_CENTER),
           s.cell(prev["period_start"], number_format=DATE_FORMAT, align=DATA_CENTER), "", "",
           f"本周为统计截至日及其前6天（{t['period_start']:%m月%d日}至{t['period_end']:%m月%d日}），上周为其前7天"])
    paragraph = stats.summary_paragraph(t, prev)
    s.add_wide(paragraph, label="通报摘要（可直接粘贴）")
    warn = f"距完成时限不足{office_settings().warning_days}天"
    for label, key, note in SUMMARY_LINES:
        s.add([label, t[key], prev[key], _change(s, t[key], prev[key]), share(t[key]), warn if note is None else note])
    rate = lambda v: s.cell("—" if v is None else f"{v:.1f}%", align=DATA_CENTER)  # noqa: E731
    s.add(["按时办结率", rate(t["on_time_rate"]), rate(prev["on_time_rate"]),
           _change(s, t["on_time_rate"], prev["on_time_rate"]), "", "按时办结数 ÷（已办结数 + 逾期未办结数）"])
    s.add(["办结率", rate(t["completion_rate"]), rate(prev["completion_rate"]),
           _change(s, t["completion_rate"], prev["completion_rate"]), "", "已办结数 ÷ 督办事项总数"])
    s.add(["本周新交办", t["new_in_period"], prev["new_in_period"], _change(s, t["new_in_period"], prev["new_in_period"]), "", ""])
    s.add(["本周办结销号", t["closed_in_period"], prev["closed_in_period"],
           _change(s, t["closed_in_period"], prev["closed_in_period"]), "", ""])
    s.add(["已撤销", t["cancelled"], prev["cancelled"], "", "", "不计入以上统计"])
    for code, n in t["by_status"].items():
        s.add([f"状态：{STATUS_LABELS[code]}", n, prev["by_status"].get(code, 0), "", "", ""])
    for code, n in t["by_light"].items():
        s.add([s.cell(f"灯号：{LIGHT_LABELS[code]}", fill_color=LIGHT_FILLS.get(code)), n, prev["by_light"].get(code, 0),
               "", "", ""])
    s.close()
    return paragraph


def _rank_cells(s, r):
    color = BEST_FILL if r["best"] else WORST_FILL if r["worst"] else None

    def c(v, fmt=None):
        return s.cell(v, fill_color=color, align=DATA_CENTER, number_format=fmt)

    def pct(v):
        return c("—") if v is None else c(v / 100.0, "0.0%")

    rank = "—" if r["rank"] is None else (f"{r['rank']}（并列）" if r["tie"] else r["rank"])
    return c, pct, [c(rank), s.cell(r["unit"], fill_color=color)]


def _sheet_ranking(wb, on, ranking):
    cols = [("排名", 9), ("责任单位", 28), ("牵头事项", 9), ("应考核事项", 10), ("按时办结", 9), ("逾期办结", 9),
            ("逾期未办结", 10), ("按时办结率", 10), ("进展报送率", 10), ("签收率", 9), ("平均评定分", 10), ("综合得分", 9),
            ("备注", 18)]
    s = SheetWriter(wb, "单位排名", f"主办（牵头）单位督办事项办理情况排名（{state_note(on)}）", cols)
    for r in ranking:
        c, pct, first = _rank_cells(s, r)
        s.add([*first, c(r["tasks"]), c(r["counted"]), c(r["on_time"]), c(r["late"]), c(r["overdue"]),
               pct(r["on_time_rate"]), pct(r["progress_rate"]), pct(r["ack_rate"]),
               c("—" if r["grade_avg"] is None else r["grade_avg"]), c("—" if r["score"] is None else r["score"]),
               c(r["note"])])
    s.add_wide("说明：" + stats.score_rule() + "详见“说明”工作表。")
    s.close()


def _sheet_co_ranking(wb, on, ranking):
    cols = [("排名", 9), ("配合单位", 28), ("配合事项", 9), ("应考核事项", 10), ("已签收", 9), ("本期报送进展", 11),
            ("在办应考核事项", 12), ("签收率", 9), ("进展报送率", 10), ("综合得分", 9), ("备注", 18)]
    s = SheetWriter(wb, "协办单位排名", f"协办（配合）单位履职情况排名（{state_note(on)}）", cols)
    for r in ranking:
        c, pct, first = _rank_cells(s, r)
        s.add([*first, c(r["tasks"]), c(r["counted"]), c(r["acked"]), c(r["reported"]), c(r["counted_open"]),
               pct(r["ack_rate"]), pct(r["progress_rate"]), c("—" if r["score"] is None else r["score"]), c(r["note"])])
    s.add_wide("说明：协办单位不承担办结销号，按签收和进展报送评分，与主办单位分开排名。详见“说明”工作表。")
    s.close()


DETAIL_FIELDS = ("id", "code", "title", "meeting__title", "meeting__date", "deadline_text", "start_date", "deadline",
                 "closed_at", "status", "light", "progress", "schedule_percent", "days_overdue", "flagged", "grade", "recurrence")
# every column the 台账 import reads back (tasks/reports/ledger.py COLUMN_RULES): the sheet re-imports as is
DETAIL_COLUMNS = [("序号", 5.5), ("编号", 13), ("事项名称", 24), ("会议", 13), ("会议日期", 11), ("牵头单位", 12),
                  ("配合单位", 11), ("责任领导", 10), ("时限要求", 10), ("交办日期", 11), ("完成时限", 11), ("办结日期", 11),
                  ("状态", 9), ("灯号", 8), ("进度", 7), ("时序进度", 7), ("最新进展", 26), ("逾期天数", 6), ("挂牌督办", 6),
                  ("办结评定", 6), ("周期", 6)]
RECURRENCE_LABELS = dict(Recurrence.choices)


def detail_row(s, n, r):
    closed = timezone.localtime(r["closed_at"]).date() if r["closed_at"] else None
    return [n, r["code"], r["title"], r["meeting__title"] or "", r["meeting__date"], r["lead"], r["co"], r["leaders"],
            r["deadline_text"], r["start_date"], r["deadline"], closed, STATUS_LABELS.get(r["status"], r["status"]),
            _light_cell(s, r["light"]), _pct_cell(s, r["progress"]), _pct_cell(s, r["schedule_percent"]),
            r["latest_progress"] or "", r["days_overdue"] or None, "是" if r["flagged"] else "",
            GRADE_LABELS.get(r["grade"], ""), RECURRENCE_LABELS.get(r["recurrence"], "")]


def _sheet_detail(wb, on):
    s = SheetWriter(wb, "事项明细", f"督办事项明细（在办及本期办结，{state_note(on)}）", DETAIL_COLUMNS, lean=True)
    n = 0
    for n, r in enumerate(task_rows(stats.detail_tasks(on), DETAIL_FIELDS, on), start=1):
        s.add(detail_row(s, n, r))
    s.close()
    return n


OVERDUE_FIELDS = ("id", "code", "title", "deadline", "days_overdue", "progress", "flagged")


def _sheet_overdue(wb, on):
    cols = [("序号", 5.5), ("编号", 13), ("事项名称", 30), ("牵头单位", 14), ("配合单位", 14), ("责任领导", 10),
            ("完成时限", 11), ("灯号", 7), ("逾期天数", 7), ("进度", 7), ("最新进展", 36), ("挂牌督办", 6)]
    s = SheetWriter(wb, "逾期事项", f"逾期未办结事项（按逾期天数排序，{state_note(on)}）", cols, lean=True)
    n = 0
    for n, r in enumerate(task_rows(stats.overdue_tasks(on), OVERDUE_FIELDS, on), start=1):
        s.add([n, r["code"], r["title"], r["lead"], r["co"], r["leaders"], r["deadline"], _light_cell(s, "red"),
               r["days_overdue"], _pct_cell(s, r["progress"]), r["latest_progress"] or "", "是" if r["flagged"] else ""])
    s.close()
    return n


def _sheet_progress(wb, on):
    start, end = stats.report_period(on)
    cols = [("序号", 5.5), ("报送时间", 17), ("编号", 13), ("事项名称", 30), ("报送单位", 14), ("进度", 7), ("进展情况", 50),
            ("报送周期", 9), ("报送人", 9)]
    s = SheetWriter(wb, "本周进展", f"本周进展报送（{start:%m月%d日}至{end:%m月%d日}）", cols, lean=True)
    qs = stats.week_progress(on).values("created_at", "task__code", "task__title", "unit__name", "unit__short_name",
                                         "percent", "text", "period", "author__username", "author__person__name")
    n = 0
    for n, r in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        s.add([n, r["created_at"], r["task__code"], r["task__title"], r["unit__short_name"] or r["unit__name"],
               _pct_cell(s, r["percent"]), r["text"], r["period"], r["author__person__name"] or r["author__username"] or ""])
    s.close()
    return n


def explanation(on: dt.date) -> list[tuple[str, str]]:
    """The 说明 sheet (also the basis of docs/reports.md): how every figure is counted."""
    settings = office_settings()
    start, end = stats.report_period(on)
    return [
        ("统计截至", f"{on:%Y年%m月%d日}。" + (
            "该日早于生成日，各事项的状态、完成时限、进度、办结时间和评定均按该日当日状态从系统历史记录还原；"
            "签收以签收时间、进展以报送时间为准。" if stats.is_past(on) else "各事项按生成时的当前状态统计。")),
        ("统计期间（本周）", f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}（统计截至日及其前6天）；“上周”为其前7天，按上周末当日状态统计。"),
        ("统计范围", "截至统计日已交办的督办事项；已撤销事项只在“已撤销”中列出，不计入总数和各项比率。"),
        ("灯号", f"红灯：在办且已过完成时限（逾期）；黄灯：距完成时限不足{settings.warning_days}天（临期），或实际进度落后时序进度超过"
                 f"{settings.schedule_tolerance}个百分点（滞后）；绿灯：正常推进；待定时限：尚无具体日期，须由督查室设置；"
                 "已办结事项按办结日期是否晚于完成时限分为按时办结、逾期办结。灯号在各表中均以文字写明，颜色仅作辅助。"),
        ("时序进度", "从起始日期到完成时限已过去的时间占比；实际进度为最近一次报送的完成进度。"),
        ("按时办结率", "按时办结数 ÷（已办结数 + 逾期未办结数）：只计已知结果的事项。"),
        ("应考核事项", "单位排名只计本期应考核事项：完成时限在本期内的事项、本期办结的事项，以及已逾期未办结的事项。"
                      "尚未到期的在办事项和待明确时限的事项不计入，不会因“没到期”而得满分。"),
        ("排名规则", stats.score_rule(settings)),
        ("权重设置", f"主办：按时办结率{settings.rank_weight_on_time}、办结评定{settings.rank_weight_grade}、"
                    f"进展报送率{settings.rank_weight_progress}、签收率{settings.rank_weight_ack}；"
                    f"协办：签收率{settings.rank_co_weight_ack}、进展报送率{settings.rank_co_weight_progress}"
                    "（按比例折算为百分制，可在后台“督查室设置”中修改）。"),
        ("不参与排名", f"应考核事项少于{max(1, settings.rank_min_tasks)}项的单位列为“不参与排名”，排在已排名单位之后，既不是“排名第一”，也不是“排名末位”。"),
        ("并列", "得分相同且逾期未办结事项数相同的单位并列同一名次（如 1、2、2、4），名次后注明“并列”。"),
        ("事项明细", "在办事项和本期办结的事项，按完成时限排序；最新进展为统计截至日前最后一次报送的内容。"),
        ("单元格内容", "所有文字均按文本保存，不含公式；以“=”“+”“-”“@”开头的内容也按原样显示。"),
    ]


def _sheet_explanation(wb, on):
    s = SheetWriter(wb, "说明", f"督查通报统计口径和排名规则说明（{state_note(on)}）", [("项目", 16), ("说明", 100)], fixed=True)
    for k, v in explanation(on):
        s.add([s.cell(k, bold=True), v])
    s.close()


def set_default_cell_style(wb: Workbook) -> None:
    """The body font (宋体 10 pt) for every cell written without a style: the default cell format
    (xf 0, Excel) and the "Normal" style (LibreOffice), so plain numbers and short texts of the
    streamed sheets print in the same font as the styled cells, at no per-cell cost. (LibreOffice
    ignores xf 0's alignment for such cells, so the data cells keep the default bottom alignment.)"""
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.indexed_list import IndexedList

    base = StyleArray()
    base.fontId = wb._fonts.add(BODY_FONT)
    wb._cell_styles = IndexedList([base])
    wb._named_styles["Normal"].font = BODY_FONT


def write_report(target, on: dt.date, title: str = "督查通报") -> dict:
    """Write the workbook to `target` (path or binary file object); return a summary the 通报
    document reuses: totals (this week and last), paragraph, rankings, row counts."""
    wb = Workbook(write_only=True)
    set_default_cell_style(wb)
    wb.properties.title = title
    wb.properties.creator = "督查督办系统"
    t = stats.totals(on)
    prev = stats.totals(on - dt.timedelta(days=stats.PERIOD_DAYS))
    paragraph = _sheet_summary(wb, on, t, prev, title)
    ranking = stats.unit_ranking(on)
    co_ranking = stats.unit_ranking(on, role=Assignment.Role.CO)
    _sheet_ranking(wb, on, ranking)
    _sheet_co_ranking(wb, on, co_ranking)
    detail = _sheet_detail(wb, on)
    overdue = _sheet_overdue(wb, on)
    progress = _sheet_progress(wb, on)
    _sheet_explanation(wb, on)
    wb.save(target)
    return {"totals": t, "previous": prev, "paragraph": paragraph, "ranking": ranking, "co_ranking": co_ranking,
            "units": len(ranking), "detail_rows": detail, "overdue_rows": overdue, "progress_rows": progress,
            "task_count": t["total"]}

"""The weekly 督查通报 workbook (openpyxl write-only, streamed).

`write_report(target, on)` writes five sheets: 总体情况, 单位排名, 事项明细, 逾期事项, 本周进展.
Figures come from tasks.selectors.stats (lights only through tasks.selectors.lights.with_light).
Rows are read in chunks (values() + .iterator(chunk_size)) and written as they come, so the
memory used does not grow with the number of tasks. Column widths are fitted (CJK counted as
two) on the header and the first chunk of rows, then capped; long text wraps.
"""
from __future__ import annotations

import datetime as dt
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

from tasks.models import Assignment, Task
from tasks.selectors import stats
from tasks.selectors.lights import LIGHT_LABELS, office_settings

CHUNK = 1000
SAMPLE_ROWS = 200  # rows buffered to fit the column widths
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

SHEETS = ("总体情况", "单位排名", "事项明细", "逾期事项", "本周进展")

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

_thin = Side(style="thin", color="999999")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
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


def fill(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color)


class SheetWriter:
    """One streamed sheet: title row, header row, data rows; widths fitted on a sample."""

    def __init__(self, wb: Workbook, title: str, caption: str, columns: list[tuple[str, int]], fixed: bool = False,
                 lean: bool = False):
        """columns: (header, cap width); `fixed`: use the caps as the widths (no sampling);
        `lean`: the streamed detail sheets (see _lean)."""
        self.ws = wb.create_sheet(title)
        self.fixed = fixed
        self.lean = lean
        self.widths = [cap for _, cap in columns]
        self.caption = caption
        self.columns = columns
        self.buffer: list[list] = []
        self.started = False
        self.rows = 0  # data rows written
        self.filter_end = None  # last row under the autofilter (before notes)
        self._styles: dict = {}

    # cells ----------------------------------------------------------------------------------
    def cell(self, value, *, number_format=None, fill_color=None, bold=False, align=WRAP, font=None):
        """A styled write-only cell. Styles are resolved once per combination and then copied as
        a StyleArray: assigning openpyxl style objects per cell hashes them every time (~10x slower)."""
        key = (number_format, fill_color, bold, id(align), id(font))
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
            style = self._styles[key] = t._style
        c = WriteOnlyCell(self.ws, value=value)
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
                                     number_format=DATETIME_FORMAT, align=CENTER))
            elif isinstance(v, dt.date):
                out.append(self.cell(v, number_format=DATE_FORMAT, align=CENTER))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(self.cell(v, align=CENTER))
            else:
                out.append(self.cell(v))
        return out

    def _lean(self, v, i):
        """Big sheets: empty cells are left out, numbers and short text go unstyled (printed
        gridlines stand in for borders); only dates, fills and text that needs wrapping get a style.
        Per-cell styling is what costs most in openpyxl, so this keeps 10,000 tasks fast."""
        if v is None or v == "":
            return None
        if isinstance(v, (Cell, int, float)):
            return v
        if isinstance(v, dt.datetime):
            return self.cell(timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v,
                             number_format=DATETIME_FORMAT, align=CENTER)
        if isinstance(v, dt.date):
            return self.cell(v, number_format=DATE_FORMAT, align=CENTER)
        v = str(v)
        if 2 * len(v) + 2 > self.widths[i] or "\n" in v:
            return self.cell(v)
        return v

    # writing --------------------------------------------------------------------------------
    def add(self, row: list):
        if self.started:
            self._write(row)
        else:
            self.buffer.append(row)
            if len(self.buffer) >= SAMPLE_ROWS:
                self._start()

    def _write(self, row):
        self.ws.append(self._to_cells(row))
        self.rows += 1

    def _start(self):
        ws = self.ws
        ncol = len(self.columns)
        for i, (header, cap) in enumerate(self.columns, start=1):
            sample = [text_width(r[i - 1].value if isinstance(r[i - 1], Cell) else r[i - 1]) for r in self.buffer]
            width = cap if self.fixed else max([text_width(header), *sample]) + 2
            self.widths[i - 1] = max(6, min(width, cap, MAX_WIDTH))
            ws.column_dimensions[get_column_letter(i)].width = self.widths[i - 1]
        ws.freeze_panes = "A3"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = self.lean
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_title_rows = "1:2"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.append([self.cell(self.caption, font=TITLE_FONT, align=Alignment(horizontal="left", vertical="center"))])
        ws.merged_cells.add(f"A1:{get_column_letter(ncol)}1")
        ws.row_dimensions[1].height = 28
        ws.append([self.cell(h, bold=True, fill_color=HEADER_COLOR, align=CENTER) for h, _ in self.columns])
        self.started = True
        for row in self.buffer:
            self._write(row)
        self.buffer = []

    def add_wide(self, text: str, height: float, label: str | None = None):
        """A wrapped text row merged across all columns (or all but the first, which holds `label`).

        Written at once (it flushes the width sample), since a row's height must be known
        before the row is streamed. A note row after the data is left out of the autofilter.
        """
        if not self.started:
            self._start()
        row = self.rows + 3  # title + header + rows written so far + this one
        if self.filter_end is None and label is None:
            self.filter_end = row - 1
        self.ws.row_dimensions[row].height = height
        first = "A" if label is None else "B"
        self.ws.merged_cells.add(f"{first}{row}:{get_column_letter(len(self.columns))}{row}")
        cells = [self.cell(text, align=WRAP), *[self.cell(None) for _ in range(len(self.columns) - 1)]]
        if label is not None:
            cells = [self.cell(label, bold=True), *cells[:-1]]
        self._write(cells)

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


def _task_rows(qs, fields):
    """Task dicts from `qs.values(*fields)` with lead/co/leaders added, chunk by chunk."""
    for chunk in _chunks(qs.values(*fields).iterator(chunk_size=CHUNK), CHUNK):
        ids = [r["id"] for r in chunk]
        lead, co, leaders = _task_people(ids)
        latest = stats.latest_progress_for(ids)
        for r in chunk:
            r["latest_progress"] = latest.get(r["id"], "")
            r["lead"] = "、".join(lead.get(r["id"], ()))
            r["co"] = "、".join(co.get(r["id"], ()))
            r["leaders"] = "、".join(leaders.get(r["id"], ()))
            yield r


def _light_cell(sheet: SheetWriter, light: str):
    return sheet.cell(LIGHT_LABELS.get(light, light), fill_color=LIGHT_FILLS.get(light), align=CENTER)


def _pct_cell(sheet, v):
    if v is None:
        return sheet.cell("—", align=CENTER)
    return sheet.cell(v / 100.0, number_format="0.0%", align=CENTER)


# sheets ---------------------------------------------------------------------------------------
def _sheet_summary(wb, on, t, title):
    s = SheetWriter(wb, "总体情况", f"{title}（统计截至{on:%Y年%m月%d日}）", [("项目", 28), ("数量", 12), ("占比", 12), ("说明", 52)],
                    fixed=True)
    total = t["total"] or 0

    def share(n):
        return _pct_cell(s, 100.0 * n / total if total else None)

    s.add(["统计期间", s.cell(t["period_start"], number_format=DATE_FORMAT, align=CENTER),
           s.cell(t["period_end"], number_format=DATE_FORMAT, align=CENTER), "本期为统计截至日及其前6天（共7天）"])
    paragraph = stats.summary_paragraph(t)
    # the ready-to-paste paragraph, right under the period: label in A, text merged over B:D
    s.add_wide(paragraph, height=15 * (text_width(paragraph) // 72 + 1) + 6, label="通报摘要（可直接粘贴）")
    s.add(["督办事项总数", total, share(total), "不含已撤销事项"])
    s.add(["已办结（销号）", t["closed"], share(t["closed"]), ""])
    s.add(["　其中：按时办结", t["closed_on_time"], share(t["closed_on_time"]), ""])
    s.add(["　　　　逾期办结", t["closed_late"], share(t["closed_late"]), ""])
    s.add(["在办事项", t["open"], share(t["open"]), "已交办、推进中、申请办结"])
    s.add(["　其中：正常推进（绿灯）", t["on_track"], share(t["on_track"]), ""])
    s.add(["　　　　临期（黄灯）", t["due_soon"], share(t["due_soon"]), f"距完成时限不足{office_settings().warning_days}天"])
    s.add(["　　　　滞后（黄灯）", t["lagging"], share(t["lagging"]), "实际进度落后时序进度超过容差"])
    s.add(["　　　　逾期未办结（红灯）", t["overdue"], share(t["overdue"]), ""])
    s.add(["　　　　待明确时限", t["no_deadline"], share(t["no_deadline"]), "须由督查室设置具体日期"])
    s.add(["挂牌督办（在办）", t["flagged"], share(t["flagged"]), ""])
    s.add(["按时办结率", "", _pct_cell(s, t["on_time_rate"]), "按时办结数 ÷（已办结数 + 逾期未办结数）"])
    s.add(["办结率", "", _pct_cell(s, t["completion_rate"]), "已办结数 ÷ 督办事项总数"])
    s.add(["本周新交办", t["new_in_period"], "", ""])
    s.add(["本周办结销号", t["closed_in_period"], "", ""])
    s.add(["已撤销", t["cancelled"], "", "不计入以上统计"])
    for code, n in t["by_status"].items():
        s.add([f"状态：{STATUS_LABELS[code]}", n, "", ""])
    for code, n in t["by_light"].items():
        s.add([s.cell(f"灯号：{LIGHT_LABELS[code]}", fill_color=LIGHT_FILLS.get(code)), n, "", ""])
    s.close()
    return paragraph


RANKING_NOTE = "说明：按牵头（主办）单位统计，配合（协办）单位不计入；已撤销事项不计入。"


def _sheet_ranking(wb, on, ranking):
    cols = [("排名", 8), ("责任单位", 30), ("牵头事项", 10), ("已办结", 10), ("按时办结", 10), ("逾期未办结", 12),
            ("滞后", 8), ("办结率", 10), ("按时办结率", 12), ("平均评定分", 12), ("综合得分", 10), ("备注", 16)]
    s = SheetWriter(wb, "单位排名", f"责任单位督办事项完成情况排名（统计截至{on:%Y年%m月%d日}）", cols)
    for r in ranking:
        color = BEST_FILL if r["best"] else WORST_FILL if r["worst"] else None
        note = "排名第一" if r["best"] else "排名末位" if r["worst"] else ("暂无可排名数据" if r["rank"] is None else "")

        def c(v, fmt=None):
            return s.cell(v, fill_color=color, align=CENTER, number_format=fmt)

        pct = lambda v: c("—") if v is None else c(v / 100.0, "0.0%")  # noqa: E731
        s.add([c(r["rank"] if r["rank"] is not None else "—"), s.cell(r["unit"], fill_color=color), c(r["tasks"]), c(r["closed"]),
               c(r["on_time"]), c(r["overdue"]), c(r["lagging"]), pct(r["completion_rate"]), pct(r["on_time_rate"]),
               c("—" if r["grade_avg"] is None else r["grade_avg"]), c("—" if r["score"] is None else r["score"]), c(note)])
    s.add_wide(RANKING_NOTE + stats.SCORE_RULE, height=45)
    s.close()


DETAIL_FIELDS = ("id", "code", "title", "meeting__title", "meeting__date", "deadline_text", "deadline", "status",
                 "light", "progress", "schedule_percent", "days_overdue", "flagged")


def _sheet_detail(wb, on):
    cols = [("序号", 6), ("编号", 14), ("事项名称", 32), ("会议", 18), ("会议日期", 12), ("牵头单位", 16), ("配合单位", 16),
            ("责任领导", 12), ("时限要求", 12), ("完成时限", 12), ("状态", 16), ("灯号", 10), ("进度", 8), ("时序进度", 10),
            ("最新进展", 36), ("逾期天数", 10), ("挂牌督办", 10)]
    s = SheetWriter(wb, "事项明细", f"督办事项明细（在办及本期办结，统计截至{on:%Y年%m月%d日}）", cols, lean=True)
    n = 0
    for n, r in enumerate(_task_rows(stats.detail_tasks(on), DETAIL_FIELDS), start=1):
        s.add([n, r["code"], r["title"], r["meeting__title"] or "", r["meeting__date"], r["lead"], r["co"], r["leaders"],
               r["deadline_text"], r["deadline"], STATUS_LABELS.get(r["status"], r["status"]), _light_cell(s, r["light"]),
               _pct_cell(s, r["progress"]), _pct_cell(s, r["schedule_percent"]), r["latest_progress"] or "",
               r["days_overdue"] or 0, "是" if r["flagged"] else ""])
    s.close()
    return n


OVERDUE_FIELDS = ("id", "code", "title", "deadline", "days_overdue", "progress", "flagged")


def _sheet_overdue(wb, on):
    cols = [("序号", 6), ("编号", 14), ("事项名称", 36), ("牵头单位", 18), ("配合单位", 18), ("责任领导", 12),
            ("完成时限", 12), ("逾期天数", 10), ("进度", 8), ("最新进展", 44), ("挂牌督办", 10)]
    s = SheetWriter(wb, "逾期事项", f"逾期未办结事项（按逾期天数排序，统计截至{on:%Y年%m月%d日}）", cols, lean=True)
    n = 0
    for n, r in enumerate(_task_rows(stats.overdue_tasks(on), OVERDUE_FIELDS), start=1):
        s.add([n, r["code"], r["title"], r["lead"], r["co"], r["leaders"], r["deadline"],
               s.cell(r["days_overdue"], fill_color=LIGHT_FILLS["red"], align=CENTER), _pct_cell(s, r["progress"]),
               r["latest_progress"] or "", "是" if r["flagged"] else ""])
    s.close()
    return n


def _sheet_progress(wb, on):
    start, end = stats.report_period(on)
    cols = [("序号", 6), ("报送时间", 17), ("编号", 14), ("事项名称", 40), ("报送单位", 20), ("进度", 8), ("进展情况", 60),
            ("报送周期", 10), ("报送人", 12)]
    s = SheetWriter(wb, "本周进展", f"本周进展报送（{start:%m月%d日}至{end:%m月%d日}）", cols, lean=True)
    qs = stats.week_progress(on).values("created_at", "task__code", "task__title", "unit__name", "unit__short_name",
                                         "percent", "text", "period", "author__username", "author__person__name")
    n = 0
    for n, r in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        s.add([n, r["created_at"], r["task__code"], r["task__title"], r["unit__short_name"] or r["unit__name"],
               _pct_cell(s, r["percent"]), r["text"], r["period"], r["author__person__name"] or r["author__username"] or ""])
    s.close()
    return n


def write_report(target, on: dt.date, title: str = "督查通报") -> dict:
    """Write the workbook to `target` (path or binary file object); return a small summary."""
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "督查督办系统"
    t = stats.totals(on)
    paragraph = _sheet_summary(wb, on, t, title)
    ranking = stats.unit_ranking(on)
    _sheet_ranking(wb, on, ranking)
    detail = _sheet_detail(wb, on)
    overdue = _sheet_overdue(wb, on)
    progress = _sheet_progress(wb, on)
    wb.save(target)
    return {"totals": t, "paragraph": paragraph, "units": len(ranking), "detail_rows": detail,
            "overdue_rows": overdue, "progress_rows": progress, "task_count": t["total"]}


"""The printable 督办通知单 / 领导批示件交办单 of one task (.docx, python-docx), in the usual 公文
layout: A4 with the GB/T 9704 margins, a red 发文机关标志 and rule, the title in 小标宋 二号, the
body in 仿宋 三号, 编号, a table of 事项 / 来源 / 责任领导 / 主办 / 协办 / 办理时限 / 工作要求, the
办理要求, and the 督查室 落款 with the 交办 date. Page, fonts, rule and date come from
tasks/reports/gongwen.py, the 公文 helpers the 督查通报 uses too.
"""
from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from tasks.models import Assignment, Task
from tasks.selectors.lights import office_settings
from tasks.reports.gongwen import (
    BODY_FONT as FANGSONG, HEADING1_FONT as HEITI, RED, SIZE_2 as ER_HAO, SIZE_3 as SAN_HAO, SIZE_4 as SI_HAO,
    TITLE_FONT as XIAOBIAOSONG, add_red_rule, chinese_date, set_run_font, setup_page,
)

REQUIREMENTS = (
    "一、请责任单位收到本通知后1个工作日内在督查督办平台签收，并明确具体承办人员。",
    "二、请主办单位牵头抓总，协办单位积极配合，按工作要求抓好落实，及时报送工作进展。",
    "三、确需延期的，请于办理时限届满前提出延期申请，说明理由；未经同意逾期未办结的，将按规定通报。",
    "四、办结后请提交办结报告及佐证材料，经督查室审核后销号。",
)


def _para(doc_or_cell, text="", *, font=FANGSONG, size=SAN_HAO, bold=False, align=None, color=None, indent=False,
          space_after=0, line=28):
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    fmt.line_spacing = Pt(line)
    if indent:
        fmt.first_line_indent = size * 2  # 首行缩进两字
    if text:
        set_run_font(p.add_run(text), font, size, bold, color)
    return p


def _cell(cell, text, *, bold=False, font=FANGSONG, align=None):
    cell.text = ""
    p = cell.paragraphs[0]
    if align is not None:
        p.alignment = align
    p.paragraph_format.line_spacing = Pt(22)
    for i, line in enumerate((text or "—").split("\n")):
        if i:
            p = cell.add_paragraph()
            p.paragraph_format.line_spacing = Pt(22)
        set_run_font(p.add_run(line), font, SI_HAO, bold)


def notice_title(task: Task) -> str:
    return "领导批示件交办单" if task.source == Task.Source.INSTRUCTION else "督办通知单"


def notice_filename(task: Task) -> str:
    return f"{notice_title(task)}-{task.code}.docx"


def deadline_line(task: Task) -> str:
    if task.deadline:
        line = chinese_date(task.deadline) + "前"
        if task.deadline_text:
            line += f"（{task.deadline_text}）"
        return line
    return task.deadline_text or task.get_deadline_kind_display()


def build_notice(task: Task) -> bytes:
    """The .docx bytes of the task's 督办通知单 (or 交办单 for a 领导批示件)."""
    assignments = list(Assignment.objects.filter(task=task).select_related("unit").order_by("role", "unit__sort_order", "unit_id"))
    leads = "、".join(a.unit.name for a in assignments if a.role == Assignment.Role.LEAD)
    cos = "、".join(a.unit.name for a in assignments if a.role == Assignment.Role.CO)
    leaders = "、".join(str(p) for p in task.leaders.all())
    office = office_settings().report_issuer  # the same 落款 as the 督查通报 (督查室设置)
    assigned = timezone.localtime(task.assigned_at).date() if task.assigned_at else timezone.localdate()

    doc = Document()
    setup_page(doc.sections[0])
    doc.core_properties.title = f"{notice_title(task)} {task.code}"
    doc.core_properties.author = office

    head = _para(doc, office, font=XIAOBIAOSONG, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, space_after=6)
    add_red_rule(head)
    _para(doc, notice_title(task), font=XIAOBIAOSONG, size=ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
    year = assigned.year
    number = task.code.rsplit("-", 1)[-1].lstrip("0") or "0"
    _para(doc, f"督办〔{year}〕{number}号", font=FANGSONG, size=SAN_HAO, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=4)

    rows = [
        ("编　　号", task.code),
        ("事　　项", task.title),
        ("来　　源", task.get_source_display() + (f"（{task.meeting.title}）" if task.meeting_id else "")),
        ("缓急程度", task.get_urgency_display()),
        ("责任领导", leaders or "—"),
        ("主办单位", leads or "—"),
        ("协办单位", cos or "—"),
        ("办理时限", deadline_line(task)),
        ("工作要求", task.requirement or "—"),
    ]
    if task.target:
        rows.insert(8, ("目标任务", task.target))
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Cm(3.2), Cm(12.4))  # 15.6 cm: the 版心 width of GB/T 9704
    for col, w in zip(table.columns, widths):
        col.width = w
    for i, (label, value) in enumerate(rows):
        _cell(table.cell(i, 0), label, bold=True, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(table.cell(i, 1), value)
        for j, w in enumerate(widths):
            table.cell(i, j).width = w

    _para(doc, "办理要求：", font=HEITI, size=SAN_HAO).paragraph_format.space_before = Pt(6)
    for item in REQUIREMENTS:
        _para(doc, item, size=SI_HAO, line=24, indent=True)
    sign = _para(doc, office, align=WD_ALIGN_PARAGRAPH.RIGHT, line=24)
    sign.paragraph_format.space_before = Pt(4)
    sign.paragraph_format.keep_with_next = True  # 落款 and date stay together
    sign.paragraph_format.right_indent = Pt(32)
    dated = _para(doc, chinese_date(assigned), align=WD_ALIGN_PARAGRAPH.RIGHT, line=24)
    dated.paragraph_format.right_indent = Pt(32)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

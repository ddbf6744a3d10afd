"""公文 layout helpers (python-docx), shared by every document the office prints: the 督查通报
(tasks/reports/bulletin.py) and, later, the 交办单 and others.

The layout follows GB/T 9704-2012 《党政机关公文格式》 where a .docx can:
- A4 paper, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm);
- 标题 2号 (22 pt) 小标宋, centred; 正文 3号 (16 pt) 仿宋, fixed line spacing 28 pt (22 lines a page),
  first-line indent of two characters; 一级标题 3号 黑体 (一、), 二级标题 3号 楷体 (（一）);
- 落款 (issuing office) and 成文日期 right-aligned under the body, the date in 年月日 (Arabic
  numerals, as the 2012 standard prescribes; `chinese_date(d, numerals="hanzi")` gives 二〇二四年六月五日);
- page numbers 4号 (14 pt) 宋体 "— 1 —" at the foot of each page.

Font names are the ones offices have installed (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); a
machine without them substitutes its own CJK font, the layout stays. The East-Asian font of every run
is set explicitly (python-docx's `font.name` only sets the Latin one).
"""
from __future__ import annotations

import datetime as dt

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TABLE_FONT = "仿宋_GB2312"

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_5 = Pt(10.5)  # 五号
LINE = Pt(28)
RED = RGBColor(0xC0, 0x00, 0x00)

HANZI_DIGITS = "〇一二三四五六七八九"


def chinese_date(d: dt.date, numerals: str = "arabic") -> str:
    """2024年6月5日 (GB/T 9704-2012), or with numerals="hanzi" 二〇二四年六月五日."""
    if numerals != "hanzi":
        return f"{d.year}年{d.month}月{d.day}日"

    def small(n: int) -> str:  # 1..31
        if n < 10:
            return HANZI_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else HANZI_DIGITS[tens]) + "十" + (HANZI_DIGITS[ones] if ones else "")

    year = "".join(HANZI_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{small(d.month)}月{small(d.day)}日"


def set_east_asian_font(rpr, family: str) -> None:
    """Every script's font of a run or style property element (python-docx's `font.name` sets only
    the Latin one, and a Chinese document would fall back to the default CJK font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)


def set_run_font(run, family: str, size=SIZE_3, bold: bool = False, color: RGBColor | None = None):
    """Font, size, weight and colour of a run, East-Asian font included."""
    set_east_asian_font(run._element.get_or_add_rPr(), family)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def setup_page(section, landscape: bool = False) -> None:
    """A4 with the 公文 margins (landscape: the same margins turned with the page)."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)


def new_document(title: str = "") -> Document:
    """An empty 公文: A4 page set-up, 仿宋 3号 body style with 28 pt lines, page numbers."""
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = "督查督办系统"
    normal = doc.styles["Normal"]
    normal.font.size = SIZE_3
    set_east_asian_font(normal.element.get_or_add_rPr(), BODY_FONT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    section = doc.sections[0]
    setup_page(section)
    add_page_number(section)
    return doc


def new_section(doc, landscape: bool = False):
    """A new section on a new page (e.g. a landscape 附件 table), with page numbers."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_page(section, landscape=landscape)
    return section


def _field(run, instr: str) -> None:
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)


def add_page_number(section) -> None:
    """"— N —" centred in the footer, 4号 宋体."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.text = ""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    _field(set_run_font(p.add_run(), PAGE_NUMBER_FONT, SIZE_4), "PAGE")
    set_run_font(p.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def _para(doc_or_cell, align=None, indent: bool = False, line=LINE, space_before=0, space_after=0):
    p = doc_or_cell.add_paragraph()
    pf = p.paragraph_format
    if align is not None:
        p.alignment = align
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.space_before, pf.space_after = Pt(space_before), Pt(space_after)
    pf.first_line_indent = Pt(32) if indent else None
    return p


def add_masthead(doc, name: str, issue: str, issuer: str, date: dt.date) -> None:
    """版头 of an internal 通报/简报: the red name, 期号, issuer and date, and the red rule."""
    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(60), space_before=12)
    set_run_font(p.add_run(name), TITLE_FONT, Pt(42), bold=False, color=RED)
    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, space_before=6)
    set_run_font(p.add_run(issue), BODY_FONT, SIZE_3)
    p = _para(doc, space_before=6)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right tab at the text edge
    set_run_font(p.add_run(f"{issuer}\t{chinese_date(date)}"), BODY_FONT, SIZE_3)
    add_red_rule(p)


def add_red_rule(paragraph) -> None:
    """A red rule under `paragraph` (版头 separator)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def add_title(doc, text: str) -> None:
    """标题: 2号 小标宋, centred, a blank line above and below."""
    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36), space_before=24, space_after=20)
    set_run_font(p.add_run(text), TITLE_FONT, SIZE_2)


def add_salutation(doc, text: str) -> None:
    """主送机关: flush left, followed by a full-width colon in the text itself."""
    p = _para(doc)
    set_run_font(p.add_run(text), BODY_FONT, SIZE_3)


def add_heading1(doc, text: str) -> None:
    """一级标题 (一、…): 3号 黑体, indented two characters like the body."""
    p = _para(doc, indent=True)
    set_run_font(p.add_run(text), HEADING1_FONT, SIZE_3)


def add_heading2(doc, text: str) -> None:
    """二级标题 (（一）…): 3号 楷体."""
    p = _para(doc, indent=True)
    set_run_font(p.add_run(text), HEADING2_FONT, SIZE_3)


def add_body(doc, text: str, lead: str = "", indent: bool = True, size=SIZE_3, keep_with_next: bool = False):
    """正文 paragraph: 3号 仿宋, first line indented two characters; `lead` is a 楷体 run-in heading.
    A smaller `size` (notes under a table) gets proportionally tighter lines."""
    line = LINE if size == SIZE_3 else Pt(size.pt * 1.6)
    p = _para(doc, indent=indent, line=line)
    if not indent or size != SIZE_3:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2) if indent else None
    p.paragraph_format.keep_with_next = keep_with_next or None
    if lead:
        set_run_font(p.add_run(lead), HEADING2_FONT, size)
    set_run_font(p.add_run(text), BODY_FONT, size)
    return p


def add_attachment_list(doc, names: list[str]) -> None:
    """附件说明 under the body: "附件：1．…" with the following items aligned under the first. Kept on
    the page of the 落款 that follows, so the 落款 never stands alone on a page."""
    for i, name in enumerate(names, start=1):
        p = _para(doc, indent=True, space_before=16 if i == 1 else 0)
        p.paragraph_format.keep_with_next = True
        label = "附件：" if i == 1 else "　　　"
        set_run_font(p.add_run(f"{label}{i}．{name}" if len(names) > 1 else f"附件：{name}"), BODY_FONT, SIZE_3)


def _chars(text: str) -> float:
    """Width in full-width characters (digits and Latin letters count as half)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def add_signature(doc, issuer: str, date: dt.date, numerals: str = "arabic") -> None:
    """落款: 成文日期 right-aligned four characters from the edge, the issuing office centred above
    it (GB/T 9704-2012 7.3.5.2); kept together and with the paragraph before."""
    when = chinese_date(date, numerals)
    shift = max(0.0, (_chars(when) - _chars(issuer)) / 2)
    p = _para(doc, WD_ALIGN_PARAGRAPH.RIGHT, space_before=32)
    p.paragraph_format.right_indent = Pt(16 * (4 + shift))
    p.paragraph_format.keep_with_next = True
    set_run_font(p.add_run(issuer), BODY_FONT, SIZE_3)
    p = _para(doc, WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(16 * 4)
    set_run_font(p.add_run(when), BODY_FONT, SIZE_3)


def add_attachment_heading(doc, label: str, title: str) -> None:
    """附件 page: "附件1" in 黑体 at the top left, then its title centred in 小标宋."""
    p = _para(doc)
    set_run_font(p.add_run(label), HEADING1_FONT, SIZE_3)
    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, line=Pt(32), space_before=6, space_after=10)
    set_run_font(p.add_run(title), TITLE_FONT, Pt(18))


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table_styles(doc, size) -> dict[tuple[bool, str], str]:
    """Paragraph styles for table cells (五号仿宋, exact lines, no indent), one per (bold, alignment),
    created once per document: a cell then only names its style, where formatting every run and
    paragraph through python-docx costs about a millisecond a cell."""
    from docx.enum.style import WD_STYLE_TYPE

    out = {}
    for bold in (False, True):
        for align, jc in (("c", WD_ALIGN_PARAGRAPH.CENTER), ("l", WD_ALIGN_PARAGRAPH.LEFT)):
            name = f"通报表格{'标题' if bold else ''}{'居中' if align == 'c' else '左对齐'}{size.pt:g}"
            try:
                style = doc.styles[name]
            except KeyError:
                style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                style.base_style = doc.styles["Normal"]
                set_east_asian_font(style.element.get_or_add_rPr(), TABLE_FONT)
                style.font.size = size
                style.font.bold = bold
                pf = style.paragraph_format
                pf.alignment = jc
                pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                pf.line_spacing = Pt(size.pt * 1.45)
                pf.first_line_indent = Pt(0)
                pf.space_before = pf.space_after = Pt(0)
            out[(bold, align)] = style.style_id
    return out


def add_table(doc, headers: list[str], rows, widths_mm: list[float] | None = None, size=SIZE_5,
              align: list[str] | None = None):
    """A bordered table, 五号 仿宋, header row bold and repeated on every page; `align` per column:
    "c" centre, "l" left (default: numbers centred, text left). Rows are lists of text/numbers.

    The table is created with all its rows at once and each cell gets one run in a named paragraph
    style (see _table_styles): python-docx's add_row/cells/run-font path is quadratic-ish and
    costs ~2 s for a 300-row table, this ~0.1 s."""
    from docx.text.paragraph import Paragraph

    rows = [list(r) for r in rows]
    table = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    styles = _table_styles(doc, size)
    trs = table._tbl.tr_lst
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trs[0].get_or_add_trPr().append(repeat)
    twips = [str(int(Mm(w).twips)) for w in widths_mm] if widths_mm else None
    if widths_mm:  # the grid (LibreOffice reads it) and every cell's width (Word reads those)
        for i, w in enumerate(widths_mm):
            table.columns[i].width = Mm(w)
    for r_i, tr in enumerate(trs):
        values = headers if r_i == 0 else rows[r_i - 1]
        for c_i, tc in enumerate(tr.tc_lst):
            v = values[c_i] if c_i < len(values) else ""
            a = "c" if r_i == 0 else (align[c_i] if align else ("c" if isinstance(v, (int, float)) else "l"))
            p = tc.p_lst[0]
            p.style = styles[(r_i == 0, a)]
            Paragraph(p, table).add_run("" if v is None else str(v))
            if twips:
                tcw = tc.tcPr.find(qn("w:tcW")) if tc.tcPr is not None else None
                if tcw is not None:
                    tcw.set(qn("w:w"), twips[c_i])
                    tcw.set(qn("w:type"), "dxa")
    return table

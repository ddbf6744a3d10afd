"""Fixtures of the reports area: a small directory and tasks in every light, built with the ORM.

The reference day is fixed (a Wednesday) so lights and periods are predictable; the report is
generated "as of" that day, which is in the past, so nothing depends on the real clock.
"""
import datetime as dt
from itertools import count

import pytest
from django.utils import timezone

from accounts.models import Person, Role, Unit, UnitAlias
from tasks.models import Assignment, Meeting, OfficeSettings, ProgressReport, Task

ON = dt.date(2024, 6, 5)  # Wednesday, ISO week 23
_seq = count(1)


def aware(d: dt.date, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time(hour, 0)))


@pytest.fixture
def units(db):
    names = [("县发展和改革局", "县发改局", ["发改局", "发改"]), ("县财政局", "财政局", ["财政"]),
             ("县统计局", "统计局", []), ("县住房和城乡建设局", "县住建局", ["住建局"]), ("县交通运输局", "交通局", [])]
    out = {}
    for i, (name, short, aliases) in enumerate(names, start=1):
        u = Unit.objects.create(name=name, short_name=short, sort_order=i)
        for a in aliases:
            UnitAlias.objects.create(unit=u, alias=a)
        out[short] = u
    return out


@pytest.fixture
def make_task(db):
    def make(title, *, lead, co=(), deadline=None, start=dt.date(2024, 5, 1), status=Task.Status.IN_PROGRESS,
             progress=0, closed_on=None, grade="", assigned=None, leaders=(), meeting=None, deadline_text="", flagged=False):
        n = next(_seq)
        t = Task.objects.create(
            code=f"DB-2024-{n:04d}", title=title, deadline=deadline, deadline_text=deadline_text, status=status,
            progress=progress, assigned_at=aware(assigned or start), start_date=start,
            closed_at=aware(closed_on) if closed_on else None, grade=grade, meeting=meeting, flagged=flagged,
            source=Task.Source.MANUAL,
        )
        for u in (lead if isinstance(lead, (list, tuple)) else [lead]):
            Assignment.objects.create(task=t, unit=u, role=Assignment.Role.LEAD)
        for u in co:
            Assignment.objects.create(task=t, unit=u, role=Assignment.Role.CO)
        if leaders:
            t.leaders.set(leaders)
        return t
    return make


@pytest.fixture
def scenario(units, make_task):
    """Tasks in every state, as of ON (warning_days 3, tolerance 20):

    发改局: closed on time (优秀), closed on time (良好), green           → best
    财政局: overdue 10 days, overdue 2 days, closed late (合格)            → worst
    统计局: lagging (yellow), due soon (yellow)
    住建局: no deadline, closed on time this week (良好), cancelled
    交通局: nothing as lead (co on one)
    """
    OfficeSettings.objects.get_or_create(pk=1)
    leader = Person.objects.create(name="张三", title="副县长", role=Role.LEADER, is_leader=True)
    meeting = Meeting.objects.create(title="县委常委会第12次会议", date=dt.date(2024, 4, 28))
    fg, cz, tj, zj, jt = (units[k] for k in ("县发改局", "财政局", "统计局", "县住建局", "交通局"))
    t = {}
    t["closed1"] = make_task("推进重点项目开工", lead=fg, deadline=dt.date(2024, 5, 31), status=Task.Status.CLOSED,
                             progress=100, closed_on=dt.date(2024, 5, 20), grade="excellent", meeting=meeting, leaders=[leader])
    t["closed2"] = make_task("完成项目储备库建设", lead=fg, co=[tj], deadline=dt.date(2024, 5, 25), status=Task.Status.CLOSED,
                             progress=100, closed_on=dt.date(2024, 5, 25), grade="good")
    t["green"] = make_task("编制十五五规划纲要", lead=fg, co=[jt], deadline=dt.date(2024, 12, 31), progress=30,
                           deadline_text="年底前", meeting=meeting, leaders=[leader])
    t["over10"] = make_task("清理拖欠企业账款", lead=cz, deadline=dt.date(2024, 5, 26), progress=50, flagged=True,
                            deadline_text="5月底前")
    t["over2"] = make_task("盘活闲置国有资产", lead=cz, co=[fg], deadline=dt.date(2024, 6, 3), progress=80)
    t["late"] = make_task("完成预算绩效评价", lead=cz, deadline=dt.date(2024, 5, 15), status=Task.Status.CLOSED,
                          progress=100, closed_on=dt.date(2024, 5, 22), grade="pass")
    t["lagging"] = make_task("统计数据质量核查", lead=tj, deadline=dt.date(2024, 7, 31), progress=0,
                             start=dt.date(2024, 4, 1))
    t["soon"] = make_task("报送一季度统计公报", lead=tj, deadline=dt.date(2024, 6, 7), progress=90)
    t["nodl"] = make_task("供暖季前完成管网改造", lead=zj, deadline=None, deadline_text="供暖季前", progress=10)
    t["closed_week"] = make_task("老旧小区改造验收", lead=zj, deadline=dt.date(2024, 6, 30), status=Task.Status.CLOSED,
                                 progress=100, closed_on=dt.date(2024, 6, 4), grade="good", assigned=dt.date(2024, 6, 1),
                                 start=dt.date(2024, 6, 1))
    t["cancelled"] = make_task("已撤销的事项", lead=zj, deadline=dt.date(2024, 5, 1), status=Task.Status.CANCELLED)
    t["future"] = make_task("统计截至日之后交办", lead=fg, deadline=dt.date(2024, 8, 1), assigned=dt.date(2024, 6, 10),
                            start=dt.date(2024, 6, 10))
    # progress this week and before
    p_old = ProgressReport.objects.create(task=t["over10"], unit=cz, text="已清理三成", percent=30)
    ProgressReport.objects.filter(pk=p_old.pk).update(created_at=aware(dt.date(2024, 5, 10)))
    p_new = ProgressReport.objects.create(task=t["over10"], unit=cz, text="已清理五成，剩余款项正在协调", percent=50)
    ProgressReport.objects.filter(pk=p_new.pk).update(created_at=aware(dt.date(2024, 6, 3)))
    p2 = ProgressReport.objects.create(task=t["green"], unit=fg, text="完成初稿框架", percent=30)
    ProgressReport.objects.filter(pk=p2.pk).update(created_at=aware(dt.date(2024, 6, 5), hour=9))
    return t


@pytest.fixture
def staff_user(db):
    from accounts.services import create_login

    return create_login(username="duchashi", password="Dc-2024-secret!", name="李督查", role=Role.STAFF).user


def write_xlsx(path, rows, merges=(), sheet_title="台账"):
    """A normal (not write-only) workbook with the given rows and merged ranges."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def write_raw_xlsx(path, header, row_fn, n):
    """A minimal valid xlsx written directly (inline strings, with <dimension>), fast for 100k rows."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    def row_xml(r, values):
        cells = "".join(
            f'<c r="{get_column_letter(i)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' if isinstance(v, str)
            else f'<c r="{get_column_letter(i)}{r}"><v>{v}</v></c>'
            for i, v in enumerate(values, start=1) if v not in (None, ""))
        return f'<row r="{r}">{cells}</row>'

    ncol = get_column_letter(len(header))
    rows = [row_xml(1, header)] + [row_xml(i + 2, row_fn(i)) for i in range(n)]
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:{ncol}{n + 1}"/><sheetData>' + "".join(rows) + "</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                   f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path

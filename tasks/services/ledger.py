"""台账导入: an office's existing Excel ledger becomes tasks (source="ledger"), all or nothing.

`import_ledger(source, by=..., dry_run=..., year=..., allow_duplicates=..., include_hidden=...)`
reads the workbook (tasks.reports.ledger), resolves each row, and creates every task in one
transaction; on any row error nothing is written. Rules (docs/reports.md, “台账导入”):

- Rows that are not tasks are skipped and reported, never refused: section headings (“一、经济
  发展”, a row merged across), 合计/小计 rows, hidden rows (unless `include_hidden`), rows marked
  已撤销, and duplicates — of an earlier row of the file, or of an existing task (same code, or
  same title, lead unit and deadline) — unless `allow_duplicates`.
- A date without a year (“11月30日”, “6月底前”, “年底前”) takes its year from the row's 交办日期,
  else from `year` (--year / the admin's 台账年份), else from a year in the ledger's title or
  sheet name; never silently from today: with none of those the row is an error. Every inferred
  year is shown as a warning in the dry run.
- 长期/持续/常态化 → an ongoing task without a fixed deadline; “每月25日前” keeps its recurrence
  (monthly, first deadline the next 25th).
- A 状态/办结 column imports 已办结 rows as closed (办结日期 from its column when there is one),
  with the grade of a 办结评定 column; 挂牌督办, 会议/会议日期, 编号 are kept; a 完成进度 cell
  formatted as a percentage is read as one (100 % is 100, not 1).
- Units: full official names (县人民政府办公室, XX镇人民政府), notes in brackets (县财政局（局长 王某某））
  and 牵头/配合 markers are matched to the directory (name, short name, aliases).
- Leaders: every person of the directory named in the cell; their titles (县委常委、副县长) are
  recognised as titles, not as unknown people.

Writing is done in bulk (tasks with their history rows, assignments, leaders, 交办通知 notices and
the imported progress reports: a handful of INSERTs per 500 rows), the same rows
`tasks.services.workflow.create_task` would write, so a 2,000-row ledger imports in seconds.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Person, UnitKind
from accounts.selectors import is_supervisor, unit_directory_entries
from tasks.models import Assignment, DeadlineKind, Meeting, NamedEvent, Notice, ProgressReport, Recurrence, Task
from tasks.reports.ledger import COLUMN_LABELS, LedgerFormatError, cell_text, explicit_date, read_ledger

MAX_ROWS = 2000  # data rows per import; split bigger ledgers
SHOWN_ERRORS = 200
BATCH = 500
UNIT_SPLIT = re.compile(r"[、,，;；/|｜\n\r\t]+|\s+")
LEADER_SPLIT = re.compile(r"[、,，;；/|｜\n\r\t\s]+")
BRACKETS_RE = re.compile(r"[（(【\[〔][^（()）【】\[\]〔〕]*[）)】\]〕]")
PERCENT_RE = re.compile(r"(\d{1,3})(?:\.\d+)?\s*[%％]")
HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]|"
                        r"第[一二三四五六七八九十\d]+\s*[部分类项篇章板块]|[A-Z]\s*[、.．])")
TOTAL_RE = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|累\s*计|共\s*计)")
ONGOING_RE = re.compile(r"长期|持续|常态化|经常性|久久为功|常抓不懈")
HAS_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*(?:年|[-/.])")
ROLE_MARK_RE = re.compile(r"(?:牵头|负责|主办|配合|协办|等单位|等部门|等)$")
CLOSED_WORDS = ("已办结", "办结", "已完成", "完成", "已销号", "销号", "是", "已办理", "办结销号")
OPEN_WORDS = ("推进中", "在办", "正在推进", "未完成", "未办结", "否", "进行中", "已交办", "交办", "申请办结", "已签收", "办理中",
              "持续推进", "序时推进", "正常推进", "滞后", "逾期", "未开始")
CANCELLED_WORDS = ("已撤销", "撤销", "取消", "已取消", "终止")
GRADE_WORDS = {**{g.label: g.value for g in Task.Grade}, **{g.value: g.value for g in Task.Grade}}
FLAG_WORDS = ("是", "挂牌", "挂牌督办", "√", "✓", "Y", "y", "1")
RECURRENCE_WORDS = {**{r.label: r.value for r in Recurrence}, **{r.value: r.value for r in Recurrence}}
TITLE_WORDS = ("常务副县长", "副县长", "县长", "书记", "副书记", "常委", "县委常委", "主任", "副主任", "部长", "副部长", "主席",
               "副主席", "秘书长", "局长", "副局长", "政委", "院长", "检察长", "委员", "同志", "县委", "县政府", "县人大", "县政协")


class LedgerError(Exception):
    """The ledger cannot be imported. `message`: Chinese summary; `result`: per-row details (if any)."""

    def __init__(self, message: str, result: LedgerResult | None = None):
        self.message = message
        self.result = result
        super().__init__(message)


@dataclass
class RowResult:
    row: int
    seq: str = ""
    title: str = ""
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    deadline_text: str = ""
    deadline_kind: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: str = ""  # why the row is not a task to import (heading, 合计, hidden, duplicate…)
    code: str = ""  # the task's code once created
    status: str = ""  # "closed" when the ledger says 已办结

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def state(self) -> str:
        if self.errors:
            return "错误"
        if self.skipped:
            return "跳过"
        return "已创建" if self.code else "可导入"


@dataclass
class LedgerResult:
    sheet: str = ""
    header_row: int = 0
    columns: dict = field(default_factory=dict)  # canonical → header text as written
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = True
    created: int = 0
    year: int | None = None  # the year dates without one were read in (None: from each row's 交办日期 or none)
    year_source: str = ""

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def error_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def importable(self) -> list[RowResult]:
        return [r for r in self.rows if not r.errors and not r.skipped]

    @property
    def skipped(self) -> list[RowResult]:
        return [r for r in self.rows if r.skipped and not r.errors]

    def skipped_summary(self) -> str:
        counts: dict[str, int] = {}
        for r in self.skipped:
            kind = r.skipped.split("：")[0].split("（")[0]
            counts[kind] = counts.get(kind, 0) + 1
        return "、".join(f"{k}{n}行" for k, n in counts.items())

    def error_messages(self, limit: int | None = SHOWN_ERRORS) -> list[str]:
        out = []
        for r in self.rows:
            for e in r.errors:
                if limit is not None and len(out) >= limit:
                    return out
                out.append(e)
        return out

    def summary(self) -> str:
        skipped = f"跳过{len(self.skipped)}行（{self.skipped_summary()}）" if self.skipped else ""
        if self.error_count:
            shown = min(self.error_count, SHOWN_ERRORS)
            more = f"（仅显示前{shown}条）" if self.error_count > shown else ""
            return (f"共{len(self.rows)}行，其中{self.error_rows}行有误，共{self.error_count}处错误{more}；"
                    "未导入任何事项。")
        if self.dry_run:
            return (f"预检通过：共{len(self.rows)}行，可导入{len(self.importable)}项"
                    + (f"，{skipped}" if skipped else "") + "。")
        return f"导入成功：共创建{self.created}个督办事项" + (f"，{skipped}" if skipped else "") + "。"


class Resolver:
    """Units, leaders, named events and the office's settings, loaded once per import."""

    def __init__(self):
        from tasks.extraction import Directory
        from tasks.selectors.lights import office_settings

        entries = unit_directory_entries()
        self.directory = Directory.from_entries(entries)
        # names that hold a separator themselves ("县委、县政府督查室"): matched before a cell is split
        self.joined_names = sorted({n for e in entries for n in (e["name"], e["short_name"] or "", *e["aliases"])
                                    if n and UNIT_SPLIT.search(n)}, key=len, reverse=True)
        self.units = {u.pk: u for u in _unit_model().objects.filter(active=True)}
        people: dict[str, list[Person]] = {}
        titles = set(TITLE_WORDS)
        for p in Person.objects.filter(active=True).order_by("id"):
            people.setdefault(p.name, []).append(p)
            if p.title:
                titles.update(t for t in re.split(r"[、,，\s]+", p.title) if t)
                titles.add(p.title)
        self.people = people
        self.names_longest_first = sorted((n for n in people if len(n) >= 2), key=len, reverse=True)
        self.titles = sorted(titles, key=len, reverse=True)
        self.events = dict(NamedEvent.objects.values_list("name", "date"))
        self.groups_with_members = set(
            _unit_model().objects.filter(active=True, parent__isnull=False).values_list("parent_id", flat=True)
        )
        self.settings = office_settings()
        self._unit_cache: dict[str, object] = {}

    def has_members(self, group) -> bool:
        return group.pk in self.groups_with_members

    def unit(self, name: str):
        if name not in self._unit_cache:
            self._unit_cache[name] = self._unit(name)
        return self._unit_cache[name]

    def _unit(self, name: str):
        name = BRACKETS_RE.sub("", name).strip()  # "县财政局（牵头）" → "县财政局"
        name = ROLE_MARK_RE.sub("", name).strip() or name  # "财政局牵头" → "财政局"
        forms = [name]
        if "人民政府" in name:
            forms.append(name.replace("人民政府", "政府"))  # 县人民政府办公室 → 县政府办公室
            if re.search(r"[镇乡]人民政府$", name) or name.endswith("街道办事处"):
                forms.append(re.sub(r"人民政府$", "", name))  # XX镇人民政府 → XX镇
        if name.endswith("街道办事处"):
            forms.append(name.removesuffix("办事处"))
        if name.startswith("中共"):
            forms.append(re.sub(r"^中共[\u4e00-\u9fff]{0,6}?县委", "县委", name))
        county = re.match(r"^[\u4e00-\u9fff]{1,6}?[县市区](?=[\u4e00-\u9fff]{2,})", name)
        if county and not name.startswith(("县委", "县政府", "县人")):
            forms.append(name[county.end():])  # 马关县都龙镇 → 都龙镇, 马关县财政局 → 财政局
            forms.append("县" + name[county.end():])
        candidates = []
        for f in forms:
            candidates.append(f)
            if f.endswith("办公室"):
                candidates.append(f.removesuffix("办公室") + "办")
            for prefix in ("县", "全县", "本县"):
                if f.startswith(prefix) and len(f) > len(prefix) + 1:
                    candidates.append(f[len(prefix):])
            candidates.append("县" + f)
        for c in candidates:
            hit = self.directory.lookup(c)
            if hit is not None and hit.id in self.units:
                return self.units[hit.id]
        return None

    def leaders(self, text: str) -> tuple[list[Person], list[str]]:
        """(people, problems) of a 责任领导 cell: every directory person named in it; what is left after
        taking out the names, their titles and separators must be empty, else it is an unknown name."""
        t = BRACKETS_RE.sub("", re.sub(r"\s+", "", text))
        found: list[Person] = []
        problems: list[str] = []
        rest = t
        for name in self.names_longest_first:
            if name in rest:
                people = self.people[name]
                if len(people) > 1:
                    problems.append(f"责任领导“{name}”在人员名录中有重名（{len(people)}人），请在系统中手工指定")
                elif people[0] not in found:
                    found.append(people[0])
                rest = rest.replace(name, "、")
        for title in self.titles:
            rest = rest.replace(title, "、")
        left = [x for x in LEADER_SPLIT.split(rest) if x and not re.fullmatch(r"[、，,。.同志及和与]+", x)]
        for x in left:
            problems.append(f"责任领导“{x}”不在人员名录中")
        return found, problems


def _unit_model():
    from accounts.models import Unit

    return Unit


def _split_units(text: str, joined_names=()) -> list[str]:
    """Unit names of a cell: bracketed notes first (they may hold spaces and 、), directory names that
    contain a separator ("县委、县政府督查室") kept whole, then the separators."""
    text = BRACKETS_RE.sub("", text)
    kept = []
    for name in joined_names:
        if name in text:
            kept.append(name)
            text = text.replace(name, "、")
    return kept + [p for p in (x.strip() for x in UNIT_SPLIT.split(text)) if p]


def _norm_title(title: str) -> str:
    return re.sub(r"[\s\u3000，。、；：,.;:（）()“”\"'‘’]+", "", title)


@dataclass
class Context:
    """What one import knows beyond a row: today, the year for dates without one, the last
    section heading (used as the category of the rows under it), flags."""
    today: dt.date
    now: dt.datetime
    year: int | None = None
    year_source: str = ""
    include_hidden: bool = False
    section: str = ""


def _is_heading(lr, title: str) -> str | None:
    """The heading text when the row is a section heading, a 合计 row or the like, else None."""
    v = lr.values
    texts = [cell_text(x) for k, x in v.items() if cell_text(x)]
    seq = cell_text(v.get("seq"))
    if TOTAL_RE.match(title) or TOTAL_RE.match(seq):
        return "合计"
    if len(texts) >= 2 and len(set(texts)) == 1:  # one text merged across the row
        return texts[0]
    has_units = cell_text(v.get("lead")) or cell_text(v.get("co"))
    if not has_units and not cell_text(v.get("deadline")) and not cell_text(v.get("deadline_text")):
        if HEADING_RE.match(title) or (seq and not re.fullmatch(r"\d+(?:\.\d+)?", seq) and not title):
            return title or seq
    return None


def _parse_percent(lr, r, ptxt, raw_p):
    if lr.percent_format and isinstance(raw_p, (int, float)) and 0 <= raw_p <= 1:
        return round(raw_p * 100)  # a percent cell: 1 is 100 %, 0.3 is 30 %
    if isinstance(raw_p, float) and 0 < raw_p < 1:
        return round(raw_p * 100)
    if isinstance(raw_p, (int, float)) and 0 <= raw_p <= 100:
        return round(raw_p)
    if (m := re.match(r"^(\d{1,3})(?:\.\d+)?\s*[%％]?$", ptxt)) and int(m.group(1)) <= 100:
        return int(m.group(1))
    r.errors.append(f"第{r.row}行：完成进度“{ptxt}”应为 0 到 100 的数字")
    return None


def _resolve_deadline(r, text: str, start: dt.date | None, ctx: Context, resolver: Resolver):
    """(deadline, kind, recurrence) from a 时限 text, with the year rules of the module docstring."""
    from tasks.extraction import resolve_deadline
    from tasks.extraction.deadline import find_recurrence

    recurrence = find_recurrence(text) or ""
    probe = resolve_deadline(text, start or ctx.today, resolver.events or None)
    if probe is None:
        if ONGOING_RE.search(text):
            r.warnings.append(f"时限“{text}”为长期/持续性工作，按无固定完成时限导入")
            return None, DeadlineKind.NONE, recurrence
        r.errors.append(f"第{r.row}行：完成时限“{text}”无法识别（可填写日期如 2024-06-30，或“6月底前”“年底前”“尽快”“长期坚持”等）")
        return None, DeadlineKind.DATE, recurrence
    if probe == "asap":
        r.warnings.append("时限为“尽快”，按督查室设置的默认天数确定日期")
        return None, DeadlineKind.ASAP, recurrence
    if probe in ("event", "unresolved"):
        r.warnings.append(f"时限“{text}”需督查室设置具体日期")
        return None, (DeadlineKind.EVENT if probe == "event" else DeadlineKind.UNRESOLVED), recurrence
    if HAS_YEAR_RE.search(text):
        return dt.date.fromisoformat(probe), DeadlineKind.DATE, recurrence
    if recurrence:  # "每月25日前": it repeats, so its first deadline is the next one from the start (or today)
        d = dt.date.fromisoformat(probe)
        r.warnings.append(f"周期性时限“{text}”：首个完成时限为{d:%Y-%m-%d}（{'交办日期' if start else '导入当天'}之后的第一个）")
        return d, DeadlineKind.DATE, recurrence
    # a date without a year: from the row's 交办日期, else the import's year, else none (never today)
    if start is not None:
        ref, source = start, f"交办日期{start:%Y-%m-%d}"
    elif ctx.year is not None:
        ref, source = dt.date(ctx.year, 1, 1), ctx.year_source
    else:
        r.errors.append(f"第{r.row}行：完成时限“{text}”没有写年份，台账中也没有交办日期或标题年份；"
                        "请填写交办日期列、在台账标题中写明年份（如“2024年重点工作台账”），或导入时指定年份")
        return None, DeadlineKind.DATE, recurrence
    d = dt.date.fromisoformat(resolve_deadline(text, ref, resolver.events or None))
    r.warnings.append(f"时限“{text}”按{d.year}年理解：{d:%Y-%m-%d}（年份依据：{source}）")
    return d, DeadlineKind.DATE, recurrence


def check_row(lr, resolver: Resolver, ctx: Context) -> tuple[RowResult, dict | None]:
    """Validate one ledger row; returns the result and what to create (None: skip or error)."""
    v = lr.values
    n = lr.row
    r = RowResult(row=n, seq=cell_text(v.get("seq")), title=cell_text(v.get("title")))
    err = r.errors.append
    if lr.hidden and not ctx.include_hidden:
        r.skipped = "隐藏行（Excel中被隐藏，未导入；如需导入请取消隐藏或勾选“导入隐藏行”）"
        return r, None
    heading = _is_heading(lr, r.title)
    if heading == "合计":
        r.skipped = "合计行"
        return r, None
    if heading is not None:
        r.skipped = f"分类标题行：{heading[:40]}"
        ctx.section = re.sub(r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|第.{1,4}[部分类项篇章板块])\s*",
                             "", heading)[:50]
        return r, None
    status_text = cell_text(v.get("status"))
    status = "open"
    if status_text:
        s = re.sub(r"[\s（(].*$", "", status_text)
        if s in CANCELLED_WORDS or any(w in status_text for w in ("撤销", "取消")):
            r.skipped = f"已撤销事项（状态“{status_text}”）"
            return r, None
        partly = re.search(r"\d\s*[%％]", status_text)  # "已完成80%": progress, still open
        if (s in CLOSED_WORDS or status_text.startswith(("已办结", "已完成", "已销号"))) and not partly:
            status = "closed"
        elif not (partly or s in OPEN_WORDS or any(w in status_text for w in OPEN_WORDS)):
            err(f"第{n}行：状态“{status_text}”无法识别（可填写 已办结、推进中 等）")
    r.status = status
    if not r.title:
        err(f"第{n}行：督办事项（事项名称）为空")
    elif len(r.title) > 300:
        err(f"第{n}行：事项名称超过300字（{len(r.title)}字）")
    pairs = []
    seen = set()
    for key, role in (("lead", Assignment.Role.LEAD), ("co", Assignment.Role.CO)):
        label = "责任单位" if key == "lead" else "配合单位"
        for name in _split_units(cell_text(v.get(key)), resolver.joined_names):
            unit = resolver.unit(name)
            if unit is None:
                err(f"第{n}行：{label}“{name}”不在单位名录中")
                continue
            if unit.kind == UnitKind.GROUP and not resolver.has_members(unit):
                err(f"第{n}行：{label}“{name}”下没有启用的成员单位，无法交办")
                continue
            if unit.pk in seen:
                continue
            (r.lead if role == Assignment.Role.LEAD else r.co).append(str(unit))
            seen.add(unit.pk)
            pairs.append((unit, role))
    if not r.lead and not any(e.startswith(f"第{n}行：责任单位") for e in r.errors):
        err(f"第{n}行：责任单位为空（每个事项至少要有一个牵头单位）")
    leaders, problems = resolver.leaders(cell_text(v.get("leader")))
    for p in problems:
        err(f"第{n}行：{p}")
    r.leaders = [str(p) for p in leaders]
    start_text = cell_text(v.get("start"))
    start = explicit_date(v.get("start")) if start_text else None
    if start_text and start is None:
        err(f"第{n}行：交办时间“{start_text}”不是有效日期（应写年份，如 2024-03-15）")
    raw = v.get("deadline")
    raw_text = cell_text(raw) if not isinstance(raw, (dt.date, dt.datetime)) else ""
    spoken_raw = v.get("deadline_text")
    spoken = cell_text(spoken_raw) if not isinstance(spoken_raw, (dt.date, dt.datetime)) else ""
    deadline, kind, recurrence = explicit_date(raw), DeadlineKind.DATE, ""
    if deadline is None and not raw_text:  # only a 时限要求 column: it may hold a date cell or a plain date
        deadline = explicit_date(spoken_raw)
    r.deadline_text = (spoken or raw_text)[:100]
    source_text = "" if deadline is not None else (raw_text or spoken)
    if deadline is not None:
        if spoken:
            from tasks.extraction.deadline import find_recurrence

            recurrence = find_recurrence(spoken) or ""
    elif source_text:
        deadline, kind, recurrence = _resolve_deadline(r, source_text, start, ctx, resolver)
    else:
        kind = DeadlineKind.UNRESOLVED
        r.warnings.append("未填写完成时限，导入后需督查室设置具体日期")
    rec_text = cell_text(v.get("recurrence"))
    if rec_text:
        if rec_text in RECURRENCE_WORDS:
            recurrence = RECURRENCE_WORDS[rec_text]
        else:
            err(f"第{n}行：周期“{rec_text}”无法识别（可填写 每日、每周、每旬、每月、每季度、每年）")
    if recurrence:
        r.warnings.append(f"周期性事项（{Recurrence(recurrence).label}），按周期报送进展")
    if kind == DeadlineKind.ASAP:
        deadline = (start or ctx.today) + dt.timedelta(days=resolver.settings.asap_days)
    r.deadline, r.deadline_kind = deadline, kind
    # an existing ledger holds tasks assigned long ago: the start is never after the deadline
    start_date = start or (min(ctx.today, deadline) if deadline else ctx.today)
    if deadline is not None and deadline < start_date:
        err(f"第{n}行：完成时限（{deadline:%Y-%m-%d}）早于交办时间（{start_date:%Y-%m-%d}）")
    percent = None
    raw_p, ptxt = v.get("percent"), cell_text(v.get("percent"))
    if ptxt:
        percent = _parse_percent(lr, r, ptxt, raw_p)
    progress = cell_text(v.get("progress"))
    if percent is None and progress:
        m = PERCENT_RE.search(progress)
        percent = int(m.group(1)) if m and int(m.group(1)) <= 100 else 0
    closed_on = None
    grade = ""
    grade_text = cell_text(v.get("grade"))
    if grade_text:
        grade = GRADE_WORDS.get(grade_text, "")
        if not grade:
            err(f"第{n}行：办结评定“{grade_text}”应为 优秀、良好、合格 或 不合格")
    closed_text = cell_text(v.get("closed_on"))
    if status == "closed":
        percent = 100
        closed_on = explicit_date(v.get("closed_on")) if closed_text else None
        if closed_text and closed_on is None:
            err(f"第{n}行：办结日期“{closed_text}”不是有效日期")
        elif closed_on is None:
            closed_on = deadline if deadline is not None and deadline < ctx.today else ctx.today
            r.warnings.append(f"已办结但未填写办结日期，按{closed_on:%Y-%m-%d}记为办结日期")
        if closed_on is not None and closed_on > ctx.today:
            err(f"第{n}行：办结日期（{closed_on:%Y-%m-%d}）晚于今天")
    elif grade:
        r.warnings.append("未办结的事项不记办结评定")
        grade = ""
    code = cell_text(v.get("code"))
    if len(code) > 30:
        err(f"第{n}行：编号“{code[:40]}”超过30个字符")
    meeting = cell_text(v.get("meeting"))[:200]
    meeting_date_text = cell_text(v.get("meeting_date"))
    meeting_date = explicit_date(v.get("meeting_date")) if meeting_date_text else None
    if meeting_date_text and meeting_date is None:
        err(f"第{n}行：会议日期“{meeting_date_text}”不是有效日期")
    category = cell_text(v.get("category"))[:50] or ctx.section
    if r.errors:
        return r, None
    return r, dict(
        code=code, title=r.title, pairs=pairs, leaders=leaders, requirement=cell_text(v.get("requirement")),
        deadline=deadline, deadline_text=r.deadline_text, deadline_kind=kind, recurrence=recurrence,
        category=category, start_date=start_date, assigned_on=start, progress=progress, percent=percent or 0,
        status=status, closed_on=closed_on, grade=grade, flagged=cell_text(v.get("flagged")) in FLAG_WORDS,
        meeting=(meeting, meeting_date or start_date) if meeting else None,
    )


def _mark_duplicates(checked, *, allow: bool) -> None:
    """Duplicates in the file (same title, lead units and deadline as an earlier row) and against
    existing tasks (same code, or same title, a common lead unit and the same deadline) are skipped
    with a note, unless `allow`."""
    first_row: dict[tuple, int] = {}
    for idx, (r, kw) in enumerate(checked):
        if kw is None:
            continue
        key = (_norm_title(kw["title"]), frozenset(u.pk for u, role in kw["pairs"] if role == Assignment.Role.LEAD),
               kw["deadline"])
        if key in first_row:
            if not allow:
                r.skipped = f"与第{first_row[key]}行重复"
                checked[idx] = (r, None)
            else:
                r.warnings.append(f"与第{first_row[key]}行重复（已选择仍然导入）")
        else:
            first_row[key] = r.row
    live = [(r, kw) for r, kw in checked if kw is not None]
    codes = {kw["code"] for _, kw in live if kw["code"]}
    existing_codes = set()
    for i in range(0, len(codes), BATCH):
        part = list(codes)[i:i + BATCH]
        existing_codes.update(Task.objects.filter(code__in=part).values_list("code", flat=True))
    titles = list({kw["title"] for _, kw in live})
    existing: dict[str, list[tuple[str, dt.date | None, set[int]]]] = {}
    for i in range(0, len(titles), BATCH):
        part = titles[i:i + BATCH]
        rows = (Task.objects.filter(title__in=part).exclude(status=Task.Status.CANCELLED)
                .values_list("id", "code", "title", "deadline"))
        ids = {}
        for pk, code, title, deadline in rows:
            ids[pk] = (code, title, deadline)
        leads: dict[int, set[int]] = {}
        for task_id, unit_id in Assignment.objects.filter(task_id__in=list(ids), role=Assignment.Role.LEAD).values_list(
                "task_id", "unit_id"):
            leads.setdefault(task_id, set()).add(unit_id)
        for pk, (code, title, deadline) in ids.items():
            existing.setdefault(title, []).append((code, deadline, leads.get(pk, set())))
    for idx, (r, kw) in enumerate(checked):
        if kw is None:
            continue
        lead_ids = {u.pk for u, role in kw["pairs"] if role == Assignment.Role.LEAD}
        same = None
        if kw["code"] and kw["code"] in existing_codes:
            same = kw["code"]
        else:
            for code, deadline, units in existing.get(kw["title"], ()):
                if deadline == kw["deadline"] and units & lead_ids:
                    same = code
                    break
        if same is None:
            continue
        if allow:
            r.warnings.append(f"与已有事项 {same} 重复（已选择仍然导入）")
            if kw["code"] in existing_codes:
                r.warnings.append(f"编号 {kw['code']} 已被占用，将另行编号")
                kw["code"] = ""
        else:
            r.skipped = f"与已有事项 {same} 重复"
            checked[idx] = (r, None)


def import_ledger(source, *, by, dry_run: bool = False, max_rows: int = MAX_ROWS, now=None, year: int | None = None,
                  allow_duplicates: bool = False, include_hidden: bool = False) -> LedgerResult:
    """Import (or, with dry_run, check) a ledger. Raises LedgerError when anything is wrong;
    then `error.result` (when the file could be read) holds every row's result."""
    if not is_supervisor(by):
        raise LedgerError("只有督查室工作人员可以导入台账。")
    if year is not None and not 2000 <= int(year) <= 2100:
        raise LedgerError(f"年份“{year}”不正确，应为 2000 到 2100 之间的四位数。")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    try:
        sheet, rows = read_ledger(source, max_rows=max_rows, slack=max_rows // 10 + 50)  # headings, 合计 rows
    except LedgerFormatError as exc:
        raise LedgerError(_plain(exc.message)) from None
    except Exception:  # noqa: BLE001 - whatever a broken file raises, the user gets a sentence, not a class name
        raise LedgerError("文件无法读取：不是有效的 xlsx 工作簿，或文件已损坏。请在 Excel/WPS 中打开后另存为 .xlsx 再导入。") from None
    ctx = Context(today=today, now=now, include_hidden=include_hidden)
    if year is not None:
        ctx.year, ctx.year_source = int(year), f"导入时指定的年份{int(year)}"
    elif sheet.year is not None:
        ctx.year, ctx.year_source = sheet.year, f"台账标题中的“{sheet.year}年”"
    result = LedgerResult(sheet=sheet.title, header_row=sheet.header_row, dry_run=dry_run, year=ctx.year,
                          year_source=ctx.year_source,
                          columns={COLUMN_LABELS[k]: sheet.headers.get(k, "") for k in sheet.columns})
    resolver = Resolver()
    checked = []
    last_row = sheet.header_row
    try:
        for lr in rows:
            last_row = lr.row
            r, kwargs = check_row(lr, resolver, ctx)
            result.rows.append(r)
            checked.append((r, kwargs))
    except LedgerFormatError as exc:
        raise LedgerError(_plain(exc.message)) from None
    except Exception:  # noqa: BLE001 - a sheet that breaks while streaming: say where, in Chinese
        raise LedgerError(f"台账第{last_row}行之后的内容无法读取，文件可能已损坏。请在 Excel/WPS 中打开后另存为 .xlsx 再导入。") from None
    if not result.rows:
        raise LedgerError(f"工作表“{sheet.title}”第{sheet.header_row}行表头以下没有数据。", result)
    if result.error_count:
        raise LedgerError(result.summary(), result)
    if len(result.importable) > max_rows:
        raise LedgerError(f"台账超过{max_rows}行数据（共{len(result.importable)}项事项），请分批导入。", result)
    _mark_duplicates(checked, allow=allow_duplicates)
    if not result.importable:
        raise LedgerError(f"没有可导入的事项：{result.skipped_summary() or '全部为空行'}。", result)
    if dry_run:
        return result
    try:
        _create_all([(r, kw) for r, kw in checked if kw is not None], by=by, now=now, result=result, resolver=resolver)
    except LedgerError:
        for r in result.rows:
            r.code = ""
        result.created = 0
        raise
    return result


def _plain(message: str) -> str:
    """A reader's message without a trailing Python class name ("…：BadZipFile。" → a sentence with advice)."""
    plain = re.sub(r"[：:]\s*[A-Za-z_][\w.]*\s*。?$", "", message)
    if plain != message:
        plain = plain.rstrip("。") + "：文件可能已损坏，或不是用 Excel/WPS 保存的 .xlsx。请在 Excel/WPS 中打开后另存为 .xlsx 再导入。"
    return plain


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _create_all(rows, *, by, now, result: LedgerResult, resolver: Resolver) -> None:
    """Write every task in bulk, in one transaction: tasks (+ their first history row), assignments
    (groups expanded as create_task does), leaders, meetings, 交办通知 notices, imported progress."""
    from simple_history.utils import bulk_create_with_history

    from tasks.services.workflow import WorkflowError, _assign_body, _clean_units, _next_code

    user = by if getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            year = timezone.localtime(now).year
            m = re.search(r"(\d+)$", _next_code(year))
            next_no = int(m.group(1)) if m else 1
            own_codes = {kw["code"] for _, kw in rows if kw["code"]}  # the ledger's 编号, kept
            taken = set()
            meetings: dict[tuple, Meeting] = {}
            tasks, plans = [], []
            for r, kw in rows:
                try:
                    pairs = _clean_units(kw["pairs"])
                except WorkflowError as exc:
                    r.errors.append(f"第{r.row}行：{exc.message}")
                    continue
                code = kw["code"]
                if not code or code in taken:  # none, or the same 编号 twice in the file: a new one
                    code = f"DB-{year}-{next_no:04d}"
                    while code in own_codes or code in taken:
                        next_no += 1
                        code = f"DB-{year}-{next_no:04d}"
                    next_no += 1
                taken.add(code)
                meeting = None
                if kw["meeting"]:
                    key = kw["meeting"]
                    if key not in meetings:
                        meetings[key] = (Meeting.objects.filter(title=key[0], date=key[1]).first()
                                         or Meeting.objects.create(title=key[0], date=key[1]))
                    meeting = meetings[key]
                closed = kw["status"] == "closed"
                status = (Task.Status.CLOSED if closed else
                          Task.Status.IN_PROGRESS if kw["percent"] or kw["progress"] else Task.Status.ASSIGNED)
                tasks.append(Task(
                    code=code, title=kw["title"], requirement=kw["requirement"], category=kw["category"],
                    source=Task.Source.LEDGER, meeting=meeting, deadline=kw["deadline"], deadline_text=kw["deadline_text"],
                    deadline_kind=kw["deadline_kind"], recurrence=kw["recurrence"], flagged=kw["flagged"], status=status,
                    progress=kw["percent"], assigned_at=_aware(kw["assigned_on"], 9) if kw["assigned_on"] else now,
                    start_date=kw["start_date"], closed_at=_aware(kw["closed_on"], 12) if closed else None,
                    grade=kw["grade"] if closed else "", created_by=user,
                ))
                plans.append((r, kw, pairs))
            if result.error_count:
                raise LedgerError(result.summary(), result)
            created = bulk_create_with_history(tasks, Task, batch_size=BATCH, default_user=user,
                                               default_change_reason="台账导入", default_date=now)
            assignments, leader_links, notices, reports = [], [], [], []
            through = Task.leaders.through
            for task, (r, kw, pairs) in zip(created, plans):
                r.code = task.code
                assignments.extend(Assignment(task=task, unit=u, role=role) for u, role in pairs)
                leader_links.extend(through(task=task, person=p) for p in kw["leaders"])
                title = f"交办通知：{task.code} {task.title}"[:200]
                body = _assign_body(task, pairs)
                notices.extend(Notice(title=title, body=body, unit=u, task=task) for u, _ in pairs)
                if kw["progress"] or (kw["percent"] and kw["status"] != "closed"):
                    lead = next(u for u, role in pairs if role == Assignment.Role.LEAD)
                    reports.append(ProgressReport(task=task, unit=lead, author=user, text=kw["progress"] or "（台账导入）",
                                                  percent=kw["percent"]))
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            through.objects.bulk_create(leader_links, batch_size=BATCH)
            Notice.objects.bulk_create(notices, batch_size=BATCH)
            ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
            result.created = len(created)
    except IntegrityError:
        for r, _kw in rows:
            r.code = ""
        raise LedgerError("导入时事项编号与同时新建的事项冲突，未导入任何事项；请重新导入。", result) from None


def import_ledger_upload(path, *, by, original_name: str = "", options: dict | None = None) -> dict:
    """Import a stashed upload (the admin's 确认导入 for big ledgers, run by a Celery worker), tell
    the user the outcome in an in-app notice (also when it fails), and delete the file.

    Returns {"ok": bool, "created": n, "message": str}."""
    from pathlib import Path

    from accounts.selectors import person_of
    from tasks.services.notices import create_notice

    path = Path(path)
    name = original_name or path.name
    try:
        with open(path, "rb") as fh:
            result = import_ledger(fh, by=by, **{k: v for k, v in (options or {}).items()
                                                 if k in ("year", "allow_duplicates", "include_hidden")})
        ok, message, details = True, result.summary(), []
        created = result.created
    except OSError:
        ok, message, details, created = False, "上传的台账文件已不存在或无法读取，请重新上传。", [], 0
    except LedgerError as exc:
        ok, message, created = False, exc.message, 0
        details = exc.result.error_messages(limit=50) if exc.result is not None else []
    finally:
        path.unlink(missing_ok=True)
    person = person_of(by)
    if person is not None:
        title = f"台账《{name}》导入{'完成' if ok else '失败'}"
        create_notice(title=title[:200], body="\n".join([message, *details]), person=person)
    return {"ok": ok, "created": created, "message": message}

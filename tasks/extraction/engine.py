"""The pipeline: decode -> normalise -> segment -> candidates (chunks, owners, deadline, target, the rules'
verdict, the decision features) -> decide (model.py, learned weights) -> the JSON result."""
from datetime import date, datetime

from .annotate import YEAR_LEVEL, pick_deadline, recurrence, targets
from .classify import HANDED_DOWN, LEAD_PIECE, decide, has_cue, is_past
from .decode import DEFAULT_MAX_BYTES, decode
from .errors import ExtractionError
from .deadline import DEADLINE_RE, resolve_deadline
from .directory import default_directory
from .features import PERFECTIVE as PERFECT, STAT_WORDS, clause_features
from .model import default_model
from .normalise import normalise
from .owners import OwnerParser
from .recache import rx
from .segment import segment

ITEM_PREFIX = rx(r"^(?:[①-⑳❶-❿⑴-⒇][、．.，,]?|[（(]\d{1,2}[)）]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]{1,2}(?:是|要)|第[一二三四五六七八九十]{1,2}[，,、：]|首先[，,]|其次[，,]|再次[，,]|最后[，,])")
SUBJECTLESS = rx(r"^(?:[，、]|同时|另外|此外|还|也|并|并且|而且|同时也|特别是|尤其是)*(?:要|必须|务必|需要|务求|一定要|还要|也要|并要|都要)")
RESULT_VERB = rx(r"完成|成为|进入|开工|建成|投产|达产|落地|搬迁|启动|实现|达到|竣工|通车|签约|验收|到位|出台|制定|建立|召开|举办|上报|报送|提交|办结|"
                         r"整改|拿下|创成|申报|交付|运营|投用|使用|开业|挂牌|清零|销号|化解|见效|突破|收尾|进场|开展|组建|成立|编制|形成")
DL_LEAD = rx(r"^(?:确保|力争|争取|要|并|在|于|计划在?|必须|务必)*")
COMMA = rx(r"[，,]|、(?=(?:确保|力争|争取|在|于)?(?:\d|[一二三四五六七八九十]{1,3}[月季]|[X*＊][月季]|今年|明年|年底|年内|上半年|下半年))")
ROLE_ONLY = rx(r"^[^，,]{1,30}(?:牵头|负责|牵总|主抓|配合|协助|协办)[，,]$")
TIME_OPENERS = rx(r"^(?:[，、]|同时|另外|此外|下一步|下来|今后|当前|目前|希望)*")


def _time_only(piece):
    """Is the piece nothing but a time phrase ("下一步，6月底前，")?"""
    rest = piece[TIME_OPENERS.match(piece).end():].rstrip("，,、")
    return bool(rest) and DEADLINE_RE.fullmatch(rest) is not None


YEAR_WORDS = {"年度", "今年", "全年", "本年度", "明年"}
TRAIL = rx(r"[。；！？!?;，,：:\s]+$")
# a sentence that continues the previous one's subject
CONTINUES = rx(r"^(?:[，、]|[一二三四五六七八九十]+是)*(?:同时|并且?|还要|也要|还|也|另外|此外|其次|再次|同样|一方面|另一方面|对此|为此|特别是|尤其是|重点是)")
# a short noun phrase before a time limit, the subject of its own task ("剩余5个新能源存量项目年内要…")
THING_SUBJECT = rx(r"[^，。；：要把对在将]{2,16}?(?:项目|工程|厂房|工作|任务|企业|园区|设施|系统|资金|指标)")
# a piece that fronts its own object or singles one out ("对新纳入的7个行业…在7月底前全部退还到位", "特别是X企业…6月底前
# 一定要完成"): with a bounded date and a result verb it is a task of its own
OWN_FRONT = rx(r"(?:对|针对|对于|特别是|尤其是|其中)(?!此|这|于此)")
BOUNDED_DL = rx(r"前|底|末|内")
SINGLED_OUT = rx(r"特别是|尤其是|其中")
REVIEW_GOAL_LINE = {"goal_line&top_review_frame", "goal_line&heading_review_frame", "goal_line&section_past<30",
                    "goal_line&section_past>=30"}
LEAD_PUNCT = rx(r"^[，、\s]+")
DIRECTIVE_KEYS = ("text", "start", "end", "section", "owners", "deadline", "deadline_text", "recurrence", "target")


def _top(section):
    return section.split(" / ")[0] if section else None


def _level(text):
    """The speech's own level (县/市/区/省): the speaker's own words (我县, 全市) weigh most, then 县委/市政府-style
    organs, counted in the first 20,000 characters; the title (全市…会议, 市长…) counts most of all."""
    head, title = text[:20000], text[:200]
    counts = {k: 3 * head.count("我" + k) + head.count("全" + k) + head.count(k + "委") + head.count(k + "政府")
              + 10 * (title.count(k + "长") + title.count("全" + k)) for k in "县市区省"}
    return max(counts, key=lambda k: counts[k]) if any(counts.values()) else "县"


def _chunks(sent_text, parser, ref, events, dls=None):
    """Split a sentence at commas where a new owner starts a new task or a new deadline starts."""
    pieces = [0] + [m.end() for m in COMMA.finditer(sent_text)]
    pieces = [p for p in pieces if p < len(sent_text)]
    if len(pieces) == 1:
        return [(0, len(sent_text))]
    if dls is None:
        dls = [(m.start(), m.end(), m.lastgroup, m.group(0)) for m in DEADLINE_RE.finditer(sent_text)]
    bounds = [0]
    cur_subject = False
    cur_dl = None
    cur_ok = False
    cue_chunk, cue_seen, past_seen, prev_p = -1, False, False, 0
    k = 0
    for i, p in enumerate(pieces):
        seg_end = pieces[i + 1] if i + 1 < len(pieces) else len(sent_text)
        seg = sent_text[p:seg_end]
        owners, subject = parser.parse_start(sent_text, p)
        lead = p + DL_LEAD.match(seg).end()
        while k < len(dls) and dls[k][0] < p:
            k += 1
        dl_here = None
        piece_dl = None
        kk = k
        while kk < len(dls) and dls[kk][0] < seg_end:
            st, en, kind, phrase = dls[kk]
            if kind == "asap":
                if piece_dl is None:
                    piece_dl = "asap"
            elif phrase not in YEAR_WORDS:
                v = resolve_deadline(phrase, ref, events)
                v = phrase if v == "unresolved" else v
                if piece_dl is None or piece_dl == "asap":
                    piece_dl = v
                if RESULT_VERB.search(seg, st - p) and (st == lead or THING_SUBJECT.fullmatch(sent_text, lead, st)
                                                        or (OWN_FRONT.match(seg) and BOUNDED_DL.search(phrase))):
                    dl_here = v   # "确保5月份出台", "1、2、3号厂房7月底前交付使用": a limit opening its own task
            kk += 1
        if p > 0:
            # what the chunk holds so far, when it is short enough to be only a role, a time or an owner list
            before = sent_text[bounds[-1]:p] if p - bounds[-1] <= 64 else ""
            if (subject and (cur_subject or not cur_ok) and not seg.startswith(("请", "由"))
                    and not (before and (ROLE_ONLY.match(before) or _time_only(before)
                                         or parser.owner_list_only(before)))
                    and not (p - prev_p <= 34 and ROLE_ONLY.match(sent_text[prev_p:p]))):   # "…，请X牵头，Y负责，…"
                # a time phrase just before the new subject is the new task's ("…增加麻烦，今天会后，涉及的乡镇要…")
                lone_time = bounds[-1] < prev_p and p - prev_p <= 16 and _time_only(sent_text[prev_p:p])
                bounds.append(prev_p if lone_time else p)
                cur_dl = None
                cur_ok = False
                cur_subject = False
            elif dl_here and dl_here != cur_dl and (cur_dl and cur_dl != "asap" or (cur_ok and SINGLED_OUT.match(seg))):
                bounds.append(p)
                cur_subject = False
                cur_dl = None
        if subject:
            cur_subject = True
        if dl_here:
            cur_dl = dl_here
        elif piece_dl is not None and (cur_dl is None or cur_dl == "asap"):
            cur_dl = piece_dl
        if not cur_ok:
            # does the chunk ask for something yet (and not report the past)?  Looked at piece by piece, with
            # the previous piece as context, so that a sentence of thousands of commas stays linear
            if bounds[-1] != cue_chunk:
                cue_chunk, cue_seen, past_seen = bounds[-1], False, False
            window = sent_text[max(bounds[-1], prev_p):seg_end]
            past_seen = past_seen or is_past(window)
            cue_seen = cue_seen or has_cue(window)
            cur_ok = cue_seen and not past_seen
        prev_p = p
    bounds.append(len(sent_text))
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i + 1] > bounds[i]]


def candidates(text, meeting_date, directory=None, events=None):
    """Every clause that could be a directive, with the rules' verdict and the decision features.

    Yields dicts: the output fields of a directive plus ``rule`` (the rules' yes/no), ``rule_conf``
    and ``feats`` (see features.py).  The state that carries owners between clauses follows the
    rules' verdict only, so the candidates do not depend on the learned weights.
    """
    if directory is None:
        directory = default_directory()
    norm = normalise(text)
    nt = norm.text
    parser = OwnerParser(directory, _level(nt))
    sents = segment(nt)
    para_past = {}            # paragraph -> [sentences in the past, sentences]
    top_past = {}             # top-level section -> [sentences in the past, sentences]: review or plan?
    for s in sents:
        past = bool(PERFECT.search(s.text))
        cell = para_past.setdefault(s.para, [0, 0])
        cell[0] += past
        cell[1] += 1
        cell = top_past.setdefault(_top(s.section), [0, 0, 0])
        cell[0] += past
        cell[1] += 1
        cell[2] += STAT_WORDS.search(s.text) is not None
    prev_para = None
    prev_owners = []          # owners of the previous clause in this paragraph
    prev_full_stop = False
    leadin_owners = []        # owners of a lead-in sentence ("…务必抓紧抓好：")
    leadin_para = None
    leadin_frame = None       # the latest lead-in sentence of this paragraph/list
    heading_owners = {}
    heading_text = {}
    last_rule = False
    for s in sents:
        if s.title:
            continue
        new_para = s.para != prev_para
        if new_para or s.item:
            prev_owners = []
            if leadin_para is not None and not s.item:
                leadin_owners = []
                leadin_para = None
            if not s.item:
                leadin_frame = None
            prev_para = s.para
        elif prev_owners and prev_full_stop and not CONTINUES.match(s.text):
            prev_owners = []   # after a full stop a new sentence without 同时/还要/也要… starts a new topic
        if s.heading:
            hown, _ = parser.parse(s.text)
            heading_owners[s.section] = hown
            heading_text[s.section] = s.text
        body = s.text
        off = 0
        m = ITEM_PREFIX.match(body)
        if m:
            off = m.end()
        if not s.leadin and is_past(body) and not has_cue(body):   # (a target adds no cue to a past sentence)
            continue   # statistics / past achievements: nothing to extract (and nothing to parse)
        # the time-limit phrases of the sentence, scanned once for the pre-filter, the chunking and every chunk
        body_dls = [(m.start(), m.end(), m.lastgroup, m.group(0)) for m in DEADLINE_RE.finditer(body)]
        prefilter = None
        if (not s.leadin and not (leadin_owners and s.item) and not parser.may_have_owner(body)
              and not ((prev_owners or heading_owners.get(s.section)) and SUBJECTLESS.match(body[off:]))):
            body_goal = targets(body)[0]
            if not body_dls and not body_goal:
                prefilter = "empty"    # no time limit, no goal and nobody who could own it: cannot be trackable
            elif not has_cue(body, body_goal):
                prefilter = "no_ask"   # nobody and nothing asks for anything: a date or a figure in a description
        if prefilter:
            continue
        sent_cue = False
        chunk_owners = []
        body_said = parser.reported.match(body) is not None
        # a short first sentence of a list item is the item's title ("二是要抓项目前期。")
        item_title = s.item and len(body) - off <= 16 and body.endswith(("。", "：", ":"))
        chunks = _chunks(body[off:], parser, meeting_date, events,
                         [(a - off, b - off, k, t) for a, b, k, t in body_dls if a >= off])
        for ci, (a, b) in enumerate(chunks):
            a += off
            b += off
            ctext = body[a:b]
            tm = TRAIL.search(ctext)
            if tm:
                b -= len(tm.group(0))
                ctext = body[a:b]
            lm = LEAD_PUNCT.match(ctext)
            if lm:
                a += lm.end()
                ctext = body[a:b]
            if len(ctext) < 4:
                continue
            owners, subject = parser.parse(ctext, context=body, offset=a)
            explicit = list(owners)
            dl_text, dl, weak = pick_deadline(ctext, meeting_date, events,
                                              [(x - a, y - a, k, t) for x, y, k, t in body_dls if x >= a and y <= b])
            goal, tgt = targets(ctext)
            rec = recurrence(ctext)
            inherited = None
            # 市财政局 in a county speech, 各县区 in "各县区、各部门要…": shown, not qualifying on their own
            qualifying = [o for o in owners if not o.upper and not o.everyone]
            is_title = item_title and not ((dl and dl != "asap") or tgt)
            if not owners and not is_title:
                if chunk_owners and not subject:
                    owners, inherited = list(chunk_owners), "chunk"
                    qualifying = owners
                elif leadin_owners and (s.item or leadin_para == s.para):
                    owners, inherited = list(leadin_owners), "leadin"
                    qualifying = owners if s.item else []
                elif prev_owners and SUBJECTLESS.match(ctext):
                    owners, inherited = list(prev_owners), "prev"
                    qualifying = []
                elif heading_owners.get(s.section) and SUBJECTLESS.match(ctext):
                    owners, inherited = list(heading_owners[s.section]), "heading"
                    qualifying = []
            heading_only = s.heading and not ((dl and not weak and dl not in ("asap",)) or tgt)
            ok, conf = decide(ctext, owners, subject, dl, goal, heading=s.heading or is_title,
                              inherited_cue=sent_cue, level_upper=parser.upper,
                              qualifying_owners=qualifying, weak_deadline=weak,
                              year_level=bool(dl_text and YEAR_LEVEL.match(dl_text)), reported=parser.reported)
            if heading_only:
                ok = False
            if s.leadin:
                lo, lsub = parser.parse(ctext, context=body, offset=a)
                if lo and lsub:
                    leadin_owners = lo
                    leadin_para = s.para
                if not ((dl and not weak and dl[:1].isdigit()) or tgt):
                    ok = False
            if inherited and ok:
                conf = round(conf - 0.05, 2)
            said = body_said or parser.reported.match(ctext) is not None
            # an upper level as the subject ("11月份，市上就要开始…验收", "省领导小组将…"): what another level does
            upper_acts = (parser.upper.match(ctext) or parser.upper.match(LEAD_PIECE.sub("", ctext))) is not None
            upper_said = ((said and not HANDED_DOWN.search(body))
                          or (upper_acts and not HANDED_DOWN.search(ctext) and not any(not o.upper for o in explicit)))
            if (heading_only or upper_said or (s.leadin and not ((dl and not weak and dl[:1].isdigit()) or tgt))) and not ok:
                last_rule = False
                continue   # a heading, a lead-in announcing items (the items are the directives) or what an
                #            upper level said, not handed to anyone here (GUIDELINE exclusions)
            if not ok and not owners and dl is None and not tgt and not sent_cue and not has_cue(ctext, goal):
                last_rule = False
                continue   # asks nothing and has no owner, limit or target: nothing to weigh
            feats = clause_features(
                ctext, body, s, ci, len(chunks), explicit=explicit, owners=owners, subject=subject,
                inherited=inherited, dl=dl, dl_text=dl_text, weak=weak, tgt=tgt, goal=goal, rec=rec,
                rule=ok, sent_cue=sent_cue, is_title=is_title, parser=parser,
                leadin=leadin_frame, heading=heading_text.get(s.section), last_rule=last_rule, said=said,
                para_past=para_past[s.para][0] / para_past[s.para][1],
                section_past=top_past[_top(s.section)][0] / top_past[_top(s.section)][1],
                ref=meeting_date, dl_start=ctext.find(dl_text) if dl_text else None,
                section_stat=top_past[_top(s.section)][2] / top_past[_top(s.section)][1])
            if "own_with_everyone" in feats and not ({"dl_dated", "tgt_goal"} & feats.keys()):
                last_rule = False
                continue   # "各县区、各部门要切实强化属地责任…": everyone at once, no date, no figure (GUIDELINE)
            if REVIEW_GOAL_LINE & feats.keys():
                last_rule = False
                continue   # a figure line without a modal in a review section ("新增合作社*家" under 总结上半年工作):
                #            an achievement, not a goal (GUIDELINE: past work, statistics)
            last_rule = ok
            if ok:
                sent_cue = True
                chunk_owners = owners
                prev_owners = owners if owners else prev_owners
            src_start, src_end = norm.span_to_src(s.start + a, s.start + b)
            yield {
                "text": ctext,
                "start": src_start,
                "end": src_end,
                "section": s.section,
                "owners": [o.as_dict() for o in owners],
                "deadline": dl,
                "deadline_text": dl_text,
                "recurrence": rec,
                "target": tgt,
                "rule": ok,
                "rule_conf": conf,
                "feats": feats,
            }
        if s.leadin:
            leadin_frame = body
        prev_full_stop = body.endswith(("。", "！", "!"))


def extract_text(text, meeting_date, directory=None, events=None, encoding="utf-8", title=None, model=None):
    """The directives of a speech.  ``model``: a Model (features → probability), by default the
    shipped weights (tasks/extraction/weights.json); ``False`` for the plain rules."""
    if isinstance(meeting_date, str):
        meeting_date = date.fromisoformat(meeting_date)
    elif isinstance(meeting_date, datetime):
        meeting_date = meeting_date.date()
    if model is None:
        model = default_model()
    directives = []
    for c in candidates(text, meeting_date, directory, events):
        if model:
            p = model.prob(c["feats"])
            keep, conf = p >= model.threshold, round(p, 2)
        else:
            keep, conf = c["rule"], c["rule_conf"]
        if not keep:
            continue
        d = {k: c[k] for k in DIRECTIVE_KEYS}
        d["confidence"] = conf
        directives.append(d)
    if title is None:
        for line in text.split("\n"):
            if line.strip():
                title = line.strip()[:120]
                break
    return {
        "document": {"title": title, "meeting_date": meeting_date.isoformat(), "encoding": encoding, "chars": len(text)},
        "directives": directives,
    }


def extract_bytes(data, filename, meeting_date, directory=None, events=None, max_bytes=DEFAULT_MAX_BYTES):
    """decode() then extract_text(); any failure is an ExtractionError with a Chinese message."""
    d = decode(data, filename, max_bytes=max_bytes)
    try:
        return extract_text(d.text, meeting_date, directory=directory, events=events, encoding=d.encoding, title=d.title)
    except ExtractionError:
        raise
    except Exception as e:  # a bug must not surface as a stack trace to the user
        raise ExtractionError("分析讲话稿时发生内部错误，请联系管理员（文件已成功读取）。", "internal") from e


def _cut(s, n):
    s = s or ""
    return s if len(s) <= n else s[: n - 1] + "…"


def format_table(result):
    doc = result.get("document", {})
    rows = [f"文档：{doc.get('title') or ''}  会议日期：{doc.get('meeting_date')}  编码：{doc.get('encoding')}  字数：{doc.get('chars')}",
            f"共 {len(result.get('directives', []))} 项督办事项", ""]
    head = f"{'#':>3}  {'期限':<12} {'期限原文':<10} {'周期':<9} {'目标':<10} {'责任主体':<28} 事项"
    rows.append(head)
    rows.append("-" * 100)
    for i, d in enumerate(result.get("directives", []), 1):
        owners = "、".join((o["name"] + ("(配合)" if o.get("role") == "co" else "")) for o in d.get("owners", []))
        rows.append(f"{i:>3}  {str(d.get('deadline') or '-'):<12} {_cut(d.get('deadline_text') or '-', 10):<10} "
                    f"{(d.get('recurrence') or '-'):<9} {_cut(d.get('target') or '-', 10):<10} {_cut(owners or '-', 28):<28} "
                    f"{_cut(d.get('text'), 60)}")
    return "\n".join(rows)

"""Decision features of a candidate clause (input of the learned layer, model.py).

Every feature is a structural or rule fact about the clause, its sentence and the frame it sits
in (heading, lead-in, list item), never a word of the clause itself: which cue opens the main
predicate, whether the subject is a unit, a person, a generic addressee or an upper level,
whether the predicate is in the past, what kind of time limit and target it has, where it sits
in the document.  The weights are learned (training.py); the features stay readable.
"""

from .classify import (FORECAST, GENERIC_ANY, GENERIC_SUBJ, HANDED_DOWN, IMPERATIVE, LEAD_DATE, OPINION, PLAN, RESULT,
                       RETRO, STRONG, YAO, _exhort, has_cue, is_past)
from .recache import rx

# discourse markers that introduce an example or an illustration rather than a task
EXAMPLE = rx(r"^(?:[，、]|同时|另外)*(?:比如|例如|譬如|好比|像)")
EXAMPLE_HINT = rx(r"[比例譬好像]")
# markers of completed action or reported situation inside the predicate (aspect words)
PERFECTIVE = rx(r"(?=[了已过曾])(?:了(?![解结])|已经|已(?!于)|过(?=[一-龥]{0,2}[，。])|曾)")
# heading/lead-in wording that frames the items below as tasks (imperative frames) …
TASK_FRAME = rx(r"要|必须|务必|确保|力争|抓好|抓实|做好|推进|推动|加快|落实|强化|加强|突出|聚焦|坚持|着力|全力|狠抓|"
                        r"任务|重点|措施|工作|安排|部署|目标|建议|意见|几点|方面")
# … or as a review / situation analysis (retrospective frames)
REVIEW_FRAME = rx(r"成绩|成效|回顾|总结|形势|情况|问题|不足|差距|挑战|机遇|认识|意义|进展|亮点|短板|原因|特点|现状")
# the clause opens with a subject-less modal (the subject is the frame's)
MODAL_OPEN = rx(r"^(?:[，、]|同时|另外|此外|还|也|并|一定|都)*(?:要|必须|务必|需要|确保|力争|争取|抓紧|尽快)")
# the clause opens with a preposition/topic marker (对…/在…/把…/围绕…): a predicate follows
PREP_OPEN = rx(r"^(?:[，、]|同时|另外|此外)*(?:对|在|把|将|围绕|针对|按照|通过|以|从|就|为)")
FIRST_PLURAL = rx(r"^(?:[，、]|同时|另外|因此|所以|下一步)*(?:我们|咱们|我县|我市|我区|全县|全市|全区)")
# verbs of mind and attitude right after the modal: the clause asks for a state of mind, not a deliverable
ATTITUDE = rx(r"(?:要|必须|务必|应当)(?:进一步|切实|始终|更加|充分|深刻|牢固|全面|真正|认真)?"
                      r"(?:认识|理解|看待|保持|坚定|增强|树立|树牢|扛稳|扛牢|扛起|提高认识|统一思想|把握|正视|珍惜|牢记|坚持|发扬|弘扬|"
                      r"转变|克服|杜绝|防止|提高政治|强化.{0,6}意识|站在|立足|把思想)")
# the speaker's own side announcing what it will do (将 as a future marker, not 将…作为 "take … as")
WILL = rx(r"将(?!来|近|军|心比心)(?![^，。；]{0,20}(?:作为|纳入|列为))|将要|准备|计划|拟")
# everyone addressed at once in the subject: 各级各部门, 各县区、各部门, 全市各级各有关部门, 大家
EVERYONE = rx(r"各级|各(?:有关|相关)?(?:部门|单位)|[县市区]直各|全[县市区]各|大家|全体|广大")
QUESTION = rx(r"[？?]|怎么|如何|为什么|是否|吗$")
NUMBERED = rx(r"^(?:[①②③④⑤⑥⑦⑧⑨⑩]|[（(]\d{1,2}[)）]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]{1,2}(?:是|要|抓)|第[一二三四五六七八九十]{1,2}[，,、])")
DL_BOUNDED = rx(r"前|底|末|内")
DL_YEARWORD = rx(r"(?:今年|全年|年度|明年|本年度?)")
# words that bound a goal quantity (a plan states a floor or a ceiling, a statistic states the figure)
TGT_BOUND = rx(r"以上|以下|以内|左右|不低于|不少于|不超过|至少|力争|争取|确保")
# a time word naming a past year: the date is when something happened, not a limit
# statistics wording of a report (comparisons with a base period, rankings, cumulative figures)
STAT_WORDS = rx(r"同比|比上年|较上年|比去年|较去年|累计|位居|排名|排在|占比|下降\d|增长\d+(?:\.\d+)?[%％](?!以上|左右)")
PAST_YEAR = rx(r"(?:去年|上年|前年|上一年)$")


_FRAMES = {}


def _frame(kind, text):
    """Frame features of a lead-in, a heading or a top-level section (memoised: many clauses share one)."""
    key = (kind, text)
    hit = _FRAMES.get(key)
    if hit is None:
        if len(_FRAMES) > 4096:
            _FRAMES.clear()
        hit = {}
        if TASK_FRAME.search(text):
            hit[kind + "_task_frame"] = 1.0
        if REVIEW_FRAME.search(text) and kind != "leadin":
            hit[kind + "_review_frame"] = 1.0
        if kind == "leadin" and (YAO.search(text) or STRONG.search(text)):
            hit["leadin_modal"] = 1.0
        _FRAMES[key] = hit
    return hit


def _bucket(n, edges):
    for e in edges:
        if n < e:
            return f"<{e}"
    return f">={edges[-1]}"


def clause_features(ctext, body, s, ci, nchunks, *, explicit, owners, subject, inherited, dl, dl_text, weak, tgt, goal,
                    rec, rule, sent_cue, is_title, parser, leadin, heading, last_rule, said=False,
                    para_past=0.0,
                    section_past=0.0, ref=None, dl_start=None, section_stat=0.0):
    f = {}

    def on(name, v=1.0):
        f[name] = v

    on("rule" if rule else "rule_no")
    # the predicate and its modality
    yao, strong = YAO.search(ctext) is not None, STRONG.search(ctext) is not None
    if yao:
        on("cue_yao")
    if strong:
        on("cue_strong")
    if IMPERATIVE.match(ctext):
        on("cue_imperative")
    if LEAD_DATE.match(ctext) and RESULT.search(ctext):
        on("cue_lead_date")
    if goal and PLAN.match(ctext):
        on("cue_plan")
    cue = has_cue(ctext, goal)
    if not cue and not sent_cue:
        on("no_cue")
    if sent_cue:
        on("sent_cue")
    if MODAL_OPEN.match(ctext):
        on("modal_open")
    if PREP_OPEN.match(ctext):
        on("prep_open")
    if is_past(ctext):
        on("past")
        if not (yao or strong):
            on("past_no_modal")
    if PERFECTIVE.search(ctext):
        on("perfective")
    if RETRO.match(ctext):
        on("retro")
    if FORECAST.search(ctext):
        on("forecast")
    if OPINION.search(ctext):
        on("opinion")
    if QUESTION.search(ctext):
        on("question")
    if "”“" in ctext or ctext.count("”") > ctext.count("“"):
        on("in_quote")      # inside a quotation: someone's words, not the speaker's assignment
    if EXAMPLE_HINT.search(ctext, 0, 8) and EXAMPLE.match(ctext):
        on("example")
    if _exhort(ctext):
        on("exhort")
    if ATTITUDE.search(ctext):
        on("attitude")
    if RESULT.search(ctext):
        on("concrete_action")
    if WILL.search(ctext):
        on("will")
    if GENERIC_SUBJ.match(ctext) or GENERIC_ANY.search(ctext):
        on("generic_subject")
    if EVERYONE.search(ctext, 0, 24):
        on("everyone_addressed")
        if not goal and not (dl and dl[:1].isdigit() and not weak):
            on("everyone&no_limit")
    if FIRST_PLURAL.match(ctext):
        on("first_plural")
    if parser.upper.match(ctext):
        on("upper_subject")
    if said:
        on("upper_said")
    if HANDED_DOWN.search(ctext):
        on("handed_down")
    # owners
    if explicit:
        on("own_explicit")
        if subject:
            on("own_subject")
        kinds = {o.kind for o in explicit}
        for k in kinds:
            on(f"own_kind_{k}")
        if all(o.upper for o in explicit):
            on("own_upper_level")
        if all(o.everyone for o in explicit):
            on("own_with_everyone")
        if any(o.unit_id is not None or (o.kind == "unit" and not o.mention.startswith(("各", "相关", "有关")))
               for o in explicit):
            on("own_named_unit")
        if all(o.mention.startswith(("各", "相关", "有关", "涉及")) for o in explicit):
            on("own_all_broad")
    elif inherited:
        on(f"own_inherited_{inherited}")
    else:
        on("own_none")
    # time limit
    if dl is None:
        on("dl_none")
    elif dl == "asap":
        on("dl_asap")
    elif dl in ("event", "unresolved") or not dl[:1].isdigit():
        on("dl_other")
    else:
        on("dl_weak" if weak else "dl_dated")
        if dl_text and DL_BOUNDED.search(dl_text):
            on("dl_bounded")
        if dl_text and DL_YEARWORD.fullmatch(dl_text):
            on("dl_yearword")
        if ref is not None and (dl < ref.isoformat() or (dl_start is not None and PAST_YEAR.search(ctext, 0, dl_start))):
            on("dl_before_meeting")    # a date already past at the meeting: when something happened
    if rec:
        on("recurrence")
    # target
    if goal:
        on("tgt_goal")
    elif tgt:
        on("tgt_scope")
    if tgt and TGT_BOUND.search(ctext, max(0, ctext.find(tgt) - 6), ctext.find(tgt) + len(tgt) + 3):
        on("tgt_bounded")
    # structure: where the clause sits
    if s.heading:
        on("in_heading")
    if is_title:
        on("item_title")
    if s.item or NUMBERED.match(body):
        on("list_item")
    if s.leadin:
        on("is_leadin")
    if leadin:
        on("under_leadin")
        f.update(_frame("leadin", leadin))
    if s.section:
        f.update(_frame("top", s.section.split(" / ")[0]))
    on("section_past" + _bucket(int(section_past * 100), (15, 30)))
    on("section_stat" + _bucket(int(section_stat * 100), (10, 25)))
    if para_past >= 0.5:
        on("para_mostly_past")
    elif para_past > 0:
        on("para_some_past")
    if heading:
        f.update(_frame("heading", heading))
    on("chunk_first" if ci == 0 else "chunk_later")
    if nchunks > 1:
        on("sentence_split")
    if last_rule:
        on("prev_rule")
    on("len" + _bucket(len(ctext), (10, 20, 40, 80)))
    # conjunctions: the GUIDELINE's test is "asks for future action AND has an owner, a limit or a target"
    asks = "no_cue" not in f
    evidence = []
    if "own_named_unit" in f or "own_kind_person" in f:
        evidence.append("owner")
    elif "own_explicit" in f:
        evidence.append("broad_owner")
    elif inherited:
        evidence.append("carried_owner")
    if "dl_dated" in f:
        evidence.append("dated")
    elif "dl_asap" in f or "dl_other" in f:
        evidence.append("soft_limit")
    if goal:
        evidence.append("goal")
    for e in evidence or ["nothing"]:
        on(("asks&" if asks else "no_ask&") + e)
    if goal and not (yao or strong):
        # a bare target line ("新增规模企业4家"): a plan in a forward-looking section, a result in a review
        on("goal_line&section_past" + _bucket(int(section_past * 100), (15, 30)))
        for k in ("top_review_frame", "heading_review_frame"):
            if k in f:
                on("goal_line&" + k)
    if not evidence or evidence == ["broad_owner"]:
        for k in ("exhort", "attitude", "generic_subject"):
            if k in f:
                on(k + "&no_evidence")
    return f

"""Stage 4: is a clause a trackable directive (GUIDELINE "What is a trackable directive")?

A clause qualifies when it asks for future action (a modal or imperative cue, or a
subject owner followed by an action verb) AND it has a narrow owner, a time limit or
a quantified target; past achievements, statistics and situation analysis (no cue, or
past markers with no cue), what upper levels did, generic exhortations and bare
headings do not.
"""
import re
from functools import lru_cache

from .recache import rx

# 要 as a modal, not inside 主要/重要/需要/要求/只要/...
YAO = rx(r"(?<![主重需只不必首紧纪摘提扼险显])要(?![求素点件闻害领是说讲数到还])")
STRONG = rx(r"(?=[必务确力争请计责设打准拟一应要抓尽立马迅第限会])(?:必须|务必|确保|力争|(?<!向上)争取(?!资金|政策|支持|项目资金|到(?![位期时底年月]))|(?<![申邀提聘恳宴])请(?![示求假教柬])|务求|计划[在于到]|责成|设想在|打算在|准备在|拟于|拟在|一定要|应当|要求各|抓紧|尽快|立即|马上|迅速|第一时间|限期|会后)")
IMPERATIVE = rx(
    r"^(?:[，、]|同时|另外|此外|下来|下一步|接下来|当前|今后|今年|下半年|年内)*"
    r"(?:扎实|加快|全力|积极|大力|着力|深入|持续|切实|全面|坚决|抓紧|尽快|力争|确保|争取|进一步|突出|强化|加强|推动|推进|做好|抓好|"
    r"实施|完成|启动|建立|健全|落实|深化|优化|提升|严格|狠抓|高度关注|继续|认真|集中|组织|开展|谋划|筹建|新建|建设|创建|加大|提前|及时)")
PAST = rx(r"已经|已(?!于)|了(?![解结])|刚才|正在|呈现|居全[市省县区国]|位居|首位|比上年|较上年|增速|排名|占比|尚有|尚未|仍有|低于|高于|先后|曾经|去年|今年以来|上半年[，,]|截至|累计完成|同比|荣获|被评为|获得|取得了|实现了|完成了|"
                  r"仅(?<!不仅)(?=有|\d|[一二三四五六七八九十两])|只有(?=\d)|"   # "亿元以上项目仅1个": a figure judged as it stands
                  # a tally (共办结案件5起), a share of a plan already reached (完成时序任务13亿元的83.77%)
                  r"共(?=计?\d)|的\d+(?:\.\d+)?[%％](?![以左])|"
                  # a judgement of how hard something is ("…要有高的增速难度较大"): the situation, not a task
                  r"难度(?=[^，。；]{0,6}(?:较大|很大|更大|非常大|不小))|"
                  r"争取到(?![位期时底年月])|拿到(?![位期时底年月])|得到(?![位期时底年月])|收到(?![位期时底年月])")
# (…到: a resultative complement, the thing is obtained; literal alternatives keep re's first-character test)
FORECAST = rx(r"预计|估计|可能|或将|据测算")
OPINION = rx(r"我认为|我们认为|我觉得|我想|我相信|我们相信|我完全同意")


EXHORT = rx(r"意识|作风|精神状态|态度|担当|责任感|使命感|紧迫感|危机感|高度重视|提高认识|统一思想|表率|带头|关键作用|"
                    r"不讲条件|撸起袖子|甩开膀子|心往一处想|劲往一处使|再接再厉|鼓足干劲|攻坚克难|主体责任|思想|敢于|善于|理念|"
                    r"领导责任|负其责|在其位|甩手掌柜|不折不扣|清醒头脑|凝心聚力|真抓实干|求真务实|主动作为|善作善成|善始善终|大胆负责|担当作为")
GENERIC_ANY = rx(r"(?:全市上下|全县上下|全区上下|全省上下|各级各部门|各行各业|大家|我们)(?:都|也|一定)?要")
GENERIC_SUBJ = rx(r"^(?:[，、]|同时|另外|因此|所以|下来|今后|对[^，。]{0,20}[，,])*(?:我们|大家|全县上下|全县|各级各部门|各级|全体|广大|各位|同志们|全市上下|全区上下)")
HANDED_DOWN = rx(r"要求(?:我|各|全)[市县区省州]|要求我们|交给我|交办|下达给|部署我")
LEAD_PIECE = rx(r"^(?:[^，,]{1,10}[，,])")
# retrospective openers: the clause looks back (刚才, 去年, 这一年, 五年来 …)
RETRO = rx(r"^(?:刚才|前段时间|过去|去年|今年以来|上半年以来|近年来|多年来|今天是|现在是|现在已经|现在距|目前已经|"
                   r"这一年|这几年|一年来|[两三四五六七八九十几]年来|回顾)")


PLAN = rx(r"^(?:[^，。；]{2,12}[，,]){0,2}(?:今年|年内|全年|明年)?[，,]?(?:实现|新增|完成|引进|培育|新建|建成|投入|整合|达到|力争|争取|确保|启动|开工|兴建|建设|打造|创建|培养|压减|偿还|规划完成|补贴|"
                  r"招引|签约|改造|新开工|竣工|投产|入库|纳统|增长|提高到|提升到|降低到|减少)")
# a clause led by a bounded date and followed by its action ("10月底前再改造3处并投入使用")
DATED_ACTION = rx(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[X*＊])月(?:\d{1,2}[日号]|底|末|中旬|上旬|下旬)?(?:前|之前|以前)[，,]?"
                          r"(?:再|全面|全部|要|必须|务必|力争|确保|争取|基本|完成|实现|建成|开工|启动|投入|交付|上报|出台)")


LEAD_DATE = rx(r"^(?:[，、]|同时|另外|此外|力争|争取|确保|要|在|于|并)*(?:\d{4}年|明年|今年)?"
                       r"(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}[日号]|底|末|份|中旬|上旬|下旬)?(?:前|之前|以前|底前)|"
                       r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月份?[，,]|年底前|年内|年底)")
RESULT = rx(r"完成|建成|开工|投产|落地|启动|实现|达到|竣工|通车|签约|验收|到位|出台|制定|建立|召开|上报|报送|提交|办结|"
                    r"整改|创成|申报|交付|投用|使用|挂牌|清零|化解|突破|形成|编制|梳理|开展|举办|组织|部署|覆盖|入住|摘帽|出列|脱贫")


@lru_cache(maxsize=4096)
def _exhort(text):
    """Attitude/style wording in the main clause (just after its first modal)."""
    m = YAO.search(text) or STRONG.search(text)
    start = m.start() if m else 0
    return EXHORT.search(text, start, start + 36) is not None


@lru_cache(maxsize=4096)
def has_cue(text, target=None):
    if YAO.search(text) or STRONG.search(text) or IMPERATIVE.match(text):
        return True
    dated_action = "月" in text and "前" in text and DATED_ACTION.search(text) is not None   # (cheap guard first)
    if ((LEAD_DATE.match(text) and RESULT.search(text)) or dated_action) and not is_past(text):
        return True    # "10月底前，所有村级服务平台建成投入使用"
    # a plan line: "彰显农业实力，实现……新增2.6万亩" / "新增规模企业4家"
    return bool(target) and PLAN.match(text) is not None and not is_past(text)


@lru_cache(maxsize=4096)
def is_past(text):
    return bool(PAST.search(text))


def decide(text, owners, subject, deadline, target, heading=False, inherited_cue=False, level_upper=None,
           qualifying_owners=None, weak_deadline=False, year_level=False, reported=None):
    """Return (is_directive, confidence).

    ``owners`` are all owners (including carried-over ones); ``qualifying_owners`` those that may
    make the clause trackable on their own (explicit, or from a lead-in); ``weak_deadline`` marks a
    year-level or attributive time phrase (全年目标任务, 下半年工作) that does not qualify alone.
    """
    if qualifying_owners is None:
        qualifying_owners = owners
    if RETRO.match(text):
        return False, 0.0
    if reported is not None and reported.match(text):
        return False, 0.0   # "任省长在…强调，…": what an upper level said
    cue = has_cue(text, target) or inherited_cue
    if subject and not is_past(text):
        cue = True
    if not cue:
        return False, 0.0
    if heading and not (deadline or target):
        return False, 0.0
    strong_future = bool(YAO.search(text) or STRONG.search(text))
    if is_past(text) and not strong_future and not inherited_cue:
        return False, 0.0
    if (level_upper is not None and not owners and not HANDED_DOWN.search(text)
            and (level_upper.match(text) or level_upper.match(LEAD_PIECE.sub("", text)))):
        return False, 0.0
    if "正在" in text and not (YAO.search(text) or re.search(r"必须|务必|确保|力争|争取", text)):
        return False, 0.0
    strong_deadline = deadline and not weak_deadline
    if not (qualifying_owners or strong_deadline or target):
        return False, 0.0
    unit_owner = any(o.kind == "unit" and not o.mention.startswith(("各", "相关", "有关", "涉及", "其他"))
                     for o in qualifying_owners)
    soft_deadline = (not strong_deadline) or deadline == "asap" or (year_level and deadline[:1].isdigit())
    if soft_deadline and not target and not unit_owner:
        if _exhort(text):
            return False, 0.0
        if not qualifying_owners and deadline == "asap" and (GENERIC_SUBJ.match(text) or GENERIC_ANY.search(text)):
            return False, 0.0
    conf = 0.5
    if owners:
        conf += 0.2
    if deadline:
        conf += 0.15
    if target:
        conf += 0.1
    if strong_future:
        conf += 0.05
    if is_past(text):
        conf -= 0.15
    return True, round(min(conf, 0.99), 2)

"""Owner parsing: who must do it (GUIDELINE field ``owners``).

An owner is found only in a grammatical position that assigns work:
  * subject of the clause: an owner list at a clause/comma start followed by a modal or
    action verb ("县发改局、统计局要…", "XX同志牵总", "乡镇主要抓好…");
  * after an assigning verb: 请 / 由 / 责成 / 要求 / 希望 ("请副县长刘卿同志和县财政局…");
  * after 会同 / 配合 / 协助 / 协同 (role "co").
Objects ("指导各乡镇做好…", "与县财政局做好对接") are therefore not owners.
Each list item is a directory alias (longest match), a person (title + name, name + 同志),
a title without a name (分管县领导), or an unknown organisation (…局/委/办/中心/公司/部门/组).
"""
import re
from dataclasses import dataclass

from .recache import rx

DIVISION_FIRST = set("各全边相有涉县市区乡镇街八两“一二三四五六七八九十")
TITLE_FIRST = set("联涉相有各分挂包主具县市区其领负副常")
PERSON_HINT = rx(r"同志|县长|市长|区长|州长|书记|主任|局长|部长|巡视员|调研员|委员|秘书长|主席|乡长|镇长|行长|院长|组长|队长|所长|站长|科长|经理|董事长|检察长|政委")
REGION_PREFIX = rx(r"^(?:全市|全县|全区|全省|城区|全镇|全乡|县级|市级|区级)")
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由")
TITLES = ("县委书记|县委副书记|县委常委|常务副县长|副县长|县长|县委委员|书记|副书记|主任|副主任|局长|副局长|部长|副部长|"
          "主席|副主席|乡长|镇长|乡党委书记|镇党委书记|市长|副市长|常务副市长|区长|副区长|常务副区长|组长|副组长|秘书长|政委|"
          "检察长|院长|州长|副州长|主任委员|总经理|董事长|队长|所长|站长|行长|科长|巡视员|调研员|秘书长|委员")
NAME = r"(?:[\u4e00-\u9fff]{2,3}?|[X×Ｘ*＊]{1,3}|某某)"
PERSON_RE = rx(
    rf"(?P<titles>(?:(?:{TITLES})[、，]?)*)(?P<name>{NAME})(?:(?P<tz>同志)|(?=[、，和与及要具负牵认积主全抓也都等。；]))")
NAME_TITLE_RE = rx(rf"(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?P<title>(?:常务)?副?(?:县长|市长|区长|州长|书记|主任|局长|部长|巡视员|调研员|秘书长))(?:同志)?(?!的)")
NAME_STOP = rx(r"常务|分管|各位|相关|主管|联系|协管|挂钩|包保|负责|其他|这位|哪位|各|的|后面|前面|刚才|今天|这里|我们|大家")
DIVISION_RE = rx(r"(?:各|全|边境|相关|有关|涉及的?)?(?:[县市区乡镇](?:[（(][市区县镇乡、，]{1,6}[）)]|、[县市区乡镇]){1,3}[街]?(?:政府|党委)?|八县一区|[一二三四五六七八九十两]县[一二三四五六七八九十两]?区|县区政府|各县市区|县市区|“两区”|两区)"
                         r"|(?:各|相关|有关|涉及的?)?(?:县区|区县|县市区|市县区|市县|市州|镇（街道）|乡镇（街道）|镇街|街镇|乡镇街道)(?:政府|党委)?")
TITLE_ONLY_RE = rx(
    r"(?:[县市区](?:委|政府)?(?=各|分管|相关))?(?:联系项目的|涉及的?|相关|有关|各位|各|分包|联系|挂钩|包保|主要|具体)?(?:分管|县级|县|主要|挂钩|包保|联系|包抓)?(?:的)?"
    r"(?:县领导|领导同志|领导|负责同志|负责人|分管县长|副县长们)(?:同志)?|"
    r"(?:各|各位|各分管|分管|其他)?(?:常务)?副(?:县长|市长|区长|州长)|(?:市级|县级|区级)(?:分管|包保|联系)?领导|"
    r"(?:联系项目的|涉及的|相关)?分管(?:的)?(?:县领导|领导)?")
ORG_SUFFIX = ("团牵头单位|成员单位|主要领导|包保领导|包抓领导|联系领导|责任领导|挂钩领导|主要负责人|主要负责同志|负责同志|负责人|一把手|工作队|帮扶工作队|队员|工作人员|人员|普查员|指导员|网格员|"
              "机关|机构|园区|产业园|工业园|物流园|科技园|产业园区|集团|理事会|媒体|港务区|开发区|经开区|研究室|督查室|办公室|国有企业|领导小组|工作领导小组|指挥部办公室|指挥部|办公室|管委会|工作组|工作专班|专班|牵头单位|责任单位|业主单位|实施单位|"
              "部门|单位|分局|(?<![格布大全开结变时政当残僵骗赌])局|委员会|委|(?<![盯督承交代协主快速特想好难事照对])办|中心|公司|集团|小组|队|站|派出所|医院|院|学校|乡镇长|乡镇|街道|社区|镇|乡|党委|党组|政府|"
              "班子成员|班子|协会|银行|工作组")


def _alternation(alts):
    """One regex for "a|b|c…" of literal words (some with a look-behind): the literals as a character
    trie (one attempt per character instead of one per word), the look-behind forms after it."""
    from .directory import trie_regex
    plain = [a for a in alts.split("|") if a and not a.startswith("(?")]
    special = [a for a in alts.split("|") if a.startswith("(?")]
    return "(?:" + "|".join([trie_regex(plain)] + special) + ")"


ORG_SUFFIX_RX = _alternation(ORG_SUFFIX)
# words an organisation name never starts with (verbs, adverbs, function words) …
ORG_NOT_FIRST = ("积极|认真|加快|扎实|全力|切实|持续|进一步|大力|着力|深入|全面|筹建|新建|建设|推进|推动|加强|强化|完善|建立|组建|成立|"
                 "培育|引进|打造|现场|引导|深度|科学|调整|分析|提出|构建|形成|优化|提升|坚持|围绕|聚焦|统筹|协调|发挥|健全|促进|支持|鼓励|"
                 "帮助|组织|开展|落实|实现|要|把|对|在|将|从|为|按|以|向|给|让|使|是|有的|有些|已|还|也|都|就|再|又|并|但|而|如|若|因|所|"
                 "被|可|能|会|应|需|必|务|该|请|由|这|那|其|此|我|你|他|经县|经市|经区|经省|经州|"   # 经X政府研究: "upon"
                 # prepositions and time words open a clause, never a name (根据县委安排, 今年我区…, 狠抓城乡统筹)
                 "根据|依据|按照|鉴于|由于|随着|关于|通过|经过|今年|今天|明年|去年|当前|目前|狠抓|抓")
# … verbs of assignment it never contains …
ORG_NOT_INSIDE = "会同|配合|协助|牵头|负责|督促|指导|联合|抓好|做好|没有|有的|分别|责成|要求"
# … and what may follow it in subject position (a separator, a modal or a verb of action)
ORG_FOLLOW = ("要|既|之间|一级|层面|近期|今年|年内|会后|今天会后|下半年|本月|必须|务必|负责|牵头|牵总|主要|具体|全力|都|也|还|配合|会同|协助|同志|认真|积极|切实|进一步|抓紧|尽快|立即|马上|"
              "加强|加快|加大|研究|深入|做好|抓好|专门|组织|召集|及时|迅速|继续|统筹|督促|指导|对接|联合|共同|密切|分别")
# official names joined by 和 (粮食和物资储备局, 自然资源和规划局, 住房和城乡建设局): 和 is part of the name
JOINED_ORG = rx(rf"(?:[县市区省州])?[\u4e00-\u9fff]{{2,4}}和[\u4e00-\u9fff]{{2,6}}?(?:局|委员会|委|厅|办公室|中心)(?=[、，和与及等：:]|{_alternation(ORG_FOLLOW)})")
# a quoted name with an organisation suffix ("“链长”单位"), the heads of a group of places ("分管副县（市、区）长"),
# the people of a line of work ("工业战线的同志")
GROUP_OF_PEOPLE = rx(rf"“[^”]{{1,8}}”{ORG_SUFFIX_RX}|(?:分管)?副?[县市区]（[县市区、]{{3,5}}）长|"
                             rf"[\u4e00-\u9fff]{{2,6}}(?:战线|系统|口|行业)的同志")
NOT_SUBJECT_START = rx(_alternation(ORG_NOT_FIRST))
ORG_RE = rx(rf"(?![“”\"'《》]|{_alternation(ORG_NOT_FIRST)})"
                    rf"(?P<org>(?:各|全县|全市|县|市|区)?(?:相关|有关|涉及的?|其他)?(?:主要|重点)?(?:(?!{_alternation(ORG_NOT_INSIDE)})[^\s，。；：、,;:.和与及等！？（）()要也都还到把将被让使在对从向于了着过是不没很更最以为就由已]){{0,16}}{ORG_SUFFIX_RX})"
                    rf"(?=[、，和与及等：:]|{_alternation(ORG_FOLLOW)}|$)")
# a necessary condition of an ORG_RE match, cheap to test first: a suffix's last character followed by what
# may follow an organisation (a separator, the first character of an ORG_FOLLOW word, the end), within reach
_ORG_LAST = "".join(sorted({a[-1] for a in ORG_SUFFIX.split("|")}))
_ORG_NEXT = "".join(sorted(set("、，和与及等：:") | {w[0] for w in ORG_FOLLOW.split("|")}))
ORG_POSSIBLE = rx(rf"[{_ORG_LAST}](?:[{_ORG_NEXT}]|$)")
ORG_REACH = 48      # prefix (≤ 7) + 16 name characters + the longest suffix, and the next character
# a subordinate place named as a subject: 民权县, 永城市, 睢阳区, 示范区, 高新区 (a proper name of one to
# four characters and a county/city/district word), never 全县/我市/本区/县市区-style generic words
PLACE_RE = rx(r"(?![全我本该各这那每其此城市县区省州乡镇])[\u4e00-\u9fff]{1,4}?(?:县|市|区|旗)(?![场民长委直级里])(?:政府|党委|管委会)?")
PLACE_SUBJECT = rx(r"[县市区旗](?:都|也|还|要|必须|务必|和|、)")
PLACE_BAD = rx(r"[与及对把在的要有是了将从向为给让被就都也还又时和等个上下中内外新老大小各全我年地现]")   # + 我区, 今年, 地区, 实现
GENERIC = rx(r"^(?:全县上下|全县|各级各部门|各级各相关部门|全县各级各部门|各级|各部门|大家|我们|全体|广大党员干部|各级领导干部|"
                     r"各级党委政府|党员干部|干部|各位|同志们|各单位|各级各单位|部门|单位|各部门单位|部门单位|各位领导|在座各位|各级各部门各单位|各部门各单位|各部门各单位|各级各部门各单位|各地|各地各部门|全县各级|全体干部|各级干部|领导干部|各级领导|我|你们|他们)$")
# everyone at once: 各级各有关部门, 全市各级各相关部门, 区各级各部门 (各级 + departments); 各有关部门 alone is an owner
GENERIC_ALL = rx(r"^(?:全?[县市区省州])?各级(?:各(?:有关|相关)?(?:部门|单位|系统))*$")
UPPER = rx(r"^(?:国家|中央|国务院|省|市|州|上级|省里|市里|州里|党中央|省委|市委|州委|省政府|市政府|州政府|中共)")
ANON_NAME = rx(r"[X×Ｘ*＊]|某")
# words that stand before 同志 without being a given name (广大同志, 全体同志, 老同志, 青年同志 …)
GIVEN_NAME_STOP = rx(r"广大|全体|各位|诸位|在座|所有|有关|相关|其他|老|新|好|女|男|年轻|青年|基层|一线|机关|班子|党员|领导|这|那|哪|每|个|些|位|名")
NOT_PERSON_NAME = rx(r"负责|领导|的|们|大家|同志|县|乡|镇|局|委|办|部|班子|各|相关|有关|主要|分管|全体|党员|干部|群众|人民|企业|书记")

def _firsts(alts):
    """The characters the words of an alternation "a|b|(?<!x)c…" can start with (look-behinds skipped)."""
    return "".join(sorted({re.sub(r"^\(\?<[!=][^)]*\)", "", a)[:1] for a in alts.split("|") if a}))


# every alternative starts with one of these characters: a cheap first test at each position
OWNER_HINT = rx(rf"(?=[{_firsts(ORG_SUFFIX + '|' + TITLES)}同领负县市区乡镇两一])"
                        rf"(?:{ORG_SUFFIX_RX}|(?:{TITLES})|同志|领导|负责|[县市区乡镇]（|两区|一区)")
SEP = r"(?:、|和|与|及|以及|同|[，,](?=[^。；]{0,24}?(?:等|要|必须)))"
DISCOURSE = rx(
    r"(?=[同另此其特尤还比例再我咱下接今会希当目首次最对为因主重关并而这一二三四五六七八九十第（(\d也都要由请责建需年])"
    r"(?:同时|另外|此外|其中|特别是|尤其是|还比如|比如|例如|再比如|我们|咱们|下来|下一步|接下来|今天会后|会后|希望|当前|目前|首先|其次|再次|最后|对此|为此|因此|主要是|重点是|关键是|"
    r"并且|而且|还有|这里|这项工作|此项工作|[一二三四五六七八九十]+是|[一二三四五六七八九十]+要|第[一二三四五六七八九十]+|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|也|都|要求|由|请|责成|建议|需要|"
    r"(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?(?:底|末|中旬|上旬|下旬)?|年底|年内)(?:前|之前|以前)?|"
    r"[一二三四五六七八九十]+、)[，、：]?")
SEP_RE = rx(SEP)
PUNCT = rx(r"[，：；,;:]")
ETC = rx(r"等(?:\d+|[一二三四五六七八九十]+)?(?:个|家)?[^，。；、要和]{0,16}?(?:部门|单位)|等(?![\u4e00-\u9fff]{0,3}(?:方面|工作|领域|问题))|同志")
FUNC_CHARS = rx(r"[与及对把在的要有是了将从向为给让被就都也还又时]")
ETC_LIST = rx(r"(?P<items>(?:[^、，。；：\s]{2,10}、)+[^、，。；：\s]{2,10}?)等(?:\d+|[一二三四五六七八九十]+)?(?:个|家)?[^，。；、]{0,16}?(?:部门|单位)")
# a level prefix before a directory alias: 市财政局, 省发改委, 区住建局, 国家统计局 (one of the five
# administrative levels, or the state/centre); the group is the level word
LEVEL_PREFIX = rx(r"(县|区|市|州|省|国家|中央)(?:级|直|属)?")
# the leading organs of a level (市委, 省政府, 市里): "upper levels" in the GUIDELINE's sense, not units
LEVEL_ORGAN = rx(r"(?:县|区|市|州|省|国家|中央)(?:委|政府|里|上|级|人大|政协|党委|委员会)?")
ORG_TAIL = rx(r"(?:等)?(?:部门|单位|系统)")
WINDOW = 140     # an owner list, its adverbs and its verb fit in this many characters
PROMISE = rx(r"(?:都|也|还|一定|务必)?要|必须|务必")
ENUMERATED_LIST = rx(r"(?P<items>(?:[\u4e00-\u9fff]{2,6}、)+[\u4e00-\u9fff]{2,6}?)"
                             r"(?:[一二三四五六七八九十两]|\d{1,2})(?:家|个)(?:企业|单位|部门|公司|乡镇|县区|园区)")
SHARED_SUFFIX_LIST = rx(r"(?P<items>(?:[\u4e00-\u9fff]{2,4}、)+)(?P<last>[\u4e00-\u9fff]{2,4}(?:部门|单位|系统))")
PAST_PRED = rx(r"了|已经|已")
ASSIGN_MID = rx(r"(?<=[^，。；：、])(?:责成|要求)(?=[^，。；]{2,20}?(?:要|在|对|抓紧|尽快|立即|认真|研究|做好|抓好|进一步))")
# "…必须由主要领导亲自抓", "…统一由县财政局拨付": a modal and 由 assign the task to the list that follows
ASSIGN_BY = rx(r"(?:必须|务必|要|应当?|须|统一|均|都|分别)由")
SUPERVISE = rx(r"(?<=负责|牵头|牵总)[，,](?:督促指导|指导督促|督促|统筹|组织|带领|指导)")
ASSIGN = rx(r"(?:请|由|责成|要求|希望|建议|交由|交给)")
PLAY_ROLE = rx(r"发挥(?:好|出)?|强化")
ETC_KIND = rx(r"等[^、，。；：]{1,8}$")
ROLE_NOUN = rx(r"(?:的[\u4e00-\u9fff]{0,4}?)?作用")
CO_VERB = rx(r"(?:会同|配合|协助|协同|联合|协办)")
ADVERB = rx(r"(?:等(?:\d+|[一二三四五六七八九十]+)?(?:个|家)?[^，。；、]{0,16}?(?:部门|单位|牵头单位|责任单位)|等|同志|都|也|还|均|分别|一定|务必|密切|"
                    r"主要|具体|全力|共同|继续|进一步|切实|认真|牢牢|亲自|带头|尽快|立即|马上|抓紧|迅速|积极|主动|今天会后|会后|"
                    r"近期|今年|年内|明年|下半年|本月|当前|目前|在\d{1,2}月[^，。；]{0,4}前|作为[^，。；]{1,14}[，,]|一级|层面|之间|既|，|"
                    r"一方面)*")
MODAL = rx(
    r"要(?!求)|必须|务必|须|需|应当|应|负责|牵头|牵总|主抓|主办|协办|配合|会同|协助|承担|抓好|做好|抓紧|尽快|立即|马上|认真|积极|切实|全力|主动|"
    r"加快|加大|加强|强化|盯|督促|研究|组织|开展|落实|推进|确保|力争|争取|严格|严肃|继续|持续|迅速|提前|及时|牢固|指导|统筹|对接|"
    r"派出|成立|组建|建立|制定|出台|抽出|抽调|做实|做细|靠前|以身作则|亲力亲为|谋划|跟踪|跟进|盯紧|盯死|全程|想办法|拿出|提出|"
    r"梳理|排查|摸清|核实|清理|完成|涉及|实施|启动|安排|部署|筹备|召开|听取|汇报|报送|上报|提交|草拟|起草|编制|印发|下发|整改|"
    r"各显神通|集中|把|对|从|围绕|以|按照|在|于|针对|结合|进行|开展|提供|保障|优化|深化|扎实|大力|着力|突出|重点|带领|带着")
ROLE_CO = rx(r"^(?:\W|都|也|要|全力|积极|主动|认真)*(?:配合|协助|协办|协同)")


@dataclass
class Owner:
    name: str
    mention: str
    kind: str
    role: str
    unit_id: object = None
    start: int = 0
    level_mismatch: bool = False   # a unit of another administrative level than the directory's
    upper: bool = False            # … and that level is above the speech's own (市财政局 in a county speech)
    known: bool = False            # matched a directory alias
    everyone: bool = False         # listed with 各部门/各单位 ("各县区、各部门要…"): the list addresses everyone

    def as_dict(self):
        d = {"name": self.name, "mention": self.mention, "kind": self.kind, "role": self.role, "unit_id": self.unit_id}
        if self.level_mismatch:
            d["level_mismatch"] = True
        return d

    def copy(self):
        return Owner(self.name, self.mention, self.kind, self.role, self.unit_id, self.start, self.level_mismatch, self.upper,
                     self.known, self.everyone)


class OwnerParser:
    def __init__(self, directory, level="县"):
        self.directory = directory
        self.level = level
        self._memo = {}
        self._subj_memo = {}
        levels = {"县": "市(?!场|民)|州|省", "市": "省", "区": "市(?!场|民)|省", "省": None}.get(level, "省")
        organ = rf"(?:{levels})(?:委|政府|里|上|人大|政协|级|[^\s，。、；]{{0,8}}?(?:局|委|办|厅|部|中心|组))|" if levels else ""
        self.upper = rx(rf"^(?:{organ}国家|中央|上级|党中央|国务院)")
        words = {"县": "省|市|州|国家|中央|总书记|国务院", "市": "省|国家|中央|总书记|国务院", "区": "省|市|国家|中央|总书记|国务院",
                 "省": "国家|中央|总书记|国务院"}.get(level, "省|国家|中央|总书记")
        # "任省长在…强调，", "省委要求：": an upper level is the subject of a verb of saying (not "…按照省上的要求，"
        # nor "…要求各地": a modal 要 before it or 的 right before 要求 makes it no report)
        self.reported = rx(rf"^[^，。；要]{{0,30}}?(?:{words})[^，。；要]{{0,24}}?(?<!的)(?:强调|指出|讲到|要求|提出)[，：:]|"
                                   rf"^[^，。；要]{{0,30}}?(?:{words})[^，。；要]{{0,12}}?(?:会议|会|文件|意见|通知|方案)(?:上)?"
                                   rf"(?:提出|明确|要求|强调|指出|部署)")

    # ---- one item -------------------------------------------------------
    def item_at(self, s, pos):
        """Parse one owner mention at s[pos:]; returns (end, Owner) or None."""
        best = None
        person_hint = PERSON_HINT.search(s, pos, pos + 18) is not None
        # person with a title or 同志
        m = PERSON_RE.match(s, pos) if person_hint else None
        if m:
            cand = self._person(m, s)
            if cand:
                best = cand
        if self.directory is not None:
            d = self.directory.match_at(s, pos)
            mismatch = None
            if not d:
                lv = LEVEL_PREFIX.match(s, pos)
                if lv:
                    d2 = self.directory.match_at(s, lv.end())
                    if d2 and d2[1].kind != "township":
                        d = d2
                        if lv.group(1) != self.directory.level:
                            mismatch = lv.group(1)
            if d:
                end, unit = d
                # extend over a following org suffix glued to the alias (e.g. 卫健 + 部门)
                m2 = ORG_TAIL.match(s, end)
                mention_end = m2.end() if m2 and not s.startswith("等", end) else end
                kind = "group" if unit.kind == "group" else "unit"
                if mismatch:
                    # "市财政局" in a county directory is not 县财政局: keep the mention, no unit
                    mention = s[pos:mention_end]
                    o = Owner(mention, mention, kind, "lead", None, pos, level_mismatch=True,
                              upper=self.upper.match(mention) is not None)
                else:
                    o = Owner(unit.name, s[pos:mention_end], kind, "lead", unit.id, pos, known=True)
                if best is None or mention_end > best[0]:
                    best = (mention_end, o)
        m = NAME_TITLE_RE.match(s, pos) if person_hint else None
        if m and not NAME_STOP.search(m.group("name")) and not NOT_PERSON_NAME.search(m.group("name")):
            if best is None or m.end() > best[0]:
                best = (m.end(), Owner(m.group("name"), m.group(0), "person", "lead", None, pos))
        first = s[pos:pos + 1]
        m = DIVISION_RE.match(s, pos) if first in DIVISION_FIRST else None
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), Owner(m.group(0), m.group(0), "group", "lead", None, pos))
        m = TITLE_ONLY_RE.match(s, pos) if first in TITLE_FIRST else None
        if m and m.end() > pos:
            t = m.group(0)
            if best is None or m.end() > best[0]:
                nm = t[:-2] if t.endswith("同志") else t
                best = (m.end(), Owner(nm, t, "person", "lead", None, pos))
        m = PLACE_RE.match(s, pos) if best is None else None
        if m and not PLACE_BAD.search(m.group(0)[:-1]) and (SEP_RE.match(s, m.end()) or MODAL.match(s, ADVERB.match(s, m.end()).end())):
            best = (m.end(), Owner(m.group(0), m.group(0), "unit", "lead", None, pos))
        m = GROUP_OF_PEOPLE.match(s, pos) if (s.startswith("“", pos) or s.find("的同志", pos, pos + 12) >= 0
                                              or s.find("）长", pos, pos + 12) >= 0) else None
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), Owner(m.group(0), m.group(0), "group" if "同志" in m.group(0) else "unit", "lead", None, pos))
        m = JOINED_ORG.match(s, pos) if s.find("和", pos + 2, pos + 8) >= 0 else None
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), Owner(m.group(0), m.group(0), "unit", "lead", None, pos))
        m = ORG_RE.match(s, pos) if ORG_POSSIBLE.search(s, pos, pos + ORG_REACH) else None
        if m and (best is None or m.end() > best[0]):
            org = m.group("org")
            # an org can be a directory alias glued to a suffix: prefer the alias + suffix form
            if len(org) >= 2:
                best = (m.end(), Owner(org, org, "unit", "lead", None, pos))
        if best is None:
            return None
        end, o = best
        if GENERIC.match(REGION_PREFIX.sub("", o.mention)) or GENERIC_ALL.match(o.mention):
            return (end, None)  # consumed, but not an owner
        if o.kind == "unit" and not o.known and not o.level_mismatch and not LEVEL_ORGAN.fullmatch(o.mention):
            lv = LEVEL_PREFIX.match(o.mention)
            if lv and lv.group(1) != (self.directory.level if self.directory is not None else self.level):
                o.level_mismatch = True   # 省发改委, 市交通投资集团: a unit, but not one of the directory's
                o.upper = self.upper.match(o.mention) is not None
        if self.upper.match(o.mention) and not o.level_mismatch:
            return (end, None)  # an upper level itself (市委, 省政府, 市里): consumed, but not an owner
        return best

    def _person(self, m, s):
        titles, name, tz = m.group("titles"), m.group("name"), m.group("tz")
        if not titles and not tz:
            return None
        if NOT_PERSON_NAME.search(name):
            return None
        if not ANON_NAME.match(name) and name[0] not in SURNAMES:
            # leaders are also called by their given name: "请宝林同志牵头", "永平同志就…作了说明"
            if not (tz and not titles and len(name) == 2 and not GIVEN_NAME_STOP.search(name)):
                return None
        end = m.end()
        return end, Owner(name, m.group(0), "person", "lead", None, m.start())

    # ---- a list ---------------------------------------------------------
    def list_at(self, s, pos):
        """Owners joined by 、/和/与/及 starting at pos: (end, [Owner|None ...])."""
        items = []
        it = self.item_at(s, pos)
        if not it:
            return pos, []
        end, o = it
        items.append(o)
        while True:
            m = ETC.match(s, end)
            if m:
                end = m.end()
            m = SEP_RE.match(s, end)
            if not m:
                break
            nxt = self.item_at(s, m.end())
            if not nxt:
                break
            end, o = nxt
            items.append(o)
        return end, items

    def shared_suffix_list_at(self, s, pos):
        """"组织、纪检部门": short names sharing the suffix of the last one (组织部门 and 纪检部门);
        "豫光、济钢、金利、万洋四家企业": names counted by what they are."""
        m = ENUMERATED_LIST.match(s, pos) if s.find("、", pos, pos + 8) >= 0 else None
        if m:
            pieces = m.group("items").split("、")
            if not any(FUNC_CHARS.search(x) or GENERIC.match(x) for x in pieces):
                return m.end(), [Owner(x, x, "unit", "lead", None, pos) for x in pieces]
        m = SHARED_SUFFIX_LIST.match(s, pos)
        if not m:
            return pos, []
        items = []
        for piece in m.group("items").rstrip("、").split("、"):
            it = self.item_at(piece, 0)
            if it and it[0] == len(piece):
                if it[1] is None:
                    return pos, []        # a generic word (各部门…): not such a list
                items.append(it[1])
            elif FUNC_CHARS.search(piece) or GENERIC.match(piece):
                return pos, []
            else:
                items.append(Owner(piece, piece, "unit", "lead", None, pos))
        last = m.group("last")
        items.append(Owner(last, last, "unit", "lead", None, pos))
        return m.end(), items

    def etc_list_at(self, s, pos):
        """"X、Y、Z等部门" : every item of a list closed by 等…部门/单位 is a unit, known or not."""
        if s.find("等", pos, pos + 90) < 0 or s.find("、", pos, pos + 60) < 0:
            return pos, []
        m = ETC_LIST.match(s, pos)
        if not m:
            return pos, []
        items = []
        for piece in re.split(r"、|和|及", m.group("items")):
            piece = piece.strip()
            if not piece:
                continue
            it = self.item_at(piece, 0)
            if it and it[0] == len(piece):
                items.append(it[1])
            elif 2 <= len(piece) <= 5 and not GENERIC.match(piece) and not FUNC_CHARS.search(piece):
                items.append(Owner(piece, piece, "unit", "lead", None, pos))
            elif FUNC_CHARS.search(piece) or len(piece) > 5:
                return pos, []   # "各乡镇要加强与县发改、统计等部门": a clause, not a list of owners
        end = m.end()
        while True:
            sm = SEP_RE.match(s, end)
            if not sm:
                break
            nxt = self.item_at(s, sm.end())
            if not nxt:
                break
            end, o = nxt
            items.append(o)
            em = ETC.match(s, end)
            if em:
                end = em.end()
        return end, items

    # ---- a clause ---------------------------------------------------------
    def may_have_owner(self, s):
        """Cheap test: could any owner mention occur in s at all?"""
        if OWNER_HINT.search(s) or PLACE_SUBJECT.search(s):
            return True
        d = self.directory
        return bool(d is not None and d._re is not None and d._re.search(s))

    def owner_list_only(self, s):
        """Is s nothing but a list of owners and a comma ("县纪委监委，" before "县委、县政府督查室要…")?"""
        t = s.rstrip("，,、 ")
        if not t or len(t) > 40:
            return False
        end, items = self.list_at(t, 0)
        return bool(items) and end == len(t)

    def parse_start(self, s, pos=0):
        """Does s[pos:] open with a subject (owner list + modal, or 请/由 + owners)?"""
        if NOT_SUBJECT_START.match(s, pos) and not DISCOURSE.match(s, pos):
            return [], False   # a verb, adverb or preposition opens the piece: no subject there
        owners = self._subject_at(s[pos:pos + WINDOW])
        return [o.copy() for o in owners], bool(owners)

    def parse(self, s, starts=None, co=True, context=None, offset=0):
        """Owners of clause s.  ``context``/``offset``: the sentence s sits in (s == context[offset:offset +
        len(s)]); subject windows are then read from the sentence, so that the same window met as a comma
        piece, a chunk and a whole clause is parsed once."""
        key = (s, starts, co, offset if context is not None else None)
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) > 4096:
                self._memo.clear()
            hit = self._memo[key] = self._parse(s, starts, co, context, offset)
        owners, subject = hit
        return [o.copy() for o in owners], subject

    def _subject_at(self, t):
        """Owners in subject position at the start of t (a window of the clause), memoised: the same
        window is met again as a comma piece, a chunk and a whole clause."""
        hit = self._subj_memo.get(t)
        if hit is None:
            if len(self._subj_memo) > 8192:
                self._subj_memo.clear()
            hit = self._subj_memo[t] = self._subject_at_uncached(t)
        return hit

    def _subject_at_uncached(self, s):
        if (NOT_SUBJECT_START.match(s) and not DISCOURSE.match(s) and not SHARED_SUFFIX_LIST.match(s)
                and not (self.directory is not None and self.directory.match_at(s, 0))):
            return ()   # a verb, adverb or preposition opens the window (as parse_start says): no subject there
        pos = 0
        assign = False
        # strip discourse openers, remembering an assigning verb
        for _ in range(4):
            m = DISCOURSE.match(s, pos)
            if not m or m.end() == pos:
                break
            if ASSIGN.fullmatch(m.group(0).rstrip("，、：")):
                assign = True
            pos = m.end()
        end, items = self.etc_list_at(s, pos)
        if not items:
            end, items = self.shared_suffix_list_at(s, pos)
        if not items:
            end, items = self.list_at(s, pos)
        if not items:
            return ()
        tail = s[end:end + 30]
        adv = ADVERB.match(tail)
        after = tail[adv.end():] if adv else tail
        # an owner list closing a lead-in ("交通工作组：") assigns the items below it
        ok = assign or bool(MODAL.match(after)) or after[:1] in "：:"
        if not ok:
            return ()
        if PAST_PRED.search(after[:14]) and not PROMISE.match(after):
            return ()   # "相关领导对…进行了分析": a report of what was done, not an assignment
        role = "co" if ROLE_CO.match(tail) else "lead"
        everyone = any(o is None for o in items)   # a generic member (各部门, 各单位) was consumed
        out = []
        for o in items:
            if o is None:
                continue
            o.role = role
            o.start = pos
            o.everyone = everyone and o.mention.startswith(("各", "相关", "有关"))
            out.append(o)
        return tuple(out)

    def _parse(self, s, starts=None, co=True, context=None, offset=0):
        """Owners of clause s: list of Owner (deduplicated, in order), and whether a subject was found."""
        found = []
        subject = False
        if starts is None:
            starts = [0] + [m.end() for m in PUNCT.finditer(s)]
            extra = [m.start() for m in ASSIGN_MID.finditer(s)] if ("责成" in s or "要求" in s) else []
            if "由" in s:
                extra += [m.end() - 1 for m in ASSIGN_BY.finditer(s) if m.start() > 0]
        else:
            extra = []
        if context is None:
            context, offset = s, 0
        for st in starts:
            owners = self._subject_at(context[offset + st:offset + st + WINDOW])
            for o in owners:
                o = o.copy()
                o.start += st
                found.append(o)
                subject = True
        for st in extra:
            m = ASSIGN.match(s, st)
            end, items = self.list_at(s, m.end())
            if items and any(o is not None for o in items):
                for o in items:
                    if o is not None:
                        o.start = st
                        found.append(o)
        for m in (SUPERVISE.finditer(s) if co and ("负责" in s or "牵头" in s or "牵总" in s) else ()):
            end, items = self.etc_list_at(s, m.end())
            if not items:
                end, items = self.list_at(s, m.end())
            for o in items:
                if o is not None:
                    o.role = "co"
                    found.append(o)
        for m in (PLAY_ROLE.finditer(s) if "作用" in s else ()):
            # "充分发挥县5G网络建设工作领导小组的作用", "发挥好税务部门作用": the unit whose role is called on
            r = ROLE_NOUN.search(s, m.end(), m.end() + 48)
            if r is None:
                continue
            piece = ETC_KIND.sub("", s[m.end():r.start()]) + "，"   # "…等政府平台公司作用": the listed ones
            end, items = self.etc_list_at(piece, 0)
            if not items:
                end, items = self.list_at(piece, 0)
            if items and end >= len(piece) - 1:
                found.extend(o for o in items if o is not None)
        for m in (CO_VERB.finditer(s) if co else ()):
            end, items = self.list_at(s, m.end())
            for o in items:
                if o is not None:
                    o.role = "co"
                    found.append(o)
        out, seen = [], set()
        for o in found:
            if o.name in seen:
                continue
            seen.add(o.name)
            out.append(o)
        return out, subject

from datetime import date

import pytest

from tasks.extraction import Directory, ExtractionError, extract_text
from tasks.extraction.directory import DEFAULT_UNITS_PATH, default_directory
from tasks.extraction.owners import OwnerParser

REF = date(2024, 5, 28)


@pytest.fixture(scope="module")
def parser():
    return OwnerParser(default_directory())


def owners_of(parser, s):
    return [(o.name, o.mention, o.kind, o.role) for o in parser.parse(s)[0]]


def test_default_directory_loads_and_has_aliases():
    d = default_directory()
    assert DEFAULT_UNITS_PATH.name == "default_units.json"
    for alias in ["发改", "发改局", "县发改", "县发改局", "发展和改革局", "县发展和改革局"]:
        assert d.lookup(alias).name == "县发展和改革局"
    assert d.lookup("各乡镇").kind == "group"
    assert d.lookup("猛硐乡").parent == "各乡镇"


def test_alias_clash_is_rejected():
    with pytest.raises(ExtractionError) as e:
        Directory.from_entries([
            {"id": 1, "name": "县财政局", "short_name": "财政", "aliases": [], "kind": "department", "parent": None},
            {"id": 2, "name": "县税务局", "short_name": None, "aliases": ["财政"], "kind": "department", "parent": None},
        ])
    assert "财政" in e.value.message


def test_joint_mention_two_units(parser):
    got = owners_of(parser, "县发改、财政要组建专班，认真研究国家的政策导向")
    assert [g[0] for g in got] == ["县发展和改革局", "县财政局"]
    assert [g[1] for g in got] == ["县发改", "财政"]


def test_etc_department_list_with_unknown_member(parser):
    got = owners_of(parser, "发改、住建、统计等部门要认真研究")
    assert [g[0] for g in got] == ["县发展和改革局", "县住房和城乡建设局", "县统计局"]
    got = owners_of(parser, "县发改、财税、工信商务、统计等部门要强化部门联动")
    assert [g[1] for g in got] == ["县发改", "财税", "工信商务", "统计"]


def test_people_with_titles(parser):
    got = owners_of(parser, "同时也请常务副县长胡世胜同志和副县长刘卿、张友国同志认真研究")
    assert [(g[0], g[2]) for g in got] == [("胡世胜", "person"), ("刘卿", "person"), ("张友国", "person")]
    got = owners_of(parser, "这项工作由县委常委、常务副县长胡世胜同志具体负责盯紧抓落实")
    assert got[0][0] == "胡世胜" and got[0][3] == "lead"
    got = owners_of(parser, "由朱维昌常务副市长负责，督促指导相关部门继续调度")
    assert got[0][0] == "朱维昌"


def test_titles_without_names_and_named_groups(parser):
    assert owners_of(parser, "联系项目的分管领导要先去了解项目的困难和问题")[0][:3] == ("联系项目的分管领导", "联系项目的分管领导", "person")
    g = owners_of(parser, "招商领导小组要围绕产业加强统筹谋划")[0]
    assert g[0] == "招商领导小组" and g[2] == "group"
    g = owners_of(parser, "“两办”要负责跟进协调好")[0]
    assert g[2] == "group" and g[3] == "lead"
    g = owners_of(parser, "四家班子各位领导要牢固树立抓项目的导向")[0]
    assert g[0] == "四家班子领导"


def test_group_is_one_owner(parser):
    got = owners_of(parser, "各乡镇要抽出专人对过去做的工作进行重新梳理")
    assert got == [("各乡镇", "各乡镇", "group", "lead")]


def test_roles_lead_and_co(parser):
    got = owners_of(parser, "县统计局牵头，各乡镇配合，尽快完成数据核查")
    assert ("县统计局", "lead") in [(g[0], g[3]) for g in got]
    assert ("各乡镇", "co") in [(g[0], g[3]) for g in got]
    got = owners_of(parser, "投促中心要会同统计局、国调队，全力指导帮助企业")
    roles = {g[0]: g[3] for g in got}
    assert roles == {"县投资促进中心": "lead", "县统计局": "co", "国家统计局县调查队": "co"}


def test_unknown_org_has_null_unit_id():
    res = extract_text("县乡村旅游发展服务中心要在9月底前完成规划编制。", REF)
    o = res["directives"][0]["owners"][0]
    assert o["name"] == "县乡村旅游发展服务中心" and o["unit_id"] is None and o["kind"] == "unit"


def test_objects_are_not_owners(parser):
    got = owners_of(parser, "县工信商务局要主动作为，指导企业按相关政策与金融部门对接好贷款工作")
    assert [g[0] for g in got] == ["县工业和信息化商务局"]


def test_generic_and_upper_level_subjects_are_not_owners(parser):
    assert owners_of(parser, "全县上下要切实增强责任感") == []
    assert owners_of(parser, "各级各部门要高度重视") == []
    assert owners_of(parser, "市委要求各地加快进度") == []


def test_directory_ids_flow_into_output():
    d = Directory.from_entries([
        {"id": 7, "name": "县财政局", "short_name": "财政局", "aliases": ["财政"], "kind": "department", "parent": None},
        {"id": 9, "name": "各乡镇", "short_name": None, "aliases": ["乡镇"], "kind": "group", "parent": None},
        {"id": 10, "name": "麻栗镇", "short_name": "麻栗", "aliases": [], "kind": "township", "parent": "各乡镇"},
    ])
    res = extract_text("财政要在6月底前拨付资金；各乡镇要尽快上报台账；麻栗镇要在年内完成搬迁。", REF, directory=d)
    owners = [d["owners"][0] for d in res["directives"]]
    assert [(o["name"], o["unit_id"], o["kind"]) for o in owners] == [
        ("县财政局", 7, "unit"), ("各乡镇", 9, "group"), ("麻栗镇", 10, "unit")]


def test_owner_carries_from_lead_in_to_items():
    text = "此外，还有几项工作，相关县领导和责任单位务必抓紧抓好：一是尽快启动一期提升工程；二是确保9月底前完成征迁任务。"
    res = extract_text(text, REF)
    assert len(res["directives"]) == 2
    for d in res["directives"]:
        assert [o["mention"] for o in d["owners"]] == ["相关县领导", "责任单位"]


# ---- owners at another administrative level (issue #9's contract with the workbench) --------------

COUNTY = Directory.from_entries([
    {"id": 7, "name": "县财政局", "short_name": "财政局", "aliases": ["财政", "县财政局"], "kind": "department", "parent": None},
    {"id": 8, "name": "县发展和改革局", "short_name": "县发改局", "aliases": ["发改局", "县发改局"], "kind": "department",
     "parent": None},
    {"id": 11, "name": "县市场监督管理局", "short_name": "市场监管局", "aliases": ["市场监管局"], "kind": "department",
     "parent": None},
])


def test_directory_knows_its_level():
    assert COUNTY.level == "县"
    assert default_directory().level == "县"
    city = Directory.from_entries([{"id": 1, "name": "市财政局", "short_name": None, "aliases": [], "kind": "department"},
                                   {"id": 2, "name": "市统计局", "short_name": None, "aliases": [], "kind": "department"}])
    assert city.level == "市"


def test_unit_of_another_level_is_never_mapped_onto_the_directory():
    res = extract_text("市财政局、县发改局要在6月底前完成项目储备。", REF, directory=COUNTY)
    assert len(res["directives"]) == 1, res
    d = res["directives"][0]
    assert d["deadline"] == "2024-06-30"
    city, county = d["owners"]
    assert city == {"name": "市财政局", "mention": "市财政局", "kind": "unit", "role": "lead", "unit_id": None,
                    "level_mismatch": True}
    assert county == {"name": "县发展和改革局", "mention": "县发改局", "kind": "unit", "role": "lead", "unit_id": 8}


@pytest.mark.parametrize("clause, mention", [
    ("省发改委要加快审批", "省发改委"),
    ("市市场监管局要加强抽检", "市市场监管局"),
    ("区财政局要尽快拨付", "区财政局"),
])
def test_other_levels_keep_their_mention(clause, mention):
    owners = [o.as_dict() for o in OwnerParser(COUNTY).parse(clause)[0]]
    assert owners == [{"name": mention, "mention": mention, "kind": "unit", "role": "lead", "unit_id": None,
                       "level_mismatch": True}]


def test_own_level_and_bare_aliases_still_map():
    p = OwnerParser(COUNTY)
    assert [(o.name, o.unit_id) for o in p.parse("县财政局要尽快拨付")[0]] == [("县财政局", 7)]
    # 市场监管局 is the county's market regulator: the 市 is part of the word, not a level
    got = [o.as_dict() for o in p.parse("市场监管局要加强抽检")[0]]
    assert got == [{"name": "县市场监督管理局", "mention": "市场监管局", "kind": "unit", "role": "lead", "unit_id": 11}]


def test_city_speech_with_county_directory_flags_city_units():
    text = "全市上下要统一思想。市委、市政府决定：市财政局要在7月底前完成资金拨付。各县区要尽快上报台账。"
    res = extract_text(text, REF, directory=COUNTY)
    owners = [o for d in res["directives"] for o in d["owners"]]
    fin = [o for o in owners if o["mention"] == "市财政局"]
    assert fin and all(o["unit_id"] is None and o.get("level_mismatch") for o in fin)
    assert not any(o.get("unit_id") == 7 for o in owners)


@pytest.mark.parametrize("clause", [
    "经县人民政府研究并请示县委同意，决定今天在这里召开全县经济运行分析会议",
    "根据县人民政府安排，会议主要任务是研究部署下半年工作",
    "今年我区实施的省、市十大民生工程共计108项",
    "实现我区在全市的综合经济指标增速争一保二的目标",
    "这一年，我们狠抓城乡统筹，美丽乡村焕发新姿",
    "后发地区，要紧盯最高标准",
])
def test_owners_never_start_with_a_preposition_a_verb_or_a_time_word(parser, clause):
    assert not any(o.mention.startswith(("经", "根据", "今年", "实现", "狠抓", "后发"))
                   for o in parser.parse(clause)[0])


def test_owner_after_an_introductory_preposition_phrase(parser):
    res = extract_text("根据县人民政府安排，县财政局要在6月底前完成预算调整。", REF)
    assert [[o["name"] for o in d["owners"]] for d in res["directives"]] == [["县财政局"]]


@pytest.mark.parametrize("clause, mentions", [
    ("充分发挥县新型基础设施建设指挥部、县5G网络建设工作领导小组的作用，以新基建为突破口", ["县新型基础设施建设指挥部", "县5G网络建设工作领导小组"]),
    ("加强税收征管，发挥好税务部门作用，加强对重点税源监控", ["税务部门"]),
    ("要发挥市场的作用", []),
])
def test_the_unit_whose_role_is_called_on_owns_the_task(parser, clause, mentions):
    assert [o.mention for o in parser.parse(clause)[0]] == mentions


def test_a_window_opened_by_a_time_word_or_a_verb_has_no_subject_but_lists_and_aliases_do(parser):
    assert parser.parse("今天市政府召开全市一季度经济运行调度会")[0] == []
    assert [o.mention for o in parser.parse("组织、纪检部门要切实按照要求加强监督")[0]] == ["组织", "纪检部门"]


@pytest.mark.parametrize("clause, mentions", [
    ("项目前期工作必须由主要领导亲自抓推进", ["主要领导"]),                                   # 必须由 X
    ("区交通、民政、水务等相关部门和单位，一方面要积极向上级争取资金", ["区交通", "民政", "水务"]),  # X，一方面要
    ("要发挥市发投集团、市市政建设投资公司等政府平台公司作用", ["市发投集团", "市市政建设投资公司"]),
    ("这件事由来已久，理由是资金不足", []),
])
def test_owners_named_after_a_modal_by_or_before_a_comma(clause, mentions):
    p = OwnerParser(default_directory(), "区")
    assert [o.mention for o in p.parse(clause)[0]] == mentions

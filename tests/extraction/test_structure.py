"""Structures the second extraction pass reads (issue #10): lists and their frames, subjects that are
places or enumerations, everyone-addressees, tense, time limits and targets.  Pure: no Django."""
from datetime import date

import pytest

from tasks.extraction import default_directory, extract_text
from tasks.extraction.annotate import pick_deadline, pick_target
from tasks.extraction.owners import OwnerParser

REF = date(2024, 5, 1)


def directives(text, ref=REF):
    return extract_text(text, ref)["directives"]


def test_numbered_items_get_the_owner_of_their_lead_in():
    text = ("二、重点工作\n交通工作组：\n①XX物流园项目，要抓紧完成土地报批，确保7月份开工；"
            "②城南大道改造项目，10月底前再改造3处并投入使用。\n")
    ds = directives(text)
    assert [d["deadline"] for d in ds] == ["2024-07-31", "2024-10-31"]
    assert all([o["mention"] for o in d["owners"]] == ["交通工作组"] for d in ds)
    assert ds[1]["target"] == "3处"


def test_a_lead_in_ending_in_a_full_stop_frames_its_items():
    text = "各县（市、区）要重点抓好以下几项工作。一是要制定乡村建设行动方案；二是要在6月底前完成产业园区规划。"
    ds = directives(text)
    assert not any(d["text"].startswith("各县（市、区）要重点抓好以下几项工作") for d in ds)
    assert any(d["deadline"] == "2024-06-30" and [o["mention"] for o in d["owners"]] == ["各县（市、区）"] for d in ds)


@pytest.mark.parametrize("clause, mentions", [
    ("比如，民权县要围绕制冷产业，大力发展新型制冷机制造", ["民权县"]),
    ("示范区和神火集团要加快推进双零铝箔项目建设", ["示范区", "神火集团"]),
    ("市交通运输局、市财政局和有关县区要按照开工要求解决资金问题", ["市交通运输局", "市财政局", "有关县区"]),
    ("组织、纪检部门要切实把容错纠错情形具体化", ["组织", "纪检部门"]),
    ("豫光、济钢、金利、万洋四家企业之间要开展以商招商", ["豫光", "济钢", "金利", "万洋"]),
    ("请宝林同志牵头，市商务局负责", ["宝林同志", "市商务局"]),
    ("市粮食和物资储备局要按照近期的要求提高储备规模", ["市粮食和物资储备局"]),
    ("各乡镇要加强与县发改、统计等部门沟通对接", ["各乡镇"]),
    ("市发改委作为牵头主管部门，要担起主责", ["市发改委"]),
])
def test_subjects(clause, mentions):
    parser = OwnerParser(default_directory(), "市")
    assert [o.mention for o in parser.parse(clause)[0]] == mentions


def test_everyone_addressed_is_not_an_owner_that_qualifies():
    parser = OwnerParser(default_directory(), "县")
    assert parser.parse("全市各级各有关部门要保持定力")[0] == []
    (o,) = parser.parse("各县区、各部门要切实强化属地责任")[0]
    assert o.mention == "各县区" and o.everyone
    (o,) = parser.parse("各有关部门要做好对接")[0]
    assert o.mention == "各有关部门" and not o.everyone
    assert directives("各县区、各部门要切实强化属地责任，加强政策协同配套。") == []


@pytest.mark.parametrize("text", [
    "平凉市争取到全国第二批海绵城市建设示范城市，今后三年将获得中央财政补助资金11亿元。",
    "11月份，市上就要开始对贫困村退出验收和贫困县摘帽初审。",
    "任省长在省政府全体会上强调，下半年是冲刺全年目标任务的关键时期。",
    "这一年，我们狠抓城乡统筹，美丽乡村焕发新姿。",
    "乡镇完成谋划项目8个，亿元以上项目仅1个。",
    "去年9月，市政府因土地违法问题被约谈，这种现象要坚决遏制。",
])
def test_reports_of_other_places_levels_and_the_past_are_not_directives(text):
    assert directives(text) == []


@pytest.mark.parametrize("clause, phrase, value", [
    ("请县金融办抓紧制定三个攻坚战实施方案，确保5月份出台", "5月份", "2018-05-31"),
    ("20XX年3月底前下达的中央预算内投资项目在6月底前全部开工建设", "6月底前", "2018-06-30"),
    ("要争分夺秒推进新能源项目建设", "争分夺秒", "asap"),
])
def test_deadlines(clause, phrase, value):
    dl_text, dl, _ = pick_deadline(clause, date(2018, 4, 28))
    assert (dl_text, dl) == (phrase, value)


@pytest.mark.parametrize("clause, target", [
    ("实现农作物种植面积新增2.6万亩、达到220万亩", "220万亩"),
    ("采购份额要实打实地提高到40%以上", "40%以上"),
    ("尽早将2722户搬迁安置到位", "2722户"),
    ("力争上半年实现正增长", "正增长"),
    ("三季度序时进度过七成", "过七成"),
])
def test_targets(clause, target):
    assert pick_target(clause) == target


def test_a_time_limit_after_a_thing_subject_opens_its_own_task():
    ds = directives("集美产业园项目要加快厂房施工进度，确保5号厂房5月底前交付企业使用，1、2、3号厂房7月底前交付使用。")
    assert [d["deadline"] for d in ds] == ["2024-05-31", "2024-07-31"]


def test_confidence_orders_proposals():
    ds = directives("县发改局要在6月底前完成项目储备。要加强学习。县统计局要做好数据报送工作。")
    assert ds and all(0 < d["confidence"] <= 1 for d in ds)
    assert ds[0]["text"].startswith("县发改局") and ds[0]["confidence"] >= max(d["confidence"] for d in ds[1:] or [ds[0]])


def test_bundled_demo_speech_opens_with_assignable_directives():
    """The API, admin and browser tests accept the first directives of tasks/fixtures/demo_speech.txt: they
    must name directory units (a retrained decision layer that lets an owner-less clause through first
    breaks those flows)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "tasks" / "fixtures" / "demo_speech.txt").read_text(encoding="utf-8")
    ds = extract_text(text, date(2024, 5, 28))["directives"]
    assert len(ds) >= 10
    directory = default_directory()
    for d in ds[:2]:
        assert any(o["kind"] in ("unit", "group") and directory.lookup(o["mention"]) for o in d["owners"]), d


@pytest.mark.parametrize("text,deadlines", [
    # a fronted object with its own bounded date and result is its own task (GUIDELINE: different deadlines split)
    ("县税务局要持续加大退税力度，对制造业等6个行业的存量留抵税额在6月底前全部退还到位，"
     "对新纳入退税范围的批发零售等7个行业的存量税额在7月底前全部退还到位。", ["2024-06-30", "2024-07-31"]),
    # a dated event after another one
    ("8月23日至25日要举办核桃文化旅游节，8月27日至29日要举办生食蔬菜节。", ["2024-08-25", "2024-08-29"]),
])
def test_different_dated_results_in_one_sentence_are_two_tasks(text, deadlines):
    assert [d["deadline"] for d in directives(text)] == deadlines


def test_one_action_with_its_time_limit_stays_one_task():
    ds = directives("县发改局要加快推进项目前期工作，确保6月底前完成入库。")
    assert [d["deadline"] for d in ds] == ["2024-06-30"]


def test_a_list_of_dates_is_due_at_the_first():
    assert pick_deadline("按时在教育助学资金发放日（5月30日、10月30日）发放资助金", REF)[:2] == ("5月30日、10月30日", "2024-05-30")


def test_figure_lines_of_a_review_section_are_results_and_of_a_plan_section_goals():
    review = "一、认真分析总结上半年各项工作\n上半年，全县经济运行总体平稳。新开工亿元以上项目12个。新增农民专业合作社30家。\n"
    plan = "二、下半年工作目标\n新开工亿元以上项目12个。新增农民专业合作社30家。\n"
    assert directives(review) == []
    assert [d["target"] for d in directives(plan)] == ["12个", "30家"]


def test_a_time_phrase_before_a_new_subject_belongs_to_the_new_task():
    ds = directives("高速公路测量后就有人想来租地种植果树，这是来给我们增加麻烦，今天会后，县林草局要及时安排人员了解情况。")
    assert [d["text"] for d in ds] == ["今天会后，县林草局要及时安排人员了解情况"]
    assert ds[0]["deadline"] == "asap"
    ds = directives("希望今天会后，各乡镇长要立即行动起来，对查缺补漏工作再开展“回头看”。")
    assert len(ds) == 1 and ds[0]["text"].startswith("希望今天会后，各乡镇长要立即行动起来")

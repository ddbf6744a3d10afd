import re
from datetime import date

from tasks.extraction import extract_text
from tasks.extraction.normalise import normalise
from tasks.extraction.segment import segment

WS = re.compile(r"\s+")

PDF_TEXT = """在全县经济工作会议上的讲话

同志们：

一、认清形势，坚定信心

今年以来，全县经济运行总体平稳，地区生产总值同比增长

5%。

3

二、突出重点，狠抓落实

（一）要着力抓好项目建设。县发改局要在 6 月底前完成 XX 市下达的

项目入库工作，各乡镇要尽快上报

统计数据。

- 4 -

（二）要加强督查。一是县委、县政府督查室要每月通报一次进度；二是县纪委监委要严肃问责。
"""


def test_line_wraps_are_joined_and_page_numbers_dropped():
    n = normalise(PDF_TEXT)
    assert "同比增长5%。" in n.text
    assert "完成XX市下达的项目入库工作" in n.text      # wrap + blank line + spaces next to Chinese
    assert "尽快上报统计数据。" in n.text
    assert "\n3\n" not in n.text and "- 4 -" not in n.text
    # headings stay on their own line
    assert "\n一、认清形势，坚定信心\n" in n.text
    assert "\n（一）要着力抓好项目建设。" in n.text


def test_mapping_points_back_to_source():
    n = normalise(PDF_TEXT)
    i = n.text.index("项目入库工作")
    s, e = n.span_to_src(i, i + len("项目入库工作"))
    assert PDF_TEXT[s:e] == "项目入库工作"
    i = n.text.index("6月底前完成XX市")
    s, e = n.span_to_src(i, i + len("6月底前完成XX市"))
    assert WS.sub("", PDF_TEXT[s:e]) == "6月底前完成XX市"


def test_directive_spans_refer_to_source_text():
    res = extract_text(PDF_TEXT, date(2024, 5, 28))
    assert res["directives"], res
    for d in res["directives"]:
        assert WS.sub("", PDF_TEXT[d["start"]:d["end"]]) == WS.sub("", d["text"])
        assert "\n" not in d["text"]


def test_headings_give_section_paths():
    res = extract_text(PDF_TEXT, date(2024, 5, 28))
    by_text = {d["text"]: d for d in res["directives"]}
    fa = next(d for t, d in by_text.items() if t.startswith("县发改局"))
    assert fa["section"] == "二、突出重点，狠抓落实 / （一）要着力抓好项目建设"
    assert fa["deadline"] == "2024-06-30"
    dc = next(d for t, d in by_text.items() if "督查室" in t)
    assert dc["section"] == "二、突出重点，狠抓落实 / （二）要加强督查"
    assert dc["recurrence"] == "monthly"
    # the past-tense statistics sentence is not a directive
    assert not any("同比增长" in t for t in by_text)
    # bare headings are not directives
    assert not any(t.startswith("（一）") or t.startswith("一、") for t in by_text)


def test_list_items_split_into_directives():
    text = "（三）抓好重点工作。一是县住建局要在10月底前完成老旧小区改造；二是县交通局要在年底前建成环城路；三是各乡镇要立即开展安全排查。"
    res = extract_text(text, date(2024, 7, 1))
    got = [(d["text"], d["deadline"], [o["name"] for o in d["owners"]]) for d in res["directives"]]
    assert got == [
        ("县住建局要在10月底前完成老旧小区改造", "2024-10-31", ["县住房和城乡建设局"]),
        ("县交通局要在年底前建成环城路", "2024-12-31", ["县交通运输局"]),
        ("各乡镇要立即开展安全排查", "asap", ["各乡镇"]),
    ]


def test_yiyao_items_and_sentence_ends():
    sents = segment("要做好三项工作：一要抓项目，县发改局要尽快谋划；二要抓招商！三要抓稳定？")
    texts = [s.text for s in sents]
    assert texts == ["要做好三项工作：", "一要抓项目，县发改局要尽快谋划；", "二要抓招商！", "三要抓稳定？"]
    assert sents[0].leadin and sents[1].item and sents[2].item


def test_numbered_headings_levels():
    text = "一、总体要求\n（一）目标任务\n1.县财政局要在9月底前完成预算调整。\n（二）保障措施\n2.县审计局要在年内完成审计。"
    res = extract_text(text, date(2024, 7, 1))
    secs = [d["section"] for d in res["directives"]]
    assert secs == ["一、总体要求 / （一）目标任务 / 1.县财政局要在9月底前完成预算调整",
                    "一、总体要求 / （二）保障措施 / 2.县审计局要在年内完成审计"]


def test_generic_exhortation_is_not_a_directive():
    text = ("全县上下要切实增强责任感和紧迫感，以更加务实的作风抓好各项工作。"
            "各级各部门要高度重视，统一思想。"
            "上半年全县实现地区生产总值38.8亿元，同比增长3%。"
            "省里已经下达了专项资金。"
            "县财政局要在7月20日前把资金拨付到位。")
    res = extract_text(text, date(2024, 7, 5))
    assert [d["text"] for d in res["directives"]] == ["县财政局要在7月20日前把资金拨付到位"]

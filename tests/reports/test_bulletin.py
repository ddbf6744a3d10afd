"""The 通报 document (.docx): generated with the workbook, 期号 per year, named units, template."""
import datetime as dt

from docx import Document

from tasks.models import OfficeSettings
from tasks.reports.gongwen import chinese_date
from tasks.services.reports import generate_report, issue_number
from tests.reports.conftest import ON


def paragraphs(rf):
    with rf.docx.open("rb") as fh:
        doc = Document(fh)
    return doc, [p.text for p in doc.paragraphs]


def test_generated_with_the_workbook(scenario):
    rf = generate_report(on=ON, trigger="command", announce=False)
    assert rf.file and rf.docx and rf.docx_filename == "督查通报_2024年第23周.docx"
    assert (rf.issue_year, rf.issue_no) == (2024, 1)
    doc, text = paragraphs(rf)
    body = "\n".join(text)
    assert "2024年第1期" in body and "县委督查室" in body
    assert "关于2024年第23周督查督办事项落实情况的通报" in body
    for heading in ("一、总体情况", "二、好的方面", "三、存在问题", "四、下步要求"):
        assert heading in text
    # 总体情况 with the figures and the week-on-week change
    assert any(t.startswith("截至6月5日，共督办事项10项，已办结4项") and "与上周相比" in t for t in text)
    # 好的方面: the unit that closed on time in the period, with the task
    good = text[text.index("二、好的方面") + 1:text.index("三、存在问题")]
    assert any(t.startswith("县住建局：本期按时办结1项：老旧小区改造验收") for t in good)
    assert "县发改局在主办单位排名中位列第一，予以通报表扬。" in good
    # 存在问题, by unit: overdue, unsigned, no progress
    problems = text[text.index("三、存在问题") + 1:text.index("四、下步要求")]
    cz = next(t for t in problems if t.startswith("财政局："))
    assert "逾期未办结2项（清理拖欠企业账款（逾期10天）、盘活闲置国有资产（逾期2天））" in cz
    assert "未签收2项" in cz and "本期未报送进展1项（盘活闲置国有资产）" in cz
    assert "财政局在主办单位排名中位列末位，请认真分析原因，抓紧整改。" in problems
    # 下步要求 from the template, placeholders filled
    reqs = text[text.index("四、下步要求") + 1:]
    assert any("财政局要于" in t and "{" not in t for t in reqs)
    assert any(t.startswith("附件：1．主办单位督办事项办理情况排名") for t in text)
    # 落款: issuer and the date in 年月日
    tail = text[text.index("四、下步要求"):]
    from tasks.selectors.lights import today

    assert "县委督查室" in tail and chinese_date(today()) in tail
    # the tables: ranking (附件1), co ranking (附件2), overdue (附件3) with the light as a word, a leader's page
    tables = doc.tables
    assert tables[0].rows[0].cells[1].text == "单位" and tables[0].rows[1].cells[1].text == "县发展和改革局"
    overdue = tables[2]
    assert [c.text for c in overdue.rows[1].cells][2:9] == ["清理拖欠企业账款", "财政局", "", "2024-05-26", "红灯", "10天", "50%"]
    assert "副县长张三同志分管督办事项情况" in text
    # 公文 page: A4 portrait first, landscape attachments
    s0 = doc.sections[0]
    assert (round(s0.page_width.mm), round(s0.page_height.mm)) == (210, 297) and round(s0.top_margin.mm) == 37
    assert round(doc.sections[1].page_width.mm) == 297


def test_issue_numbers_per_year(scenario):
    a = generate_report(on=ON, trigger="command", announce=False)
    again = generate_report(on=ON - dt.timedelta(days=1), trigger="command", announce=False)  # same week
    nxt = generate_report(on=ON + dt.timedelta(days=7), trigger="command", announce=False)
    assert (a.issue_no, again.issue_no, nxt.issue_no) == (1, 1, 2)
    assert issue_number(dt.date(2025, 1, 8)) == (2025, 1)
    _, text = paragraphs(nxt)
    assert "2024年第2期" in text


def test_template_edited_by_staff(scenario):
    OfficeSettings.objects.filter(pk=1).update(
        report_requirements="请{overdue_units}于{reply_date}前书面说明。\n\n未知占位符{foo}原样保留。", report_issuer="XX县委办公室督查室")
    rf = generate_report(on=ON, trigger="command", announce=False)
    _, text = paragraphs(rf)
    reqs = text[text.index("四、下步要求") + 1:]
    assert reqs[0].startswith("请财政局于") and reqs[0].endswith("前书面说明。")
    assert reqs[1] == "未知占位符{foo}原样保留。"
    assert "XX县委办公室督查室" in text


def test_chinese_dates():
    assert chinese_date(dt.date(2024, 6, 5)) == "2024年6月5日"
    assert chinese_date(dt.date(2024, 12, 31), numerals="hanzi") == "二〇二四年十二月三十一日"
    assert chinese_date(dt.date(2030, 10, 20), numerals="hanzi") == "二〇三〇年十月二十日"


def test_empty_database_bulletin(db):
    rf = generate_report(on=ON, trigger="command", announce=False)
    _, text = paragraphs(rf)
    assert "本期没有按时办结的事项。" in text and "本期未发现逾期、未签收或未报送进展的事项。" in text


def test_docx_download_is_staff_only(scenario, staff_user, client):
    from accounts.models import Role
    from accounts.services import create_login

    rf = generate_report(on=ON, trigger="command", announce=False)
    url = f"/admin/tasks/reportfile/{rf.pk}/download-docx/"
    client.force_login(staff_user)
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5_2024" in resp["Content-Disposition"] or "督查通报" in resp["Content-Disposition"]
    assert b"".join(resp.streaming_content)[:2] == b"PK"
    changelist = client.get("/admin/tasks/reportfile/").content.decode()
    assert "download-docx" in changelist and "2024年第1期" in changelist
    op = create_login(username="op9", password="Op-2024-secret!", name="联络员", role=Role.OPERATOR,
                      unit=scenario["over10"].assignments.first().unit).user
    client.force_login(op)
    assert client.get(url).status_code in (302, 403, 404)

"""The 督查通报 document (.docx): what an office publishes, generated with the workbook.

`write_bulletin(target, on, summary, issue_year=…, issue_no=…)` lays out, in the 公文 format of
tasks/reports/gongwen.py:
  版头 (督查通报, 期号 numbered per year, issuer, date) · 标题 · 主送
  一、总体情况   the figures and their change against the week before
  二、好的方面   the units that closed tasks on time in the period (named, with the tasks)
  三、存在问题   by unit: overdue tasks, tasks not signed, no progress reported in the period
  四、下步要求   the office's template (督查室设置 → 通报“下步要求”模板), placeholders filled in
  附件说明, 落款 and date;
  附件1 主办单位排名 · 附件2 协办单位排名 · 附件3 逾期未办结事项清单 (landscape tables)
  附件4 one page per 分管领导: their tasks' figures and overdue tasks.
`summary` is what `tasks.reports.workbook.write_report` returned (totals, rankings), so the
document and the workbook show the same figures. The document's size is bounded (named tasks,
the overdue list and each leader's page are capped; the full lists are in the workbook), so its
time and memory do not grow with the number of tasks beyond the queries.
"""
from __future__ import annotations

import datetime as dt

from tasks.reports import gongwen
from tasks.selectors import stats
from tasks.selectors.lights import office_settings, today

OVERDUE_CAP = 300  # rows of 附件3; the workbook's 逾期事项 sheet has them all
LEADER_OVERDUE_CAP = 10


NAMED = 3  # tasks named per unit and problem in the text (the 附件 and the workbook list them all)
TITLE_CHARS = 24  # a long task title is shortened in the text


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"


def _names(titles: list[str], n: int) -> str:
    shown = "、".join(_short(t) for t in titles[:NAMED])
    return shown + (f"等{n}项" if n > min(len(titles), NAMED) else "")


def fill_template(template: str, values: dict[str, str]) -> list[str]:
    """下步要求 lines from the staff's template: {placeholders} replaced (unknown ones left as they
    are — a typo in the template must not break the weekly job), blank lines dropped."""
    out = []
    for line in (template or "").splitlines():
        for k, v in values.items():
            line = line.replace("{" + k + "}", v)
        if line.strip():
            out.append(line.strip())
    return out


def bulletin_title(on: dt.date) -> str:
    title = f"关于{stats.iso_week_label(on)}督查督办事项落实情况的通报"
    if stats.is_past(on):
        title += f"（按{on.month}月{on.day}日状态）"
    return title


def write_bulletin(target, on: dt.date, summary: dict, *, issue_year: int, issue_no: int,
                   issued_on: dt.date | None = None) -> dict:
    """Write the 通报 .docx to `target` (path or binary file); returns what it named."""
    settings = office_settings()
    issued_on = issued_on or today()
    t, prev = summary["totals"], summary["previous"]
    ranking, co_ranking = summary["ranking"], summary["co_ranking"]
    title = bulletin_title(on)
    doc = gongwen.new_document(title)
    gongwen.add_masthead(doc, "督 查 通 报", f"{issue_year}年第{issue_no}期", settings.report_issuer, issued_on)
    gongwen.add_title(doc, title)
    gongwen.add_salutation(doc, "各责任单位：")
    start, end = t["period_start"], t["period_end"]
    gongwen.add_body(doc, f"现将{gongwen.chinese_date(start)}至{gongwen.chinese_date(end)}督查督办事项落实情况通报如下。")

    # 一、总体情况
    gongwen.add_heading1(doc, "一、总体情况")
    gongwen.add_body(doc, stats.summary_paragraph(t, prev))
    ranked = [r for r in ranking if r["rank"] is not None]
    gongwen.add_body(doc, f"本期参与排名的主办单位{len(ranked)}个，不参与排名的{len(ranking) - len(ranked)}个"
                          f"（本期无应考核事项或应考核事项过少）；排名规则见附件1说明。")

    # 二、好的方面
    gongwen.add_heading1(doc, "二、好的方面")
    good = stats.closed_on_time_by_unit(on)
    if good:
        for g in good:
            gongwen.add_body(doc, f"本期按时办结{g['n']}项：{_names(g['titles'], g['n'])}。", lead=f"{g['unit']}：")
    else:
        gongwen.add_body(doc, "本期没有按时办结的事项。")
    best = [r["unit_short"] or r["unit"] for r in ranked if r["best"]]
    if best:
        gongwen.add_body(doc, f"{'、'.join(best)}在主办单位排名中位列第一，予以通报表扬。")

    # 三、存在问题
    gongwen.add_heading1(doc, "三、存在问题")
    problems = stats.unit_problems(on)
    named = 0
    for p in problems:
        parts = []
        if p["overdue"]:
            named_overdue = [f"{_short(t)}（逾期{d}天）" for t, d in p["overdue_titles"][:NAMED]]
            more = f"等{p['overdue']}项" if p["overdue"] > len(named_overdue) else ""
            parts.append(f"逾期未办结{p['overdue']}项（{'、'.join(named_overdue)}{more}）")
        if p["unacked"]:
            parts.append(f"未签收{p['unacked']}项（{_names(p['unacked_titles'], p['unacked'])}）")
        if p["no_progress"]:
            parts.append(f"本期未报送进展{p['no_progress']}项（{_names(p['no_progress_titles'], p['no_progress'])}）")
        if parts:
            named += 1
            gongwen.add_body(doc, "；".join(parts) + "。", lead=f"{p['unit']}：")
    if not named:
        gongwen.add_body(doc, "本期未发现逾期、未签收或未报送进展的事项。")
    worst = [r["unit_short"] or r["unit"] for r in ranked if r["worst"]]
    if worst:
        gongwen.add_body(doc, f"{'、'.join(worst)}在主办单位排名中位列末位，请认真分析原因，抓紧整改。")

    # 四、下步要求
    gongwen.add_heading1(doc, "四、下步要求")
    overdue_units = [p["unit"] for p in problems if p["overdue"]]
    values = {
        "overdue_units": "、".join(overdue_units) if overdue_units else "有关单位",
        "reply_date": gongwen.chinese_date(issued_on + dt.timedelta(days=3)),
        "ack_date": gongwen.chinese_date(issued_on + dt.timedelta(days=1)),
        "as_of": gongwen.chinese_date(on),
    }
    for line in fill_template(settings.report_requirements, values):
        gongwen.add_body(doc, line)

    attachments = ["主办单位督办事项办理情况排名", "协办单位履职情况排名", "逾期未办结事项清单"]
    leaders = stats.leader_summaries(on)
    if leaders:
        attachments.append("分管领导督办事项情况")
    gongwen.add_attachment_list(doc, attachments)
    gongwen.add_signature(doc, settings.report_issuer, issued_on)

    # 附件1–3: landscape tables
    gongwen.new_section(doc, landscape=True)
    gongwen.add_attachment_heading(doc, "附件1", attachments[0])
    rows = [[_rank(r), r["unit"], r["counted"], r["on_time"], r["late"], r["overdue"], _pct(r["on_time_rate"]),
             _pct(r["progress_rate"]), _pct(r["ack_rate"]), _num(r["grade_avg"]), _num(r["score"]), r["note"]] for r in ranking]
    gongwen.add_table(doc, ["排名", "单位", "应考核事项", "按时办结", "逾期办结", "逾期未办结", "按时办结率", "进展报送率",
                            "签收率", "评定均分", "综合得分", "备注"], rows,
                      widths_mm=[14, 38, 16, 15, 15, 16, 19, 19, 16, 16, 16, 25],
                      align=["c", "l", "c", "c", "c", "c", "c", "c", "c", "c", "c", "l"])
    gongwen.add_body(doc, "说明：" + stats.score_rule(settings), indent=False, size=gongwen.SIZE_5)
    gongwen.page_break(doc)
    gongwen.add_attachment_heading(doc, "附件2", attachments[1])
    rows = [[_rank(r), r["unit"], r["counted"], r["acked"], r["reported"], r["counted_open"], _pct(r["ack_rate"]),
             _pct(r["progress_rate"]), _num(r["score"]), r["note"]] for r in co_ranking]
    gongwen.add_table(doc, ["排名", "单位", "应考核事项", "已签收", "本期报送进展", "在办应考核事项", "签收率", "进展报送率",
                            "综合得分", "备注"], rows, widths_mm=[14, 46, 18, 16, 20, 22, 18, 20, 18, 33],
                      align=["c", "l", "c", "c", "c", "c", "c", "c", "c", "l"])
    gongwen.page_break(doc)
    gongwen.add_attachment_heading(doc, "附件3", attachments[2])
    overdue_rows = _overdue_rows(on)
    gongwen.add_table(doc, ["序号", "编号", "事项名称", "牵头单位", "配合单位", "完成时限", "灯号", "逾期天数", "进度", "最新进展"],
                      overdue_rows, widths_mm=[9, 28, 40, 22, 20, 26, 11, 14, 12, 43],
                      align=["c", "c", "l", "l", "l", "c", "c", "c", "c", "l"])
    if t["overdue"] > len(overdue_rows):
        gongwen.add_body(doc, f"共{t['overdue']}项，此处列出逾期时间最长的{len(overdue_rows)}项，完整清单见同期督查通报工作簿“逾期事项”表。",
                         indent=False, size=gongwen.SIZE_5)
    elif not overdue_rows:
        gongwen.add_body(doc, "本期无逾期未办结事项。", indent=False)

    # 附件4: one page per 分管领导
    if leaders:
        gongwen.new_section(doc, landscape=False)
        for i, lead in enumerate(leaders):
            if i:
                gongwen.page_break(doc)
            gongwen.add_attachment_heading(doc, "附件4" if i == 0 else "", f"{lead['title']}{lead['name']}同志分管督办事项情况")
            gongwen.add_table(doc, ["督办事项", "在办", "已办结", "按时办结", "逾期未办结", "滞后", "临期", "待定时限", "按时办结率"],
                              [[lead["total"], lead["open"], lead["closed"], lead["closed_on_time"], lead["overdue"],
                                lead["lagging"], lead["due_soon"], lead["no_deadline"], _pct(lead["on_time_rate"])]],
                              widths_mm=[18, 15, 16, 18, 20, 14, 14, 18, 23], align=["c"] * 9)
            if lead["overdue_tasks"]:
                gongwen.add_body(doc, "逾期未办结事项" + (f"（共{lead['overdue']}项，列出逾期最久的{len(lead['overdue_tasks'])}项）"
                                                       if lead["overdue"] > len(lead["overdue_tasks"]) else "") + "：", indent=False)
                gongwen.add_table(doc, ["序号", "事项名称", "牵头单位", "逾期天数"],
                                  [[n, title, units, f"{days}天"] for n, (title, units, days) in enumerate(lead["overdue_tasks"], 1)],
                                  widths_mm=[12, 88, 36, 20], align=["c", "l", "l", "c"])
            else:
                gongwen.add_body(doc, "分管事项中没有逾期未办结的事项。", indent=False)
    doc.save(target)
    return {"title": title, "issue": f"{issue_year}年第{issue_no}期", "good_units": len(good), "problem_units": named,
            "overdue_rows": len(overdue_rows), "leaders": len(leaders)}


def _overdue_rows(on: dt.date) -> list[list]:
    from tasks.reports.workbook import OVERDUE_FIELDS, task_rows

    rows = []
    qs = stats.overdue_tasks(on)[:OVERDUE_CAP]
    for n, r in enumerate(task_rows(qs, OVERDUE_FIELDS, on), start=1):
        progress = r["latest_progress"] or ""
        rows.append([n, r["code"], r["title"], r["lead"], r["co"], f"{r['deadline']:%Y-%m-%d}", "红灯", f"{r['days_overdue']}天",
                     f"{r['progress']}%", progress[:80] + ("…" if len(progress) > 80 else "")])
    return rows


def _rank(r) -> str:
    if r["rank"] is None:
        return "—"
    return f"{r['rank']}" + ("（并列）" if r["tie"] else "")


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _num(v) -> str:
    return "—" if v is None else f"{v}"

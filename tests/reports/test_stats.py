import datetime as dt

from tasks.selectors import stats
from tests.reports.conftest import ON


def test_totals_partition_open_tasks(scenario):
    t = stats.totals(ON)
    assert (t["period_start"], t["period_end"]) == (dt.date(2024, 5, 30), ON)
    assert t["total"] == 10  # 11 existing on ON, minus the cancelled one; the future one excluded
    assert t["cancelled"] == 1
    assert t["closed"] == 4 and t["closed_on_time"] == 3 and t["closed_late"] == 1
    assert t["overdue"] == 2 and t["lagging"] == 1 and t["due_soon"] == 1 and t["on_track"] == 1 and t["no_deadline"] == 1
    assert t["open"] == t["overdue"] + t["lagging"] + t["due_soon"] + t["on_track"] + t["no_deadline"] == 6
    assert t["new_in_period"] == 1 and t["closed_in_period"] == 1
    assert t["flagged"] == 1
    assert t["on_time_rate"] == round(100 * 3 / 6, 1)
    assert t["completion_rate"] == 40.0
    assert t["by_light"]["red"] == 2 and t["by_light"]["cancelled"] == 1


def test_paragraph_uses_totals(scenario):
    p = stats.summary_paragraph(stats.totals(ON))
    assert p.startswith("截至6月5日，共督办事项10项，已办结4项，其中按时办结3项")
    assert "滞后1项，逾期未办结2项" in p


def test_unit_ranking_lead_only_and_order(scenario, units):
    rows = stats.unit_ranking(ON)
    by = {r["unit"]: r for r in rows}
    assert "县交通运输局" not in by  # only co assignments
    fg, cz = by["县发展和改革局"], by["县财政局"]
    assert (fg["tasks"], fg["closed"], fg["on_time"], fg["overdue"]) == (3, 2, 2, 0)
    assert (cz["tasks"], cz["closed"], cz["late"], cz["overdue"]) == (3, 1, 1, 2)
    assert fg["grade_avg"] == 92.5 and cz["grade_avg"] == 70.0
    assert rows[0]["unit"] == "县发展和改革局" and rows[0]["best"] and rows[0]["rank"] == 1
    assert rows[-1]["unit"] == "县财政局" and rows[-1]["worst"]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_overdue_longest_first(scenario):
    rows = list(stats.overdue_tasks(ON).values_list("title", "days_overdue", "latest_progress"))
    assert rows == [("清理拖欠企业账款", 10, "已清理五成，剩余款项正在协调"), ("盘活闲置国有资产", 2, None)]


def test_week_progress_in_period(scenario):
    assert [p.text for p in stats.week_progress(ON)] == ["完成初稿框架", "已清理五成，剩余款项正在协调"]

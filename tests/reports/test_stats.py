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


def test_unit_ranking_counts_only_the_period(scenario, units):
    """Only tasks due in the period, closed in it, or overdue count (应考核事项)."""
    rows = stats.unit_ranking(ON)
    by = {r["unit"]: r for r in rows}
    assert "县交通运输局" not in by  # only co assignments: in the co ranking instead
    fg, cz, zj, tj = by["县发展和改革局"], by["县财政局"], by["县住房和城乡建设局"], by["县统计局"]
    assert (fg["tasks"], fg["counted"], fg["on_time"], fg["overdue"]) == (3, 1, 1, 0)  # closed2 and green not counted
    assert (cz["tasks"], cz["counted"], cz["late"], cz["overdue"], cz["reported"]) == (3, 2, 0, 2, 1)
    assert cz["on_time_rate"] == 0.0 and cz["progress_rate"] == 50.0 and cz["ack_rate"] == 0.0
    assert fg["score"] == round((50 * 100 + 20 * 100 + 10 * 0) / 80, 1) == 87.5  # no open counted task: no progress part
    assert cz["score"] == 12.5 and zj["score"] == round((50 * 100 + 20 * 85) / 80, 1)
    # 统计局's tasks are due later (lagging or due in two days): not ranked, not "worst"
    assert tj["counted"] == 0 and tj["rank"] is None and not tj["eligible"] and not tj["worst"]
    assert tj["note"] == "不参与排名（本期无应考核事项）"
    assert [r["unit"] for r in rows] == ["县发展和改革局", "县住房和城乡建设局", "县财政局", "县统计局"]
    assert [r["rank"] for r in rows] == [1, 2, 3, None]
    assert rows[0]["best"] and rows[2]["worst"] and not rows[1]["best"] and not rows[1]["worst"]


def test_co_units_ranked_on_their_own_terms(scenario, units):
    rows = stats.unit_ranking(ON, role="co")
    by = {r["unit"]: r for r in rows}
    assert set(by) == {"县发展和改革局", "县统计局", "县交通运输局"}
    fg = by["县发展和改革局"]  # co on 盘活闲置国有资产, overdue: counted, not signed, no report
    assert (fg["counted"], fg["acked"], fg["reported"], fg["score"], fg["rank"]) == (1, 0, 0, 0.0, 1)
    assert fg["on_time_rate"] is None and fg["grade_avg"] is None  # a co unit neither closes nor is graded
    assert by["县交通运输局"]["rank"] is None


def test_signing_and_reporting_raise_the_score(scenario, units):
    from django.utils import timezone

    from tasks.models import Assignment, ProgressReport
    from tests.reports.conftest import aware

    before = {r["unit"]: r for r in stats.unit_ranking(ON)}["县财政局"]["score"]
    Assignment.objects.filter(task=scenario["over2"], unit=units["财政局"]).update(acknowledged_at=aware(dt.date(2024, 5, 20)))
    p = ProgressReport.objects.create(task=scenario["over2"], unit=units["财政局"], text="正在推进", percent=85)
    ProgressReport.objects.filter(pk=p.pk).update(created_at=aware(dt.date(2024, 6, 4)))
    after = {r["unit"]: r for r in stats.unit_ranking(ON)}["县财政局"]
    assert after["ack_rate"] == 50.0 and after["progress_rate"] == 100.0
    assert after["score"] > before
    # signed after the as-of day: does not count for that day
    Assignment.objects.filter(task=scenario["over10"], unit=units["财政局"]).update(acknowledged_at=timezone.now())
    assert {r["unit"]: r for r in stats.unit_ranking(ON)}["县财政局"]["acked"] == 1


def test_weights_and_minimum_from_office_settings(scenario):
    from tasks.models import OfficeSettings

    OfficeSettings.objects.filter(pk=1).update(rank_weight_on_time=100, rank_weight_grade=0, rank_weight_progress=0,
                                               rank_weight_ack=0, rank_min_tasks=2)
    rows = stats.unit_ranking(ON)
    by = {r["unit"]: r for r in rows}
    assert by["县财政局"]["score"] == 0.0 and by["县财政局"]["rank"] == 1  # the only unit with 2 counted tasks
    assert by["县发展和改革局"]["rank"] is None
    assert by["县发展和改革局"]["note"] == "不参与排名（应考核事项1项，少于2项）"
    assert "按时办结率×100%" in stats.score_rule() and "少于2项" in str(stats.SCORE_RULE)


def test_ties_share_a_rank(units, make_task):
    # two units with one on-time closing each in the period, a third with one overdue task
    for key in ("县发改局", "财政局"):
        make_task(f"{key}按时办结", lead=units[key], deadline=dt.date(2024, 6, 3), status="closed", progress=100,
                  closed_on=dt.date(2024, 6, 1), grade="good")
    make_task("统计局逾期", lead=units["统计局"], deadline=dt.date(2024, 6, 1))
    rows = stats.unit_ranking(ON)
    assert [(r["unit"], r["rank"], r["tie"]) for r in rows] == [
        ("县发展和改革局", 1, True), ("县财政局", 1, True), ("县统计局", 3, False)]
    assert rows[0]["best"] and rows[1]["best"] and rows[2]["worst"]
    assert rows[0]["note"] == "排名第一，并列"


def test_not_yet_due_is_not_a_perfect_score(units, make_task):
    """The old ranking gave 100 points to a unit whose only task was not yet due."""
    make_task("远期事项", lead=units["县发改局"], deadline=dt.date(2024, 12, 31))
    make_task("按时办结", lead=units["财政局"], deadline=dt.date(2024, 6, 4), status="closed", progress=100,
              closed_on=dt.date(2024, 6, 4))
    rows = stats.unit_ranking(ON)
    assert [(r["unit"], r["rank"]) for r in rows] == [("县财政局", 1), ("县发展和改革局", None)]


def test_overdue_longest_first(scenario):
    rows = list(stats.overdue_tasks(ON).values_list("title", "days_overdue", "latest_progress"))
    assert rows == [("清理拖欠企业账款", 10, "已清理五成，剩余款项正在协调"), ("盘活闲置国有资产", 2, None)]


def test_week_progress_in_period(scenario):
    assert [p.text for p in stats.week_progress(ON)] == ["完成初稿框架", "已清理五成，剩余款项正在协调"]

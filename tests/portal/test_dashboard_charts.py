"""The leaders' dashboard: charts from a locally served Chart.js (no inline script), the weekly
trend, the drill-down from a unit row and 我分管的."""
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from tasks.selectors.dashboard import weekly_trend
from tasks.services.workflow import decide_completion, request_completion
from tests.portal.conftest import make_task

pytestmark = pytest.mark.django_db


def test_dashboard_draws_its_charts_from_static_files_only(client_for, task, other_task):
    body = client_for("leader").get(reverse("portal:dashboard")).content.decode()
    for canvas in ("chart-lights", "chart-units", "chart-trend"):
        assert f'id="{canvas}"' in body
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S)
    srcs = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts if "src=" in attrs]
    assert srcs == ["/static/vendor/chartjs/chart.umd.min.js", "/static/portal/dashboard.js"]
    inline = [(attrs, text) for attrs, text in scripts if "src=" not in attrs]
    assert len(inline) == 1 and 'type="application/json"' in inline[0][0]  # data only, never code
    data = json.loads(inline[0][1])
    assert {x["key"] for x in data["lights"]} >= {"red", "yellow", "green"} and len(data["trend"]) == 12
    units = {u["unit"]: u for u in data["units"]}
    assert units["县发改局"]["url"] == reverse("portal:dashboard_unit", args=[task.assignments.get(role="lead").unit_id])
    # the library is a released build with its licence, served from this project
    lib = Path(finders.find("vendor/chartjs/chart.umd.min.js"))
    assert lib.read_text()[:40].startswith("/*!\n * Chart.js v4.")
    assert "MIT" in Path(finders.find("vendor/chartjs/LICENSE.md")).read_text()
    assert "sourceMappingURL" not in lib.read_text()[-200:]


def test_weekly_trend_counts_assigned_and_closed_per_local_week(users, units):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    two_weeks_ago = timezone.make_aware(dt.datetime.combine(monday - dt.timedelta(days=14), dt.time(0, 30)), tz)
    from tasks.services.workflow import create_task

    old = create_task(title="两周前交办", by=users["staff"], units=[(units["fgj"], "lead")], now=two_weeks_ago,
                      deadline=today + dt.timedelta(days=30))
    make_task(users["staff"], units["fgj"], title="本周交办")
    req = request_completion(task=old, unit=units["fgj"], by=users["op_fgj"], summary="完成")
    decide_completion(request=req, by=users["staff"], approve=True, grade="优秀")
    trend = weekly_trend(today)
    assert len(trend) == 12 and trend[-1]["start"] == monday
    by_start = {w["start"]: w for w in trend}
    assert by_start[monday - dt.timedelta(days=14)]["new"] == 1  # 00:30 on a Monday, Beijing time, is that week
    assert by_start[monday]["new"] == 1 and by_start[monday]["closed"] == 1
    assert sum(w["new"] for w in trend) == 2 and sum(w["closed"] for w in trend) == 1


def test_drill_down_from_a_unit_row_lists_the_tasks_it_leads(client_for, task, other_task, units, users):
    today = timezone.localdate()
    late = make_task(users["staff"], units["fgj"], title="逾期的改造", start=today - dt.timedelta(days=40),
                     deadline=today - dt.timedelta(days=3))
    co_only = make_task(users["staff"], units["jyj"], title="发改局只是协办", co=units["fgj"])
    board = client_for("leader").get(reverse("portal:dashboard")).content.decode()
    url = reverse("portal:dashboard_unit", args=[units["fgj"].pk])
    assert f'href="{url}"' in board
    body = client_for("leader").get(url).content.decode()
    rows = re.findall(r'<tr data-task="([^"]+)">', body)
    assert set(rows) == {task.code, late.code} and rows[0] == late.code  # open ones by deadline: the late one first
    assert other_task.code not in rows and co_only.code not in rows
    red = client_for("staff").get(url, {"light": "red"}).content.decode()
    assert re.findall(r'<tr data-task="([^"]+)">', red) == [late.code]
    assert client_for("op_fgj").get(url).status_code == 403
    assert client_for("leader").get(reverse("portal:dashboard_unit", args=[999999])).status_code == 404


def test_mine_lists_the_tasks_whose_leader_is_me(client_for, task, other_task, people):
    board = client_for("leader").get(reverse("portal:dashboard")).content.decode()
    assert "我分管的事项（1 项）" in board
    body = client_for("leader").get(reverse("portal:dashboard_mine")).content.decode()
    assert re.findall(r'<tr data-task="([^"]+)">', body) == [task.code]
    assert "我分管的事项 · 常务副县长胡世胜" in body
    assert client_for("staff").get(reverse("portal:dashboard_mine")).status_code == 403
    assert client_for("op_fgj").get(reverse("portal:dashboard_mine")).status_code == 403
    assert "我分管的" not in client_for("staff").get(reverse("portal:dashboard")).content.decode()


def test_dashboard_pages_cost_the_same_queries_for_more_tasks(client_for, users, units, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.services.comments import write_leader_comment

    leader = client_for("leader")
    urls = [reverse("portal:dashboard"), reverse("portal:dashboard_unit", args=[units["fgj"].pk]),
            reverse("portal:dashboard_mine")]

    def counts(task_url):
        out = []
        for url in [*urls, task_url]:
            with CaptureQueriesContext(connection) as q:
                assert leader.get(url).status_code == 200
            out.append(len(q))
        return out

    first = make_task(users["staff"], units["fgj"], leaders=[people["leader"]])
    write_leader_comment(task=first, by=users["leader"], text="第一条批示")
    before = counts(reverse("portal:task_detail", args=[first.pk]))
    for i in range(6):
        t = make_task(users["staff"], units["fgj" if i % 2 else "jyj"], title=f"事项{i}", co=units["zjj"], leaders=[people["leader"]])
        write_leader_comment(task=first, by=users["leader"], text=f"批示{i}")
        write_leader_comment(task=t, by=users["leader"], text="请抓紧")
    assert counts(reverse("portal:task_detail", args=[first.pk])) == before

"""The staff's pages of the reports area in Chromium (desktop and phone width): 导入台账 with its
预检 table (skipped rows, inferred years), the 督查通报 list with both downloads, 督查室设置 with the
ranking weights and the 下步要求 template. Screenshots in test-artifacts/screenshots/reports-*.png."""
import datetime as dt

import pytest

from tasks.services.reports import generate_report
from tests.e2e.conftest import browser, new_page, shot  # noqa: F401 - the e2e fixtures
from tests.reports.conftest import ON, write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def login(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "duchashi")
    page.fill("#id_password", "Dc-2024-secret!")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_staff_pages(live_server, new_page, shot, staff_user, scenario, tmp_path):  # noqa: F811
    path = write_xlsx(tmp_path / "台账.xlsx", [
        ["XX县2024年重点工作督办台账"],
        ["序号", "督办事项", "牵头单位", "配合单位", "责任领导", "时限要求"],
        ["一、经济发展", None, None, None, None, None],
        [1, "推进重点项目开工建设", "县发改局（牵头）", "财政局", "副县长张三", "11月30日"],
        [2, "推进重点项目开工建设", "县发改局", "财政局", "", "11月30日"],
        ["合计", "2项", None, None, None, None],
    ])
    generate_report(on=ON, trigger="command", announce=False)
    for width, name in ((1280, "desktop"), (390, "phone")):
        page = new_page(width=width, height=900)
        login(page, live_server)
        page.goto(f"{live_server.url}/admin/tasks/task/import-ledger/")
        page.set_input_files("input[type=file]", str(path))
        page.click("button[value=preview]")
        table = page.locator("#ledger-rows")
        text = table.inner_text()
        assert "跳过：分类标题行：一、经济发展" in text and "跳过：合计行" in text and "跳过：与第4行重复" in text
        assert "按2024年理解：2024-11-30" in text
        assert "没写年份的时限按 2024 年理解" in page.inner_text("body")
        assert page.locator("#ledger-confirm").inner_text() == "确认导入（1 项）"
        shot(page, f"reports-ledger-preview-{name}")
        page.goto(f"{live_server.url}/admin/tasks/reportfile/")
        assert page.locator("text=通报文稿").count() == 1 and page.locator("text=2024年第1期").count() == 1
        shot(page, f"reports-reportfile-list-{name}")
        page.goto(f"{live_server.url}/admin/tasks/officesettings/")
        assert page.locator("#id_rank_weight_on_time").input_value() == "50"
        assert "{overdue_units}" in page.locator("#id_report_requirements").input_value()
        shot(page, f"reports-officesettings-{name}")
        page.context.close()
    assert dt.date.today()

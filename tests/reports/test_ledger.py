import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Person, Role
from tasks.models import Assignment, Notice, ProgressReport, Task
from tasks.services.ledger import LedgerError, import_ledger
from tests.reports.conftest import write_raw_xlsx, write_xlsx

NOW = dt.datetime(2024, 6, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

HEADER = ["序 号", "工作任务", "牵头单位", "配合单位", "责任领导", "时限要求", "进展情况", "备注"]


def good_rows():
    return [
        ["XX县2024年重点工作督办台账"],
        ["填报单位：县委督查室", None, None, None, None, None, None, "2024年6月"],
        HEADER,
        [1, "推进重点项目开工建设", "县发改局、统计局", "财政局", "张三", dt.datetime(2024, 9, 30), "已开工3个，完成30%", ""],
        [2, "完成项目储备库建设", None, None, "副县长张三", "6月底前", "", ""],  # 牵头单位 merged from the row above
        [3, "盘活闲置国有资产", "财政（牵头）", "住建局", "", "尽快", "", ""],
        [None, None, None, None, None, None, None, None],
        [4, "编制管网改造方案", "县住建局", "", "", "2024年12月31日", "方案初稿已完成", ""],
    ]


@pytest.fixture
def leader(db):
    return Person.objects.create(name="张三", title="副县长", role=Role.LEADER, is_leader=True)


@pytest.fixture
def good_file(tmp_path, units, leader):
    return write_xlsx(tmp_path / "台账.xlsx", good_rows(), merges=["A1:H1", "C4:C5"])


def run(path, user, dry_run=False):
    with open(path, "rb") as fh:
        return import_ledger(fh, by=user, dry_run=dry_run, now=NOW)


def test_import_happy_path_merged_cells_and_loose_headers(good_file, staff_user, units):
    result = run(good_file, staff_user)
    assert result.header_row == 3 and result.sheet == "台账"
    assert result.columns["督办事项"] == "工作任务" and result.columns["责任单位"] == "牵头单位"
    assert [r.row for r in result.rows] == [4, 5, 6, 8] and result.created == 4
    tasks = {t.title: t for t in Task.objects.filter(source=Task.Source.LEDGER)}
    assert len(tasks) == 4
    t1 = tasks["推进重点项目开工建设"]
    roles = {(a.unit.short_name, a.role) for a in t1.assignments.select_related("unit")}
    assert roles == {("县发改局", "lead"), ("统计局", "lead"), ("财政局", "co")}
    assert t1.deadline == dt.date(2024, 9, 30) and [p.name for p in t1.leaders.all()] == ["张三"]
    assert t1.progress == 30 and ProgressReport.objects.get(task=t1).text == "已开工3个，完成30%"
    t2 = tasks["完成项目储备库建设"]  # merged 牵头单位 spans rows 4-5
    assert {a.unit.short_name for a in t2.assignments.filter(role="lead")} == {"县发改局", "统计局"}
    assert t2.deadline == dt.date(2024, 6, 30) and t2.deadline_text == "6月底前"
    t3 = tasks["盘活闲置国有资产"]
    assert {(a.unit.short_name, a.role) for a in t3.assignments.select_related("unit")} == {("财政局", "lead"), ("县住建局", "co")}
    assert t3.deadline_kind == "asap" and t3.deadline is not None
    assert tasks["编制管网改造方案"].deadline == dt.date(2024, 12, 31)
    assert Notice.objects.filter(task__source=Task.Source.LEDGER).count() == 3 + 2 + 2 + 1


def test_dry_run_reports_every_row_and_writes_nothing(good_file, staff_user):
    result = run(good_file, staff_user, dry_run=True)
    assert result.dry_run and result.created == 0 and not result.error_count
    assert [r.code for r in result.rows] == ["", "", "", ""]
    assert result.rows[0].lead == ["县发改局", "统计局"] and result.rows[1].deadline == dt.date(2024, 6, 30)
    assert any("尽快" in w for w in result.rows[2].warnings)
    assert Task.objects.count() == 0 and Notice.objects.count() == 0 and Assignment.objects.count() == 0


def test_command_dry_run_and_import(good_file, staff_user):
    out = io.StringIO()
    call_command("import_ledger", str(good_file), "--dry-run", "--user", "duchashi", stdout=out)
    assert "预检通过：共4行" in out.getvalue() and "第5行\t可导入" in out.getvalue()
    assert Task.objects.count() == 0
    call_command("import_ledger", str(good_file), "--user", "duchashi", stdout=out)
    assert Task.objects.filter(source="ledger").count() == 4


def _assert_nothing_stored():
    assert Task.objects.count() == 0 and Notice.objects.count() == 0 and Assignment.objects.count() == 0
    assert ProgressReport.objects.count() == 0


def test_unknown_unit_and_bad_deadline_reject_everything(tmp_path, staff_user, units, leader):
    rows = [HEADER,
            [1, "好的一行", "县发改局", "", "", "2024-09-30", "", ""],
            [2, "单位不认识", "县宣传部", "", "", "2024-09-30", "", ""],
            [3, "时限看不懂", "财政局", "", "", "视情况而定", "", ""],
            [4, "", "财政局", "", "", "2024-09-30", "", ""],
            [5, "领导不认识", "财政局", "", "李四", "2024-09-30", "", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(LedgerError) as e:
        run(path, staff_user)
    msgs = e.value.result.error_messages()
    assert "第3行：责任单位“县宣传部”不在单位名录中" in msgs
    assert any(m.startswith("第4行：完成时限“视情况而定”无法识别") for m in msgs)
    assert "第5行：督办事项（事项名称）为空" in msgs
    assert "第6行：责任领导“李四”不在人员名录中" in msgs
    assert e.value.result.rows[0].ok
    _assert_nothing_stored()
    with pytest.raises(CommandError, match="未导入任何事项"):
        call_command("import_ledger", str(path), "--user", "duchashi", stdout=io.StringIO(), stderr=io.StringIO())
    _assert_nothing_stored()


def test_group_without_members_is_caught_in_the_dry_run(tmp_path, staff_user, units):
    from accounts.models import Unit

    Unit.objects.filter(short_name="交通局").update(kind="group")  # a group without members: create_task refuses
    rows = [HEADER, [1, "第一项", "县发改局", "", "", "2024-09-30", "", ""],
            [2, "第二项", "交通局", "", "", "2024-09-30", "", ""]]
    path = write_xlsx(tmp_path / "late-fail.xlsx", rows)
    with pytest.raises(LedgerError) as e:
        run(path, staff_user, dry_run=True)
    assert e.value.result.rows[1].errors == ["第3行：责任单位“交通局”下没有启用的成员单位，无法交办"]
    _assert_nothing_stored()


def test_refusal_at_write_time_rolls_back_earlier_rows(tmp_path, staff_user, units, monkeypatch):
    from tasks.services import workflow

    real = workflow._clean_units
    calls = []

    def flaky(pairs):
        calls.append(pairs[0][0].short_name)
        if len(calls) == 2:
            raise workflow.WorkflowError("模拟：该事项被拒绝。")
        return real(pairs)

    monkeypatch.setattr(workflow, "_clean_units", flaky)
    rows = [HEADER, [1, "第一项", "县发改局", "", "", "2099-09-30", "已完成一半 50%", ""],
            [2, "第二项", "财政局", "", "", "2099-09-30", "", ""], [3, "第三项", "财政局", "", "", "2099-09-30", "", ""]]
    path = write_xlsx(tmp_path / "late.xlsx", rows)
    with pytest.raises(LedgerError, match="未导入任何事项") as e:
        run(path, staff_user)
    assert len(calls) == 3  # every row tried, so every error is reported
    assert e.value.result.rows[1].errors == ["第3行：模拟：该事项被拒绝。"] and e.value.result.created == 0
    assert all(r.code == "" for r in e.value.result.rows)
    _assert_nothing_stored()


@pytest.mark.parametrize("content,message", [
    (b"not an excel file at all", "不是有效的 xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
    (b"PK\x03\x04broken zip", "不是有效的 xlsx"),
])
def test_not_xlsx(tmp_path, staff_user, units, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(LedgerError, match=message):
        run(path, staff_user)
    _assert_nothing_stored()


def test_no_header(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "nohdr.xlsx", [["甲", "乙"], [1, 2]])
    with pytest.raises(LedgerError, match="未找到表头"):
        run(path, staff_user)


def test_too_many_rows_bounded(tmp_path, staff_user, units):
    import tracemalloc

    path = write_raw_xlsx(tmp_path / "big.xlsx", HEADER,
                          lambda i: [i + 1, f"事项{i}", "县发改局", "", "", "2024-09-30", "", ""], 100_000)
    tracemalloc.start()
    try:
        with pytest.raises(LedgerError, match="台账超过2000行数据"):
            run(path, staff_user)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    _assert_nothing_stored()


def test_only_staff_may_import(good_file, units):
    from accounts.services import create_login

    op = create_login(username="op1", password="Op-2024-secret!", name="联络员", role=Role.OPERATOR, unit=units["财政局"]).user
    with pytest.raises(LedgerError, match="只有督查室工作人员"):
        run(good_file, op)
    _assert_nothing_stored()


def test_header_without_data(tmp_path, staff_user, units):
    path = write_xlsx(tmp_path / "empty.xlsx", [["台账"], HEADER, [None] * 8])
    with pytest.raises(LedgerError, match="第2行表头以下没有数据"):
        run(path, staff_user)
    _assert_nothing_stored()


def test_two_level_header_with_merged_parent(tmp_path, staff_user, units, leader):
    rows = [
        ["序号", "督办事项", "责任单位", None, "完成时限", "责任领导"],
        [None, None, "牵头单位", "配合单位", None, None],
        [1, "两级表头的事项", "县住建局", "交通局", "2099年3月31日", "张三"],
    ]
    path = write_xlsx(tmp_path / "two.xlsx", rows, merges=["C1:D1", "A1:A2", "B1:B2", "E1:E2", "F1:F2"])
    result = run(path, staff_user, dry_run=True)
    assert result.header_row == 2 and result.columns["配合单位"] == "配合单位"
    r = result.rows[0]
    assert (r.row, r.lead, r.co, r.leaders, r.deadline) == (3, ["县住建局"], ["交通局"], ["副县长张三"], dt.date(2099, 3, 31))

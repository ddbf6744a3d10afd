"""The unit directory: the bundled county directory, office files, and bad files that load nothing."""
import csv
import json

import pytest
from openpyxl import Workbook

from accounts.models import Unit, UnitAlias
from accounts.selectors import township_members, unit_directory_entries
from accounts.services import DEFAULT_UNITS_FILE, DirectoryError, load_units, load_units_file, read_directory_file

pytestmark = pytest.mark.django_db


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_bundled_directory_loads_with_groups_and_aliases():
    res = load_units_file()
    entries = json.loads(DEFAULT_UNITS_FILE.read_text(encoding="utf-8"))
    assert res.created == len(entries) == Unit.objects.count()
    group = Unit.objects.get(name="各乡镇")
    assert group.kind == "group"
    members = township_members(group)
    assert members and all(m.kind == "township" for m in members)
    # an alias resolves to one unit
    assert UnitAlias.objects.filter(alias="发改").count() == 1
    # loading again updates, creates nothing
    again = load_units_file()
    assert again.created == 0 and again.updated == len(entries)
    assert {e["name"] for e in unit_directory_entries()} == {e["name"] for e in entries}


def test_xlsx_directory_with_loose_headers(tmp_path):
    path = write_xlsx(tmp_path / "名录.xlsx", [
        ["单位名称", "简称", "别名", "类型", "上级"],
        ["某县发展和改革局", "发改局", "发改、县发改", "部门", ""],
        ["各乡镇", "", "", "群体", ""],
        ["某某镇", "", "", "乡镇", "各乡镇"],
    ])
    res = load_units(read_directory_file(path))
    assert res.created == 3
    assert Unit.objects.get(name="某某镇").parent.name == "各乡镇"
    assert set(UnitAlias.objects.filter(unit__name="某县发展和改革局").values_list("alias", flat=True)) == {"发改局", "发改", "县发改"}


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["简称", "类型"], ["发改", "部门"]], "第1行：缺少“单位全称”列"),
        ([["单位全称", "别名"], ["甲局", "甲"], ["甲局", ""]], "第3行：单位“甲局”与第2行重复"),
        ([["单位全称", "别名"], ["甲局", "共用"], ["乙局", "共用"]], "别名“共用”已属于第2行的“甲局”"),
        ([["单位全称", "类型"], ["甲局", "外星机构"]], "第2行：类型“外星机构”无法识别"),
        ([["单位全称", "上级"], ["甲镇", "不存在的分组"]], "第2行：上级单位“不存在的分组”不在名录中"),
        ([["单位全称"], [""]], None),
    ],
)
def test_bad_directory_files_load_nothing(tmp_path, rows, message):
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    if message is None:  # blank rows are skipped: an empty directory loads nothing and is no error
        assert load_units(read_directory_file(path)).created == 0
        return
    with pytest.raises(DirectoryError) as exc:
        load_units(read_directory_file(path))
    assert any(message in e for e in exc.value.errors), exc.value.errors
    assert Unit.objects.count() == 0 and UnitAlias.objects.count() == 0


def test_alias_held_by_an_existing_unit_is_rejected(tmp_path):
    load_units([{"name": "县财政局", "aliases": ["财政"], "kind": "部门"}])
    with pytest.raises(DirectoryError) as exc:
        load_units([{"name": "县财政所", "aliases": ["财政"], "kind": "部门"}])
    assert "别名“财政”已属于现有单位“县财政局”" in exc.value.errors[0]
    assert not Unit.objects.filter(name="县财政所").exists()


def test_not_an_xlsx_and_gbk_csv(tmp_path):
    fake = tmp_path / "x.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(DirectoryError, match="不是有效的 xlsx"):
        read_directory_file(fake)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("单位全称,简称\n县统计局,统计局\n".encode("gb18030"))
    assert read_directory_file(gbk)[0]["name"] == "县统计局"


def test_load_units_command_reports_row_errors(tmp_path):
    from django.core.management import CommandError, call_command

    path = write_xlsx(tmp_path / "bad.xlsx", [["单位全称", "别名"], ["甲局", "同名"], ["乙局", "同名"]])
    with pytest.raises(CommandError, match="第3行"):
        call_command("load_units", str(path))
    assert Unit.objects.count() == 0

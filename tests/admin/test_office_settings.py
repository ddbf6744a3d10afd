"""督查室设置 in the admin: 响应节点（13710） as a table (one row per checkpoint), 督办等级名称 as three
text boxes, 到期前提醒 checked — never a JSON textarea; every value checked by the reminder policy's
own parsers, refused in Chinese next to its field, and nothing stored on error."""
import pytest
from django import forms
from django.contrib import admin as django_admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from tasks.models import OfficeSettings
from tasks.reminders import policy

pytestmark = pytest.mark.django_db
URL = reverse("admin:tasks_officesettings_change", args=[1])


@pytest.fixture
def staff(client, users):
    client.force_login(users["staff"])
    OfficeSettings.objects.get_or_create(pk=1)
    return client


def _rows(rows) -> dict:
    """Table rows as the page posts them: (key, name, offset, workdays, requires, complex_offset, complex_workdays, delete)."""
    data = {"checkpoints-rows": str(len(rows))}
    for i, r in enumerate(rows):
        key, name, offset, workdays, requires, cx, cxw, delete = (list(r) + [""] * 8)[:8]
        data.update({f"checkpoints-{i}-key": key, f"checkpoints-{i}-name": name, f"checkpoints-{i}-offset": offset,
                     f"checkpoints-{i}-requires": requires, f"checkpoints-{i}-complex_offset": cx})
        for field, on in (("workdays", workdays), ("complex_workdays", cxw), ("delete", delete)):
            if on:
                data[f"checkpoints-{i}-{field}"] = "1"
    return data


DEFAULT_ROWS = [("deploy", "部署签收", "1", True, "acknowledge"), ("report", "报告措施和进展", "3", True, "progress"),
                ("settle", "办结或申请销号", "7", True, "completion", "30", False)]


def _post(obj, rows=DEFAULT_ROWS, levels=("正常", "黄牌", "红牌"), **fields) -> dict:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items() if k not in ("checkpoints", "level_names", "id")}
    data = {k: v for k, v in data.items() if v is not False}  # an unticked checkbox is not posted
    data.update(_rows(list(rows) + [("", "", "", True, "")] * 2))
    data.update({f"level_names_{i}": n for i, n in enumerate(levels)})
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _stored() -> dict:
    return model_to_dict(OfficeSettings.objects.get(pk=1))


def test_the_page_shows_a_table_and_three_boxes_never_json(staff):
    html = staff.get(URL).content.decode()
    assert 'name="checkpoints"' not in html and 'name="level_names"' not in html
    for raw in ('[{', '"key"', '"offset"', "&quot;key&quot;", "acknowledge</", "workdays&quot;"):
        assert raw not in html, raw
    table = html[html.index('data-testid="checkpoints-table"'):]
    table = table[:table.index("</table>")]
    # the 13710 set in force (nothing stored yet), one row each, plus two empty rows to add one
    assert table.count("<tr") == 1 + 3 + 2
    assert 'value="部署签收"' in table and 'value="报告措施和进展"' in table and 'value="办结或申请销号"' in table
    assert '<option value="acknowledge" selected>签收并部署落实</option>' in table
    assert 'name="checkpoints-2-complex_offset" value="30"' in table
    levels = html[html.index('data-testid="level-names"'):]
    assert 'name="level_names_0"' in levels and 'value="正常"' in levels and 'value="红牌"' in levels
    assert "第一级（未升级）" in levels


def test_unchanged_defaults_stay_the_default_and_an_edit_is_stored_as_the_policy_reads_it(staff):
    obj = OfficeSettings.objects.get(pk=1)
    r = staff.post(URL, _post(obj), follow=True)
    assert r.status_code == 200 and "errornote" not in r.content.decode()
    assert _stored()["checkpoints"] == []  # still the built-in 13710 set (follows the code's default)
    assert _stored()["level_names"] == ["正常", "黄牌", "红牌"]
    rows = [("deploy", "部署签收", "2", True, "acknowledge"), DEFAULT_ROWS[1], DEFAULT_ROWS[2],
            ("", "专项报告", "10", False, "progress", "20", True)]
    r = staff.post(URL, _post(obj, rows=rows, levels=("一般", "", "挂牌督办"), due_soon_days="5，1"), follow=True)
    assert r.status_code == 200 and "errornote" not in r.content.decode()
    s = OfficeSettings.objects.get(pk=1)
    cps = policy.checkpoints(s.checkpoints)
    assert [(c.key, c.name, c.offset, c.workdays, c.requires) for c in cps] == [
        ("deploy", "部署签收", 2, True, "acknowledge"), ("report", "报告措施和进展", 3, True, "progress"),
        ("settle", "办结或申请销号", 7, True, "completion"), ("cp1", "专项报告", 10, False, "progress")]
    assert cps[2].offset_for("complex") == (30, False) and cps[3].offset_for("complex") == (20, True)
    assert s.level_names == ["一般", "黄牌", "挂牌督办"]  # a blank box keeps its level's default name
    assert s.due_soon_days == "5,1"
    # the page shows what was stored, the new row with its own key
    html = staff.get(URL).content.decode()
    assert 'name="checkpoints-3-key" value="cp1"' in html and 'value="专项报告"' in html and 'value="挂牌督办"' in html
    # 删除 every row: back to the built-in set
    r = staff.post(URL, _post(obj, rows=[(*row[:5], row[5] if len(row) > 5 else "", False, True) for row in rows]), follow=True)
    assert OfficeSettings.objects.get(pk=1).checkpoints == []


def test_bad_values_are_refused_in_chinese_and_nothing_is_stored(staff):
    obj = OfficeSettings.objects.get(pk=1)
    before = _stored()
    rows = [("deploy", "部署签收", "abc", True, "acknowledge"),          # not a number
            ("report", "报告措施和进展", "3", True, ""),                  # no requirement chosen
            ("settle", "办结或申请销号", "-2", True, "completion"),       # negative
            ("", "", "5", True, "progress"),                            # days without a name
            ("", "部署签收", "4", True, "progress")]                     # the same name twice
    r = staff.post(URL, _post(obj, rows=rows, levels=("正常", "正常", "红牌"), due_soon_days="3,x", warning_days="4"))
    body = r.content.decode()
    assert r.status_code == 200 and "errornote" in body
    for message in ("第1行“部署签收”的天数应为 0 到 365 之间的整数", "第2行“报告措施和进展”：请选择该节点要求单位做到的事",
                    "第3行“办结或申请销号”的天数应为 0 到 365 之间的整数", "第4行：请填写节点名称",
                    "第5行“部署签收”：节点名称重复", "三级督办等级的名称不能相同", "到期前提醒天数“x”无效"):
        assert message in body, message
    assert _stored() == before  # nothing stored, not even the valid warning_days
    # what was typed is kept
    assert 'name="checkpoints-0-offset" value="abc"' in body and 'name="checkpoints-3-offset" value="5"' in body
    assert 'value="3,x"' in body
    table = body[body.index('data-testid="checkpoints-table"'):]
    assert table[:table.index("</table>")].count("<tr") == 1 + 5 + 2  # the rows as sent, still two empty ones
    # a value the policy itself refuses reaches the page as the policy's Chinese message
    r = staff.post(URL, _post(obj, rows=[("dup", "甲", "1", True, "acknowledge"), ("dup", "乙", "2", True, "progress")]))
    assert "响应节点“dup”重复" in r.content.decode() and _stored() == before


def test_no_admin_change_form_has_a_raw_json_field(users):
    """Every registered admin's add and change form, as staff and as the superuser: no JSON field."""
    from accounts.models import Unit, UnitKind

    Unit.objects.get_or_create(name="县财政局", defaults={"kind": UnitKind.DEPARTMENT})
    OfficeSettings.objects.get_or_create(pk=1)
    checked = 0
    for who in ("staff", "admin"):
        request = RequestFactory().get("/admin/")
        request.user = users[who]
        for model, model_admin in django_admin.site._registry.items():
            obj = model._default_manager.order_by("pk").first()
            for instance in (None, obj):
                if not (model_admin.has_view_permission(request, instance) if instance else model_admin.has_add_permission(request)):
                    continue
                form = model_admin.get_form(request, instance)
                readonly = set(model_admin.get_readonly_fields(request, instance))
                raw = [name for name, f in form.base_fields.items() if isinstance(f, forms.JSONField) and name not in readonly]
                assert not raw, (who, model._meta.label, raw)
                checked += 1
    assert checked > 30

"""Speech review on the workbench: owners marked (unknown, level mismatch) and never mapped
silently, editing one candidate, adding a missed sentence, bulk actions all or nothing."""
import datetime as dt

import pytest
from django.utils import timezone

from tasks.models import Directive, Notice, Task
from tasks.services import ingest
from tasks.services.ingest import BulkError, IngestError
from tests.workbench.conftest import future, unit

pytestmark = pytest.mark.django_db


def _review_url(speech, d=None):
    return f"/workbench/speeches/{speech.pk}/" + (f"?d={d.pk}" if d else "")


def _make(speech, seq, owners, *, text=None, deadline=None, start=None):
    text = text or f"第{seq}条测试语句要抓紧落实"
    start = start if start is not None else 10_000 + seq * 50
    return Directive.objects.create(speech=speech, seq=seq, text=text, start=start, end=start + len(text), owners=owners,
                                    deadline=deadline or future(), deadline_kind="date", confidence=0.8)


CITY_FINANCE = {"name": "市财政局", "mention": "市财政局", "kind": "unit", "role": "lead", "unit_id": None, "level_mismatch": True}
UNKNOWN = {"name": "中泰产业园", "mention": "中泰产业园", "kind": "unit", "role": "lead", "unit_id": None}


def test_level_mismatch_and_unknown_owners_are_marked_and_never_assigned(staff_client, demo_speech, users):
    d1 = _make(demo_speech, 101, [CITY_FINANCE])
    d2 = _make(demo_speech, 102, [UNKNOWN])
    html = staff_client.get(_review_url(demo_speech, d1)).content.decode()
    assert "层级不符（市级单位，非本县单位）" in html
    assert "未在名录中" in html
    with pytest.raises(BulkError) as exc:
        ingest.accept_directives(ids=[d1.pk, d2.pk], by=users["staff"])
    assert "没有本级名录中的责任单位" in exc.value.message
    assert not Task.objects.filter(source_directive__in=[d1, d2]).exists()
    d1.refresh_from_db()
    assert d1.review_state == "pending" and d1.owners == [CITY_FINANCE]  # not mapped to 县财政局


def test_review_page_lists_every_candidate_in_the_text(staff_client, city_speech):
    html = staff_client.get(_review_url(city_speech)).content.decode()
    n = city_speech.directives.count()
    assert html.count('data-testid="cand"') == n
    for d in city_speech.directives.all():
        assert f'id="c-{d.pk}"' in html
    assert 'type="application/json"' in html and "<script>" not in html and ' style="' not in html
    assert " onclick=" not in html


def test_editor_saves_owners_deadline_and_title(staff_client, demo_speech):
    d = _make(demo_speech, 103, [UNKNOWN, {"name": "胡世胜", "mention": "胡世胜同志", "kind": "person", "role": "lead", "unit_id": None}])
    fgj, czj = unit("县发展和改革局"), unit("县财政局")
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", {
        "action": "save", "title": "新的事项名称", "text": d.text, "deadline_kind": "date", "deadline": future(20).isoformat(),
        "chip": ["o0", "o1", f"u{fgj.pk}"], "chip_role": ["lead", "lead", "co"], "chip_remove": ["o0"],
        "add": "财政局", "add_role": "lead",
    })
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.title == "新的事项名称" and d.deadline == future(20)
    assert [(o["name"], o["role"], o.get("unit_id")) for o in d.owners] == [
        ("胡世胜", "lead", None), ("县发展和改革局", "co", fgj.pk), ("县财政局", "lead", czj.pk)]


def test_editor_refusal_keeps_input_and_stores_nothing(staff_client, demo_speech):
    d = _make(demo_speech, 104, [UNKNOWN])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    fgj = unit("县发展和改革局")
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", {
        "action": "save", "title": "我刚输入的名称", "text": d.text, "deadline_kind": "date", "deadline": yesterday,
        "chip": ["o0", f"u{fgj.pk}", f"u{fgj.pk}"], "chip_role": ["lead", "co", "co"]})
    html = r.content.decode()
    assert r.status_code == 400
    assert "不能早于交办日期" in html and "我刚输入的名称" in html
    editor = html[html.index('data-testid="owner-chips"'):]
    editor = editor[:editor.index("</div>")]
    assert editor.count('data-testid="owner-chip"') == 2  # the chips as left: 中泰产业园 and 县发改局 (协办), once
    assert f'value="u{fgj.pk}"' in editor and '<option value="co" selected>' in editor
    assert "已保存" not in html
    d.refresh_from_db()
    assert d.title == "" and d.deadline == future()


def test_accept_from_editor_is_one_transaction(staff_client, demo_speech):
    """采纳并交办 refused (no directory unit) → the edits of the same click are not stored either."""
    d = _make(demo_speech, 105, [UNKNOWN])
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", {
        "action": "accept", "title": "不该保存", "text": d.text, "deadline_kind": "date", "deadline": future(5).isoformat(),
        "chip": ["o0"], "chip_role": ["lead"]})
    assert r.status_code == 400
    assert "没有本级名录中的责任单位" in r.content.decode()
    d.refresh_from_db()
    assert d.title == "" and d.review_state == "pending" and not Task.objects.exists()


def test_accept_from_editor(staff_client, demo_speech, people):
    fgj = unit("县发展和改革局")
    d = _make(demo_speech, 106, [UNKNOWN, {"name": "胡世胜", "mention": "胡世胜", "kind": "person", "role": "lead", "unit_id": None}])
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", {
        "action": "accept", "title": "推进项目建设", "text": d.text, "deadline_kind": "date", "deadline": future(5).isoformat(),
        "chip": ["o0", "o1", f"u{fgj.pk}"], "chip_role": ["lead", "lead", "lead"], "chip_remove": ["o0"]})
    assert r.status_code == 302
    task = Task.objects.get(source_directive=d)
    assert task.title == "推进项目建设" and task.deadline == future(5)
    assert list(task.units.all()) == [fgj]
    assert [p.name for p in task.leaders.all()] == ["胡世胜"]  # a known leader (is_leader), never a new Person
    assert Notice.objects.filter(unit=fgj, task=task).exists()


def test_after_accept_or_reject_the_next_pending_candidate_opens(staff_client, demo_speech):
    first, second, third = demo_speech.directives.order_by("start")[:3]
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{second.pk}/", {
        "action": "reject", "text": second.text, "deadline_kind": "none", "chip": [], "chip_role": []})
    assert r["Location"] == f"/workbench/speeches/{demo_speech.pk}/?d={third.pk}#c-{third.pk}"
    html = staff_client.get(f"/workbench/speeches/{demo_speech.pk}/?d={third.pk}").content.decode()
    assert f'data-id="{first.pk}">上一条' in html  # the rejected one is skipped


def test_missed_sentence_widened_to_the_whole_sentence(users, demo_speech):
    text = demo_speech.text
    spans = sorted(demo_speech.directives.values_list("start", "end"))
    # a sentence outside every candidate
    import re

    for m in re.finditer(r"[^。；！？\n]{10,80}[。；]", text):
        a, b = m.span()
        if not any(a < e and s < b for s, e in spans):
            break
    else:
        pytest.skip("no free sentence")
    d = ingest.add_directive(speech=demo_speech, by=users["staff"], start=a + 3, end=a + 6)
    assert (d.start, d.end) == ingest.sentence_span(text, a + 3, a + 6)
    assert d.text == text[d.start:d.end] and d.origin == "manual" and d.review_state == "pending"
    assert d.seq == max(demo_speech.directives.exclude(pk=d.pk).values_list("seq", flat=True)) + 1
    # the same place again overlaps the new candidate
    with pytest.raises(IngestError, match="重叠"):
        ingest.add_directive(speech=demo_speech, by=users["staff"], start=a + 3, end=a + 6)


def test_add_by_quote_and_bad_quotes(staff_client, demo_speech):
    n = demo_speech.directives.count()
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/add/", {"quote": "这句话不在讲话稿里"})
    assert r.status_code == 400 and "找不到这段文字" in r.content.decode()
    first = demo_speech.directives.order_by("start").first()
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/add/", {"quote": first.text[2:10]})
    assert r.status_code == 400 and "重叠" in r.content.decode()
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/add/", {})
    assert r.status_code == 400 and "请先在原文中选中一句话" in r.content.decode()
    assert demo_speech.directives.count() == n


def test_sentence_span():
    text = "第一句话。第二句要求县发改局抓紧落实，确保年底前完成；第三句\n下一段。"
    a = text.index("县发改局")
    s, e = ingest.sentence_span(text, a, a + 4)
    assert text[s:e] == "第二句要求县发改局抓紧落实，确保年底前完成；"
    s, e = ingest.sentence_span(text, text.index("第三句"), text.index("第三句") + 2)
    assert text[s:e] == "第三句"


def test_bulk_set_units_replace_keeps_leaders_and_add_mode(users, demo_speech):
    person = {"name": "胡世胜", "mention": "胡世胜", "kind": "person", "role": "lead", "unit_id": None}
    d1 = _make(demo_speech, 110, [CITY_FINANCE, person])
    d2 = _make(demo_speech, 111, [])
    czj, fgj = unit("县财政局"), unit("县发展和改革局")
    assert ingest.bulk_set_units(ids=[d1.pk, d2.pk], by=users["staff"], units=[(czj, "lead"), (fgj, "co")], replace=True) == 2
    d1.refresh_from_db()
    assert [(o["name"], o["role"]) for o in d1.owners] == [("胡世胜", "lead"), ("县财政局", "lead"), ("县发展和改革局", "co")]
    ingest.bulk_set_units(ids=[d1.pk], by=users["staff"], units=[(fgj, "lead")], replace=False)
    d1.refresh_from_db()
    assert [(o["name"], o["role"]) for o in d1.owners][2] == ("县发展和改革局", "lead")
    assert len(d1.owners) == 3


def test_bulk_accept_is_all_or_nothing(users, demo_speech):
    fgj = unit("县发展和改革局")
    good = _make(demo_speech, 120, [ingest.unit_owner(fgj, "lead")])
    bad = _make(demo_speech, 121, [CITY_FINANCE])
    past = _make(demo_speech, 122, [ingest.unit_owner(fgj, "lead")], deadline=timezone.localdate() - dt.timedelta(days=3))
    with pytest.raises(BulkError) as exc:
        ingest.accept_directives(ids=[good.pk, bad.pk, past.pk], by=users["staff"])
    assert set(exc.value.errors) == {bad.pk, past.pk}
    assert "第121条" in exc.value.message and "第122条" in exc.value.message and "不能早于交办日期" in exc.value.message
    assert not Task.objects.exists() and not Notice.objects.exists()
    assert Directive.objects.get(pk=good.pk).review_state == "pending"
    tasks = ingest.accept_directives(ids=[good.pk], by=users["staff"])
    assert len(tasks) == 1 and Directive.objects.get(pk=good.pk).review_state == "accepted"
    with pytest.raises(BulkError, match="已采纳"):
        ingest.reject_directives(ids=[good.pk], by=users["staff"])


def test_bulk_view_units_by_typed_names_and_refusals(staff_client, demo_speech):
    ids = list(demo_speech.directives.values_list("pk", flat=True))
    url = f"/workbench/speeches/{demo_speech.pk}/bulk/"
    r = staff_client.post(url, {"action": "set_units", "ids": ids, "lead_text": "财政局、不存在的局", "mode": "replace"})
    assert r.status_code == 400 and "单位名录中没有“不存在的局”" in r.content.decode()
    html = r.content.decode()
    for i in ids:  # the selection is kept
        assert f'value="{i}" form="bulk-form" aria-label' in html and "checked" in html
    r = staff_client.post(url, {"action": "set_units", "ids": ids, "lead_text": "财政局", "co_text": "发改", "mode": "replace"})
    assert r.status_code == 302
    for d in demo_speech.directives.all():
        assert {o["name"] for o in d.owners if o["kind"] != "person"} == {"县财政局", "县发展和改革局"}
    r = staff_client.post(url, {"action": "set_deadline", "ids": ids, "deadline_kind": "date", "deadline": ""})
    assert r.status_code == 400 and "请填写完成时限" in r.content.decode()
    r = staff_client.post(url, {"action": "accept", "ids": []})
    assert r.status_code == 400 and "请先勾选" in r.content.decode()


def test_bulk_view_refuses_candidates_of_another_speech(staff_client, demo_speech, city_speech):
    other = city_speech.directives.first()
    r = staff_client.post(f"/workbench/speeches/{demo_speech.pk}/bulk/", {"action": "reject", "ids": [other.pk]})
    assert r.status_code == 400 and "不存在" in r.content.decode()
    other.refresh_from_db()
    assert other.review_state == "pending"


def test_review_page_query_count_is_constant(staff_client, demo_speech):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as q:
            assert staff_client.get(url).status_code == 200
        return len(q.captured_queries)

    first = demo_speech.directives.order_by("start").first()
    urls = [_review_url(demo_speech), _review_url(demo_speech, first), "/workbench/queues/candidates/"]
    before = [count(u) for u in urls]
    for i in range(30):
        _make(demo_speech, 200 + i, [UNKNOWN, CITY_FINANCE])
    fgj = unit("县发展和改革局")
    extra = [_make(demo_speech, 300 + i, [ingest.unit_owner(fgj, "lead")]) for i in range(5)]
    ingest.accept_directives(ids=[d.pk for d in extra], by=demo_speech.uploaded_by)  # accepted ones show their task
    assert [count(u) for u in urls] == before
    assert before[0] <= 14


def test_editor_add_boxes_without_javascript_add_a_leader_once(staff_client, demo_speech, people):
    d = _make(demo_speech, 105, [UNKNOWN])
    leader = people["leader"]
    post = {"action": "save", "text": d.text, "deadline_kind": "none", "chip": ["o0"], "chip_role": ["lead"],
            "chip_remove": ["o0"], "add": "发改局", "add_role": "co", "add_leader": leader.pk}
    assert staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", post).status_code == 302
    d.refresh_from_db()
    fgj = unit("县发展和改革局")
    assert [(o["name"], o["role"], o["kind"]) for o in d.owners] == [("县发展和改革局", "co", "unit"), ("胡世胜", "lead", "person")]
    # the same unit and leader again (now as chips): not added twice
    post = {**post, "chip": [f"u{fgj.pk}", f"p{leader.pk}"], "chip_role": ["co", "lead"], "chip_remove": []}
    assert staff_client.post(f"/workbench/speeches/{demo_speech.pk}/candidates/{d.pk}/", post).status_code == 302
    d.refresh_from_db()
    assert len(d.owners) == 2

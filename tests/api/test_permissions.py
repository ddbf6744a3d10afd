"""Every API endpoint × every role, with the exact status code expected.

Columns: anonymous, operator of the assigned unit, operator of another unit, leader, staff,
admin, and a login without any tracker role. Another unit's task (and what hangs from it) is a
404 for an operator, never a 403 that would confirm it exists; leaders read but never write.
"""
import datetime as dt

import pytest
from django.db import transaction

from tests.api.world import ROLES, client_for

#              anon  op_a  op_b  leader staff admin no_role
READ_ALL = (401, 200, 200, 200, 200, 200, 403)
READ_TASK = (401, 200, 404, 200, 200, 200, 403)
STAFF_WRITE = (401, 403, 403, 403, 200, 200, 403)
STAFF_CREATE = (401, 403, 403, 403, 201, 201, 403)
UNIT_CREATE = (401, 201, 404, 403, 201, 201, 403)
DECIDE = (401, 403, 404, 403, 200, 200, 403)
OFFICE_READ = (401, 403, 403, 200, 200, 200, 403)


def D(w):
    return (w["today"] + dt.timedelta(days=w.get("plus", 60))).isoformat()


ENDPOINTS = [
    # (name, method, url(w), body(w) or None, expected codes by role, format)
    ("task list", "get", lambda w: "/api/tasks/", None, READ_ALL),
    ("task detail", "get", lambda w: f"/api/tasks/{w['t'].pk}/", None, READ_TASK),
    ("task history", "get", lambda w: f"/api/tasks/{w['t'].pk}/history/", None, READ_TASK),
    ("task create", "post", lambda w: "/api/tasks/",
     lambda w: {"title": "新事项", "units": [{"unit": w["units"]["a"].pk, "role": "lead"}], "deadline": D(w)}, STAFF_CREATE),
    ("acknowledge", "post", lambda w: f"/api/tasks/{w['t4'].pk}/acknowledge/", lambda w: {"unit": w["units"]["a"].pk},
     (401, 200, 404, 403, 200, 200, 403)),
    ("assign", "post", lambda w: f"/api/tasks/{w['t'].pk}/assign/",
     lambda w: {"units": [{"unit": w["units"]["b"].pk, "role": "co"}]}, STAFF_WRITE),
    ("cancel", "post", lambda w: f"/api/tasks/{w['t'].pk}/cancel/", lambda w: {"reason": "调整"}, STAFF_WRITE),
    ("reopen", "post", lambda w: f"/api/tasks/{w['t3'].pk}/reopen/", lambda w: {"reason": "恢复"}, STAFF_WRITE),
    ("set deadline", "post", lambda w: f"/api/tasks/{w['t'].pk}/deadline/", lambda w: {"deadline": D(w)}, STAFF_WRITE),
    ("progress list", "get", lambda w: "/api/progress-reports/", None, READ_ALL),
    ("progress detail", "get", lambda w: f"/api/progress-reports/{w['report'].pk}/", None, READ_TASK),
    ("progress create", "post", lambda w: "/api/progress-reports/",
     lambda w: {"task": w["t"].pk, "unit": w["units"]["a"].pk, "text": "推进中", "percent": 50}, UNIT_CREATE),
    ("attachment download", "get", lambda w: f"/api/attachments/{w['attachment'].pk}/download/", None, READ_TASK),
    ("extension list", "get", lambda w: "/api/extension-requests/", None, READ_ALL),
    ("extension detail", "get", lambda w: f"/api/extension-requests/{w['ext'].pk}/", None, READ_TASK),
    ("extension create", "post", lambda w: "/api/extension-requests/",
     lambda w: {"task": w["t"].pk, "unit": w["units"]["a"].pk, "proposed_deadline": D(w), "reason": "征地延迟"}, UNIT_CREATE),
    ("extension approve", "post", lambda w: f"/api/extension-requests/{w['ext'].pk}/approve/", lambda w: {}, DECIDE),
    ("extension reject", "post", lambda w: f"/api/extension-requests/{w['ext'].pk}/reject/", lambda w: {"reason": "不同意"}, DECIDE),
    ("completion list", "get", lambda w: "/api/completion-requests/", None, READ_ALL),
    ("completion detail", "get", lambda w: f"/api/completion-requests/{w['comp'].pk}/", None, READ_TASK),
    ("completion create", "post", lambda w: "/api/completion-requests/",
     lambda w: {"task": w["t"].pk, "unit": w["units"]["a"].pk, "summary": "已完成"}, UNIT_CREATE),
    ("completion approve", "post", lambda w: f"/api/completion-requests/{w['comp'].pk}/approve/", lambda w: {"grade": "优秀"}, DECIDE),
    ("completion reject", "post", lambda w: f"/api/completion-requests/{w['comp'].pk}/reject/", lambda w: {"reason": "材料不全"}, DECIDE),
    ("unit list", "get", lambda w: "/api/units/", None, READ_ALL),
    ("unit detail", "get", lambda w: f"/api/units/{w['units']['a'].pk}/", None, READ_ALL),
    ("people list", "get", lambda w: "/api/people/", None, READ_ALL),
    ("meeting list", "get", lambda w: "/api/meetings/", None, READ_ALL),
    ("meeting detail", "get", lambda w: f"/api/meetings/{w['meeting'].pk}/", None, READ_TASK),
    ("speech list", "get", lambda w: "/api/speeches/", None, OFFICE_READ),
    ("speech detail", "get", lambda w: f"/api/speeches/{w['speech'].pk}/", None, OFFICE_READ),
    ("speech upload", "post", lambda w: "/api/speeches/", lambda w: {"meeting_date": "2024-05-28"}, (401, 403, 403, 403, 400, 400, 403)),
    ("directive list", "get", lambda w: "/api/directives/", None, OFFICE_READ),
    ("directive detail", "get", lambda w: f"/api/directives/{w['directive'].pk}/", None, OFFICE_READ),
    ("directive accept", "post", lambda w: f"/api/directives/{w['directive'].pk}/accept/",
     lambda w: {"units": [{"unit": w["units"]["a"].pk, "role": "lead"}]}, STAFF_CREATE),
    ("directive reject", "post", lambda w: f"/api/directives/{w['directive'].pk}/reject/", lambda w: {}, STAFF_WRITE),
    ("report file list", "get", lambda w: "/api/report-files/", None, OFFICE_READ),
    ("report file detail", "get", lambda w: f"/api/report-files/{w['rf'].pk}/", None, OFFICE_READ),
    ("report file download", "get", lambda w: f"/api/report-files/{w['rf'].pk}/download/", None, OFFICE_READ),
    ("report file docx (none stored: 404 for those who may read)", "get",
     lambda w: f"/api/report-files/{w['rf'].pk}/download-docx/", None, (401, 403, 403, 404, 404, 404, 403)),
    ("notice list", "get", lambda w: "/api/notices/", None, READ_ALL),
    # a notice addressed to unit a: only its operators have it in their inbox
    ("notice read", "post", lambda w: f"/api/notices/{w['notice'].pk}/read/", lambda w: {}, (401, 200, 404, 404, 404, 404, 403)),
]


@pytest.mark.parametrize("name, method, url, body, expected", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_permission_matrix(world, name, method, url, body, expected):
    """Each role's request runs in a savepoint rolled back afterwards, so every role meets the same world."""
    got = {}
    for role in ROLES:
        client = client_for(world["users"], role)
        kwargs = {"format": "json"} if method == "post" else {}
        with transaction.atomic():
            resp = getattr(client, method)(url(world), body(world) if body else None, **kwargs)
            transaction.set_rollback(True)
        got[role] = resp.status_code
        if resp.status_code in (400, 403, 404, 409):
            detail = resp.data.get("detail")
            assert isinstance(detail, str) and any("\u4e00" <= ch <= "\u9fff" for ch in detail), (role, resp.data)
        if resp.status_code == 401:
            assert resp.has_header("WWW-Authenticate")
    assert got == dict(zip(ROLES, expected)), name


def test_operator_lists_show_only_their_units_rows(world):
    """op_b's lists are empty although the rows exist (no leak through lists either)."""
    c = client_for(world["users"], "op_other")
    for url in ("/api/tasks/", "/api/progress-reports/", "/api/extension-requests/", "/api/completion-requests/",
                "/api/meetings/", "/api/notices/"):
        assert c.get(url).data["count"] == 0, url
    a = client_for(world["users"], "op_assigned")
    assert a.get("/api/tasks/").data["count"] == 4  # T, T2, T3 (cancelled) and T4
    assert a.get("/api/progress-reports/").data["count"] == 1


def test_api_root_needs_a_login_with_a_role(world):
    assert client_for(world["users"], "anonymous").get("/api/").status_code == 401
    assert client_for(world["users"], "no_role").get("/api/").status_code == 403
    r = client_for(world["users"], "op_assigned").get("/api/")
    assert r.status_code == 200 and "tasks" in r.data

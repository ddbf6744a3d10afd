"""Finding 4: uploaded files were public (DEBUG served /media/ to anyone; the weekly report had a
predictable name).

Every stored file — speeches, evidence attachments, reports (every FileField of ReportFile) — is
reachable only through views that check role and unit, in every mode: anonymous → login,
another unit → 404, leaders read, staff read; stored names are unguessable; /media/ is served by
nobody, DEBUG on or off; X-Accel-Redirect / X-Sendfile hand the file to the web server only
after the same check.
"""
from __future__ import annotations

import importlib
import re

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.test import override_settings
from django.urls import clear_url_caches

from tasks.models import ReportFile, Speech
from tests.api.world import client_for

pytestmark = pytest.mark.django_db

SPEECH_BYTES = "县发改局要在年底前完成项目储备。".encode("utf-8")


@pytest.fixture
def files(world):
    speech = world["speech"]
    speech.file.save("讲话.txt", ContentFile(SPEECH_BYTES), save=True)
    rf = world["rf"]
    return {
        "speech": (speech.file, f"/files/{speech.file.name}", None),
        "attachment": (world["attachment"].file, f"/files/{world['attachment'].file.name}",
                       [f"/api/attachments/{world['attachment'].pk}/download/",
                        f"/portal/attachments/{world['attachment'].pk}/"]),
        "report": (rf.file, f"/files/{rf.file.name}", [f"/api/report-files/{rf.pk}/download/"]),
    }


# kind → roles that may read it
ALLOWED = {
    "speech": {"leader", "staff", "admin"},
    "attachment": {"op_assigned", "leader", "staff", "admin"},
    "report": {"leader", "staff", "admin"},
}


def _login_client(client, users, role):
    from tests.api.world import USER_OF_ROLE

    if role != "anonymous":
        client.force_login(users[USER_OF_ROLE[role]])
    return client


def _body(r) -> bytes:
    return b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content


@pytest.mark.parametrize("kind", ["speech", "attachment", "report"])
@pytest.mark.parametrize("role", ["anonymous", "op_assigned", "op_other", "leader", "staff", "admin", "no_role"])
def test_each_kind_of_file_for_each_role(files, world, client, kind, role):
    fieldfile, url, others = files[kind]
    expected = fieldfile.open("rb").read()
    fieldfile.close()
    c = _login_client(client, world["users"], role)
    r = c.get(url)
    if role == "anonymous":
        assert r.status_code == 302 and "/portal/login/" in r["Location"]
    elif role in ALLOWED[kind]:
        assert r.status_code == 200 and _body(r) == expected
        assert r["X-Content-Type-Options"] == "nosniff"
    else:
        assert r.status_code == 404 and expected not in r.content
    for other in others or ():
        if other.startswith("/api/"):
            r = client_for(world["users"], role).get(other)
            allowed = role in ALLOWED[kind]
            assert (r.status_code == 200) == allowed, (other, role, r.status_code)
            if allowed:
                assert _body(r) == expected
            else:
                assert r.status_code in (401, 403, 404)
        else:
            r = c.get(other)
            assert (r.status_code == 200) == (role in ALLOWED[kind]), (other, role, r.status_code)


def test_stored_names_are_unguessable(files):
    for fieldfile, url, _ in files.values():
        assert re.search(r"/[0-9a-f]{24}/[^/]+$", fieldfile.name), fieldfile.name
    names = {files["report"][0].name}
    rf = ReportFile(title="再生成", as_of=files["report"][0].instance.as_of, period_start=files["report"][0].instance.as_of,
                    period_end=files["report"][0].instance.as_of, filename="督查通报.xlsx")
    rf.file.save("督查通报_2026年第49周.xlsx", ContentFile(b"PK"), save=True)
    assert rf.file.name not in names and rf.file.name.startswith("reports/")


@pytest.mark.parametrize("debug", [True, False])
def test_media_folder_is_served_by_nobody_in_either_mode(files, world, client, settings, debug):
    settings.DEBUG = debug
    import tracker.urls

    try:
        clear_url_caches()
        importlib.reload(tracker.urls)
        client.force_login(world["users"]["staff"])
        for fieldfile, _, _ in files.values():
            for prefix in ("/media/", "/var/media/"):
                r = client.get(prefix + fieldfile.name)
                assert r.status_code == 404, (prefix, r.status_code)
        r = client.get("/files/../../tracker/settings.py")
        assert r.status_code == 404
    finally:
        settings.DEBUG = False
        clear_url_caches()
        importlib.reload(tracker.urls)


def test_x_accel_redirect_and_x_sendfile_only_after_the_check(files, world, client, settings):
    fieldfile, url, _ = files["report"]
    settings.TRACKER_FILE_DELIVERY = "x-accel-redirect"
    client.force_login(world["users"]["leader"])
    r = client.get(url)
    assert r.status_code == 200 and r.content == b""
    assert r["X-Accel-Redirect"].startswith(settings.TRACKER_FILE_INTERNAL_URL + "reports/")
    assert "attachment;" in r["Content-Disposition"]
    client.force_login(world["users"]["op_b"])
    r = client.get(url)
    assert r.status_code == 404 and "X-Accel-Redirect" not in r
    settings.TRACKER_FILE_DELIVERY = "x-sendfile"
    client.force_login(world["users"]["staff"])
    r = client.get(f"/api/report-files/{world['rf'].pk}/download/")
    assert r.status_code == 200 and r["X-Sendfile"] == fieldfile.path


def test_every_file_field_has_a_rule():
    """A FileField added anywhere (a .docx of ReportFile, say) is covered by its model's rule or
    is served to nobody; this test names it so that it gets a rule."""
    from tasks.files.policy import RULES, file_fields

    labels = {m._meta.label for m, f in file_fields()}
    assert {"tasks.Speech", "tasks.Attachment", "tasks.ReportFile"} <= labels
    assert labels <= set(RULES), labels - set(RULES)


def test_every_report_file_field_follows_the_report_rule(world, client):
    """Whatever formats ReportFile stores (xlsx today, docx tomorrow), each is guarded alike."""
    rf = world["rf"]
    fields = [f for f in ReportFile._meta.get_fields() if isinstance(f, models.FileField)]
    assert fields
    for f in fields:
        ff = getattr(rf, f.name)
        if not ff:
            ff.save(f"通报.{f.name}", ContentFile(b"report-bytes"), save=True)
        url = f"/files/{ff.name}"
        client.force_login(world["users"]["op_a"])
        assert client.get(url).status_code == 404
        client.force_login(world["users"]["leader"])
        assert client.get(url).status_code == 200


def test_a_deactivated_operator_loses_the_files_at_once(files, world, client):
    from accounts.services import deactivate_person

    client.force_login(world["users"]["op_a"])
    url = files["attachment"][1]
    assert client.get(url).status_code == 200
    person = world["users"]["op_a"].person
    person.active = False
    person.save(update_fields=["active"])  # 不在职 set directly, without the service
    assert client.get(url).status_code == 404
    deactivate_person(person=person)
    assert client.get(url).status_code == 302  # the session itself is gone


def test_speech_upload_does_not_link_to_media(world, client):
    speech: Speech = world["speech"]
    speech.file.save("讲话.txt", ContentFile(SPEECH_BYTES), save=True)
    assert speech.file.url.startswith("/files/speeches/")
    client.force_login(world["users"]["staff"])
    html = client.get(f"/admin/tasks/speech/{speech.pk}/change/").content.decode()
    assert "/media/" not in html

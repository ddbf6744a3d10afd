"""The `extract` command, the admin upload and the API upload give the same directives —
here for the same speech in three encodings (UTF-8, GB18030, UTF-16)."""
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import create_login, load_units_file
from tasks.models import Speech

SPEECH = Path(__file__).resolve().parents[2] / "tasks" / "fixtures" / "demo_speech.txt"
pytestmark = pytest.mark.django_db


def key(d: dict, owners) -> tuple:
    return (d["text"], d["start"], d["end"], d["deadline"], d["deadline_text"] or "", d["recurrence"] or "",
            d["target"] or "", tuple(sorted(owners)))


def stored(speech: Speech) -> list[tuple]:
    out = []
    for d in speech.directives.order_by("seq"):
        deadline = d.deadline.isoformat() if d.deadline else (None if d.deadline_kind == "none" else d.deadline_kind)
        out.append(key({"text": d.text, "start": d.start, "end": d.end, "deadline": deadline,
                        "deadline_text": d.deadline_text, "recurrence": d.recurrence, "target": d.target},
                       [(o["name"], o["role"], o["unit_id"]) for o in d.owners]))
    return out


def test_command_admin_and_api_agree(client, tmp_path):
    load_units_file()
    staff = create_login(username="staff1", password="Zz-staff-pass-1", name="督查员", role="staff").user
    text = SPEECH.read_text(encoding="utf-8")

    path = tmp_path / "讲话.txt"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("extract", str(path), "--date", "2024-05-28", "--format", "json", stdout=out)
    from_command = [key(d, [(o["name"], o["role"], o["unit_id"]) for o in d["owners"]]) for d in json.loads(out.getvalue())["directives"]]

    client.force_login(staff)
    client.post(reverse("admin:tasks_speech_upload"), {
        "file": SimpleUploadedFile("讲话-gbk.txt", text.encode("gb18030")), "meeting_date": "2024-05-28"})
    from_admin = stored(Speech.objects.get(original_name="讲话-gbk.txt"))

    api = APIClient()
    api.force_authenticate(staff)
    r = api.post("/api/speeches/", {"file": SimpleUploadedFile("讲话-utf16.txt", text.encode("utf-16")),
                                    "meeting_date": "2024-05-28"}, format="multipart")
    assert r.status_code == 201, r.data
    from_api = stored(Speech.objects.get(pk=r.data["id"]))

    assert len(from_command) >= 10
    assert from_command == from_admin == from_api
    encodings = set(Speech.objects.values_list("encoding", flat=True))
    assert len(encodings) == 2 and Speech.objects.filter(meeting__date=dt.date(2024, 5, 28)).count() == 2

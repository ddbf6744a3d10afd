"""One small world of rows every API endpoint can act on, for the permission matrix and flows."""
import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tasks.models import Directive, Meeting, Notice, ReportFile, Speech
from tasks.services import workflow as wf
from tests.workflow.factories import pdf_bytes, xlsx_bytes

ROLES = ["anonymous", "op_assigned", "op_other", "leader", "staff", "admin", "no_role"]
USER_OF_ROLE = {"op_assigned": "op_a", "op_other": "op_b", "leader": "leader", "staff": "staff", "admin": "admin",
                "no_role": "nobody"}


@pytest.fixture
def world(users, units, make_task):
    today = timezone.localdate()
    meeting = Meeting.objects.create(title="全县重点项目推进会", date=today)
    # T: unit a leads, unit c co-operates; op_b (unit b) has nothing to do with it
    t = make_task(units=[(units["a"], "lead"), (units["c"], "co")], meeting=meeting,
                  deadline=today + dt.timedelta(days=30), leaders=[users["leader_person"]])
    report = wf.report_progress(task=t, unit=units["a"], by=users["op_a"], text="完成可研", percent=20,
                                files=[SimpleUploadedFile("可研.pdf", pdf_bytes())])
    ext = wf.request_extension(task=t, unit=units["c"], by=users["staff"], proposed_deadline=t.deadline + dt.timedelta(days=10),
                               reason="配合单位资金未到位")
    t2 = make_task(title="完成老旧小区改造", units=[(units["a"], "lead")])
    comp = wf.request_completion(task=t2, unit=units["a"], by=users["op_a"], summary="改造全部完成")
    t3 = make_task(title="已撤销的事项", units=[(units["a"], "lead")])
    wf.cancel_task(task=t3, by=users["staff"], reason="上级调整")
    speech = Speech.objects.create(meeting=meeting, title="讲话", original_name="讲话.txt", text="县发改局要在年底前完成项目储备。",
                                   encoding="utf-8", sha256="0" * 64, chars=16)
    directive = Directive.objects.create(speech=speech, seq=1, text="县发改局要在年底前完成项目储备。", start=0, end=16,
                                         owners=[{"name": "县发展和改革局", "role": "lead"}], deadline_kind="date",
                                         deadline=today + dt.timedelta(days=40), deadline_text="年底前")
    rf = ReportFile(title="督查通报", as_of=today, period_start=today, period_end=today, filename="督查通报.xlsx", size=10)
    rf.file.save("tongbao.xlsx", ContentFile(xlsx_bytes()), save=True)
    notice = Notice.objects.filter(task=t, unit=units["a"]).first()
    # T4: assigned to unit a and not acted on yet (a unit's first report or request is its 签收)
    t4 = make_task(title="待签收的事项", units=[(units["a"], "lead")])
    return {"t": t, "t2": t2, "t3": t3, "t4": t4, "report": report, "attachment": report.attachments.get(), "ext": ext,
            "comp": comp, "meeting": meeting, "speech": speech, "directive": directive, "rf": rf, "notice": notice,
            "units": units, "users": users, "today": today}


def client_for(users, role) -> APIClient:
    c = APIClient()
    if role != "anonymous":
        c.force_authenticate(users[USER_OF_ROLE[role]])
    return c

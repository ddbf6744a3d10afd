"""Who may open which portal page: anonymous, own-unit operator, other-unit operator, leader, staff."""
import re

import pytest
from django.urls import reverse

from tasks.models import ProgressReport, Task

pytestmark = pytest.mark.django_db


def _get(client_for, role, url):
    return client_for(role).get(url)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("norole", 403),
        ("op_fgj", 200),   # own unit (lead)
        ("op_jyj", 404),   # another unit: the task does not exist for them
        ("leader", 200),
        ("staff", 200),
    ],
)
def test_task_page_matrix(client_for, task, role, expected):
    r = _get(client_for, role, reverse("portal:task_detail", args=[task.pk]))
    assert r.status_code == expected
    if role == "anonymous":
        assert r["Location"].startswith("/portal/login/?next=")


@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", 302), ("norole", 403), ("op_fgj", 403), ("op_jyj", 403), ("leader", 200), ("staff", 200)],
)
def test_dashboard_matrix(client_for, task, role, expected):
    r = _get(client_for, role, reverse("portal:dashboard"))
    assert r.status_code == expected
    if expected == 403:
        assert "没有访问权限" in r.content.decode()


@pytest.mark.parametrize("role, expected", [("anonymous", 302), ("norole", 403), ("op_fgj", 200), ("leader", 200), ("staff", 200)])
def test_list_and_notices_matrix(client_for, task, role, expected):
    for name in ("portal:task_list", "portal:notices"):
        assert _get(client_for, role, reverse(name)).status_code == expected


def test_list_shows_only_own_unit_tasks(client_for, task, other_task):
    body = client_for("op_fgj").get(reverse("portal:task_list")).content.decode()
    assert task.code in body and other_task.code not in body
    body = client_for("op_jyj").get(reverse("portal:task_list")).content.decode()
    assert other_task.code in body and task.code not in body
    for role in ("leader", "staff"):
        body = client_for(role).get(reverse("portal:task_list")).content.decode()
        assert task.code in body and other_task.code in body


def test_co_unit_operator_sees_the_task_but_cannot_ask_to_close(client_for, task, units, users):
    from accounts.services import create_login

    create_login(username="zjj", password="Duchashi#2026pw", name="钱联络", role="operator", unit=units["zjj"])
    from django.test import Client

    c = Client()
    c.force_login(users["staff"].__class__.objects.get(username="zjj"))
    r = c.get(reverse("portal:task_detail", args=[task.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert "报送进展" in body and "申请办结" not in body
    # posting the completion form anyway is refused by the service, with its Chinese message
    r = c.post(reverse("portal:task_detail", args=[task.pk]), {"action": "completion", "summary": "已完成", "version": task.version})
    assert r.status_code == 400
    assert "只有主办（牵头）单位可以申请办结" in r.content.decode()
    assert not task.completion_requests.exists()


@pytest.mark.parametrize("role", ["leader", "staff"])
def test_leaders_and_staff_get_no_write_forms_and_cannot_post(client_for, task, role):
    c = client_for(role)
    body = c.get(reverse("portal:task_detail", args=[task.pk])).content.decode()
    # no unit form; a leader's one write is the 批示 (tests/portal/test_leader.py)
    actions = set(re.findall(r'name="action" value="(\w+)"', body))
    assert actions == ({"comment"} if role == "leader" else set())
    r = c.post(reverse("portal:task_detail", args=[task.pk]), {"action": "report", "text": "代报", "percent": 30})
    assert r.status_code == 403
    assert not ProgressReport.objects.filter(task=task).exists()


def test_other_unit_operator_cannot_post_to_a_task(client_for, task):
    r = client_for("op_jyj").post(reverse("portal:task_detail", args=[task.pk]), {"action": "acknowledge"})
    assert r.status_code == 404
    assert task.assignments.filter(acknowledged_at__isnull=False).count() == 0


def test_anonymous_post_is_sent_to_login_and_changes_nothing(client_for, task):
    r = client_for("anonymous").post(reverse("portal:task_detail", args=[task.pk]), {"action": "acknowledge"})
    assert r.status_code == 302 and "/portal/login/" in r["Location"]
    assert Task.objects.get(pk=task.pk).status == Task.Status.ASSIGNED


def test_attachment_download_follows_task_visibility(client_for, task, users, units):
    from tasks.services.workflow import report_progress

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    report = report_progress(task=task, unit=units["fgj"], by=users["op_fgj"], text="现场照片", percent=10, files=[("现场.png", png)])
    att = report.attachments.get()
    url = reverse("portal:attachment", args=[att.pk])
    r = client_for("op_fgj").get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == png
    assert client_for("leader").get(url).status_code == 200
    assert client_for("op_jyj").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302


def test_logout_requires_post(client_for):
    c = client_for("op_fgj")
    assert c.get(reverse("portal:logout")).status_code == 405
    r = c.post(reverse("portal:logout"))
    assert r.status_code == 302
    assert c.get(reverse("portal:task_list")).status_code == 302


def test_forms_need_the_csrf_token(users, task):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["op_fgj"])
    r = c.post(reverse("portal:task_detail", args=[task.pk]), {"action": "acknowledge"})
    assert r.status_code == 403
    assert task.assignments.filter(acknowledged_at__isnull=False).count() == 0
    # with the token from the page it goes through
    page = c.get(reverse("portal:task_detail", args=[task.pk])).content.decode()
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = c.post(reverse("portal:task_detail", args=[task.pk]), {"action": "acknowledge", "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    assert task.assignments.filter(acknowledged_at__isnull=False).count() == 1

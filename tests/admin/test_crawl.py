"""Every admin, portal and workbench page, for every role: below 500, and no English widget text,
no "… object (1)" title, no English CHANGES header.

The list of pages is built from the URL resolver, not written down: every named pattern under
admin/, portal/ and workbench/ (whatever another engineer mounts there later is crawled too),
with its parameters filled from a small world that holds one row of every model: changelists,
add and change forms of a real object, history and delete pages, custom admin views, portal
pages. Each is requested as superuser, 督查室 staff, 单位联络员, 县领导 and anonymous."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PREFIXES = ("admin/", "portal/", "workbench/")
FORBIDDEN = ("Choose all", "Remove all", " object (", "CHANGES")
PASSWORD = "Crawl-2026-pass!"
# words in a route → the model whose rows fill its id (for pages that are not a model admin's own)
ROUTE_MODELS = [("attachment", "tasks.Attachment"), ("notice", "tasks.Notice"), ("directive", "tasks.Directive"),
                ("candidate", "tasks.Directive"), ("speech", "tasks.Speech"), ("extension", "tasks.ExtensionRequest"),
                ("completion", "tasks.CompletionRequest"), ("reportfile", "tasks.ReportFile"), ("report", "tasks.ReportFile"),
                ("unit", "accounts.Unit"), ("meeting", "tasks.Meeting"), ("comment", "tasks.LeaderComment")]


def walk(resolver: URLResolver, prefix: str = "", ns: str = ""):
    """(route as text, qualified name, parameter names) of every named pattern."""
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(p, URLResolver):
            yield from walk(p, route, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern) and p.name:
            yield route, f"{ns}{p.name}", list(p.pattern.regex.groupindex) or (p.pattern.regex.groups or [])


def model_of_route(route: str):
    m = re.match(r"admin/(\w+)/(\w+)/", route)
    if m:
        try:
            return apps.get_model(m.group(1), m.group(2))
        except LookupError:
            pass
    for word, label in ROUTE_MODELS:
        if word in route:
            return apps.get_model(label)
    return apps.get_model("tasks.Task")


def first_pk(model):
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj is not None else 999999


def urls_to_crawl() -> list[str]:
    from tasks.models import Task

    task = Task.objects.order_by("pk").first()
    app_labels = sorted({m._meta.app_label for m in django_admin.site._registry})
    urls = set()
    for route, name, params in walk(get_resolver()):
        if not route.startswith(PREFIXES):
            continue
        if isinstance(params, int):  # positional groups: django-simple-history's old-version page (object, record)
            model = model_of_route(route)
            obj = model._default_manager.order_by("pk").first()
            record = getattr(obj, "history", None) if obj is not None else None
            if params == 2 and record is not None and record.exists():
                urls.add(reverse(name, args=[obj.pk, record.order_by("history_id").first().history_id]))
            continue
        options = [{}]
        for p in params:
            if p == "app_label":
                options = [{**o, p: a} for o in options for a in app_labels]
            elif p == "content_type_id":
                options = [{**o, p: ContentType.objects.get_for_model(Task).pk} for o in options]
            elif p == "version_id":
                options = [{**o, p: task.history.order_by("history_id").first().history_id} for o in options]
            elif p == "object_id" and "content_type_id" in params:
                options = [{**o, p: task.pk} for o in options]
            else:
                options = [{**o, p: first_pk(model_of_route(route))} for o in options]
        for kwargs in options:
            try:
                urls.add(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                urls.add(reverse(name, kwargs={k: str(v) for k, v in kwargs.items()}))
    return sorted(urls)


@pytest.fixture
def world(django_user_model, settings):
    """One row of every model the pages show."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from accounts.models import Unit, UnitAlias, UnitKind
    from accounts.services import create_login
    from rest_framework.authtoken.models import Token

    from tasks.models import Directive, Holiday, Meeting, NamedEvent, OfficeSettings, Reminder, ReportFile, Speech
    from tasks.services import workflow as wf
    from tasks.services.comments import write_leader_comment
    from tasks.services.schedule import install_default_schedule
    from tests.workflow.factories import pdf_bytes, xlsx_bytes

    today = timezone.localdate()
    a = Unit.objects.create(name="县发展和改革局", short_name="县发改局", kind=UnitKind.DEPARTMENT)
    b = Unit.objects.create(name="县财政局", kind=UnitKind.DEPARTMENT)
    UnitAlias.objects.create(unit=a, alias="发改局")
    staff = create_login(username="staff", password=PASSWORD, name="王督查", role="staff").user
    leader = create_login(username="leader", password=PASSWORD, name="李县长", title="副县长", role="leader")
    op = create_login(username="op", password=PASSWORD, name="张联络", role="operator", unit=a).user
    root = django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    Token.objects.create(user=root)
    install_default_schedule()
    meeting = Meeting.objects.create(title="全县重点项目推进会", date=today)
    speech = Speech.objects.create(meeting=meeting, title="讲话", original_name="讲话.txt", text="县发改局要在年底前完成项目储备。",
                                   encoding="utf-8", sha256="0" * 64, chars=16)
    Directive.objects.create(speech=speech, seq=1, text="县发改局要在年底前完成项目储备。", start=0, end=16,
                             owners=[{"name": "县发展和改革局", "kind": "unit", "role": "lead", "unit_id": a.pk},
                                     {"name": "市财政局", "kind": "unit", "role": "co", "unit_id": None}],
                             deadline_kind="date", deadline=today + dt.timedelta(days=40), deadline_text="年底前")
    t = wf.create_task(title="推进县城污水管网改造", by=staff, units=[(a, "lead"), (b, "co")], meeting=meeting,
                       deadline=today + dt.timedelta(days=30), leaders=[leader])
    from django.core.files.uploadedfile import SimpleUploadedFile

    wf.report_progress(task=t, unit=a, by=op, text="完成可研", percent=20, files=[SimpleUploadedFile("可研.pdf", pdf_bytes())])
    wf.request_extension(task=t, unit=b, by=staff, proposed_deadline=t.deadline + dt.timedelta(days=10), reason="资金未到位")
    wf.set_deadline(task=t, by=staff, deadline=today + dt.timedelta(days=35))
    t2 = wf.create_task(title="完成老旧小区改造", by=staff, units=[(a, "lead")], deadline=today + dt.timedelta(days=20))
    wf.request_completion(task=t2, unit=a, by=op, summary="改造全部完成")
    write_leader_comment(task=t, by=leader.user, text="请加快进度。")
    Holiday.objects.create(date=dt.date(2031, 1, 1), name="元旦")
    NamedEvent.objects.create(name="供暖季", date=dt.date(2031, 11, 15))
    OfficeSettings.objects.get_or_create(pk=1)
    Reminder.objects.create(key="crawl-1", kind="overdue", channel="inbox", period="2031-01", task=t, unit=a,
                            subject="逾期催办：推进县城污水管网改造", body="请尽快办理")
    rf = ReportFile(title="督查通报", as_of=today, period_start=today, period_end=today, filename="督查通报.xlsx", size=10)
    rf.file.save("tongbao.xlsx", ContentFile(xlsx_bytes()), save=True)
    from axes.models import AccessAttempt, AccessLog

    AccessAttempt.objects.create(username="someone", ip_address="127.0.0.1", user_agent="test", failures_since_start=1,
                                 get_data="", post_data="", http_accept="", path_info="/admin/login/")
    AccessLog.objects.create(username="root", ip_address="127.0.0.1", user_agent="test", http_accept="", path_info="/admin/login/")
    return {"superuser": root, "staff": staff, "operator": op, "leader": leader.user}


ROLES = ["superuser", "staff", "operator", "leader", "anonymous"]


def test_every_page_for_every_role(world):
    urls = urls_to_crawl()
    assert len(urls) > 150, len(urls)
    # the list really covers the kinds of pages it claims to
    for expected in ("/admin/", "/admin/tasks/task/", "/admin/tasks/directive/add/", "/portal/", "/portal/dashboard/",
                     "/admin/tasks/speech/upload/", "/admin/accounts/unit/import/"):
        assert expected in urls, expected
    assert any(re.fullmatch(r"/admin/tasks/task/\d+/change/", u) for u in urls)
    assert any(re.fullmatch(r"/admin/tasks/task/\d+/history/", u) for u in urls)
    assert any(re.fullmatch(r"/admin/accounts/unit/\d+/history/", u) for u in urls)
    assert any(re.fullmatch(r"/portal/tasks/\d+/", u) for u in urls)
    problems = []
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world[role])
        for url in urls:
            r = client.get(url)
            if r.status_code >= 500:
                problems.append(f"{role} {url}: {r.status_code}")
                continue
            if r.status_code == 200 and r.get("Content-Type", "").startswith("text/html"):
                body = r.content.decode()
                for word in FORBIDDEN:
                    if word in body:
                        i = body.index(word)
                        problems.append(f"{role} {url}: “{word}” in …{body[max(0, i - 60):i + 40]!r}")
    assert not problems, "\n".join(problems)


def test_admin_widgets_speak_chinese(world):
    """The admin's JavaScript widgets (unit pickers, calendars) take their words from the admin's
    JavaScript catalog; the strings Django's own zh_Hans catalog lacks come from tasks/locale."""
    client = Client()
    client.force_login(world["staff"])
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    for english, chinese in (("Choose all %s", "全选%s"), ("Remove all %s", "全部移除%s"),
                             ('Choose %s by selecting them and then select the \\"Choose\\" arrow button.', "选中要加入的%s"),
                             ("Chosen %s", "已选的%s"), ("Available %s", "可选的%s")):
        assert english in catalog, english
        line = catalog[catalog.index(english):].split("\n", 1)[0]
        assert json.dumps(chinese)[1:-1] in line, line

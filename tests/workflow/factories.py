"""Shared fixtures for the workflow and API tests: a small county, one login per role."""
import datetime as dt
import io
import zipfile

import pytest

from accounts.models import Unit, UnitKind
from accounts.services import create_login

PASSWORD = "Dc-tracker-2026!x"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def units(db):
    a = Unit.objects.create(name="县发展和改革局", short_name="县发改局", kind=UnitKind.DEPARTMENT, sort_order=1)
    b = Unit.objects.create(name="县财政局", short_name="县财政局", kind=UnitKind.DEPARTMENT, sort_order=2)
    c = Unit.objects.create(name="县交通运输局", short_name="县交通局", kind=UnitKind.DEPARTMENT, sort_order=3)
    g = Unit.objects.create(name="各乡镇", kind=UnitKind.GROUP, sort_order=10)
    t1 = Unit.objects.create(name="城关镇", kind=UnitKind.TOWNSHIP, parent=g, sort_order=11)
    t2 = Unit.objects.create(name="河口乡", kind=UnitKind.TOWNSHIP, parent=g, sort_order=12)
    Unit.objects.create(name="旧乡（已撤并）", kind=UnitKind.TOWNSHIP, parent=g, active=False, sort_order=13)
    return {"a": a, "b": b, "c": c, "group": g, "t1": t1, "t2": t2}


@pytest.fixture
def users(units, django_user_model):
    staff = create_login(username="staff", password=PASSWORD, name="王督查", role="staff").user
    leader_p = create_login(username="leader", password=PASSWORD, name="李县长", role="leader", title="副县长")
    op_a = create_login(username="op_a", password=PASSWORD, name="张联络", role="operator", unit=units["a"]).user
    op_b = create_login(username="op_b", password=PASSWORD, name="赵联络", role="operator", unit=units["b"]).user
    admin = django_user_model.objects.create_superuser("admin", "admin@example.invalid", PASSWORD)
    nobody = django_user_model.objects.create_user("nobody", password=PASSWORD)
    return {"staff": staff, "leader": leader_p.user, "leader_person": leader_p, "op_a": op_a, "op_b": op_b,
            "admin": admin, "nobody": nobody}


@pytest.fixture
def make_task(users, units):
    from tasks.services.workflow import create_task

    def make(**kw):
        args = dict(title="推进县城污水管网改造", by=users["staff"], units=[(units["a"], "lead"), (units["b"], "co")],
                    deadline=dt.date.today() + dt.timedelta(days=30))
        args.update(kw)
        return create_task(**args)

    return make


def pdf_bytes(size=200):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
    return body + b"0" * max(0, size - len(body) - 6) + b"\n%%EOF"


def png_bytes():
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def xlsx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()

"""Fixtures for the portal tests: two units, an operator each, a leader, a staff member, tasks."""
import datetime as dt

import pytest
from django.utils import timezone

PASSWORD = "Duchashi#2026pw"


@pytest.fixture
def units(db):
    from accounts.models import Unit, UnitKind

    return {
        "fgj": Unit.objects.create(name="县发展和改革局", short_name="县发改局", kind=UnitKind.DEPARTMENT, sort_order=1),
        "jyj": Unit.objects.create(name="县教育体育局", short_name="县教体局", kind=UnitKind.DEPARTMENT, sort_order=2),
        "zjj": Unit.objects.create(name="县住房和城乡建设局", short_name="县住建局", kind=UnitKind.DEPARTMENT, sort_order=3),
    }


@pytest.fixture
def people(units):
    from accounts.services import create_login

    return {
        "staff": create_login(username="ducha", password=PASSWORD, name="王督查", role="staff"),
        "leader": create_login(username="lingdao", password=PASSWORD, name="胡世胜", title="常务副县长", role="leader"),
        "op_fgj": create_login(username="fgj", password=PASSWORD, name="李联络", role="operator", unit=units["fgj"]),
        "op_jyj": create_login(username="jyj", password=PASSWORD, name="赵联络", role="operator", unit=units["jyj"]),
    }


@pytest.fixture
def users(people):
    from django.contrib.auth import get_user_model

    return {k: p.user for k, p in people.items()} | {"norole": get_user_model().objects.create_user("norole", password=PASSWORD)}


def make_task(staff_user, unit, *, title="推进城区污水管网改造", co=None, deadline=None, start=None, leaders=()):
    from tasks.services.workflow import create_task

    today = timezone.localdate()
    pairs = [(unit, "lead")] + ([(co, "co")] if co else [])
    return create_task(title=title, by=staff_user, units=pairs, deadline=deadline or today + dt.timedelta(days=60),
                       deadline_text="年底前", start_date=start or today, requirement="按期完成改造任务", leaders=leaders)


@pytest.fixture
def task(users, units, people):
    """A task led by 县发改局 with 县住建局 co-operating."""
    return make_task(users["staff"], units["fgj"], co=units["zjj"], leaders=[people["leader"]])


@pytest.fixture
def other_task(users, units):
    """A task of 县教体局 only."""
    return make_task(users["staff"], units["jyj"], title="抓好控辍保学自查清理")


@pytest.fixture
def client_for(client, users):
    from django.test import Client

    def make(role):
        c = Client()
        if role != "anonymous":
            c.force_login(users[role])
        return c

    return make


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Password hashing is not what these tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

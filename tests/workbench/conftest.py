"""Fixtures for the workbench tests: the bundled county directory, a 督查室 officer, a leader, an
operator, and a city-level speech (corpus c06: 42 candidates, city units such as 市财政局)."""
import datetime as dt
from pathlib import Path

import pytest

PASSWORD = "Duchashi#2026pw"
ROOT = Path(__file__).resolve().parents[2]
# a city-level speech of the shared corpus (42 candidates, city units such as 市财政局); the bundled
# county demo speech when the corpus is not next to the repository
CITY_SPEECH = next((p for p in (ROOT.parent / "shared/corpus/texts/c06.txt", Path("/work/shared/corpus/texts/c06.txt"))
                    if p.exists()), ROOT / "missing-c06.txt")
DEMO_SPEECH = ROOT / "tasks/fixtures/demo_speech.txt"


@pytest.fixture
def directory(db):
    from accounts.services import load_units_file

    load_units_file()


@pytest.fixture
def people(directory):
    from accounts.models import Unit
    from accounts.services import create_login

    fgj = Unit.objects.get(name="县发展和改革局")
    return {
        "staff": create_login(username="ducha", password=PASSWORD, name="王督查", role="staff"),
        "leader": create_login(username="lingdao", password=PASSWORD, name="胡世胜", title="常务副县长", role="leader"),
        "operator": create_login(username="fgj", password=PASSWORD, name="李联络", role="operator", unit=fgj),
    }


@pytest.fixture
def users(people):
    from django.contrib.auth import get_user_model

    return {k: p.user for k, p in people.items()} | {"norole": get_user_model().objects.create_user("norole", password=PASSWORD)}


@pytest.fixture
def staff_client(client, users):
    client.force_login(users["staff"])
    return client


def city_speech_bytes() -> bytes:
    if CITY_SPEECH.exists():
        return CITY_SPEECH.read_bytes()
    return DEMO_SPEECH.read_bytes() + "\n（印发稿）\n".encode()  # not the same file as demo_speech


@pytest.fixture
def city_speech(users):
    """The city speech ingested as a 市级 meeting held today."""
    from django.utils import timezone

    from tasks.services.ingest import ingest_speech

    return ingest_speech(data=city_speech_bytes(), filename="全市经济运行分析会讲话.txt", meeting_title="全市经济运行分析会议",
                         meeting_date=timezone.localdate(), speaker="市长", level="city", by=users["staff"])


@pytest.fixture
def demo_speech(users):
    from django.utils import timezone

    from tasks.services.ingest import ingest_speech

    return ingest_speech(data=DEMO_SPEECH.read_bytes(), filename="经济运行分析会讲话.txt", meeting_title="全县经济运行分析会议",
                         meeting_date=timezone.localdate(), speaker="县长", by=users["staff"])


def unit(name):
    from accounts.models import Unit

    return Unit.objects.get(name=name)


def future(days=60):
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

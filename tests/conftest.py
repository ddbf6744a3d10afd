"""Root test configuration.

The suite runs against whatever DATABASE_URL / REDIS_URL point at: `.ci/run` points them at the
real local PostgreSQL and Redis; unset, the SQLite and embedded-broker defaults are used.
PYTEST_DB_SUFFIX gives parallel runs on one PostgreSQL their own test database.
"""
import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    suffix = os.environ.get("PYTEST_DB_SUFFIX")
    db = settings.DATABASES["default"]
    if suffix and db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})
        db["TEST"]["NAME"] = f"test_{db['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def _media_in_tmp(request, tmp_path):
    """Uploaded files and reports of a test go to its own temporary folder."""
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings").MEDIA_ROOT = tmp_path / "media"

"""tracker.urls plus views that fail on purpose, for the error-page tests."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from tracker.urls import *  # noqa: F401,F403
from tracker.urls import urlpatterns as _base


def boom(request):
    raise RuntimeError("SECRET-INTERNAL-DETAIL /srv/tracker/settings.py")


def denied(request):
    raise PermissionDenied("SECRET-INTERNAL-DETAIL")


def missing(request):
    raise Http404("SECRET-INTERNAL-DETAIL")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("denied/", denied),
    path("missing/", missing),
    *_base,
]

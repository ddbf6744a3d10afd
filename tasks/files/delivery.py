"""Sending a stored file: the one place that knows how (settings.TRACKER_FILE_DELIVERY).

- "django" (default): Django streams it (FileResponse; gunicorn uses sendfile()).
- "x-accel-redirect": nginx sends it: the answer carries
  X-Accel-Redirect: TRACKER_FILE_INTERNAL_URL + name, and nginx maps that *internal* location
  to MEDIA_ROOT (docs/security.md has the block). Django still decided who may have it.
- "x-sendfile": Apache mod_xsendfile / lighttpd: X-Sendfile: the absolute path.

Callers have already checked the permission; they pass the FieldFile and the download name.
"""
from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

MODES = ("django", "x-accel-redirect", "x-sendfile")


def file_response(request, fieldfile, *, filename: str | None = None, content_type: str | None = None,
                  as_attachment: bool = True) -> HttpResponse:
    if not fieldfile:
        raise Http404("文件不存在。")
    filename = filename or fieldfile.name.rsplit("/", 1)[-1]
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    mode = getattr(settings, "TRACKER_FILE_DELIVERY", "django")
    storage = fieldfile.storage
    if not storage.exists(fieldfile.name):
        raise Http404("文件已丢失，请联系督查室。")
    if mode == "django":
        response = FileResponse(storage.open(fieldfile.name, "rb"), as_attachment=as_attachment, filename=filename,
                                content_type=content_type)
    else:
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        if mode == "x-accel-redirect":
            response["X-Accel-Redirect"] = settings.TRACKER_FILE_INTERNAL_URL + quote(fieldfile.name)
        elif mode == "x-sendfile":
            response["X-Sendfile"] = storage.path(fieldfile.name)
        else:  # pragma: no cover - settings.py refuses other values
            raise ValueError(mode)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

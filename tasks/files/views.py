"""/files/<name>: a stored file for whoever may read it (tasks.files.policy), in every mode.

Anonymous → the login page; no right, or no such file → 404 (a name's existence is not told).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from tasks.files.delivery import file_response
from tasks.files.policy import may_read, owner_of


def serve(request, name: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    obj, field = owner_of(name)
    if obj is None or not may_read(request.user, obj):
        raise Http404("文件不存在或您无权查看。")
    # the stored name ends in the readable file name (the random folder is only in the path)
    return file_response(request, getattr(obj, field.name))

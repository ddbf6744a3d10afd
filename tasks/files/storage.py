"""The default file storage: names nobody can guess, URLs that go through a permission check."""
from __future__ import annotations

import posixpath
import secrets

from django.core.files.storage import FileSystemStorage


class ProtectedStorage(FileSystemStorage):
    """FileSystemStorage under MEDIA_ROOT whose every new file gets a random folder:
    reports/2026/3f9c…e1/督查通报_2026年第49周.xlsx. The readable name stays the download name;
    the folder (96 random bits) makes the path unguessable, and /files/ still checks who asks."""

    def generate_filename(self, filename: str) -> str:
        folder, name = posixpath.split(filename.replace("\\", "/"))
        return super().generate_filename(posixpath.join(folder, secrets.token_hex(12), name))

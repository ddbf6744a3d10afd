"""Uploaded and generated files, behind permissions in every run mode.

- storage.ProtectedStorage (the default storage): unguessable names (a random folder per file)
  and URLs under /files/, which are a view, never a static folder.
- policy: who may read the file of which model (speeches, evidence, reports — every FileField of
  a registered model, present and future). A FileField without a policy is served to nobody.
- views.serve: /files/<name> → find the record that owns the name → check → deliver.
- delivery.file_response: the one way a view sends a stored file: streamed by Django in
  development, handed to nginx (X-Accel-Redirect) or Apache/lighttpd (X-Sendfile) in production.
"""
from tasks.files.delivery import file_response  # noqa: F401

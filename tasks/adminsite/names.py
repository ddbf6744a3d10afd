"""Names for rows Django creates on its own: the through rows of many-to-many fields (用户的组,
组的权限…) have no __str__ and would read “User_groups object (1)” on a delete page."""
from __future__ import annotations

from django.apps import apps
from django.db import models


def _relation_row_str(self) -> str:
    return " — ".join(str(getattr(self, f.name)) for f in self._meta.fields if f.is_relation)


def name_relation_rows() -> None:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.auto_created and model.__str__ is models.Model.__str__:
            model.__str__ = _relation_row_str

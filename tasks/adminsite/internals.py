"""The system's internals are the superuser's: login records (django-axes), the Celery beat
schedule (django-celery-beat) and API tokens. Staff keep whatever permissions their group has
elsewhere, but these admins answer only to a superuser: not on the staff home page, not in the
sidebar, 403 on their URLs."""
from __future__ import annotations

from django.contrib import admin

INTERNAL_APPS = ("axes", "django_celery_beat", "authtoken")


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser and super().has_delete_permission(request, obj)


def internals_for_superuser_only(site=admin.site) -> None:
    """Put SuperuserOnlyMixin in front of every registered admin of INTERNAL_APPS, keeping its class.
    django-axes names its app “Axes” and ships no Chinese (its other words: tasks/locale)."""
    from django.apps import apps

    if apps.is_installed("axes"):
        apps.get_app_config("axes").verbose_name = "登录记录"
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if model._meta.app_label in INTERNAL_APPS and not isinstance(model_admin, SuperuserOnlyMixin):
            site.unregister(model)
            site.register(model, type(cls.__name__, (SuperuserOnlyMixin, cls), {"__module__": cls.__module__}))

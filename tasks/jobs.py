"""Celery jobs of the tasks app. Thin: each one calls a service and returns a small summary.

Sections are owned by areas: reminders, reports. Schedules are in settings.CELERY_BEAT_SCHEDULE
(copied into django-celery-beat by `manage.py setup_schedule`, then editable in the admin).
"""
from celery import shared_task  # noqa: F401

# --- reminders -------------------------------------------------------------------------------

# --- reports ---------------------------------------------------------------------------------

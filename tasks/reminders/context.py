"""Template context for staff pages: the holidays banner (`calendar_alerts`).

settings.TEMPLATES → context_processors: "tasks.reminders.context.calendar_alerts". The admin shows
it through tracker/templates/admin/base_site.html and the workbench through
tasks/templates/workbench/base.html (one include of reminders/calendar_banner.html each).
"""
from django.utils import timezone


def calendar_alerts(request):
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and user.is_staff):
        return {}
    from tasks.selectors.reminders import calendar_alerts as alerts

    return {"calendar_alerts": alerts(timezone.localdate())}

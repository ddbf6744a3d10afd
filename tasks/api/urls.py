"""REST API routes (DRF), mounted at /api/ by tracker/urls.py."""
from django.urls import path
from rest_framework.routers import DefaultRouter

from tasks.api import views
from tasks.api.login import ObtainTokenView

class _Root(views.Base, DefaultRouter.APIRootView):
    """The browsable index of the API: same authentication and roles as every endpoint."""


class Router(DefaultRouter):
    APIRootView = _Root


router = Router()
router.register("tasks", views.TaskViewSet, basename="task")
router.register("progress-reports", views.ProgressReportViewSet, basename="progressreport")
router.register("extension-requests", views.ExtensionRequestViewSet, basename="extensionrequest")
router.register("completion-requests", views.CompletionRequestViewSet, basename="completionrequest")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("speeches", views.SpeechViewSet, basename="speech")
router.register("directives", views.DirectiveViewSet, basename="directive")
router.register("report-files", views.ReportFileViewSet, basename="reportfile")
router.register("notices", views.NoticeViewSet, basename="notice")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]

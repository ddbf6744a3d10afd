from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tasks.files import views as files_views

# Chinese error pages (JSON under /api/) that leak nothing: tracker/errors.py
handler400 = "tracker.errors.bad_request"
handler403 = "tracker.errors.permission_denied"
handler404 = "tracker.errors.page_not_found"
handler500 = "tracker.errors.server_error"

admin.site.site_header = "督查督办管理后台"
admin.site.site_title = "督查督办"
admin.site.index_title = "督查室工作台"

urlpatterns = [
    path("", RedirectView.as_view(url="/portal/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up code as a script file: no inline script under the CSP
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("tasks.api.urls")),
    path("portal/", include("tasks.portal.urls")),
    # stored files: only through a permission check, in every mode (no static /media/ folder)
    path("files/<path:name>", files_views.serve, name="protected-file"),
    path("workbench/", include("tasks.workbench.urls")),
]

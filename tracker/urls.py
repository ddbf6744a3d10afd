from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tasks.files import views as files_views

admin.site.site_header = "督查督办管理后台"
admin.site.site_title = "督查督办"
admin.site.index_title = "督查室工作台"

urlpatterns = [
    path("", RedirectView.as_view(url="/portal/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("tasks.api.urls")),
    path("portal/", include("tasks.portal.urls")),
    # stored files: only through a permission check, in every mode (no static /media/ folder)
    path("files/<path:name>", files_views.serve, name="protected-file"),
    path("workbench/", include("tasks.workbench.urls")),
]

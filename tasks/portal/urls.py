"""The units' web portal, mounted at /portal/."""
from django.urls import path

from tasks.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/units/<int:pk>/", views.dashboard_unit, name="dashboard_unit"),
    path("dashboard/mine/", views.dashboard_mine, name="dashboard_mine"),
]

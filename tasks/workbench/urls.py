"""The 督查室 workbench (工作台), mounted at /workbench/."""
from django.urls import path

from tasks.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("speeches/", views.speech_list, name="speeches"),
    path("speeches/upload/", views.speech_upload, name="speech_upload"),
    path("speeches/<int:pk>/", views.review, name="review"),
    path("speeches/<int:pk>/candidates/<int:did>/", views.candidate_edit, name="candidate_edit"),
    path("speeches/<int:pk>/candidates/add/", views.candidate_add, name="candidate_add"),
    path("speeches/<int:pk>/bulk/", views.bulk, name="bulk"),
    path("queues/candidates/", views.queue_candidates, name="queue_candidates"),
    path("queues/unacknowledged/", views.queue_unacknowledged, name="queue_unacknowledged"),
    path("queues/extensions/", views.queue_extensions, name="queue_extensions"),
    path("queues/completions/", views.queue_completions, name="queue_completions"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.register, name="register"),
    path("tasks/<int:pk>/", views.task_page, name="task"),
    path("tasks/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("tasks/<int:pk>/chase/", views.chase_task, name="chase"),
    path("files/<int:pk>/", views.task_file, name="task_file"),
]

from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "督查督办"

    def ready(self):
        # after every app's admin module is loaded (the admin app's own ready() loads them all, and it
        # comes first in INSTALLED_APPS): history pages in Chinese, internals for the superuser only,
        # readable many-to-many rows, whichever app registered the admin (tasks/adminsite/)
        from tasks.adminsite import finish_admin_site

        finish_admin_site()

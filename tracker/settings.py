"""Settings for tracker. Everything deployment-specific comes from the environment.

DATABASE_URL  unset → SQLite file var/tracker.sqlite3;  postgres://… → PostgreSQL
REDIS_URL     unset → embedded filesystem Celery broker under var/broker;  redis://… → Redis
TRACKER_VAR_DIR  where the embedded defaults keep their files (default: var/ in the project)
SECRET_KEY, DEBUG (default 1 for development), ALLOWED_HOSTS (comma list), EMAIL_* , SITE_URL.
Unset SECRET_KEY with DEBUG on: a random key made once in TRACKER_VAR_DIR/secret_key.
Security settings (docs/security.md): TRACKER_FILE_DELIVERY, TRACKER_API_TOKEN_TTL_HOURS,
TRACKER_MAX_ATTACHMENTS_TOTAL_BYTES, TRACKER_MAX_REQUEST_BYTES, CONTENT_SECURITY_POLICY.
"""
import os
import sys
from pathlib import Path

from celery.schedules import crontab

from tracker.env import (
    DEV_SECRET_KEY, SettingError, broker_config, database_config, env_bool, env_int, env_list, local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# local state of the embedded defaults (SQLite file, filesystem broker, uploaded files)
VAR_DIR = Path(os.environ.get("TRACKER_VAR_DIR") or BASE_DIR / "var")

try:
    DEBUG = env_bool("DEBUG", True)
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
        raise SettingError("SECRET_KEY", "未设置：DEBUG=0（生产模式）时必须通过环境变量提供自己的 SECRET_KEY。")
    if SECRET_KEY == DEV_SECRET_KEY:  # the embedded default: a key of this installation, never a published one
        SECRET_KEY = local_secret_key(VAR_DIR)
    DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"), VAR_DIR)}
    CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_config(os.environ.get("REDIS_URL"), VAR_DIR)
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    TRACKER_MAX_UPLOAD_BYTES = env_int("TRACKER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    # all evidence files of one progress report together, and any request body
    TRACKER_MAX_ATTACHMENTS_TOTAL_BYTES = env_int("TRACKER_MAX_ATTACHMENTS_TOTAL_BYTES", 50 * 1024 * 1024)
    TRACKER_MAX_REQUEST_BYTES = env_int("TRACKER_MAX_REQUEST_BYTES", 60 * 1024 * 1024)
    # API tokens expire this long after they are issued (and die with a password change)
    TRACKER_API_TOKEN_TTL_HOURS = env_int("TRACKER_API_TOKEN_TTL_HOURS", 7 * 24)
except SettingError as exc:  # one clear line, not a traceback
    sys.stderr.write(f"{exc}\n")
    sys.exit(2)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "accounts",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.middleware.SecurityHeadersMiddleware",
    "tracker.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracker.errors.ErrorPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tracker" / "templates"],  # 403/404/500.html, admin/base_site.html (staff banners)
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tasks.reminders.context.calendar_alerts",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
# the Chinese lockout page (admin included); a JSON 403 saying when to retry under /api/
AXES_LOCKOUT_CALLABLE = "tasks.api.login.lockout_response"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_URL = "/portal/login/"
LOGIN_REDIRECT_URL = "/portal/"
LOGOUT_REDIRECT_URL = "/portal/login/"

LANGUAGE_CODE = "zh-hans"
# Chinese for the admin's JavaScript widgets where Django's own catalog lacks it (see the .po files there)
LOCALE_PATHS = [BASE_DIR / "tasks" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # unguessable names; URLs under /files/ go through a permission check (tasks/files/)
    "default": {"BACKEND": "tasks.files.storage.ProtectedStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/files/"  # a view (tasks.files.views.serve), never a static folder, in every mode
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
# How a permitted file is sent: "django" (streamed), "x-accel-redirect" (nginx) or "x-sendfile"
# (Apache/lighttpd); the internal location nginx maps to MEDIA_ROOT (docs/security.md).
TRACKER_FILE_DELIVERY = os.environ.get("TRACKER_FILE_DELIVERY", "django")
TRACKER_FILE_INTERNAL_URL = os.environ.get("TRACKER_FILE_INTERNAL_URL", "/protected-files/")
if TRACKER_FILE_DELIVERY not in ("django", "x-accel-redirect", "x-sendfile"):
    sys.stderr.write(f"配置错误：TRACKER_FILE_DELIVERY 应为 django、x-accel-redirect 或 x-sendfile（当前为 {TRACKER_FILE_DELIVERY!r}）。\n")
    sys.exit(2)
DATA_UPLOAD_MAX_MEMORY_SIZE = TRACKER_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security (production: DEBUG=0)
# strict CSP (tracker/middleware.py); set CONTENT_SECURITY_POLICY to override, "" to leave it to the proxy
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY")
if CONTENT_SECURITY_POLICY is None:
    from tracker.middleware import DEFAULT_CSP as CONTENT_SECURITY_POLICY
CSRF_FAILURE_VIEW = "tracker.errors.csrf_failure"  # Chinese 403, no technical details
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Email
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "督查室 <duchashi@localhost>")
EMAIL_SUBJECT_PREFIX = "[督查督办] "
EMAIL_TIMEOUT = 10  # seconds per SMTP operation: a hanging mail server cannot hold a reminder claim

# REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "tasks.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "督查督办 tracker API",
    "DESCRIPTION": "讲话交办事项的抽取、督办、催办与通报。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # every operation documents the JSON error answers (tasks/api/schema.py)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tasks.api.schema.add_error_responses"],
}

# Celery
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits out a broker outage instead of exiting
# beat runs what the admin (django-celery-beat) holds, one entry per job: tasks/services/schedule.py
CELERY_BEAT_SCHEDULER = "tasks.services.schedule:AdminScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Default beat entries, copied into django-celery-beat's tables (editable in the admin) by
# `manage.py setup_schedule` when a job has no entry yet; beat itself never reads this dict.
# Jobs live in tasks/jobs.py.
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {"task": "tasks.jobs.reminder_sweep", "schedule": crontab(minute="*/30")},
    "weekly-report": {"task": "tasks.jobs.weekly_report", "schedule": crontab(hour=8, minute=0, day_of_week="mon")},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

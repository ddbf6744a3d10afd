# syntax=docker/dockerfile:1
# Multi-stage build: wheels in a builder, a slim runtime with a non-root user and gunicorn.
FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=tracker.settings DEBUG=0 MEDIA_ROOT=/data/media
RUN groupadd --system tracker && useradd --system --gid tracker --home /app --shell /usr/sbin/nologin tracker
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links=/wheels /wheels/* && rm -rf /wheels
COPY --chown=tracker:tracker . .
# collectstatic needs a key but no database; the real SECRET_KEY comes from the environment at run time
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && mkdir -p /data/media /app/var && chown -R tracker:tracker /data /app/var
USER tracker
EXPOSE 8000
VOLUME ["/data/media"]
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/portal/login/', timeout=4)" || exit 1
CMD ["gunicorn", "tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]

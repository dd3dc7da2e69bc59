# PMO Service: one image for every process role. docker-compose.yml runs it as
#   web     gunicorn pmo_service.wsgi:application   (this image's default CMD)
#   worker  celery -A pmo_service worker
#   beat    celery -A pmo_service beat
#   migrate python manage.py migrate --noinput      (one-shot, before the others start)
# Configuration comes only from the environment at run time (see pmo_service/settings/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code-only change reuses this layer. requirements.lock pins exact
# versions; every pin ships a manylinux wheel (psycopg2-binary included), so no compiler.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Code is owned by root and only readable by the app user: the running process cannot
# rewrite itself. Anything that must be written at run time goes to /tmp (beat's schedule).
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY . .

# Static files are collected at build time with the *production* settings, because those use
# whitenoise's CompressedManifestStaticFilesStorage: the manifest (staticfiles.json) and the
# hashed, compressed files must be produced by the same storage that serves them (local
# settings would write no manifest and every {% static %} would fail in production).
# Production settings refuse to import without a long SECRET_KEY, a postgres DATABASE_URL, a
# redis broker and ALLOWED_HOSTS, so this one RUN line gets harmless build-only values.
# collectstatic never opens the database or the broker, and the values are set on this line
# only (not ENV): they do not exist in the final image, and the key signs nothing. Real values
# are supplied at run time; compose refuses to start without a SECRET_KEY.
RUN DJANGO_SETTINGS_MODULE=pmo_service.settings.production \
    SECRET_KEY=build-only-placeholder-collectstatic-signs-nothing-0123456789abcdef \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput

USER app

# Secure by default: a container started without configuration fails loudly on the
# production checks instead of falling back to the DEBUG, SQLite local settings.
ENV DJANGO_SETTINGS_MODULE=pmo_service.settings.production \
    WEB_CONCURRENCY=4

EXPOSE 8000

# Liveness of the web role (python, because slim images have no curl). /healthz is exempt
# from the HTTPS redirect; the Host header is the first ALLOWED_HOSTS entry so Django accepts
# it whatever hosts are configured. worker and beat override this check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# Workers: gunicorn reads WEB_CONCURRENCY (set above): sync workers, two per core the container
# gets (4 for 2 cores), behind the proxy that buffers slow clients (docs/deployment.md,
# "Sizing a web process": the shortest tail in the load test).
# A 60s timeout kills stuck requests; long work belongs in Celery. The heartbeat file lives in
# /dev/shm (tmpfs) so a slow overlay filesystem cannot make healthy workers look hung.
CMD ["gunicorn", "pmo_service.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "30", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]

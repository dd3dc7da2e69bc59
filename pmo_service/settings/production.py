"""Production settings: secure by default and refuse to start half-configured.

Required: ``SECRET_KEY`` (a real one), ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` or
``REDIS_URL``, ``ALLOWED_HOSTS``. Tasks always go through the broker, never in-process.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, SECRET_KEY, env

DEBUG = False

_problems = []
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _problems.append("DATABASE_URL must point at PostgreSQL (postgres://...)")
if not CELERY_BROKER_URL or CELERY_BROKER_URL.startswith("memory://"):
    _problems.append("CELERY_BROKER_URL or REDIS_URL must name a real broker (redis://...)")
if not env.list("ALLOWED_HOSTS", default=[]):
    _problems.append("ALLOWED_HOSTS must list the host names this site answers to")
if _problems:
    raise ImproperlyConfigured("Production settings refused: " + "; ".join(_problems) + ".")

CELERY_TASK_ALWAYS_EAGER = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Health probes come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

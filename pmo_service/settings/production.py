"""Production settings: secure by default and refuse to start half-configured.

Required: ``SECRET_KEY`` (a real one), ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` or
``REDIS_URL``, ``ALLOWED_HOSTS``. Tasks always go through the broker, never in-process; API
rate limits are counted in Redis (the broker's unless ``THROTTLE_CACHE_URL`` names another).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, CELERY_BROKER_URL, DATABASES, SECRET_KEY, env

DEBUG = False

_problems = []
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _problems.append("DATABASE_URL must point at PostgreSQL (postgres://...)")
if not CELERY_BROKER_URL or CELERY_BROKER_URL.startswith("memory://"):
    _problems.append("CELERY_BROKER_URL or REDIS_URL must name a real broker (redis://...)")
if CACHES["throttle"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
    _problems.append(
        "THROTTLE_CACHE_URL (or CACHE_URL, REDIS_URL) must name a cache every process shares "
        "(redis://...): with a per-process cache each process grants the full API rate"
    )
if not env.list("ALLOWED_HOSTS", default=[]):
    _problems.append("ALLOWED_HOSTS must list the host names this site answers to")

# The default cache holds what every process must agree on: the metrics recompute's
# coalescing marks (set by a web process, cleared by the worker) and the admin import's
# file between preview and confirm (the confirm may reach another web replica). Unless
# CACHE_URL names one, it is the throttles' Redis, under its own key prefix.
if not env.str("CACHE_URL", default=""):
    CACHES["default"] = {
        "BACKEND": CACHES["throttle"]["BACKEND"],
        "LOCATION": CACHES["throttle"]["LOCATION"],
        "KEY_PREFIX": "pmo-cache",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 5},
    }
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
    _problems.append("CACHE_URL must name a cache every process shares (redis://...)")

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
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
# Health probes come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

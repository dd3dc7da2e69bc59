"""Settings for the test suite.

The database is ``DATABASE_URL`` when set (PostgreSQL in CI), SQLite otherwise. Tasks run
in-process unless a test deliberately turns that off to exercise a real worker.
"""

from .base import *  # noqa: F403
from .base import AUTHENTICATION_BACKENDS, CACHES, CELERY_BROKER_URL, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "django-insecure-test-key-only-used-by-the-test-suite"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Broker for the real-worker tests; everything else runs eagerly.
TEST_BROKER_URL = CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = True

# Throttles stay on but out of the way: counted per process in memory (never in a Redis
# the suite shares with other runs), at rates no test reaches. The throttle tests set their
# own small rates and, for the Redis test, their own cache.
CACHES = {**CACHES, "throttle": {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle",
}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        scope: env.str(f"THROTTLE_{scope.upper()}_RATE", default="1000000/min")
        for scope in ("anon", "user", "auth")
    },
}

# Django's test client logs in with authenticate() and no request, which the lockout backend
# refuses (it cannot tell who is trying). Failures are still counted and locked-out sign-ins
# still answered with the lockout page (signals and middleware stay on); the lockout tests
# put the production backends back (``LOCKOUT_AUTHENTICATION_BACKENDS``) to prove that a
# locked-out user is refused even with the right password.
LOCKOUT_AUTHENTICATION_BACKENDS = AUTHENTICATION_BACKENDS
AUTHENTICATION_BACKENDS = [
    backend for backend in AUTHENTICATION_BACKENDS if not backend.startswith("axes.")
]
SILENCED_SYSTEM_CHECKS = ["axes.W003"]

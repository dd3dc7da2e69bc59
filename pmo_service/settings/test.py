"""Settings for the test suite.

The database is ``DATABASE_URL`` when set (PostgreSQL in CI), SQLite otherwise. Tasks run
in-process unless a test deliberately turns that off to exercise a real worker.
"""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "django-insecure-test-key-only-used-by-the-test-suite"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Broker for the real-worker tests; everything else runs eagerly.
TEST_BROKER_URL = CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = True

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("THROTTLE_AUTH_RATE", default="10000/min")},
}

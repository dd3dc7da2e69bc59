"""Developer settings: the embedded default needs no server at all.

With no variables: SQLite in ``db.sqlite3``, Celery tasks run in-process, DEBUG on.
Set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` (or ``REDIS_URL``) to run on PostgreSQL with a
real worker (``make worker``).
"""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-local-development-key-not-for-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# No broker configured: run tasks in-process so a newcomer needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"

"""Running a real Celery worker in tests: a private queue, the worker process, waiting.

The worker is a separate process started with the project's Celery app against the test
database, on a queue of its own so that nothing else on the broker interferes. Tests that
use it need PostgreSQL and Redis (markers ``worker``/``redis``, see tests/conftest.py).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from pmo_service.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def private_queue():
    """Route this test's tasks through the broker to a queue nobody else reads."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
    redis.Redis.from_url(settings.TEST_BROKER_URL).delete(queue)


def database_url() -> str:
    """The test database, as a URL the worker process's settings read."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, **environment: str) -> subprocess.Popen:
    """A solo-pool worker consuming only ``queue``; ``environment`` adds settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo_service.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
        **environment,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pmo_service", "worker", "--pool=solo",
         "--loglevel=INFO", "-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop_worker(process: subprocess.Popen) -> str:
    """Stop the worker (if still running) and return what it logged."""
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def wait_for(predicate: Callable[[], bool], timeout: float = 45.0, step: float = 0.25) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False

"""A real Celery worker, over Redis, runs tasks that the web side enqueued after commit.

The worker is a separate process started with the project's Celery app against the test
database, on a queue of its own so that nothing else on the broker interferes.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from pmo_service.celery import app as celery_app
from stakeholders import services
from stakeholders.models import Membership
from tests.factories import OrganizationFactory

ROOT = Path(__file__).resolve().parents[2]


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


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, private_queue):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo_service.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pmo_service", "worker", "--pool=solo",
         "--loglevel=INFO", "-Q", private_queue, "-n", f"{private_queue}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)  # shown by pytest when the test fails


def _wait_for(predicate, timeout: float = 45.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
def test_task_enqueued_after_commit_runs_in_real_worker_and_writes(worker):
    organization = OrganizationFactory()
    with transaction.atomic():
        user = services.user_create(username="wendy", email="w@x.test", organization=organization)
    membership_id = user.membership.pk

    def stamped() -> bool:
        return Membership.objects.filter(
            pk=membership_id, invitation_sent_at__isnull=False
        ).exists()

    assert _wait_for(stamped), "the worker did not run the invitation task"
    assert worker.poll() is None, "the worker died"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_enqueues_nothing(private_queue):
    broker = redis.Redis.from_url(settings.TEST_BROKER_URL)
    organization = OrganizationFactory()

    def create_then_fail() -> None:
        with transaction.atomic():
            services.user_create(username="ghost", email="g@x.test", organization=organization)
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert broker.llen(private_queue) == 0
    # The same call, committed, does put one message on the queue: the check above can fail.
    with transaction.atomic():
        services.user_create(username="real", email="r@x.test", organization=organization)
    assert broker.llen(private_queue) == 1

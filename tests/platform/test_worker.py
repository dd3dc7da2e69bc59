"""A real Celery worker, over Redis, runs tasks that the web side enqueued after commit.

The worker is a separate process started with the project's Celery app against the test
database, on a queue of its own so that nothing else on the broker interferes.
"""

import pytest
import redis
from django.conf import settings
from django.db import transaction

from stakeholders import services
from stakeholders.models import Membership
from tests.factories import OrganizationFactory
from tests.worker_support import private_queue, start_worker, stop_worker
from tests.worker_support import wait_for as _wait_for

__all__ = ["private_queue"]  # a fixture, used by name


@pytest.fixture
def worker(transactional_db, private_queue):
    process = start_worker(private_queue)
    yield process
    print(stop_worker(process))  # shown by pytest when the test fails


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

"""Shared fixtures and the switch that turns missing services into failures.

Tests that need PostgreSQL, Redis, a real worker or the browser carry a marker
(``postgres``, ``redis``, ``worker``, ``browser``). On a machine without the service they
skip with the reason; with ``--require-services`` (or ``PMO_REQUIRE_SERVICES=1``), as CI
runs them, they fail instead, so a green CI run never hides a skipped service test.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import ClientUserFactory, OrganizationFactory, StaffUserFactory
from tests.factories.stakeholders import TEST_PASSWORD


def pytest_addoption(parser):
    parser.addoption(
        "--require-services",
        action="store_true",
        default=os.environ.get("PMO_REQUIRE_SERVICES", "") not in ("", "0", "false"),
        help="Fail (instead of skip) tests whose PostgreSQL/Redis/worker/browser is missing.",
    )


def chromium_path() -> str | None:
    """The system Chromium (never a downloaded browser)."""
    candidate = os.environ.get("PMO_CHROMIUM")
    if candidate and os.path.exists(candidate):
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    if not parsed.hostname:
        return False
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_services(item) -> list[str]:
    missing = []
    markers = {marker.name for marker in item.iter_markers()}
    if markers & {"postgres", "worker"} and (
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    broker = getattr(settings, "TEST_BROKER_URL", "")
    if markers & {"redis", "worker"} and not (
        broker.startswith("redis") and _reachable(broker)
    ):
        missing.append("Redis (set CELERY_BROKER_URL=redis://... to a running server)")
    if "browser" in markers and not chromium_path():
        missing.append("Chromium (apt-get install chromium)")
    return missing


def pytest_runtest_setup(item):
    missing = _missing_services(item)
    if not missing:
        return
    reason = "needs " + ", ".join(missing)
    if item.config.getoption("--require-services"):
        pytest.fail(f"{reason}; --require-services forbids skipping", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Organization A")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Organization B")


@pytest.fixture
def user_a(org_a):
    return ClientUserFactory(username="alice", membership__organization=org_a)


@pytest.fixture
def user_b(org_b):
    return ClientUserFactory(username="bob", membership__organization=org_b)


@pytest.fixture
def staff_user(db):
    return StaffUserFactory(username="staff")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_api(user_a):
    """API client authenticated as a client user of organization A."""
    client = APIClient()
    client.force_authenticate(user_a)
    return client


@pytest.fixture
def staff_api(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client

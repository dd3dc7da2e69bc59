"""API contract fuzzing: schemathesis drives every operation of the live OpenAPI schema.

The schema is fetched from the running application (``/api/schema/``), then every operation
is called with generated valid and invalid input, as PMO staff and as a client user. Any 5xx,
any undocumented status code, or any response that violates its schema fails the test.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pmo_service.wsgi import application
from tests.factories import ClientUserFactory, OrganizationFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded from the application itself at collection time: the schema endpoint needs no data.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """schemathesis calls the WSGI app directly, so Django's request signals fire and would
    close the test's database connection (inside its transaction) after every call. Django's
    own test client disconnects that handler for the same reason; do the same here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db):
    """A few organizations and users so that lookups and lists have something to find."""
    organizations = OrganizationFactory.create_batch(3)
    for organization in organizations:
        ClientUserFactory(membership__organization=organization)
    return organizations


def _token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff(case, fuzz_world, staff_user):
    case.call_and_validate(
        headers={"Authorization": f"Token {_token_for(staff_user)}"}, checks=CHECKS
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_client(case, fuzz_world, user_a):
    case.call_and_validate(headers={"Authorization": f"Token {_token_for(user_a)}"}, checks=CHECKS)

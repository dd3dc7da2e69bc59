"""The API's token authentication reads the user's membership in the token's statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EngagementFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

ENGAGEMENTS = "/api/v1/engagements/"


def _get(key: str, path: str = ENGAGEMENTS):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_a_client_token_brings_the_membership_and_scopes_without_another_statement(
    user_a, org_a, org_b
):
    mine = EngagementFactory(organization=org_a)
    EngagementFactory(organization=org_b)
    token = Token.objects.create(user=user_a)

    response, reads = _get(token.key)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert "stakeholders_membership" in reads[0]  # with the token and the user
    assert not any(sql.lstrip().startswith('SELECT "stakeholders_membership"') for sql in reads)
    assert len(reads) == 3  # token (user, membership), count, page


def test_a_staff_token_without_membership_sees_every_organization(org_a, org_b):
    EngagementFactory(organization=org_a)
    EngagementFactory(organization=org_b)
    token = Token.objects.create(user=StaffUserFactory())

    response, _ = _get(token.key)

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_unknown_tokens_and_inactive_users_get_401(user_a):
    token = Token.objects.create(user=user_a)

    response, _ = _get("0" * 40)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."

    user_a.is_active = False
    user_a.save(update_fields=["is_active"])
    response, _ = _get(token.key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"

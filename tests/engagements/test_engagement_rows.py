"""The engagement API list written from plain rows (``engagement_api_rows`` and
``EngagementRowSerializer``): the same document as the generic serializer, the same rows
through scoping, filters, search and ordering, and a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from engagements import selectors
from engagements.api.serializers import EngagementSerializer
from engagements.choices import EngagementStatus, Health
from engagements.models import Engagement, EngagementMetrics
from tests.factories import (
    AssignmentFactory,
    ClientUserFactory,
    ConsultantFactory,
    EngagementFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db

ENGAGEMENTS = "/api/v1/engagements/"


def _generic(engagements: list[Engagement]) -> list[dict]:
    """What ``EngagementSerializer`` writes for model instances of the shared selector."""
    shared = selectors.engagement_list().select_related("metrics").filter(
        pk__in=[e.pk for e in engagements]
    )
    by_id = {engagement.pk: engagement for engagement in shared}
    context = {"request": Request(APIRequestFactory().get("/"))}
    rows = EngagementSerializer([by_id[e.pk] for e in engagements], many=True, context=context)
    return [dict(row) for row in rows.data]


def _results(api: APIClient, params=None) -> list[dict]:
    response = api.get(ENGAGEMENTS, params or {})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


@pytest.fixture
def varied(org_a, org_b):
    """Engagements with and without a Scrum Master, team, request and budget cents."""
    staffed = EngagementFactory(
        organization=org_a, title="Staffed", planned_start=date(2031, 3, 1),
        budget_at_completion=Decimal("1234.5"), status=EngagementStatus.ACTIVE,
        scrum_master=ConsultantFactory(full_name="Lucía Ñúñez", headline="Agile coach"),
        service_request=ServiceRequestFactory(organization=org_a),
    )
    AssignmentFactory.create_batch(3, engagement=staffed)
    bare = EngagementFactory(organization=org_a, title="Bare", planned_start=date(2031, 3, 1),
                             budget_at_completion=Decimal("0"), scrum_master=None)
    other = EngagementFactory(organization=org_b, title="Other", planned_start=date(2030, 1, 1))
    AssignmentFactory(engagement=other)
    # Stored health: red for one, a row not computed yet (no health) for another, none for
    # the third.
    EngagementMetrics.objects.create(engagement=staffed, status_date=date(2031, 3, 1),
                                     as_of=timezone.now(), health=Health.RED)
    EngagementMetrics.objects.create(engagement=other, status_date=date(2030, 1, 1))
    return staffed, bare, other


def test_the_row_list_is_the_generic_document_for_staff_and_clients(
    staff_api, client_api, varied
):
    staffed, bare, other = varied

    staff_rows = _results(staff_api)
    assert staff_rows == _generic([bare, staffed, other])  # start desc, then title
    client_rows = _results(client_api)
    assert client_rows == _generic([bare, staffed])

    by_id = {row["id"]: row for row in staff_rows}
    assert by_id[staffed.pk]["team_size"] == 3
    assert by_id[bare.pk]["team_size"] == 0
    assert by_id[staffed.pk]["budget_at_completion"] == "1234.50"
    assert by_id[staffed.pk]["scrum_master"]["full_name"] == "Lucía Ñúñez"
    assert by_id[staffed.pk]["service_request"] == staffed.service_request_id
    assert by_id[bare.pk]["scrum_master"] is None
    assert [by_id[e.pk]["health"] for e in (staffed, bare, other)] == ["red", None, None]
    assert staff_api.get(f"{ENGAGEMENTS}{staffed.pk}/").json()["health"] == "red"
    assert list(by_id[staffed.pk]) == EngagementSerializer.Meta.fields


def test_filters_search_and_ordering_apply_to_the_rows(staff_api, client_api, varied, org_b):
    staffed, bare, other = varied

    def ids(api, params):
        return [row["id"] for row in _results(api, params)]

    assert ids(staff_api, {"status": "active"}) == [staffed.pk]
    assert ids(staff_api, {"health": "red"}) == [staffed.pk]
    assert ids(staff_api, {"health": ["green", "amber"]}) == []
    response = staff_api.get(ENGAGEMENTS, {"health": "purple"})
    assert response.status_code == 400
    assert "health" in response.json()
    assert ids(staff_api, {"organization": org_b.pk}) == [other.pk]
    assert ids(staff_api, {"search": "staff"}) == [staffed.pk]
    assert ids(staff_api, {"ordering": "title"}) == [bare.pk, other.pk, staffed.pk]
    assert ids(staff_api, {"ordering": "-planned_start"})[-1] == other.pk
    # Another organization's rows stay out of a client's list whatever the filter says.
    assert ids(client_api, {"organization": org_b.pk}) == []
    assert ids(client_api, {"search": "Other"}) == []


def test_the_list_costs_the_same_queries_for_3_and_20_engagements(org_a):
    user = ClientUserFactory(membership__organization=org_a)

    def queries() -> int:
        api = APIClient()  # a fresh user each time: the membership is read again
        api.force_authenticate(type(user).objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as captured:
            assert len(_results(api)) == Engagement.objects.filter(organization=org_a).count()
        return len(captured)

    for engagement in EngagementFactory.create_batch(3, organization=org_a):
        AssignmentFactory(engagement=engagement)
    few = queries()
    for engagement in EngagementFactory.create_batch(17, organization=org_a):
        AssignmentFactory.create_batch(2, engagement=engagement)
    assert queries() == few

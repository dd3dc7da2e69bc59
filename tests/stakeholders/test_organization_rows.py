"""The organization API list written from plain rows (``organization_api_rows`` and
``OrganizationRowSerializer``): the generic serializer's document, the same rows through
scoping, filters, search and ordering, and one statement whatever the page holds."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from stakeholders import selectors
from stakeholders.api.serializers import OrganizationSerializer
from stakeholders.choices import Sector
from tests.factories import ClientUserFactory, OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ORGANIZATIONS = "/api/v1/organizations/"


def _generic(organizations) -> list[dict]:
    """What OrganizationSerializer writes for the shared selector's instances, as JSON."""
    by_id = {o.pk: o for o in selectors.organization_list()}
    data = OrganizationSerializer([by_id[o.pk] for o in organizations], many=True).data
    return json.loads(JSONRenderer().render(data))


def _results(api, params=None) -> list[dict]:
    response = api.get(ORGANIZATIONS, params or {})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_the_row_list_is_the_generic_document(staff_api, client_api, org_a, org_b, user_a):
    provider = ProviderFactory(name="Provider", website="https://pmo.example",
                               contact_phone="+34 600 000 000", is_public_administration=False)
    ClientUserFactory(membership__organization=org_b, is_active=False)  # not a member count
    ClientUserFactory(membership__organization=org_b)
    org_b.is_active = False
    org_b.save(update_fields=["is_active"])

    rows = _results(staff_api)
    assert rows == _generic([org_a, org_b, provider])  # by name
    assert [row["member_count"] for row in rows] == [1, 1, 0]
    assert list(rows[0]) == OrganizationSerializer.Meta.fields
    assert _results(client_api) == _generic([org_a])


def test_filters_search_and_ordering_apply_to_the_rows(staff_api, client_api, org_a, org_b):
    OrganizationFactory(name="Zeta Health", sector=Sector.HEALTH, region="Galicia")

    def names(api, params):
        return [row["name"] for row in _results(api, params)]

    assert names(staff_api, {"sector": "health"}) == ["Zeta Health"]
    assert names(staff_api, {"search": "galicia"}) == ["Zeta Health"]
    assert names(staff_api, {"ordering": "-name"}) == ["Zeta Health", org_b.name, org_a.name]
    assert names(client_api, {"search": "Zeta"}) == []  # another organization's
    response = staff_api.get(ORGANIZATIONS, {"sector": "moon"})
    assert response.status_code == 400


def test_one_statement_for_3_and_30_organizations(staff_api):
    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            _results(staff_api, {"page_size": 100})
        return len(queries)

    OrganizationFactory.create_batch(3)
    few = statements()
    OrganizationFactory.create_batch(27)
    assert statements() == few == 1

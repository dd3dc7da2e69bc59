"""The API lists' lean selectors: the same serialized rows as the shared selectors, fewer joins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from portfolio import selectors as portfolio_selectors
from portfolio.api.serializers import ApplicationSerializer
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    StaffUserFactory,
    StakeholderFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


def _serialized(serializer_class, queryset) -> tuple[list[dict], list[str]]:
    context = {"request": Request(APIRequestFactory().get("/"))}
    with CaptureQueriesContext(connection) as queries:
        data = serializer_class(list(queryset), many=True, context=context).data
    return [dict(row) for row in data], [query["sql"] for query in queries]


def test_application_api_list_serializes_as_the_shared_list_without_owner_joins():
    organization = OrganizationFactory()
    owner = StakeholderFactory(organization=organization)
    staff = StaffUserFactory(first_name="Ana", last_name="Pérez")
    overridden = ApplicationFactory(
        organization=organization, business_owner=owner, technical_owner=owner,
        time_override="invest", time_override_rationale="Strategic.", time_overridden_by=staff,
    )
    overridden.technologies.add(TechnologyFactory(name="PostgreSQL"))
    ApplicationFactory(organization=organization, functional_fit=None)
    ApplicationFactory()

    shared, _ = _serialized(ApplicationSerializer, portfolio_selectors.application_list())
    lean, sql = _serialized(ApplicationSerializer, portfolio_selectors.application_api_list())

    assert lean == shared
    assert any(row["time_overridden_by"] == "Ana Pérez" for row in lean)
    assert len(sql) == 2  # the rows (override author joined) and the technologies
    assert "stakeholders_stakeholder" not in sql[0]
    assert "stakeholders_organization" not in sql[0]

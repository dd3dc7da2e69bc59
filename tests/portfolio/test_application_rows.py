"""The application list written from plain rows must be ApplicationSerializer's document.

``GET /api/v1/applications/`` reads ``selectors.application_api_rows()`` (``values()``) and
writes each row as one dict (ApplicationRowSerializer); the OpenAPI schema describes
ApplicationSerializer. These tests compare the two on varied rows, through the API, and check
that filters, search, ordering, scoping and pagination still work on the rows queryset.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from portfolio import selectors
from portfolio.api.serializers import ApplicationRowSerializer, ApplicationSerializer
from portfolio.choices import Hosting, Lifecycle
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    StaffUserFactory,
    StakeholderFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/applications/"


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def _codes(response) -> list[str]:
    return [row["code"] for row in _results(response)]


def _generic(queryset) -> list[dict]:
    """What ApplicationSerializer writes for ``queryset``, as the client reads the JSON."""
    return json.loads(JSONRenderer().render(ApplicationSerializer(queryset, many=True).data))


def _assert_same_documents(rows: list[dict], expected: list[dict]) -> None:
    assert [row["id"] for row in rows] == [row["id"] for row in expected]
    for row, generic in zip(rows, expected, strict=True):
        assert list(row) == list(generic), "keys or their order differ"
        assert row == generic


@pytest.fixture
def portfolio(org_a, org_b, staff_user):
    """Applications that exercise every column: owners or none, overrides by users with a
    full name, only a first name or none, technologies or none, null fits, cost and dates,
    and dependencies giving fan-in."""
    now = timezone.now()
    owner = StakeholderFactory(organization=org_a)
    technologies = [TechnologyFactory(name=name) for name in ("Zeta", "alpha", "Beta", "Kafka")]
    nameless = StaffUserFactory(username="ops", first_name="", last_name="")
    first_only = StaffUserFactory(username="ann.ops", first_name="Ann", last_name="")
    full = ApplicationFactory(
        organization=org_a, name="Billing", code="BILL", business_owner=owner,
        technical_owner=owner, functional_fit=1, technical_fit=4,
        time_override="invest", time_override_rationale="Board decision.",
        time_overridden_by=staff_user, time_overridden_at=now,
        annual_run_cost=Decimal("1234567.8"), user_count=1200, hosting=Hosting.SAAS,
        vendor="Acme", contract_end=datetime.date(2027, 6, 30),
        description="Facturación y cobros.",
    )
    full.technologies.set(technologies)
    bare = ApplicationFactory(
        organization=org_a, name="Archive", code="ARCH", functional_fit=None,
        technical_fit=None, hosting="", annual_run_cost=None, user_count=None,
        contract_end=None, description="", lifecycle=Lifecycle.RETIRED,
    )
    by_username = ApplicationFactory(
        organization=org_a, name="Payroll", code="PAY", technical_owner=owner,
        functional_fit=4, technical_fit=1, time_override="eliminate",
        time_override_rationale="Replaced next year.", time_overridden_by=nameless,
        time_overridden_at=now - datetime.timedelta(days=40), annual_run_cost=Decimal("0"),
        vendor="Other",
    )
    by_username.technologies.set(technologies[1:2])
    by_first_name = ApplicationFactory(
        organization=org_a, name="Portal", code="PORT", functional_fit=2, technical_fit=2,
        time_override="tolerate", time_override_rationale="Kept as is.",
        time_overridden_by=first_only, time_overridden_at=now, annual_run_cost=Decimal("99.99"),
    )
    for source in (bare, by_username, by_first_name):
        ApplicationDependencyFactory(source=source, target=full)
    ApplicationDependencyFactory(source=full, target=by_username)
    other = ApplicationFactory(organization=org_b, name="Banking", code="BANK")
    other.technologies.set(technologies[:2])
    ApplicationDependencyFactory(source=other, target=ApplicationFactory(organization=org_b))
    return {"full": full, "bare": bare, "by_username": by_username,
            "by_first_name": by_first_name, "other": other}


# --- The same document as ApplicationSerializer ------------------------------------------------


def test_client_rows_equal_the_generic_serializer(client_api, user_a, portfolio):
    rows = _results(client_api.get(APPLICATIONS))
    expected = _generic(selectors.application_list().for_user(user_a))
    assert len(expected) == 4
    _assert_same_documents(rows, expected)
    by_code = {row["code"]: row for row in rows}
    assert by_code["BILL"]["technologies"] == [
        technology.name for technology in portfolio["full"].technologies.all()
    ]
    assert by_code["BILL"]["fan_in"] == 3
    assert by_code["BILL"]["annual_run_cost"] == "1234567.80"
    assert by_code["PAY"]["time_overridden_by"] == "ops"
    assert by_code["PORT"]["time_overridden_by"] == "Ann"
    assert by_code["ARCH"]["time_overridden_by"] is None
    assert by_code["ARCH"]["technologies"] == []


def test_staff_rows_equal_the_generic_serializer(staff_api, staff_user, portfolio):
    rows = _results(staff_api.get(APPLICATIONS, {"page_size": 200}))
    expected = _generic(selectors.application_list())
    assert len(expected) == 6
    _assert_same_documents(rows, expected)
    assert {row["time_overridden_by"] for row in rows} >= {staff_user.get_full_name()}


def test_a_single_row_is_written_like_the_list(portfolio):
    row = selectors.application_api_rows().get(pk=portfolio["full"].pk)
    written = json.loads(JSONRenderer().render(ApplicationRowSerializer(row).data))
    assert written == _generic(selectors.application_list().filter(pk=portfolio["full"].pk))[0]


def test_rows_follow_the_thresholds_in_force(staff_api, portfolio):
    lowered = {**settings.PMO_THRESHOLDS, "FUNCTIONAL_FIT_HIGH_FROM": 2,
               "TECHNICAL_FIT_HIGH_FROM": 2}
    with override_settings(PMO_THRESHOLDS=lowered):
        rows = _results(staff_api.get(APPLICATIONS, {"page_size": 200}))
        _assert_same_documents(rows, _generic(selectors.application_list()))
    assert {row["code"]: row["time_computed"] for row in rows}["PORT"] == "invest"
    default = _results(staff_api.get(APPLICATIONS, {"page_size": 200}))
    assert {row["code"]: row["time_computed"] for row in default}["PORT"] == "eliminate"


# --- Filters, search, ordering, scope and pagination on the rows -------------------------------


def test_client_sees_only_their_organization(client_api, user_b, portfolio):
    assert _codes(client_api.get(APPLICATIONS)) == ["ARCH", "BILL", "PAY", "PORT"]
    other_api = APIClient()
    other_api.force_authenticate(user_b)
    other = _codes(other_api.get(APPLICATIONS))
    assert "BANK" in other
    assert not {"ARCH", "BILL", "PAY", "PORT"} & set(other)


@pytest.mark.parametrize(("query", "codes"), [
    ({"time_class": "invest"}, ["BILL"]),
    ({"time_class": "eliminate"}, ["PAY"]),
    ({"time_computed": "migrate"}, ["PAY"]),
    ({"overridden": "true"}, ["BILL", "PAY", "PORT"]),
    ({"overridden": "false"}, ["ARCH"]),
    ({"lifecycle": "retired"}, ["ARCH"]),
    ({"hosting": "saas"}, ["BILL"]),
    ({"technology": "KAFKA"}, ["BILL"]),
    ({"technology": "alpha"}, ["BILL", "PAY"]),
    ({"vendor": "acm"}, ["BILL"]),
    ({"contract_end_before": "2027-12-31"}, ["BILL"]),
    ({"search": "pay"}, ["PAY"]),
    ({"search": "acme"}, ["BILL"]),
    ({"ordering": "-fan_in,name"}, ["BILL", "PAY", "ARCH", "PORT"]),
    ({"ordering": "fan_in,-name"}, ["PORT", "ARCH", "PAY", "BILL"]),
    ({"ordering": "-name"}, ["PORT", "PAY", "BILL", "ARCH"]),
    ({"ordering": "-annual_run_cost", "overridden": "true"}, ["BILL", "PORT", "PAY"]),
])
def test_filters_search_and_ordering_work_on_the_rows(client_api, portfolio, query, codes):
    assert _codes(client_api.get(APPLICATIONS, query)) == codes


def test_owner_and_organization_filters(staff_api, org_b, portfolio):
    owner_id = portfolio["full"].business_owner_id
    assert _codes(staff_api.get(APPLICATIONS, {"owner": owner_id})) == ["BILL", "PAY"]
    codes = _codes(staff_api.get(APPLICATIONS, {"organization": org_b.pk}))
    assert "BANK" in codes
    assert not {"ARCH", "BILL", "PAY", "PORT"} & set(codes)


def test_pages_and_count_are_right(client_api, portfolio):
    first = client_api.get(APPLICATIONS, {"page_size": 3})
    assert first.json()["count"] == 4
    assert _codes(first) == ["ARCH", "BILL", "PAY"]
    second = client_api.get(APPLICATIONS, {"page_size": 3, "page": 2})
    assert (second.json()["count"], _codes(second)) == (4, ["PORT"])
    assert client_api.get(APPLICATIONS, {"page_size": 3, "page": 3}).status_code == 404


# --- Queries -----------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(APPLICATIONS, {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def _applications(organization, count: int) -> None:
    technologies = [TechnologyFactory(name=f"Tech {index}") for index in range(3)]
    author = StaffUserFactory()
    previous = ApplicationFactory(organization=organization)
    for _ in range(count):
        application = ApplicationFactory(
            organization=organization, time_override="invest",
            time_override_rationale="Why.", time_overridden_by=author,
            business_owner=StakeholderFactory(organization=organization),
        )
        application.technologies.set(technologies)
        ApplicationDependencyFactory(source=previous, target=application)
        previous = application


def test_queries_do_not_grow_with_the_rows(client_api, staff_api, org_a):
    _applications(org_a, 2)
    _list_queries(client_api)  # the first request also reads the client's membership
    few = (_list_queries(client_api), _list_queries(staff_api))
    _applications(org_a, 16)
    assert (_list_queries(client_api), _list_queries(staff_api)) == few
    # Page and count, plus the page's technologies where the rows cannot carry them.
    extra = 0 if connection.vendor == "postgresql" else 1
    assert few[1] == 2 + extra

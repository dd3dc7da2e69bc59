"""Large and hostile input: every case is a clear 4xx (or stored exactly as sent), never a 500.

Bodies over the limit are 413 before they are read; deep nesting, NaN and infinite numbers,
NUL characters and lone surrogates in JSON are 400s naming the problem; huge numbers are
field errors; unicode that is valid text is stored faithfully; the 1,000-row bulk push of
time entries, at its largest, fits under the limit and a 1,001-row one is a clear 400.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from engagements.choices import EngagementStatus
from engagements.models import Engagement, TimeEntry
from pmo_service import errors
from pmo_service.api.parsers import MAX_DEPTH
from portfolio.models import Demand
from stakeholders.models import Organization
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
)

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organizations/"
ENGAGEMENTS = "/api/v1/engagements/"
BULK = "/api/v1/time-entries/bulk/"


def post_raw(api, url, body: str | bytes, **extra):
    return api.generic("POST", url, body, content_type="application/json", **extra)


def _engagement_body(org, **fields) -> dict:
    return {"organization": org.pk, "title": "Rollout", "planned_start": "2031-01-06",
            "planned_end": "2031-06-27", **fields}


# --- Oversized bodies: 413 before they are read --------------------------------------------


def test_the_limit_is_two_and_a_half_mib_by_default():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440


def test_an_oversized_api_body_is_a_json_413_and_nothing_is_read(staff_api, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the oversized body was parsed")

    monkeypatch.setattr("pmo_service.api.parsers.StrictJSONParser.parse", never)
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = post_raw(staff_api, ORGS, body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger than 2.5 MiB" in response.json()["detail"]
    assert not Organization.objects.filter(name__startswith="xxx").exists()


def test_an_oversized_form_post_is_a_413_page(client, user_a):
    client.force_login(user_a)
    response = client.post(reverse("portfolio:demand-create"),
                           {"title": "x", "description": "y" * 2_700_000})
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>Too much data</h1>" in page
    assert "larger than 2.5 MiB" in page
    assert not Demand.objects.exists()


def test_an_over_limit_body_read_by_django_itself_is_a_413_too(client, settings):
    """Without the Content-Length check (a chunked body), Django raises RequestDataTooBig
    when the form is read, which it would answer as a 400: the handler makes it a 413."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE
                           if name != "pmo_service.middleware.RequestBodyLimitMiddleware"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "a" * 2000, "password": "b"})
    assert response.status_code == 413
    assert "Too much data" in response.content.decode()
    api_request = RequestFactory().post("/api/v1/organizations/")
    response = errors.bad_request(api_request, RequestDataTooBig("too big"))
    assert response.status_code == 413
    assert "larger than" in json.loads(response.content)["detail"]


# --- The 1,000-row bulk push fits; 1,001 is a clear 400 ------------------------------------

@pytest.fixture
def team(org_a):
    """An active engagement whose team member logs time on past days at 600 a day."""
    start = timezone.localdate() - timedelta(days=200)
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE,
                                   planned_start=start, planned_end=start + timedelta(400))
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount=Decimal("600.00"),
                   valid_from=start - timedelta(days=10))
    AssignmentFactory(engagement=engagement, consultant=consultant, start_on=start,
                      end_on=start + timedelta(400))
    return engagement, consultant, start


def _largest_batch(engagement, consultant, start, size: int) -> str:
    """``size`` entries at their largest: 300-character descriptions of accented letters
    (sent as \\u escapes, six bytes each) and 100-character external ids."""
    rows = [
        {"engagement": engagement.pk, "consultant": consultant.pk,
         "worked_on": (start + timedelta(days=index % 170)).isoformat(), "hours": "0.25",
         "description": "é" * 300, "external_id": f"{index:06d}".ljust(100, "x")}
        for index in range(size)
    ]
    return json.dumps(rows)  # ensure_ascii: the escaped, larger form


def test_the_largest_1000_row_bulk_push_fits_and_is_recorded(staff_api, team):
    body = _largest_batch(*team, 1000)
    size = len(body.encode())
    print(f"largest 1,000-row bulk push: {size:,} bytes "
          f"({size / settings.DATA_UPLOAD_MAX_MEMORY_SIZE:.0%} of the limit)")
    assert 1_800_000 < size < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post_raw(staff_api, BULK, body)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["created"] == 1000
    assert TimeEntry.objects.filter(description="é" * 300).count() == 1000


def test_a_1001_row_bulk_push_is_a_clear_400_within_the_limit(staff_api, team):
    body = _largest_batch(*team, 1001)
    assert len(body.encode()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post_raw(staff_api, BULK, body)
    assert response.status_code == 400
    assert "At most 1,000 entries" in json.dumps(response.json())
    assert not TimeEntry.objects.exists()


# --- Deeply nested JSON --------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(staff_api, body):
    response = post_raw(staff_api, ORGS, body)
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_nesting_beyond_the_limit_is_named_under_its_field(staff_api):
    value = "x"
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    response = post_raw(staff_api, ORGS, json.dumps({"name": value}))
    assert response.status_code == 400
    assert f"nested deeper than {MAX_DEPTH} levels" in response.json()["name"][0]


# --- Numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [("NaN", "NaN is not a JSON number"), ("Infinity", "Infinity is not a JSON number"),
     ("-Infinity", "-Infinity is not a JSON number"), ("1e400", "too large"),
     ("-1e400", "too large"), ("9" * 5000, "Exceeds the limit")],
)
def test_non_numbers_and_unrepresentable_numbers_are_parse_errors(staff_api, org_a, raw,
                                                                   message):
    body = json.dumps(_engagement_body(org_a)).replace('"Rollout"', '"Rollout", '
                                                       f'"budget_at_completion": {raw}')
    response = post_raw(staff_api, ENGAGEMENTS, body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("field", "raw"),
    [("budget_at_completion", str(10**400)), ("budget_at_completion", "1" * 40 + ".5"),
     ("budget_at_completion", '"1e999999999"'), ("budget_at_completion", '"1e-999999999"'),
     ("budget_at_completion", "-1"), ("organization", str(10**400)),
     ("scrum_master", str(2**63)), ("planned_start", str(10**400))],
)
def test_huge_numbers_in_fields_are_field_errors(staff_api, org_a, field, raw):
    body = json.dumps({**_engagement_body(org_a), field: "__RAW__"}).replace('"__RAW__"', raw)
    response = post_raw(staff_api, ENGAGEMENTS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Engagement.objects.exists()


def test_huge_numbers_in_integer_fields_are_field_errors(client_api, org_a):
    application = ApplicationFactory(organization=org_a)
    body = {"organization": org_a.pk, "title": "T", "description": "D",
            "demand_type": "evolution", "applications": [application.pk]}
    for field, raw in (("urgency", str(10**400)), ("effort", "-0"), ("business_value", "1e3"),
                       ("applications", f"[{10**400}]")):
        text = json.dumps({**body, field: "__RAW__"}).replace('"__RAW__"', raw)
        response = post_raw(client_api, "/api/v1/demands/", text)
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()
    assert not Demand.objects.exists()


def test_negative_zero_is_stored_as_zero(staff_api, org_a):
    text = json.dumps(_engagement_body(org_a)).replace('"Rollout"',
                                                       '"Rollout", "budget_at_completion": -0.0')
    response = post_raw(staff_api, ENGAGEMENTS, text)
    assert response.status_code == 201, response.content
    assert response.json()["budget_at_completion"] == "0.00"
    assert Engagement.objects.get().budget_at_completion == Decimal("0")


# --- NUL characters and unicode ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [('{"name": "a\\u0000b"}', "name", "name contains a NUL character"),
     ('{"name": "ok", "na\\u0000me": "x"}', None, "A key in the body contains a NUL"),
     ('{"name": "\\ud800"}', "name", "unpaired UTF-16 surrogate"),
     ('{"name": "ok\\udfff"}', "name", "unpaired UTF-16 surrogate"),
     ('{"name": ["x", {"deep": "\\u0000"}]}', "name", "name[1].deep contains a NUL")],
)
def test_unstorable_text_is_a_400_naming_where(staff_api, body, where, message):
    response = post_raw(staff_api, ORGS, body)
    assert response.status_code == 400
    text = response.json()[where][0] if where else response.json()["detail"]
    assert message in text
    assert not Organization.objects.exists()


def test_invalid_utf8_is_a_400(staff_api):
    response = post_raw(staff_api, ORGS, b'{"name": "\xed\xa0\x80"}')
    assert response.status_code == 400
    assert "not valid utf-8" in response.json()["detail"]


@pytest.mark.parametrize(
    "title",
    ["Rollout \u202eevil\u202c", "Despliegue 🚀 👩‍👩‍👧‍👦", "Cafe\u0301 Zoë", "漢字とかな",
     "\u200b zero width", "a" * 200],
)
def test_valid_unicode_is_stored_faithfully(staff_api, org_a, title):
    response = staff_api.post(ENGAGEMENTS, _engagement_body(org_a, title=title), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == title
    assert Engagement.objects.get().title == title
    assert staff_api.get(f"{ENGAGEMENTS}{response.json()['id']}/").json()["title"] == title


def test_over_long_text_is_a_field_error(staff_api, org_a):
    response = staff_api.post(ENGAGEMENTS, _engagement_body(org_a, title="é" * 10_000),
                              format="json")
    assert response.status_code == 400
    assert "no more than 200 characters" in response.json()["title"][0]


def test_bodies_that_are_not_objects_are_400s(staff_api):
    for body in ("null", "[]", '"text"', "12", ""):
        response = post_raw(staff_api, ORGS, body)
        assert response.status_code == 400, body


# --- Page forms ----------------------------------------------------------------------------


def test_a_page_form_with_nul_and_over_long_values_shows_errors(client, user_a, org_a):
    application = ApplicationFactory(organization=org_a)
    client.force_login(user_a)
    data = {"title": "Pay\x00slips", "description": "d" * 100, "demand_type": "evolution",
            "applications": [application.pk], "business_value": 8, "urgency": 5,
            "risk_reduction": 3, "effort": 2}
    response = client.post(reverse("portfolio:demand-create"), data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.context["form"].errors["title"]

    response = client.post(reverse("portfolio:demand-create"), {**data, "title": "é" * 10_000})
    assert response.status_code == 200
    assert "at most 200 characters" in response.context["form"].errors["title"][0]
    assert not Demand.objects.exists()


def test_an_unknown_organization_id_that_overflows_is_a_field_error(staff_api):
    response = staff_api.post(ENGAGEMENTS, {"organization": 2**70, "title": "x"}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()

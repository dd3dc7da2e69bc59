"""No lost update on engagements and demands: ETag / If-Match on the API (412 when stale),
a hidden version on the admin change pages, and a real two-writer race on PostgreSQL."""

import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from engagements import services as engagement_services
from engagements.models import Engagement
from pmo_service.api.concurrency import MalformedIfMatchError, if_match_allows
from portfolio import services as portfolio_services
from portfolio.models import Demand
from tests.factories import DemandFactory, EngagementFactory, StaffUserFactory
from tests.race_support import race
from tests.stakeholders.test_register_admin import form_data

ENGAGEMENTS = "/api/v1/engagements/"
DEMANDS = "/api/v1/demands/"


def test_if_match_follows_rfc_9110():
    assert if_match_allows('"3"', 3)
    assert if_match_allows("*", 3)
    assert if_match_allows('"2", "3"', 3)
    assert not if_match_allows('"2"', 3)
    assert not if_match_allows('W/"3"', 3)  # If-Match compares strong tags only
    with pytest.raises(MalformedIfMatchError):
        if_match_allows("3", 3)


@pytest.fixture
def engagement(db):
    return EngagementFactory(title="Rollout")


@pytest.fixture
def demand(db, org_a):
    return DemandFactory(organization=org_a, title="Booking")


def _resources(engagement, demand):
    return {
        "engagement": (f"{ENGAGEMENTS}{engagement.pk}/", Engagement, engagement.pk),
        "demand": (f"{DEMANDS}{demand.pk}/", Demand, demand.pk),
    }


@pytest.mark.parametrize("resource", ["engagement", "demand"])
def test_stale_if_match_is_412_and_changes_nothing(staff_api, engagement, demand, resource):
    url, model, pk = _resources(engagement, demand)[resource]
    read = staff_api.get(url)
    assert read.status_code == 200
    assert read["ETag"] == '"1"'
    assert read.json()["version"] == 1

    first = staff_api.patch(url, {"title": "First writer"}, format="json",
                            HTTP_IF_MATCH=read["ETag"])
    assert first.status_code == 200, first.json()
    assert first["ETag"] == '"2"'
    assert first.json()["version"] == 2

    second = staff_api.patch(url, {"title": "Second writer"}, format="json",
                             HTTP_IF_MATCH=read["ETag"])
    assert second.status_code == 412
    body = second.json()
    assert "changed since you read it" in body["detail"]
    assert "re-read and retry" in body["detail"]
    assert body["current_version"] == 2
    assert second["ETag"] == '"2"'
    stored = model.objects.get(pk=pk)
    assert (stored.title, stored.version) == ("First writer", 2)

    # Re-read, retry with the new tag: accepted.
    retry = staff_api.patch(url, {"title": "Second writer"}, format="json",
                            HTTP_IF_MATCH=staff_api.get(url)["ETag"])
    assert retry.status_code == 200
    assert retry["ETag"] == '"3"'


@pytest.mark.parametrize("resource", ["engagement", "demand"])
def test_star_or_no_if_match_writes_unchecked(staff_api, engagement, demand, resource):
    url, model, pk = _resources(engagement, demand)[resource]
    assert staff_api.patch(url, {"title": "A"}, format="json").status_code == 200
    response = staff_api.patch(url, {"title": "B"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert response["ETag"] == '"3"'
    assert model.objects.get(pk=pk).version == 3


@pytest.mark.parametrize("resource", ["engagement", "demand"])
def test_malformed_if_match_is_a_clear_400(staff_api, engagement, demand, resource):
    url, model, pk = _resources(engagement, demand)[resource]
    response = staff_api.patch(url, {"title": "A"}, format="json", HTTP_IF_MATCH="1")
    assert response.status_code == 400
    assert "quotes included" in response.json()["detail"]
    assert model.objects.get(pk=pk).title != "A"


def test_transitions_raise_the_version_and_honour_if_match(staff_api, engagement, demand):
    url = f"{ENGAGEMENTS}{engagement.pk}/transition/"
    stale = staff_api.post(url, {"to_status": "cancelled", "note": "No budget"},
                           format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    moved = staff_api.post(url, {"to_status": "cancelled", "note": "No budget"},
                           format="json", HTTP_IF_MATCH='"1"')
    assert moved.status_code == 200, moved.json()
    assert moved["ETag"] == '"2"'

    url = f"{DEMANDS}{demand.pk}/transition/"
    moved = staff_api.post(url, {"to_status": "assessed"}, format="json")
    assert moved.status_code == 200
    assert moved["ETag"] == '"2"'
    # A PATCH prepared before the move is stale now.
    response = staff_api.patch(f"{DEMANDS}{demand.pk}/", {"title": "Late"}, format="json",
                               HTTP_IF_MATCH='"1"')
    assert response.status_code == 412


def test_client_writers_get_the_same_protection(client_api, demand):
    url = f"{DEMANDS}{demand.pk}/"
    etag = client_api.get(url)["ETag"]
    assert client_api.patch(url, {"urgency": 5}, format="json",
                            HTTP_IF_MATCH=etag).status_code == 200
    response = client_api.patch(url, {"urgency": 8}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert Demand.objects.get(pk=demand.pk).urgency == 5


def test_other_organizations_records_stay_404_whatever_the_if_match(demand, user_b):
    api = APIClient()
    api.force_authenticate(user_b)
    response = api.patch(f"{DEMANDS}{demand.pk}/", {"title": "X"}, format="json",
                         HTTP_IF_MATCH='"9"')
    assert response.status_code == 404


# --- Admin ---------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize(
    ("resource", "route"),
    [("engagement", "admin:engagements_engagement_change"),
     ("demand", "admin:portfolio_demand_change")],
)
def test_admin_refuses_a_save_from_a_page_opened_before_another_change(
    staff_client, engagement, demand, resource, route
):
    instance = {"engagement": engagement, "demand": demand}[resource]
    url = reverse(route, args=[instance.pk])
    page = staff_client.get(url)
    assert b'name="opened_version"' in page.content
    data = form_data(page, title="Mine")
    assert data["opened_version"] == 1

    # Meanwhile a colleague changes the record through the API.
    colleague = APIClient()
    colleague.force_authenticate(StaffUserFactory(username="colleague"))
    api_url = _resources(engagement, demand)[resource][0]
    assert colleague.patch(api_url, {"title": "Theirs"}, format="json").status_code == 200

    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "was changed by colleague at" in errors
    assert "since you opened it; reload the page" in errors
    instance.refresh_from_db()
    assert (instance.title, instance.version) == ("Theirs", 2)

    # Reloaded, the save goes through and raises the version.
    response = staff_client.post(url, form_data(staff_client.get(url), title="Mine"))
    assert response.status_code == 302
    instance.refresh_from_db()
    assert (instance.title, instance.version) == ("Mine", 3)


def test_admin_save_without_the_version_is_refused(staff_client, engagement):
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    data = form_data(staff_client.get(url), title="Mine")
    del data["opened_version"]
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "out of date; reload it" in " ".join(
        response.context["adminform"].form.non_field_errors()
    )
    engagement.refresh_from_db()
    assert engagement.title == "Rollout"


# --- A real race (PostgreSQL row locks, one connection per thread) --------------------------

WIDEN_SECONDS = 0.5


@pytest.mark.postgres
@pytest.mark.parametrize("resource", ["engagement", "demand"])
def test_two_writers_with_the_same_if_match_exactly_one_wins(
    transactional_db, monkeypatch, resource
):
    """Each write lingers inside its transaction after the If-Match check: without the row
    lock both writers would read version 1 and both overwrite; with it the second waits,
    then sees version 2 and gets 412."""
    staff = StaffUserFactory()
    if resource == "engagement":
        instance, url = EngagementFactory(title="Start"), ENGAGEMENTS
        module, name = engagement_services, "engagement_update"
    else:
        instance, url = DemandFactory(title="Start"), DEMANDS
        module, name = portfolio_services, "demand_update"
    url = f"{url}{instance.pk}/"
    original = getattr(module, name)

    def lingering(**kwargs):
        time.sleep(WIDEN_SECONDS)
        return original(**kwargs)

    monkeypatch.setattr(module, name, lingering)

    def writer(title):
        def write():
            api = APIClient()
            api.force_authenticate(staff)
            response = api.patch(url, {"title": title}, format="json", HTTP_IF_MATCH='"1"')
            return response.status_code, title

        return write

    results = race(writer("Writer A"), writer("Writer B"))
    codes = sorted(code for code, _title in results)
    assert codes == [200, 412], results
    winner = next(title for code, title in results if code == 200)
    stored = type(instance).objects.get(pk=instance.pk)
    assert (stored.title, stored.version) == (winner, 2)

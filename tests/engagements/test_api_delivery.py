"""REST API of agile delivery: iterations, deliverables (and acceptance), time entries (one
and pushed in batches), expenses and KPI measurements, per role; bad input is a 400."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from engagements.choices import DeliverableStatus, EngagementStatus
from engagements.models import Deliverable, Expense, Iteration, KpiMeasurement, TimeEntry
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
    IndicatorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
START, END = date(2025, 1, 6), date(2025, 6, 27)
MONDAY = date(2025, 3, 3)


@pytest.fixture(autouse=True)
def clear_pending_marks():
    cache.clear()
    yield
    cache.clear()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def engagement(org_a):
    return EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE,
                             planned_start=START, planned_end=END)


@pytest.fixture
def consultant(engagement):
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount=Decimal("600.00"), valid_from=date(2024, 1, 1))
    AssignmentFactory(engagement=engagement, consultant=consultant, start_on=START,
                      end_on=END)
    return consultant


@pytest.fixture
def foreign(org_b):
    return EngagementFactory(organization=org_b, status=EngagementStatus.ACTIVE,
                             planned_start=START, planned_end=END)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def _entry(engagement, consultant, day, **fields):
    return {"engagement": engagement.pk, "consultant": consultant.pk,
            "worked_on": day.isoformat(), "hours": "8", **fields}


# --- Iterations ----------------------------------------------------------------------------------


def test_staff_plan_and_change_iterations_clients_read_only(staff_api, client_api, engagement,
                                                            foreign):
    payload = {"engagement": engagement.pk, "number": 1, "start_on": "2025-01-06",
               "end_on": "2025-01-17", "goal": "Charter"}
    response = staff_api.post(f"{API}iterations/", payload, format="json")
    assert response.status_code == 201, response.json()
    iteration_id = response.json()["id"]
    assert response.json()["status"] == "planned"
    response = staff_api.patch(f"{API}iterations/{iteration_id}/", {"status": "active"},
                               format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    Iteration.objects.create(engagement=foreign, number=1, start_on=START, end_on=START)
    assert _ids(client_api.get(f"{API}iterations/")) == [iteration_id]
    assert client_api.post(f"{API}iterations/", {**payload, "number": 2},
                           format="json").status_code == 403
    assert client_api.patch(f"{API}iterations/{iteration_id}/", {"goal": "x"},
                            format="json").status_code == 403
    assert staff_api.delete(f"{API}iterations/{iteration_id}/").status_code == 405


@pytest.mark.parametrize("payload", [
    {"number": 0}, {"number": 10**9}, {"number": "one"}, {"start_on": "2025-13-01"},
    {"end_on": "2024-12-31"}, {"status": "sleeping"}, {"start_on": "2024-01-01"},
    {"engagement": 10**30}, {"engagement": True},
])
def test_bad_iteration_input_is_a_400_naming_the_field(staff_api, engagement, payload):
    base = {"engagement": engagement.pk, "number": 1, "start_on": "2025-01-06",
            "end_on": "2025-01-17"}
    response = staff_api.post(f"{API}iterations/", {**base, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert set(payload) & set(response.json()) or "start_on" in response.json()
    assert not Iteration.objects.exists()


def test_an_iteration_cannot_move_to_another_engagement(staff_api, engagement):
    iteration = Iteration.objects.create(engagement=engagement, number=1, start_on=START,
                                         end_on=START)
    other = EngagementFactory(organization=engagement.organization,
                              planned_start=START, planned_end=END)
    response = staff_api.patch(f"{API}iterations/{iteration.pk}/", {"engagement": other.pk},
                               format="json")
    assert response.status_code == 400
    assert "engagement" in response.json()


def test_iteration_filters(staff_api, engagement):
    first = Iteration.objects.create(engagement=engagement, number=1, start_on=START,
                                     end_on=START + timedelta(days=13), status="finished")
    second = Iteration.objects.create(engagement=engagement, number=2,
                                      start_on=START + timedelta(days=14),
                                      end_on=START + timedelta(days=27))
    assert _ids(staff_api.get(f"{API}iterations/", {"status": "finished"})) == [first.pk]
    assert _ids(staff_api.get(f"{API}iterations/",
                              {"active_on": (START + timedelta(days=20)).isoformat()})) == [
        second.pk]
    assert _ids(staff_api.get(f"{API}iterations/", {"ordering": "-number"})) == [
        second.pk, first.pk]
    assert staff_api.get(f"{API}iterations/", {"status": "nope"}).status_code == 400


# --- Deliverables --------------------------------------------------------------------------------


def test_deliverables_are_created_changed_and_accepted_by_staff(staff_api, client_api,
                                                                engagement):
    owner = StakeholderFactory(organization=engagement.organization)
    engagement.product_owner = owner
    engagement.save()
    payload = {"engagement": engagement.pk, "title": "Charter", "planned_start": "2025-01-06",
               "planned_finish": "2025-01-31", "budget": "1000.00", "story_points": 5}
    response = staff_api.post(f"{API}deliverables/", payload, format="json")
    assert response.status_code == 201, response.json()
    deliverable_id = response.json()["id"]
    response = staff_api.patch(f"{API}deliverables/{deliverable_id}/",
                               {"percent_complete": 40}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["percent_complete"] == 40
    response = staff_api.patch(f"{API}deliverables/{deliverable_id}/",
                               {"status": "accepted"}, format="json")
    assert response.status_code == 400
    accept = f"{API}deliverables/{deliverable_id}/accept/"
    assert staff_api.post(accept, {"accepted_by": owner.pk}, format="json").status_code == 409
    response = staff_api.patch(f"{API}deliverables/{deliverable_id}/", {"status": "done"},
                               format="json")
    assert response.status_code == 200, response.json()
    assert client_api.post(accept, {"accepted_by": owner.pk}, format="json").status_code == 403
    response = staff_api.post(accept, {"accepted_by": owner.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == DeliverableStatus.ACCEPTED
    assert body["percent_complete"] == 100
    assert body["accepted_by"] == owner.pk
    assert body["accepted_by_name"] == owner.full_name
    assert staff_api.post(accept, {"accepted_by": owner.pk}, format="json").status_code == 409
    assert staff_api.post(accept, {"accepted_by": "x"}, format="json").status_code == 400
    assert _ids(client_api.get(f"{API}deliverables/")) == [deliverable_id]
    assert client_api.post(f"{API}deliverables/", payload, format="json").status_code == 403
    assert staff_api.delete(f"{API}deliverables/{deliverable_id}/").status_code == 405


def test_deliverable_acceptor_from_another_organization_is_a_400(staff_api, engagement):
    deliverable = Deliverable.objects.create(engagement=engagement, title="Charter",
                                             planned_start=START, planned_finish=START,
                                             status="done", percent_complete=100)
    stranger = StakeholderFactory()
    response = staff_api.post(f"{API}deliverables/{deliverable.pk}/accept/",
                              {"accepted_by": stranger.pk}, format="json")
    assert response.status_code == 400
    assert "accepted_by" in response.json()
    deliverable.refresh_from_db()
    assert deliverable.status == DeliverableStatus.DONE


@pytest.mark.parametrize("payload", [
    {"budget": "-1"}, {"budget": "1e30"}, {"percent_complete": 101}, {"kind": "poem"},
    {"planned_finish": "2025-01-01"}, {"iteration": 10**20}, {"title": ""},
])
def test_bad_deliverable_input_is_a_400(staff_api, engagement, payload):
    base = {"engagement": engagement.pk, "title": "Charter", "planned_start": "2025-01-06",
            "planned_finish": "2025-01-31"}
    response = staff_api.post(f"{API}deliverables/", {**base, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert not Deliverable.objects.exists()


def test_deliverable_filters(staff_api, engagement):
    iteration = Iteration.objects.create(engagement=engagement, number=1, start_on=START,
                                         end_on=START)
    planned = Deliverable.objects.create(engagement=engagement, title="A", iteration=iteration,
                                         planned_start=START, planned_finish=START)
    later = Deliverable.objects.create(engagement=engagement, title="B", status="in_progress",
                                       planned_start=START, planned_finish=END)
    url = f"{API}deliverables/"
    assert _ids(staff_api.get(url, {"iteration": iteration.pk})) == [planned.pk]
    assert _ids(staff_api.get(url, {"status": "in_progress"})) == [later.pk]
    assert _ids(staff_api.get(url, {"finishes_after": "2025-02-01"})) == [later.pk]
    assert _ids(staff_api.get(url, {"search": "B"})) == [later.pk]
    assert _ids(staff_api.get(url, {"ordering": "-planned_finish"})) == [later.pk, planned.pk]


# --- Time entries --------------------------------------------------------------------------------


def test_staff_log_time_with_its_cost_clients_read_without_cost(staff_api, client_api,
                                                                 engagement, consultant):
    response = staff_api.post(f"{API}time-entries/",
                              _entry(engagement, consultant, MONDAY, hours="7.5"),
                              format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["cost"] == "562.50"  # 7.5 h x 600 / 8
    assert body["consultant_name"] == consultant.full_name
    listing = client_api.get(f"{API}time-entries/")
    assert _ids(listing) == [body["id"]]
    assert "cost" not in listing.json()["results"][0]
    detail = client_api.get(f"{API}time-entries/{body['id']}/")
    assert detail.status_code == 200
    assert "cost" not in detail.json()
    assert "562.5" not in detail.content.decode()
    assert client_api.post(f"{API}time-entries/", _entry(engagement, consultant, MONDAY),
                           format="json").status_code == 403
    assert staff_api.delete(f"{API}time-entries/{body['id']}/").status_code == 405


def test_time_of_a_consultant_not_on_the_team_is_a_400(staff_api, engagement):
    outsider = ConsultantFactory()
    DayRateFactory(consultant=outsider, valid_from=date(2024, 1, 1))
    response = staff_api.post(f"{API}time-entries/", _entry(engagement, outsider, MONDAY),
                              format="json")
    assert response.status_code == 400
    assert "consultant" in response.json()
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("payload", [
    {"hours": "0"}, {"hours": "25"}, {"hours": "abc"}, {"hours": "1.234"},
    {"worked_on": "yesterday"}, {"consultant": None}, {"deliverable": 10**30},
    {"external_id": "x" * 101},
])
def test_bad_time_entry_input_is_a_400(staff_api, engagement, consultant, payload):
    response = staff_api.post(f"{API}time-entries/",
                              {**_entry(engagement, consultant, MONDAY), **payload},
                              format="json")
    assert response.status_code == 400, response.content
    assert set(payload) <= set(response.json())
    assert not TimeEntry.objects.exists()


def test_time_entry_filters(staff_api, engagement, consultant):
    deliverable = Deliverable.objects.create(engagement=engagement, title="A",
                                             planned_start=START, planned_finish=START)
    first = TimeEntry.objects.create(engagement=engagement, consultant=consultant,
                                     worked_on=MONDAY, hours=8, cost=600,
                                     deliverable=deliverable)
    second = TimeEntry.objects.create(engagement=engagement, consultant=ConsultantFactory(),
                                      worked_on=MONDAY + timedelta(days=7), hours=4, cost=300)
    url = f"{API}time-entries/"
    assert _ids(staff_api.get(url, {"consultant": consultant.pk})) == [first.pk]
    assert _ids(staff_api.get(url, {"deliverable": deliverable.pk})) == [first.pk]
    assert _ids(staff_api.get(url, {"worked_after": "2025-03-04"})) == [second.pk]
    assert _ids(staff_api.get(url, {"worked_before": "2025-03-03"})) == [first.pk]
    assert _ids(staff_api.get(url, {"ordering": "hours"})) == [second.pk, first.pk]
    assert staff_api.get(url, {"worked_after": "soon"}).status_code == 400



def test_staff_correct_a_time_entry_and_its_cost_follows(staff_api, client_api, engagement,
                                                         consultant):
    DayRateFactory(consultant=consultant, amount=Decimal("800.00"), valid_from=MONDAY)
    created = staff_api.post(f"{API}time-entries/",
                             _entry(engagement, consultant, MONDAY - timedelta(days=1)),
                             format="json").json()
    url = f"{API}time-entries/{created['id']}/"
    assert created["cost"] == "600.00"
    response = staff_api.patch(url, {"worked_on": MONDAY.isoformat(), "hours": "6"},
                               format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["worked_on"], response.json()["hours"],
            response.json()["cost"]) == (MONDAY.isoformat(), "6.00", "600.00")  # 6 x 800 / 8
    deliverable = Deliverable.objects.create(engagement=engagement, title="Charter",
                                             planned_start=START, planned_finish=START)
    # A PUT of the whole row: identity fields sent back unchanged are fine.
    whole = {**response.json(), "hours": "2", "deliverable": deliverable.pk,
             "description": "Charter review"}
    response = staff_api.put(url, whole, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["cost"], response.json()["deliverable"]) == ("200.00",
                                                                         deliverable.pk)
    stored = TimeEntry.objects.get(pk=created["id"])
    assert (stored.hours, stored.description) == (Decimal("2"), "Charter review")
    # Clients may not correct (403), even their own organization's entry.
    for method in ("put", "patch"):
        response = getattr(client_api, method)(url, {"hours": "1"}, format="json")
        assert response.status_code == 403, method
    assert TimeEntry.objects.get(pk=created["id"]).hours == Decimal("2")


@pytest.mark.parametrize("payload", [
    {"hours": "0"}, {"hours": "25"}, {"hours": "abc"}, {"worked_on": "yesterday"},
    {"worked_on": "2026-01-05"}, {"deliverable": 10**30}, {"description": "x" * 301},
    {"consultant": 999999}, {"external_id": "changed"},
])
def test_a_bad_time_entry_correction_is_a_400(staff_api, engagement, consultant, payload):
    entry = TimeEntry.objects.create(engagement=engagement, consultant=consultant,
                                     worked_on=MONDAY, hours=Decimal("8"),
                                     cost=Decimal("600.00"))
    response = staff_api.patch(f"{API}time-entries/{entry.pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    # An off-the-team day is the consultant's fault, as when the entry is logged.
    expected = {"consultant"} if payload == {"worked_on": "2026-01-05"} else set(payload)
    assert expected <= set(response.json()), response.json()
    stored = TimeEntry.objects.get(pk=entry.pk)
    assert (stored.worked_on, stored.hours, stored.cost) == (MONDAY, Decimal("8"),
                                                             Decimal("600.00"))


def test_a_correction_needs_the_day_and_hours_in_a_put(staff_api, engagement, consultant):
    entry = TimeEntry.objects.create(engagement=engagement, consultant=consultant,
                                     worked_on=MONDAY, hours=Decimal("8"),
                                     cost=Decimal("600.00"))
    response = staff_api.put(f"{API}time-entries/{entry.pk}/", {"description": "x"},
                             format="json")
    assert response.status_code == 400
    assert {"worked_on", "hours"} <= set(response.json())


def test_correcting_an_entry_the_user_cannot_see_is_a_404(staff_api, client_api, foreign,
                                                          engagement, consultant):
    hidden = TimeEntry.objects.create(engagement=foreign, consultant=consultant,
                                      worked_on=MONDAY, hours=Decimal("8"),
                                      cost=Decimal("600.00"))
    assert client_api.get(f"{API}time-entries/{hidden.pk}/").status_code == 404
    assert staff_api.patch(f"{API}time-entries/{hidden.pk + 1000}/", {"hours": "1"},
                           format="json").status_code == 404
    # Clients are refused writes before any lookup: the same 403 for B's entry as for A's.
    assert client_api.patch(f"{API}time-entries/{hidden.pk}/", {"hours": "1"},
                            format="json").status_code == 403
    assert TimeEntry.objects.get(pk=hidden.pk).hours == Decimal("8")


def test_entries_of_a_closed_engagement_are_not_corrected_409(staff_api, engagement,
                                                              consultant):
    entry = TimeEntry.objects.create(engagement=engagement, consultant=consultant,
                                     worked_on=MONDAY, hours=Decimal("8"),
                                     cost=Decimal("600.00"))
    engagement.status = EngagementStatus.CLOSED
    engagement.save()
    response = staff_api.patch(f"{API}time-entries/{entry.pk}/", {"hours": "1"},
                               format="json")
    assert response.status_code == 409
    assert TimeEntry.objects.get(pk=entry.pk).hours == Decimal("8")


def _batch(engagement, consultant, size):
    """``size`` distinct entries: a quarter hour each over consecutive weekdays."""
    days = [START + timedelta(days=offset) for offset in range(0, 170)]
    return [
        _entry(engagement, consultant, days[index % len(days)], hours="0.25",
               external_id=f"ext-{index}")
        for index in range(size)
    ]


def test_bulk_records_up_to_1000_entries_and_a_repush_is_idempotent(staff_api, engagement,
                                                                   consultant):
    batch = _batch(engagement, consultant, 1000)
    response = staff_api.post(f"{API}time-entries/bulk/", batch, format="json")
    assert response.status_code == 201, str(response.content[:300])
    body = response.json()
    assert body["created"] == 1000
    assert body["duplicates"] == 0
    assert len(body["ids"]) == 1000
    assert set(body["ids"]) == set(TimeEntry.objects.values_list("pk", flat=True))
    again = staff_api.post(f"{API}time-entries/bulk/", batch, format="json")
    assert again.status_code == 201
    assert again.json() == {"created": 0, "duplicates": 1000, "ids": []}
    assert TimeEntry.objects.count() == 1000


def test_bulk_of_1001_entries_is_a_400_and_writes_nothing(staff_api, engagement, consultant):
    response = staff_api.post(f"{API}time-entries/bulk/",
                              _batch(engagement, consultant, 1001), format="json")
    assert response.status_code == 400
    assert "entries" in response.json()
    assert not TimeEntry.objects.exists()


def test_bulk_with_bad_rows_names_them_and_writes_nothing(staff_api, engagement, consultant):
    batch = _batch(engagement, consultant, 5)
    batch[1]["hours"] = "30"
    batch[3]["worked_on"] = "someday"
    batch[4]["consultant"] = ConsultantFactory().pk  # not on the team
    response = staff_api.post(f"{API}time-entries/bulk/", batch, format="json")
    assert response.status_code == 400
    rows = response.json()["rows"]
    assert set(rows) == {"1", "3", "4"}
    assert "hours" in rows["1"]
    assert "worked_on" in rows["3"]
    assert "consultant" in rows["4"]
    assert not TimeEntry.objects.exists()


def test_bulk_repush_with_changed_content_is_a_row_error(staff_api, engagement, consultant):
    batch = _batch(engagement, consultant, 2)
    assert staff_api.post(f"{API}time-entries/bulk/", batch, format="json").status_code == 201
    batch[1]["hours"] = "1"
    response = staff_api.post(f"{API}time-entries/bulk/", batch, format="json")
    assert response.status_code == 400
    assert set(response.json()["rows"]) == {"1"}
    assert "external_id" in response.json()["rows"]["1"]


@pytest.mark.parametrize("body", [{"engagement": 1}, "text", 12, [1, "two"], [None]])
def test_bulk_of_something_other_than_a_list_of_entries_is_a_400(staff_api, body):
    response = staff_api.post(f"{API}time-entries/bulk/", body, format="json")
    assert response.status_code == 400, response.content
    assert not TimeEntry.objects.exists()


def test_bulk_accepts_json_numbers_for_hours(staff_api, engagement, consultant):
    entry = {**_entry(engagement, consultant, MONDAY), "hours": 7.5}
    response = staff_api.post(f"{API}time-entries/bulk/", [entry], format="json")
    assert response.status_code == 201, response.json()
    assert TimeEntry.objects.get().cost == Decimal("562.50")


def test_bulk_is_staff_only(client_api, engagement, consultant):
    response = client_api.post(f"{API}time-entries/bulk/",
                               _batch(engagement, consultant, 1), format="json")
    assert response.status_code == 403
    assert not TimeEntry.objects.exists()


# --- Expenses and KPI measurements ---------------------------------------------------------------


def test_expenses_are_recorded_and_corrected_by_staff(staff_api, client_api, engagement,
                                                      foreign):
    payload = {"engagement": engagement.pk, "spent_on": "2025-03-03", "amount": "120.50",
               "category": "travel", "description": "Train"}
    response = staff_api.post(f"{API}expenses/", payload, format="json")
    assert response.status_code == 201, response.json()
    expense_id = response.json()["id"]
    response = staff_api.patch(f"{API}expenses/{expense_id}/", {"amount": "99.99"},
                               format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "99.99"
    Expense.objects.create(engagement=foreign, spent_on=MONDAY, amount=1, category="travel")
    assert _ids(client_api.get(f"{API}expenses/")) == [expense_id]
    assert client_api.post(f"{API}expenses/", payload, format="json").status_code == 403
    assert staff_api.delete(f"{API}expenses/{expense_id}/").status_code == 405
    for bad in ({"amount": "0"}, {"amount": "-5"}, {"category": "party"},
                {"spent_on": "03/03/2025"}, {"amount": "1e20"}):
        response = staff_api.post(f"{API}expenses/", {**payload, **bad}, format="json")
        assert response.status_code == 400, bad
        assert set(bad) <= set(response.json())
    assert _ids(staff_api.get(f"{API}expenses/", {"category": "licences"})) == []
    assert _ids(staff_api.get(f"{API}expenses/", {"engagement": engagement.pk,
                                                  "spent_after": "2025-03-01"})) == [expense_id]


def test_kpi_measurements_are_recorded_by_staff_and_replace_per_period(staff_api, client_api,
                                                                      engagement):
    indicator = IndicatorFactory()
    engagement.services.add(indicator.service)
    payload = {"engagement": engagement.pk, "indicator": indicator.pk,
               "period_start": "2025-03-01", "period_end": "2025-03-31", "value": "91.5"}
    response = staff_api.post(f"{API}kpi-measurements/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["indicator_name"] == indicator.name
    response = staff_api.post(f"{API}kpi-measurements/", {**payload, "value": "80"},
                              format="json")
    assert response.status_code == 201
    assert KpiMeasurement.objects.get().value == Decimal("80")
    assert _ids(client_api.get(f"{API}kpi-measurements/")) == [response.json()["id"]]
    assert client_api.post(f"{API}kpi-measurements/", payload,
                           format="json").status_code == 403
    measurement = KpiMeasurement.objects.get()
    assert staff_api.delete(f"{API}kpi-measurements/{measurement.pk}/").status_code == 405
    other = IndicatorFactory()  # measures a service the engagement does not deliver
    for bad in ({"indicator": other.pk}, {"indicator": 10**30}, {"value": "x"},
                {"period_end": "2025-02-01"}):
        response = staff_api.post(f"{API}kpi-measurements/", {**payload, **bad},
                                  format="json")
        assert response.status_code == 400, bad
        assert set(bad) <= set(response.json())


def test_clients_cannot_reach_another_organizations_delivery(client_api, foreign):
    iteration = Iteration.objects.create(engagement=foreign, number=1, start_on=START,
                                         end_on=START)
    deliverable = Deliverable.objects.create(engagement=foreign, title="Secret",
                                             planned_start=START, planned_finish=START)
    assert client_api.get(f"{API}iterations/{iteration.pk}/").status_code == 404
    assert client_api.get(f"{API}deliverables/{deliverable.pk}/").status_code == 404
    assert _ids(client_api.get(f"{API}deliverables/", {"engagement": foreign.pk})) == []


def test_closed_engagements_take_no_delivery_changes(staff_api, engagement):
    engagement.status = EngagementStatus.CLOSED
    engagement.save()
    response = staff_api.post(f"{API}expenses/", {
        "engagement": engagement.pk, "spent_on": "2025-03-03", "amount": "1",
        "category": "travel"}, format="json")
    assert response.status_code == 409
    assert not Expense.objects.exists()

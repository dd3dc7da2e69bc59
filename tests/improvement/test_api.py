"""The improvement API: process maps with nested steps, analysis and versions, improvement
actions and their workflow, suggestions and the demand flow, per role."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from improvement.choices import ActionSource, ActionStatus
from improvement.models import ImprovementAction, ImprovementActionTransition, ProcessMap
from portfolio.choices import DemandStatus as S
from portfolio.models import DemandTransition
from stakeholders.choices import MembershipRole
from tests.factories import ClientUserFactory, EngagementFactory, StakeholderFactory
from tests.factories.improvement import (
    ImprovementActionFactory,
    ProcessMapFactory,
    ProcessStepFactory,
)
from tests.factories.portfolio import DemandFactory

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)

STEPS = [
    {"name": "Receive", "process_time_hours": "1.00", "wait_time_hours": "0.00",
     "capacity_per_week": "50", "demand_per_week": "20"},
    {"name": "Check", "process_time_hours": "2.00", "wait_time_hours": "10.00",
     "capacity_per_week": "25", "demand_per_week": "20", "percent_complete_accurate": "80"},
    {"name": "Sign", "process_time_hours": "1.00", "wait_time_hours": "6.00",
     "capacity_per_week": "40", "demand_per_week": "20", "value_added": False},
]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _map_with_steps(organization, **fields) -> ProcessMap:
    process_map = ProcessMapFactory(organization=organization, **fields)
    for position, step in enumerate(STEPS, start=1):
        ProcessStepFactory(process_map=process_map, position=position, **step)
    return process_map


def _read_only(organization):
    return ClientUserFactory(
        membership__organization=organization, membership__role=MembershipRole.READ_ONLY
    )


# --- Process maps ----------------------------------------------------------------------------


def test_client_creates_a_map_with_ordered_steps(client_api, org_a):
    owner = StakeholderFactory(organization=org_a)
    payload = {"name": "Permit handling", "owner": owner.pk, "steps": STEPS}
    response = client_api.post(reverse("process-map-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert body["version"] == 1
    assert body["is_latest"] is True
    assert body["replaces"] is None
    assert [(s["position"], s["name"]) for s in body["steps"]] == [
        (1, "Receive"), (2, "Check"), (3, "Sign")
    ]
    assert body["step_count"] == 3


def test_explicit_positions_order_the_steps(client_api):
    steps = [{**STEPS[2], "position": 3}, {**STEPS[0], "position": 1},
             {**STEPS[1], "position": 2}]
    response = client_api.post(reverse("process-map-list"),
                               {"name": "Permits", "steps": steps}, format="json")
    assert response.status_code == 201, response.json()
    assert [s["name"] for s in response.json()["steps"]] == ["Receive", "Check", "Sign"]


@pytest.mark.parametrize("positions", [(1, 1, 2), (1, 2, 4), (1, None, 3), (0, 1, 2)])
def test_bad_positions_are_refused(client_api, positions):
    steps = [{**step, "position": p} if p is not None else dict(step)
             for step, p in zip(STEPS, positions, strict=True)]
    response = client_api.post(reverse("process-map-list"),
                               {"name": "Permits", "steps": steps}, format="json")
    assert response.status_code == 400
    assert "steps" in response.json()
    assert not ProcessMap.objects.exists()


def test_negative_times_and_percent_out_of_range_are_400(client_api):
    for bad in ({"process_time_hours": "-1"}, {"percent_complete_accurate": "101"}):
        steps = [{**STEPS[0], **bad}]
        response = client_api.post(reverse("process-map-list"),
                                   {"name": "Permits", "steps": steps}, format="json")
        assert response.status_code == 400, bad
        assert "steps" in response.json()


def test_staff_must_name_the_organization_and_duplicates_are_400(staff_api, org_a):
    response = staff_api.post(reverse("process-map-list"), {"name": "Permits"}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    payload = {"name": "Permits", "organization": org_a.pk}
    assert staff_api.post(reverse("process-map-list"), payload, format="json").status_code == 201
    response = staff_api.post(reverse("process-map-list"),
                              {**payload, "name": "PERMITS"}, format="json")
    assert response.status_code == 400


def test_update_replaces_the_steps_and_keeps_step_ids_by_position(client_api, org_a):
    process_map = _map_with_steps(org_a)
    first_id = process_map.steps.get(position=1).pk
    url = reverse("process-map-detail", args=[process_map.pk])
    new_steps = [{**STEPS[0], "name": "Receive online"}, STEPS[1]]
    response = client_api.patch(url, {"description": "Shorter", "steps": new_steps},
                                format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["description"] == "Shorter"
    assert [s["name"] for s in body["steps"]] == ["Receive online", "Check"]
    assert body["steps"][0]["id"] == first_id
    assert process_map.steps.count() == 2


def test_name_does_not_change(client_api, org_a):
    process_map = _map_with_steps(org_a)
    response = client_api.patch(reverse("process-map-detail", args=[process_map.pk]),
                                {"name": "Another"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_removing_a_step_an_action_names_is_409_and_changes_nothing(client_api, org_a):
    process_map = _map_with_steps(org_a)
    ImprovementActionFactory(organization=org_a, source=ActionSource.PROCESS_STEP,
                             process_step=process_map.steps.get(position=3))
    response = client_api.patch(reverse("process-map-detail", args=[process_map.pk]),
                                {"steps": STEPS[:2]}, format="json")
    assert response.status_code == 409
    assert process_map.steps.count() == 3


def test_new_version_analysis_and_comparison(client_api, org_a):
    process_map = _map_with_steps(org_a)
    response = client_api.post(reverse("process-map-new-version", args=[process_map.pk]))
    assert response.status_code == 201, response.json()
    successor = response.json()
    assert successor["version"] == 2
    assert successor["replaces"] == process_map.pk
    # The old version is history: not redesigned again, its steps not redrawn.
    assert client_api.post(
        reverse("process-map-new-version", args=[process_map.pk])
    ).status_code == 409
    old = client_api.patch(reverse("process-map-detail", args=[process_map.pk]),
                           {"steps": STEPS[:1]}, format="json")
    assert old.status_code == 409
    # The redesign removes the wait before "Check".
    steps = [STEPS[0], {**STEPS[1], "wait_time_hours": "0"}, STEPS[2]]
    client_api.patch(reverse("process-map-detail", args=[successor["id"]]),
                     {"steps": steps}, format="json")
    listing = client_api.get(reverse("process-map-list"), {"is_latest": "true"}).json()
    assert [row["id"] for row in listing["results"]] == [successor["id"]]

    analysis = client_api.get(reverse("process-map-analysis", args=[successor["id"]]))
    assert analysis.status_code == 200
    body = analysis.json()
    # Lead time 4 h of work + 6 h of wait; PCE = 3 value-added hours / 10.
    assert body["lead_time"] == {"value": "10.00", "reason": ""}
    assert body["pce"] == {"value": "0.3000", "reason": ""}
    assert body["rty"]["value"] == "0.8000"
    assert body["constraint_position"] == 2
    assert [s["is_constraint"] for s in body["steps"]] == [False, True, False]
    assert body["steps"][1]["utilization"] == {"value": "0.8000", "reason": ""}
    assert body["throughput_per_week"]["value"] == "20.00"
    comparison = body["comparison"]
    assert comparison["replaces"] == process_map.pk
    assert comparison["lead_time_before"]["value"] == "20.00"
    assert comparison["lead_time_delta"]["value"] == "-10.00"
    assert comparison["pce_before"]["value"] == "0.1500"

    first = client_api.get(reverse("process-map-analysis", args=[process_map.pk])).json()
    assert first["comparison"] is None


def test_analysis_explains_a_step_without_capacity_and_ties(client_api, org_a):
    process_map = ProcessMapFactory(organization=org_a)
    for position, (capacity, demand) in enumerate([(10, 10), (0, 5), (0, 5)], start=1):
        ProcessStepFactory(process_map=process_map, position=position,
                           capacity_per_week=capacity, demand_per_week=demand)
    body = client_api.get(reverse("process-map-analysis", args=[process_map.pk])).json()
    assert body["constraint_position"] == 2
    assert body["tied_positions"] == [2, 3]
    assert body["steps"][1]["utilization"]["value"] is None
    assert "No capacity" in body["steps"][1]["utilization"]["reason"]
    assert "first" in body["constraint_explanation"]


def test_analysis_of_an_empty_map_gives_reasons(client_api, org_a):
    process_map = ProcessMapFactory(organization=org_a)
    body = client_api.get(reverse("process-map-analysis", args=[process_map.pk])).json()
    assert body["lead_time"]["value"] is None
    assert body["lead_time"]["reason"]
    assert body["constraint_position"] is None
    assert body["steps"] == []


def test_delete_is_409_for_a_replaced_version(client_api, org_a):
    process_map = _map_with_steps(org_a)
    client_api.post(reverse("process-map-new-version", args=[process_map.pk]))
    response = client_api.delete(reverse("process-map-detail", args=[process_map.pk]))
    assert response.status_code == 409
    assert "detail" in response.json()
    latest = ProcessMap.objects.get(replaces=process_map)
    assert client_api.delete(reverse("process-map-detail", args=[latest.pk])).status_code == 204


def test_suggest_from_the_constraint_is_idempotent(client_api, org_a):
    process_map = _map_with_steps(org_a)
    url = reverse("process-map-suggest", args=[process_map.pk])
    first = client_api.post(url)
    assert first.status_code == 201
    [action] = first.json()
    assert action["source"] == "process_step"
    assert action["suggested"] is True
    assert action["status"] == "proposed"
    assert action["process_step"] == process_map.steps.get(position=2).pk
    assert action["evidence"]["position"] == 2
    again = client_api.post(url)
    assert again.status_code == 200
    assert [a["id"] for a in again.json()] == [action["id"]]
    suggestions = client_api.get(reverse("improvement-suggestion-list")).json()
    assert [row["id"] for row in suggestions["results"]] == [action["id"]]


def test_filters_search_and_ordering_of_maps(staff_api, org_a, org_b):
    engagement = EngagementFactory(organization=org_a)
    tagged = ProcessMapFactory(organization=org_a, name="Invoices", engagement=engagement)
    ProcessMapFactory(organization=org_b, name="Permits")
    url = reverse("process-map-list")
    assert [r["id"] for r in staff_api.get(url, {"engagement": engagement.pk}).json()[
        "results"]] == [tagged.pk]
    assert staff_api.get(url, {"organization": org_b.pk}).json()["count"] == 1
    assert staff_api.get(url, {"search": "invoi"}).json()["results"][0]["id"] == tagged.pk
    names = [r["name"] for r in staff_api.get(url, {"ordering": "-name"}).json()["results"]]
    assert names == ["Permits", "Invoices"]
    for bad in ({"ordering": "nope"}, {"is_latest": "maybe"}, {"organization": "x"}):
        assert staff_api.get(url, bad).status_code == 400, bad


# --- Permissions per role ------------------------------------------------------------------


def test_roles_on_process_maps(org_a, org_b, user_a, staff_user):
    own, foreign = _map_with_steps(org_a), _map_with_steps(org_b)
    detail = reverse("process-map-detail", args=[own.pk])
    assert APIClient().get(reverse("process-map-list")).status_code == 401
    assert APIClient().get(detail).status_code == 401
    reader = _client(_read_only(org_a))
    assert reader.get(detail).status_code == 200
    assert reader.patch(detail, {"description": "x"}, format="json").status_code == 403
    assert reader.post(reverse("process-map-new-version", args=[own.pk])).status_code == 403
    assert reader.post(reverse("process-map-suggest", args=[own.pk])).status_code == 403
    writer = _client(user_a)
    foreign_detail = reverse("process-map-detail", args=[foreign.pk])
    assert writer.get(foreign_detail).status_code == 404
    assert writer.get(reverse("process-map-analysis", args=[foreign.pk])).status_code == 404
    assert writer.post(reverse("process-map-suggest", args=[foreign.pk])).status_code == 404
    assert writer.patch(foreign_detail, {"description": "x"},
                        format="json").status_code == 404
    assert _client(staff_user).get(foreign_detail).status_code == 200


def test_roles_on_actions(org_a, org_b, user_a):
    own = ImprovementActionFactory(organization=org_a)
    foreign = ImprovementActionFactory(organization=org_b)
    assert APIClient().get(reverse("improvement-action-list")).status_code == 401
    reader = _client(_read_only(org_a))
    transition = reverse("improvement-action-transition", args=[own.pk])
    assert reader.get(reverse("improvement-action-detail", args=[own.pk])).status_code == 200
    assert reader.post(transition, {"to_status": "approved"}).status_code == 403
    writer = _client(user_a)
    ids = {row["id"] for row in writer.get(reverse("improvement-action-list")).json()["results"]}
    assert ids == {own.pk}
    response = writer.post(reverse("improvement-action-transition", args=[foreign.pk]),
                           {"to_status": "approved"})
    assert response.status_code == 404
    assert ImprovementAction.objects.get(pk=foreign.pk).status == ActionStatus.PROPOSED


# --- Improvement actions -------------------------------------------------------------------


def test_create_action_with_wsjf_and_target_warning(client_api, org_a):
    payload = {
        "source": "retrospective", "title": "Pre-check requests", "problem": "Rework.",
        "business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 3,
        "target_date": (date.today() + timedelta(days=120)).isoformat(),
        "expected_hours_saved_per_month": "12.5",
    }
    response = client_api.post(reverse("improvement-action-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert body["cost_of_delay"] == 16
    assert body["wsjf"] == "5.33"
    assert "90 days" in body["target_date_warning"]
    assert body["status"] == "proposed"
    assert body["transitions"] == []
    assert body["allowed_transitions"] == []  # a client proposes; staff move it


@pytest.mark.parametrize("bad", [
    {"business_value": 0}, {"job_size": 21}, {"source": "gossip"},
    {"source": "process_step"}, {"source": "demand_flow"}, {"evidence": [1, 2]},
    {"expected_hours_saved_per_month": "-1"},
])
def test_bad_action_input_is_400(client_api, bad):
    payload = {"source": "other", "title": "T", "problem": "P", **bad}
    response = client_api.post(reverse("improvement-action-list"), payload, format="json")
    assert response.status_code == 400, (bad, response.json())


def test_actions_are_listed_by_wsjf_and_ordered_on_request(client_api, org_a):
    low = ImprovementActionFactory(organization=org_a, business_value=1, time_criticality=1,
                                   risk_reduction=1, job_size=10)
    high = ImprovementActionFactory(organization=org_a, business_value=10, job_size=1)
    middle = ImprovementActionFactory(organization=org_a)
    url = reverse("improvement-action-list")
    rows = client_api.get(url).json()["results"]
    assert [r["id"] for r in rows] == [high.pk, middle.pk, low.pk]
    assert [r["wsjf"] for r in rows] == ["18.00", "3.20", "0.30"]
    rows = client_api.get(url, {"ordering": "wsjf"}).json()["results"]
    assert [r["id"] for r in rows] == [low.pk, middle.pk, high.pk]


def test_action_filters(client_api, org_a):
    done = ImprovementActionFactory(organization=org_a, source=ActionSource.KPI_RED)
    ImprovementAction.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    proposed = ImprovementActionFactory(organization=org_a)
    url = reverse("improvement-action-list")

    def ids(params):
        return {row["id"] for row in client_api.get(url, params).json()["results"]}

    assert ids({"status": ["done", "proposed"]}) == {done.pk, proposed.pk}
    assert ids({"status": "done"}) == {done.pk}
    assert ids({"source": "kpi_red"}) == {done.pk}
    assert ids({"suggested": "false"}) == {done.pk, proposed.pk}
    assert ids({"search": proposed.title}) == {proposed.pk}
    assert client_api.get(url, {"status": "lost"}).status_code == 400


def test_workflow_through_the_api(client_api, staff_api, org_a, user_a):
    action = ImprovementActionFactory(organization=org_a)
    url = reverse("improvement-action-transition", args=[action.pk])
    # The workflow is the PMO's: a client who may write proposes, staff move.
    refused = client_api.post(url, {"to_status": "approved"})
    assert refused.status_code == 403
    detail_url = reverse("improvement-action-detail", args=[action.pk])
    assert client_api.get(detail_url).json()["allowed_transitions"] == []
    assert staff_api.get(detail_url).json()["allowed_transitions"] == ["approved", "discarded"]
    client_api = staff_api
    assert client_api.post(url, {"to_status": "done"}).status_code == 409
    assert client_api.post(url, {"to_status": "nonsense"}).status_code == 400
    for to_status in ("approved", "in_progress", "done"):
        response = client_api.post(url, {"to_status": to_status, "note": "ok"})
        assert response.status_code == 200, response.json()
    response = client_api.post(url, {"to_status": "verified"})
    assert response.status_code == 400
    assert "measured_hours_saved_per_month" in response.json()
    response = client_api.post(url, {"to_status": "verified",
                                     "measured_hours_saved_per_month": "9.5"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "verified"
    assert body["measured_hours_saved_per_month"] == "9.50"
    assert [t["to_status"] for t in body["transitions"]] == [
        "approved", "in_progress", "done", "verified"
    ]
    assert body["transitions"][0]["actor_name"]
    assert body["allowed_transitions"] == []
    # Closed: no change, no delete.
    detail = reverse("improvement-action-detail", args=[action.pk])
    assert client_api.patch(detail, {"title": "New"}, format="json").status_code == 409
    assert client_api.delete(detail).status_code == 409


def test_discard_needs_a_note(staff_api, org_a):
    client_api = staff_api
    action = ImprovementActionFactory(organization=org_a)
    url = reverse("improvement-action-transition", args=[action.pk])
    response = client_api.post(url, {"to_status": "discarded"})
    assert response.status_code == 400
    assert "note" in response.json()
    response = client_api.post(url, {"to_status": "discarded", "note": "Not worth it"})
    assert response.status_code == 200
    assert response.json()["discard_reason"] == "Not worth it"


def test_update_keeps_the_source_and_delete_of_an_untouched_action(client_api, org_a):
    action = ImprovementActionFactory(organization=org_a)
    detail = reverse("improvement-action-detail", args=[action.pk])
    response = client_api.patch(detail, {"source": "other"}, format="json")
    assert response.status_code == 400
    assert "source" in response.json()
    response = client_api.patch(detail, {"job_size": 1, "pdca_phase": "do"}, format="json")
    assert response.status_code == 200
    assert response.json()["wsjf"] == "16.00"
    assert response.json()["pdca_phase"] == "do"
    assert client_api.delete(detail).status_code == 204
    assert not ImprovementActionTransition.objects.exists()


def test_suggestions_list_only_open_proposals_of_detection(client_api, staff_api, org_a):
    process_map = _map_with_steps(org_a)
    client_api.post(reverse("process-map-suggest", args=[process_map.pk]))
    ImprovementActionFactory(organization=org_a)  # proposed by a person
    url = reverse("improvement-suggestion-list")
    [row] = client_api.get(url).json()["results"]
    staff_api.post(reverse("improvement-action-transition", args=[row["id"]]),
                   {"to_status": "approved"})
    assert client_api.get(url).json()["count"] == 0
    assert client_api.post(url, {}).status_code == 405


# --- Demand flow ---------------------------------------------------------------------------


def _moment(day: int) -> datetime:
    return datetime(2026, 1, day, 12, tzinfo=ZONE)


def _demand_with_queue(organization, days: tuple[int, ...]) -> None:
    """A demand that waits long in assessed: submitted, assessed, approved, ... delivered."""
    demand = DemandFactory(organization=organization)
    DemandTransition.objects.filter(demand=demand).update(at=_moment(days[0]))
    statuses = (S.ASSESSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DELIVERED)
    previous = S.SUBMITTED
    for status, day in zip(statuses, days[1:], strict=True):
        DemandTransition.objects.create(demand=demand, from_status=previous, to_status=status,
                                        actor=demand.submitted_by, at=_moment(day))
        previous = status
    demand.status = previous
    demand.save(update_fields=["status"])


def _flow_url(organization, suffix: str = "") -> str:
    name = "organization-demand-flow" + suffix
    return reverse(name, args=[organization.pk])


def test_demand_flow_of_the_own_organization(client_api, org_a, org_b):
    _demand_with_queue(org_a, (5, 6, 16, 17, 18, 20))
    _demand_with_queue(org_b, (5, 6, 7, 8, 9, 10))
    response = client_api.get(_flow_url(org_a), {"from": "2026-01-01", "to": "2026-01-31"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert body["start"] == "2026-01-01"
    assert body["end"] == "2026-01-31"
    assert body["demand_count"] == 1
    assert body["lead_times"]["count"] == 1
    assert body["bottleneck"]["status"] == "assessed"
    assert client_api.get(_flow_url(org_b)).status_code == 404


def test_demand_flow_defaults_to_the_last_90_days(staff_api, org_a):
    body = staff_api.get(_flow_url(org_a)).json()
    today = date.today()
    assert body["end"] == today.isoformat()
    assert body["start"] == (today - timedelta(days=89)).isoformat()


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "from"),
    ({"to": "0001-01-01"}, "to"),
])
def test_demand_flow_bad_periods_are_400(staff_api, org_a, params, field):
    response = staff_api.get(_flow_url(org_a), params)
    assert response.status_code == 400
    assert field in response.json()


def test_demand_flow_suggestion(client_api, org_a, org_b):
    _demand_with_queue(org_a, (5, 6, 16, 17, 18, 20))
    period = "?from=2026-01-01&to=2026-01-31"
    url = _flow_url(org_a, "-suggest") + period
    first = client_api.post(url)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["source"] == "demand_flow"
    assert body["demand_status"] == "assessed"
    assert body["suggested"] is True
    assert body["status"] == "proposed"
    assert body["evidence"]["period_start"] == "2026-01-01"
    again = client_api.post(url)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert client_api.post(_flow_url(org_b, "-suggest") + period).status_code == 404
    # A period without demand has no bottleneck to act on.
    empty = client_api.post(_flow_url(org_a, "-suggest") + "?from=2025-01-01&to=2025-01-31")
    assert empty.status_code == 409


def test_demand_flow_suggestion_needs_a_writer(org_a):
    reader = _client(_read_only(org_a))
    assert reader.get(_flow_url(org_a)).status_code == 200
    assert reader.post(_flow_url(org_a, "-suggest")).status_code == 403
    assert APIClient().get(_flow_url(org_a)).status_code == 401


def test_decimal_inputs_keep_their_places(client_api, org_a):
    process_map = ProcessMapFactory(organization=org_a)
    response = client_api.patch(
        reverse("process-map-detail", args=[process_map.pk]),
        {"steps": [{"name": "Only", "process_time_hours": "1.25"}]}, format="json",
    )
    assert response.status_code == 200
    assert process_map.steps.get().process_time_hours == Decimal("1.25")

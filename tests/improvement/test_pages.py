"""Portal pages of continuous improvement: process maps, demand flow, board, action, benefits.

Through the browser door (Django's test client): who sees what, what each page shows, the
POSTs that suggest and move actions (refusals included), forgiving input, and a number of
queries that does not grow with the rows.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from improvement import services
from improvement.choices import ActionSource, ActionStatus
from improvement.models import ImprovementAction, ImprovementActionTransition
from portfolio.choices import DemandStatus
from portfolio.models import DemandTransition
from tests.factories import ClientUserFactory, DemandFactory, StaffUserFactory
from tests.factories.improvement import (
    ImprovementActionFactory,
    ProcessMapFactory,
    ProcessStepFactory,
)

pytestmark = pytest.mark.django_db


def _map_with_bottleneck(organization, name="Permit handling", **fields):
    """Three steps; step 2 (Review) carries 45 per week against a capacity of 30 (150%)."""
    process_map = ProcessMapFactory(organization=organization, name=name, **fields)
    for position, (step_name, capacity, wait) in enumerate(
        [("Intake", "60", "4"), ("Review", "30", "40"), ("Sign-off", "50", "8")], start=1
    ):
        ProcessStepFactory(
            process_map=process_map, position=position, name=step_name,
            capacity_per_week=Decimal(capacity), demand_per_week=Decimal("45"),
            wait_time_hours=Decimal(wait), process_time_hours=Decimal("2"),
        )
    return process_map


def _count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def _move(demand, status, at, actor):
    DemandTransition.objects.create(demand=demand, from_status="", to_status=status,
                                    actor=actor, at=at)


# --- Access ---------------------------------------------------------------------------------

PAGES = ["process-map-list", "demand-flow", "action-list", "benefits"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(client, name):
    url = reverse(f"improvement:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_pages_open_for_a_client_and_staff(client, user_a, staff_user, name):
    for user in (user_a, staff_user):
        client.force_login(user)
        response = client.get(reverse(f"improvement:{name}"))
        assert response.status_code == 200
        assert 'aria-current="page"' in response.content.decode()


def test_detail_pages_of_another_organization_are_not_found(client, user_a, org_b):
    process_map = _map_with_bottleneck(org_b)
    action = ImprovementActionFactory(organization=org_b)
    client.force_login(user_a)
    assert client.get(
        reverse("improvement:process-map-detail", args=[process_map.pk])
    ).status_code == 404
    assert client.get(reverse("improvement:action-detail", args=[action.pk])).status_code == 404
    response = client.post(reverse("improvement:process-map-detail", args=[process_map.pk]))
    assert response.status_code == 404
    assert not ImprovementAction.objects.filter(suggested=True).exists()


def test_staff_open_any_organizations_map(client, staff_user, org_b):
    process_map = _map_with_bottleneck(org_b)
    client.force_login(staff_user)
    response = client.get(reverse("improvement:process-map-detail", args=[process_map.pk]))
    assert response.status_code == 200
    assert org_b.name in response.content.decode()


# --- Process maps ---------------------------------------------------------------------------


def test_map_list_shows_own_maps_and_filters(client, user_a, org_a, org_b):
    _map_with_bottleneck(org_a, name="Invoice approval")
    _map_with_bottleneck(org_a, name="Permit handling")
    _map_with_bottleneck(org_b, name="Foreign process")
    client.force_login(user_a)
    body = client.get(reverse("improvement:process-map-list")).content.decode()
    assert "Invoice approval" in body
    assert "Permit handling" in body
    assert "Foreign process" not in body
    body = client.get(reverse("improvement:process-map-list"), {"q": "invoice"}).content.decode()
    assert "Invoice approval" in body
    assert "Permit handling" not in body
    assert "1 process map version match" in body


def test_map_list_latest_only_hides_replaced_versions(client, user_a, org_a):
    first = _map_with_bottleneck(org_a, name="Permit handling")
    second = services.process_map_new_version(process_map=first, actor=user_a)
    client.force_login(user_a)
    response = client.get(reverse("improvement:process-map-list"), {"latest": "1"})
    maps = list(response.context["process_maps"])
    assert maps == [second]
    assert "Latest" in response.content.decode()


def test_map_list_empty_state_and_forgiving_page(client, user_a):
    client.force_login(user_a)
    response = client.get(reverse("improvement:process-map-list"), {"page": "nope"})
    assert response.status_code == 200
    assert "No process map yet." in response.content.decode()


def test_map_detail_draws_steps_and_names_the_bottleneck(client, user_a, org_a):
    process_map = _map_with_bottleneck(org_a)
    client.force_login(user_a)
    response = client.get(reverse("improvement:process-map-detail", args=[process_map.pk]))
    body = response.content.decode()
    assert body.count('class="im-flow-item"') == 3
    assert 'id="bottleneck"' in body
    # The flag and its label are on the Review box, and on no other.
    box = body[body.index('id="bottleneck"'):]
    box = box[:box.index("</article>")]
    assert "Bottleneck</p>" in box
    assert "Review" in box
    assert body.count("Bottleneck</p>") == 1
    assert "Step 2 (Review) has the highest utilization (1.5000)." in body
    assert "150.0%" in body
    assert "(over capacity)" in body
    # Lead time 6 h of process + 52 h of waits; PCE 6 / 58 = 10.3%, between the bands.
    assert "58.00" in body
    assert "10.3" in body
    assert "Between common (under 10%) and lean (25% and more)." in body
    assert "Suggest an action for the bottleneck" in body


def test_map_detail_names_tied_steps(client, user_a, org_a):
    process_map = ProcessMapFactory(organization=org_a)
    for position in (1, 2):
        ProcessStepFactory(process_map=process_map, position=position, name=f"Desk {position}",
                           capacity_per_week=Decimal(10), demand_per_week=Decimal(20))
    client.force_login(user_a)
    body = client.get(
        reverse("improvement:process-map-detail", args=[process_map.pk])
    ).content.decode()
    assert "Tied with the bottleneck" in body
    assert "Tied with it: step 2 (Desk 2)." in body


def test_map_without_steps_shows_an_empty_state(client, user_a, org_a):
    process_map = ProcessMapFactory(organization=org_a)
    client.force_login(user_a)
    body = client.get(
        reverse("improvement:process-map-detail", args=[process_map.pk])
    ).content.decode()
    assert "This map has no steps yet." in body
    assert "Suggest an action" not in body


def test_map_detail_compares_with_the_version_it_replaces(client, user_a, org_a):
    first = _map_with_bottleneck(org_a)
    second = services.process_map_new_version(process_map=first, actor=user_a)
    review = second.steps.get(position=2)
    services.process_step_update(step=review, actor=user_a, wait_time_hours=Decimal("10"))
    client.force_login(user_a)
    response = client.get(reverse("improvement:process-map-detail", args=[second.pk]))
    body = response.content.decode()
    rows = response.context["comparison_rows"]
    # Lead time 58 -> 28 hours (-30, -51.72%): better; PCE 0.1034 -> 0.2143: better.
    assert rows[0]["before"].value == Decimal("58.00")
    assert rows[0]["after"].value == Decimal("28.00")
    assert rows[0]["delta"].value == Decimal("-30.00")
    assert rows[0]["verdict"] == "better"
    assert rows[1]["verdict"] == "better"
    assert "Before and after: version 1 and version 2" in body
    assert "-30.00 (-51.72%)" in body
    assert reverse("improvement:process-map-detail", args=[first.pk]) in body
    older = client.get(reverse("improvement:process-map-detail", args=[first.pk]))
    assert "This version is no longer current" in older.content.decode()
    assert older.context["comparison"] is None


def test_suggesting_for_the_bottleneck_redirects_to_the_action(client, user_a, org_a):
    process_map = _map_with_bottleneck(org_a)
    client.force_login(user_a)
    url = reverse("improvement:process-map-detail", args=[process_map.pk])
    response = client.post(url)
    action = ImprovementAction.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("improvement:action-detail", args=[action.pk])
    assert action.suggested
    assert action.status == ActionStatus.PROPOSED
    assert action.process_step.name == "Review"
    # Posting again changes nothing; the map now links the suggestion instead of the button.
    client.post(url)
    assert ImprovementAction.objects.count() == 1
    body = client.get(url).content.decode()
    assert action.title in body
    assert "Suggest an action for the bottleneck" not in body
    detail = client.get(response.url).content.decode()
    assert "Suggested by bottleneck detection" in detail
    assert "Step position" in detail
    assert "1.5" in detail


def test_read_only_members_cannot_suggest(client, org_a):
    reader = ClientUserFactory(membership__organization=org_a, membership__role="read_only")
    process_map = _map_with_bottleneck(org_a)
    client.force_login(reader)
    url = reverse("improvement:process-map-detail", args=[process_map.pk])
    assert "Suggest an action for the bottleneck" not in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "No action was suggested: Your access is read-only" in response.content.decode()
    assert not ImprovementAction.objects.exists()


# --- The board ------------------------------------------------------------------------------


def test_board_columns_in_workflow_order_cards_by_wsjf(client, user_a, staff_user, org_a):
    low = ImprovementActionFactory(organization=org_a, title="Low value", business_value=1,
                                   time_criticality=1, risk_reduction=1, job_size=10)
    high = ImprovementActionFactory(organization=org_a, title="High value", business_value=20,
                                    time_criticality=10, risk_reduction=5, job_size=2)
    middle = ImprovementActionFactory(organization=org_a, title="Middle value")
    done = ImprovementActionFactory(organization=org_a, title="Finished one")
    for target in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        services.improvement_action_transition(action=done, to_status=target, actor=staff_user)
    client.force_login(user_a)
    response = client.get(reverse("improvement:action-list"))
    columns = response.context["columns"]
    assert [c.status for c in columns] == list(ActionStatus)
    assert [a.title for a in columns[0].cards] == [high.title, middle.title, low.title]
    assert [a.title for a in columns[3].cards] == [done.title]
    body = response.content.decode()
    assert body.index("High value") < body.index("Middle value") < body.index("Low value")
    assert "17.50" in body  # (20 + 10 + 5) / 2


def test_board_filters_by_source_and_warns_of_long_targets(client, user_a, org_a):
    ImprovementActionFactory(organization=org_a, title="From a retro")
    ImprovementActionFactory(organization=org_a, title="From a red KPI",
                             source=ActionSource.KPI_RED,
                             target_date=timezone.localdate() + timedelta(days=120))
    client.force_login(user_a)
    body = client.get(reverse("improvement:action-list"), {"source": "kpi_red"}).content.decode()
    assert "From a red KPI" in body
    assert "From a retro" not in body
    assert "more than 90 days away" in body
    bad = client.get(reverse("improvement:action-list"), {"source": "nope"})
    assert bad.status_code == 200
    assert "Choose one of the listed sources." in bad.content.decode()


def test_board_empty_state(client, user_a):
    client.force_login(user_a)
    assert "No improvement action yet." in client.get(
        reverse("improvement:action-list")
    ).content.decode()


# --- Transitions ----------------------------------------------------------------------------


def test_staff_approve_start_finish_and_verify(client, staff_user, org_a):
    action = ImprovementActionFactory(organization=org_a)
    client.force_login(staff_user)
    url = reverse("improvement:action-detail", args=[action.pk])
    assert "Approve" in client.get(url).content.decode()
    for target in ("approved", "in_progress", "done"):
        response = client.post(url, {"to_status": target})
        assert response.status_code == 302
    response = client.post(url, {"to_status": "verified"}, follow=True)
    assert "The action was not moved: Verifying an action needs its measured benefit" in (
        response.content.decode()
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    response = client.post(
        url, {"to_status": "verified", "measured_hours_saved_per_month": "12.5"}, follow=True
    )
    assert "The action is now verified." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFIED
    assert action.measured_hours_saved_per_month == Decimal("12.50")
    assert ImprovementActionTransition.objects.filter(action=action).count() == 4
    body = response.content.decode()
    assert "12.50 hours saved per month" in body
    assert "Move the action" not in body  # verified ends the workflow


def test_refused_transitions_show_why(client, staff_user, org_a):
    action = ImprovementActionFactory(organization=org_a)
    client.force_login(staff_user)
    url = reverse("improvement:action-detail", args=[action.pk])
    body = client.post(url, {"to_status": "done"}, follow=True).content.decode()
    assert "The action was not moved: a proposed action cannot become done." in body
    body = client.post(url, {"to_status": "discarded"}, follow=True).content.decode()
    assert "Say why the action is discarded." in body
    body = client.post(url, {"to_status": "nope"}, follow=True).content.decode()
    assert "The action was not moved: To status:" in body
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED
    client.post(url, {"to_status": "discarded", "note": "Not worth it."})
    action.refresh_from_db()
    assert action.status == ActionStatus.DISCARDED
    assert action.discard_reason == "Not worth it."


def test_clients_follow_but_do_not_move_actions(client, user_a, org_a):
    action = ImprovementActionFactory(organization=org_a)
    client.force_login(user_a)
    url = reverse("improvement:action-detail", args=[action.pk])
    body = client.get(url).content.decode()
    assert "Move the action" not in body
    assert "The PMO team moves improvement actions" in body
    body = client.post(url, {"to_status": "approved"}, follow=True).content.decode()
    assert "only the PMO team moves improvement actions" in body
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


# --- Demand flow ----------------------------------------------------------------------------


def _flow_history(organization, demands=3):
    """Demands that wait 6 days in review (assessed) and 1 day elsewhere, then are delivered."""
    start = timezone.now() - timedelta(days=20)
    for index in range(demands):
        demand = DemandFactory(organization=organization, title=f"Flow demand {index}")
        actor = demand.submitted_by
        DemandTransition.objects.filter(demand=demand).update(at=start)
        moment = start
        for status, days in [(DemandStatus.ASSESSED, 1), (DemandStatus.APPROVED, 6),
                             (DemandStatus.SCHEDULED, 1), (DemandStatus.IN_PROGRESS, 1),
                             (DemandStatus.DELIVERED, 1)]:
            moment += timedelta(days=days)
            _move(demand, status, moment, actor)


def test_demand_flow_shows_the_bottleneck_and_suggests_an_action(client, user_a, org_a):
    _flow_history(org_a)
    client.force_login(user_a)
    url = reverse("improvement:demand-flow")
    response = client.get(url)
    body = response.content.decode()
    assert response.context["flow"].bottleneck.status == DemandStatus.ASSESSED
    assert "<strong>Assessed</strong> is where work waits longest." in body
    assert 'id="flow-data"' in body
    assert "improvement_charts.js" in body
    assert "Little's law" in body
    response = client.post(url, {"from": response.context["flow"].start.isoformat(),
                                 "to": response.context["flow"].end.isoformat()})
    action = ImprovementAction.objects.get()
    assert response.url == reverse("improvement:action-detail", args=[action.pk])
    assert action.demand_status == DemandStatus.ASSESSED
    assert action.evidence["mean_days"] == "6.00"
    assert action.title in client.get(url).content.decode()


def test_demand_flow_bad_period_is_a_form_error(client, user_a):
    client.force_login(user_a)
    url = reverse("improvement:demand-flow")
    response = client.get(url, {"from": "2026-03-01", "to": "2026-01-01"})
    assert response.status_code == 200
    assert "The period cannot end before it starts." in response.content.decode()
    response = client.get(url, {"from": "garbage", "to": "2026-01-01"})
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()
    response = client.get(url, {"from": "2020-01-01", "to": "2026-01-01"})
    assert "Choose a period of at most 731 days." in response.content.decode()


def test_demand_flow_empty_state_and_staff_choice(client, user_a, staff_user, org_a):
    client.force_login(user_a)
    body = client.get(reverse("improvement:demand-flow")).content.decode()
    assert "No demand was in the flow during this period." in body
    client.force_login(staff_user)
    body = client.get(reverse("improvement:demand-flow")).content.decode()
    assert "Choose a client organization" in body
    response = client.get(reverse("improvement:demand-flow"), {"organization": "999999"})
    assert "Choose one of the listed organizations." in response.content.decode()
    _flow_history(org_a)
    response = client.get(reverse("improvement:demand-flow"), {"organization": org_a.pk})
    assert response.context["flow"].demand_count == 3


# --- Benefits -------------------------------------------------------------------------------


def _verified(organization, staff, hours, title):
    action = ImprovementActionFactory(organization=organization, title=title)
    for target in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        services.improvement_action_transition(action=action, to_status=target, actor=staff)
    return services.improvement_action_transition(
        action=action, to_status=ActionStatus.VERIFIED, actor=staff,
        measured_hours_saved_per_month=Decimal(hours),
    )


def test_benefits_show_months_and_totals(client, user_a, staff_user, org_a, org_b):
    _verified(org_a, staff_user, "10", "Shorter approvals")
    _verified(org_a, staff_user, "2.5", "Fewer hand-offs")
    _verified(org_b, staff_user, "99", "Foreign benefit")
    client.force_login(user_a)
    response = client.get(reverse("improvement:benefits"))
    body = response.content.decode()
    assert response.context["totals"] == {"hours_saved_per_month": Decimal("12.50"),
                                          "actions": 2}
    assert "Shorter approvals" in body
    assert "Fewer hand-offs" in body
    assert "Foreign benefit" not in body
    assert response.context["chart"]["hours"] == ["12.50"]
    assert 'id="benefits-data"' in body


def test_benefits_empty_state(client, user_a):
    client.force_login(user_a)
    body = client.get(reverse("improvement:benefits")).content.decode()
    assert "No improvement action was verified in this period." in body


# --- Query counts ---------------------------------------------------------------------------


def test_map_list_and_detail_queries_do_not_grow(client, user_a, org_a):
    client.force_login(user_a)
    maps = [_map_with_bottleneck(org_a, name=f"Process {n}") for n in range(2)]
    list_small = _count_queries(client, reverse("improvement:process-map-list"))
    detail_small = _count_queries(
        client, reverse("improvement:process-map-detail", args=[maps[0].pk])
    )
    for n in range(2, 20):
        _map_with_bottleneck(org_a, name=f"Process {n}")
    for position in range(4, 15):
        ProcessStepFactory(process_map=maps[0], position=position)
    assert _count_queries(client, reverse("improvement:process-map-list")) == list_small
    assert _count_queries(
        client, reverse("improvement:process-map-detail", args=[maps[0].pk])
    ) == detail_small


@pytest.mark.parametrize("as_staff", [False, True])
def test_board_queries_do_not_grow(client, user_a, staff_user, org_a, as_staff):
    client.force_login(staff_user if as_staff else user_a)
    url = reverse("improvement:action-list")
    ImprovementActionFactory.create_batch(2, organization=org_a)
    small = _count_queries(client, url)
    ImprovementActionFactory.create_batch(30, organization=org_a, target_date=timezone.localdate())
    assert _count_queries(client, url) == small


def test_action_detail_queries_do_not_grow_with_history(client, staff_user, org_a):
    client.force_login(staff_user)
    action = ImprovementActionFactory(organization=org_a)
    url = reverse("improvement:action-detail", args=[action.pk])
    services.improvement_action_transition(action=action, to_status="approved",
                                           actor=staff_user)
    small = _count_queries(client, url)
    for target in ("in_progress", "done"):
        services.improvement_action_transition(action=action, to_status=target,
                                               actor=StaffUserFactory())
    assert _count_queries(client, url) == small


def test_flow_and_benefits_queries_do_not_grow(client, user_a, staff_user, org_a):
    client.force_login(user_a)
    _flow_history(org_a, demands=2)
    _verified(org_a, staff_user, "1", "First")
    flow_small = _count_queries(client, reverse("improvement:demand-flow"))
    benefits_small = _count_queries(client, reverse("improvement:benefits"))
    _flow_history(org_a, demands=15)
    for n in range(5):
        _verified(org_a, staff_user, "1", f"More {n}")
    assert _count_queries(client, reverse("improvement:demand-flow")) == flow_small
    assert _count_queries(client, reverse("improvement:benefits")) == benefits_small

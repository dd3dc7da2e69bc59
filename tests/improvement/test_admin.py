"""Admin of continuous improvement: process maps (list figures, filters, steps inline written
by the service, analysis panel, new version and suggestion actions) and improvement actions
(WSJF order, filters, workflow actions with their intermediate pages, refusals, history)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement import services
from improvement.choices import ActionSource, ActionStatus
from improvement.models import ImprovementAction, ProcessMap
from tests.factories import (
    EngagementFactory,
    ImprovementActionFactory,
    IndicatorFactory,
    OrganizationFactory,
)
from tests.stakeholders.test_register_admin import form_data, messages_of, results, run_action

pytestmark = pytest.mark.django_db

D = Decimal
MAPS_URL = "/admin/improvement/processmap/"
ACTIONS_URL = "/admin/improvement/improvementaction/"
STEPS = [
    {"name": "Receive", "process_time_hours": D("1"), "wait_time_hours": D("0"),
     "capacity_per_week": D("50"), "demand_per_week": D("40"), "value_added": False},
    {"name": "Approve", "process_time_hours": D("1"), "wait_time_hours": D("48"),
     "capacity_per_week": D("20"), "demand_per_week": D("40")},
    {"name": "Send", "process_time_hours": D("2"), "wait_time_hours": D("4"),
     "capacity_per_week": D("100"), "demand_per_week": D("40")},
]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def permit_map(org_a, staff_user):
    """Lead time 56 h, value-added 3 h (PCE 5.4 %), constraint step 2 at 200 %."""
    return services.process_map_create(
        actor=staff_user, organization=org_a, name="Permit handling", steps=STEPS,
        engagement=EngagementFactory(organization=org_a),
    )


@pytest.fixture
def redesign(permit_map, staff_user):
    successor = services.process_map_new_version(process_map=permit_map, actor=staff_user)
    steps = [dict(step) for step in STEPS]
    steps[1].update(wait_time_hours=D("8"), capacity_per_week=D("80"))
    return services.process_map_replace_steps(process_map=successor, actor=staff_user,
                                              steps=steps)


def _change_url(obj) -> str:
    return reverse(f"admin:improvement_{obj._meta.model_name}_change", args=[obj.pk])


# --- Process maps ---------------------------------------------------------------------------


def test_process_map_pages_render_with_figures_per_row(staff_client, permit_map, redesign):
    response = staff_client.get(MAPS_URL)
    assert response.status_code == 200
    rows = {row.version: row for row in results(response)}
    assert rows[1].step_total == 3
    content = response.content.decode()
    assert "56.00" in content  # v1 lead time: 4 h of process + 52 h of waiting
    assert "5.4 %" in content  # v1 PCE: 3 value-added hours / 56
    assert "2. Approve (200.0 %)" in content
    assert staff_client.get(reverse("admin:improvement_processmap_add")).status_code == 200
    history = reverse("admin:improvement_processmap_history", args=[permit_map.pk])
    assert staff_client.get(history).status_code == 200


@pytest.mark.parametrize(
    ("params", "versions"),
    [({"latest": "yes"}, [2]), ({"latest": "no"}, [1]), ({"engagement__isempty": "0"}, [1, 2]),
     ({"engagement__isempty": "1"}, []), ({"q": "permit"}, [1, 2]), ({"q": "nothing"}, [])],
)
def test_process_map_filters_and_search(staff_client, redesign, params, versions):
    response = staff_client.get(MAPS_URL, params)
    assert response.status_code == 200
    assert sorted(row.version for row in results(response)) == versions


def test_process_map_organization_filter(staff_client, permit_map, staff_user):
    other = services.process_map_create(actor=staff_user, organization=OrganizationFactory(),
                                        name="Elsewhere", steps=STEPS)
    response = staff_client.get(MAPS_URL, {"organization__id__exact": other.organization_id})
    assert results(response) == [other]


def test_adding_a_map_with_steps_goes_through_the_services(staff_client, org_a):
    url = reverse("admin:improvement_processmap_add")
    data = form_data(staff_client.get(url), organization=org_a.pk, name="Invoice approval")
    data.update({
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
        "steps-0-name": "Check", "steps-0-process_time_hours": "1",
        "steps-0-wait_time_hours": "2", "steps-0-percent_complete_accurate": "100",
        "steps-0-capacity_per_week": "10", "steps-0-demand_per_week": "5", "steps-0-people": "1",
        "steps-0-handoffs": "0", "steps-0-value_added": "on",
        "steps-1-name": "Pay", "steps-1-process_time_hours": "1",
        "steps-1-wait_time_hours": "0", "steps-1-percent_complete_accurate": "100",
        "steps-1-capacity_per_week": "10", "steps-1-demand_per_week": "5", "steps-1-people": "1",
        "steps-1-handoffs": "0",
    })
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ProcessMap.objects.get(name="Invoice approval")
    assert created.version == 1
    assert [(s.position, s.name, s.value_added) for s in created.steps.all()] == [
        (1, "Check", True), (2, "Pay", False)
    ]


def test_inline_step_changes_are_saved_in_order(staff_client, permit_map):
    url = _change_url(permit_map)
    data = form_data(staff_client.get(url), **{
        "steps-1-capacity_per_week": "45",
        "steps-2-DELETE": "on",
        "steps-TOTAL_FORMS": "4",
        "steps-3-name": "Archive", "steps-3-process_time_hours": "0.5",
        "steps-3-wait_time_hours": "1", "steps-3-percent_complete_accurate": "100",
        "steps-3-capacity_per_week": "60", "steps-3-demand_per_week": "40",
        "steps-3-people": "1", "steps-3-handoffs": "0", "steps-3-value_added": "on",
    })
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    steps = list(permit_map.steps.order_by("position"))
    assert [(s.position, s.name) for s in steps] == [(1, "Receive"), (2, "Approve"),
                                                     (3, "Archive")]
    assert steps[1].capacity_per_week == D("45")


def test_removing_a_step_an_action_names_is_an_error_on_the_page(staff_client, permit_map):
    step = permit_map.steps.get(position=3)
    ImprovementActionFactory(organization=permit_map.organization,
                             source=ActionSource.PROCESS_STEP, process_step=step)
    url = _change_url(permit_map)
    response = staff_client.post(url, form_data(staff_client.get(url), **{"steps-2-DELETE": "on"}))
    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    # Removing step 2 renumbers step 3 to position 2: the step past the end is the one the
    # action names, which the service cannot delete either.
    response = staff_client.post(url, form_data(staff_client.get(url), **{"steps-1-DELETE": "on"}))
    assert response.status_code == 200
    assert "named by an improvement action" in response.content.decode()
    assert [s.name for s in permit_map.steps.order_by("position")] == ["Receive", "Approve",
                                                                       "Send"]


def test_a_redesigned_version_keeps_its_steps_read_only(staff_client, permit_map, redesign):
    response = staff_client.get(_change_url(permit_map))
    formset = response.context["inline_admin_formsets"][0]
    assert not formset.has_change_permission
    assert not formset.has_add_permission
    assert staff_client.get(_change_url(redesign)).context[
        "inline_admin_formsets"][0].has_change_permission


def test_analysis_panel_explains_the_constraint_and_compares_versions(
    staff_client, permit_map, redesign
):
    content = staff_client.get(_change_url(permit_map)).content.decode()
    assert "Step 2 (Approve) has the highest utilization (2.0000)" in content
    assert "<strong>constraint</strong>" in content
    assert "the version it replaces" not in content
    content = staff_client.get(_change_url(redesign)).content.decode()
    assert "Compared with Permit handling v1, the version it replaces" in content
    assert "-40.00" in content  # lead time 56 h -> 16 h


def test_new_version_action_and_its_refusal(staff_client, permit_map):
    response = run_action(staff_client, MAPS_URL, "create_new_version", [permit_map])
    assert messages_of(response) == [
        "1 new version(s) created: redraw their steps on their pages."
    ]
    successor = ProcessMap.objects.get(replaces=permit_map)
    assert successor.version == 2
    assert successor.steps.count() == 3
    response = run_action(staff_client, MAPS_URL, "create_new_version", [permit_map])
    assert messages_of(response)[-1] == (
        "Permit handling v1 is not the latest version (v2 is): redesign that one."
    )
    assert ProcessMap.objects.filter(name="Permit handling").count() == 2


def test_suggest_action_creates_one_proposal_per_constraint(staff_client, permit_map, staff_user):
    idle = services.process_map_create(actor=staff_user, organization=permit_map.organization,
                                       name="Idle", steps=[{"name": "Nothing"}])
    response = run_action(staff_client, MAPS_URL, "suggest_actions", [permit_map, idle])
    shown = messages_of(response)
    assert "Idle v1: no constraint step to relieve." in shown
    assert any(text.startswith("1 suggested action(s)") for text in shown)
    suggestion = ImprovementAction.objects.get(suggested=True)
    assert suggestion.status == ActionStatus.PROPOSED
    assert suggestion.process_step.position == 2
    run_action(staff_client, MAPS_URL, "suggest_actions", [permit_map])
    assert ImprovementAction.objects.filter(suggested=True).count() == 1


# --- Improvement actions --------------------------------------------------------------------


@pytest.fixture
def actions(org_a):
    return {
        "low": ImprovementActionFactory(organization=org_a, title="Low", business_value=1,
                                        time_criticality=1, risk_reduction=1, job_size=10),
        "high": ImprovementActionFactory(organization=org_a, title="High", business_value=10,
                                         time_criticality=5, risk_reduction=5, job_size=2),
        "middle": ImprovementActionFactory(organization=org_a, title="Middle",
                                           source=ActionSource.KPI_RED, business_value=6,
                                           time_criticality=3, risk_reduction=3, job_size=3),
    }


def test_action_list_is_ordered_by_wsjf_with_its_columns(staff_client, actions):
    response = staff_client.get(ACTIONS_URL)
    assert [row.title for row in results(response)] == ["High", "Middle", "Low"]
    assert results(response)[0].wsjf_value == D("10.00")
    content = response.content.decode()
    assert "<td class=\"field-wsjf\">10.00</td>" in content
    assert "<td class=\"field-cost_of_delay\">20</td>" in content
    assert staff_client.get(reverse("admin:improvement_improvementaction_add")).status_code == 200
    assert staff_client.get(_change_url(actions["high"])).status_code == 200


def test_target_date_past_the_short_term_warns_in_the_list(staff_client, org_a):
    ImprovementActionFactory(organization=org_a, title="Too long",
                             target_date=timezone.localdate() + timedelta(days=120))
    content = staff_client.get(ACTIONS_URL).content.decode()
    assert "over 90 days" in content


@pytest.mark.parametrize(
    ("params", "titles"),
    [({"status__exact": "proposed"}, {"High", "Middle", "Low"}),
     ({"status__exact": "approved"}, set()),
     ({"source__exact": "kpi_red"}, {"Middle"}),
     ({"suggested__exact": "1"}, set()),
     ({"q": "midd"}, {"Middle"})],
)
def test_action_filters_and_search(staff_client, actions, params, titles):
    assert {row.title for row in results(staff_client.get(ACTIONS_URL, params))} == titles


def test_adding_an_action_proposes_it(staff_client, org_a):
    url = reverse("admin:improvement_improvementaction_add")
    response = staff_client.post(url, form_data(
        staff_client.get(url), organization=org_a.pk, source=ActionSource.RETROSPECTIVE,
        title="Daily stand-up for the counter", problem="Nobody knows the queue.",
        business_value=5, time_criticality=3, risk_reduction=2, job_size=1,
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    action = ImprovementAction.objects.get(title="Daily stand-up for the counter")
    assert action.status == ActionStatus.PROPOSED
    assert not action.suggested


def test_adding_an_action_from_a_step_without_the_step_is_a_form_error(staff_client, org_a):
    url = reverse("admin:improvement_improvementaction_add")
    response = staff_client.post(url, form_data(
        staff_client.get(url), organization=org_a.pk, source=ActionSource.PROCESS_STEP,
        title="Relieve", problem="Queue.", business_value=5, time_criticality=3,
        risk_reduction=2, job_size=1,
    ))
    assert response.status_code == 200
    assert "An action from a process step names the step." in response.content.decode()


def test_workflow_actions_move_and_record_history(staff_client, actions):
    high = actions["high"]
    assert messages_of(run_action(staff_client, ACTIONS_URL, "approve", [high])) == [
        "1 action(s) approved."
    ]
    run_action(staff_client, ACTIONS_URL, "start", [high])
    run_action(staff_client, ACTIONS_URL, "mark_done", [high])
    high.refresh_from_db()
    assert high.status == ActionStatus.DONE
    assert list(high.transitions.values_list("to_status", flat=True)) == [
        "approved", "in_progress", "done"
    ]
    content = staff_client.get(_change_url(high)).content.decode()
    assert "status history" in content.lower()
    history = reverse("admin:improvement_improvementaction_history", args=[high.pk])
    assert staff_client.get(history).status_code == 200


def test_workflow_action_reports_each_refusal(staff_client, actions):
    run_action(staff_client, ACTIONS_URL, "approve", [actions["high"]])
    response = run_action(staff_client, ACTIONS_URL, "mark_done",
                          [actions["high"], actions["low"]])
    shown = messages_of(response)[1:]  # after the approval's own message
    assert sorted(shown) == [
        "“High” (Organization A): A approved action cannot become done (allowed: "
        "in_progress, discarded).",
        "“Low” (Organization A): A proposed action cannot become done (allowed: approved, "
        "discarded).",
    ]
    response = run_action(staff_client, ACTIONS_URL, "approve",
                          [actions["high"], actions["low"]])
    shown = messages_of(response)
    assert "1 action(s) approved." in shown
    assert any(text.startswith("“High”") and "cannot become approved" in text
               for text in shown)


def _done(action, staff_user):
    for status in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        action = services.improvement_action_transition(action=action, to_status=status,
                                                        actor=staff_user)
    return action


def test_verify_asks_for_the_measured_benefit(staff_client, actions, staff_user):
    high = _done(actions["high"], staff_user)
    page = run_action(staff_client, ACTIONS_URL, "verify", [high])
    assert page.status_code == 200
    assert 'name="action" value="verify"' in page.content.decode()
    again = run_action(staff_client, ACTIONS_URL, "verify", [high], post="yes")
    assert "Give the measured benefit" in again.content.decode()
    high.refresh_from_db()
    assert high.status == ActionStatus.DONE
    response = run_action(staff_client, ACTIONS_URL, "verify", [high], post="yes",
                          measured_hours_saved_per_month="12.5", note="Measured in May.")
    assert response.status_code == 302
    assert messages_of(response) == ["1 action(s) verified."]
    high.refresh_from_db()
    assert high.status == ActionStatus.VERIFIED
    assert high.measured_hours_saved_per_month == D("12.50")
    assert high.verified_at is not None
    # Closed now: its page is read-only.
    assert staff_client.get(_change_url(high)).context["has_change_permission"] is False


def test_verify_refuses_per_row_what_the_service_refuses(staff_client, actions, staff_user):
    high = _done(actions["high"], staff_user)
    kpi_action = _done(ImprovementActionFactory(
        organization=actions["low"].organization, title="Has a KPI",
        expected_kpi=IndicatorFactory(), expected_kpi_delta=D("5"),
    ), staff_user)
    response = run_action(staff_client, ACTIONS_URL, "verify", [high, kpi_action],
                          post="yes", measured_kpi_delta="4")
    shown = messages_of(response)
    assert "1 action(s) verified." in shown
    assert any(text.startswith("“High”") and "names no KPI" in text for text in shown)
    kpi_action.refresh_from_db()
    assert kpi_action.measured_kpi_delta == D("4")


def test_discard_needs_a_reason(staff_client, actions):
    low = actions["low"]
    page = run_action(staff_client, ACTIONS_URL, "discard", [low], post="yes", reason="")
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    response = run_action(staff_client, ACTIONS_URL, "discard", [low], post="yes",
                          reason="Solved by the redesign.")
    assert messages_of(response) == ["1 action(s) discarded."]
    low.refresh_from_db()
    assert low.status == ActionStatus.DISCARDED
    assert low.discard_reason == "Solved by the redesign."
    response = run_action(staff_client, ACTIONS_URL, "discard", [low], post="yes",
                          reason="Again.")
    assert "cannot become discarded" in messages_of(response)[-1]


def test_changing_an_open_action_goes_through_the_update_service(staff_client, actions):
    high = actions["high"]
    url = _change_url(high)
    response = staff_client.post(url, form_data(staff_client.get(url), title="Higher",
                                                job_size=4))
    assert response.status_code == 302, response.content.decode()[:2000]
    high.refresh_from_db()
    assert (high.title, high.job_size, high.wsjf) == ("Higher", 4, D("5.00"))
    assert high.status == ActionStatus.PROPOSED
    response = staff_client.post(url, form_data(staff_client.get(url), job_size=0))
    assert response.status_code == 200  # out of the 1-20 range: an error on the page
    high.refresh_from_db()
    assert high.job_size == 4

"""Process map versions, the improvement action workflow, suggestions and DB constraints."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from improvement import services
from improvement.choices import ActionSource, ActionStatus
from improvement.models import ImprovementAction, ImprovementActionTransition, ProcessMap
from improvement.selectors import benefits_realized, improvement_action_list, process_map_list
from pmo_service.exceptions import ConflictError
from tests.factories import (
    ClientUserFactory,
    EngagementFactory,
    ImprovementActionFactory,
    ProcessMapFactory,
    ProcessStepFactory,
    StakeholderFactory,
)

D = Decimal
STEPS = [
    {"name": "Receive", "process_time_hours": D("1"), "capacity_per_week": D("50"),
     "demand_per_week": D("40"), "value_added": False},
    {"name": "Review", "process_time_hours": D("2"), "wait_time_hours": D("24"),
     "capacity_per_week": D("30"), "demand_per_week": D("40")},
    {"name": "Send", "process_time_hours": D("1"), "wait_time_hours": D("4"),
     "capacity_per_week": D("100"), "demand_per_week": D("40")},
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit_map(org_a, user_a):
    return services.process_map_create(
        actor=user_a, organization=org_a, name="Permit requests", steps=STEPS
    )


# --- Process maps and versions ---


def test_create_numbers_steps_in_order(permit_map):
    assert permit_map.version == 1
    assert [(s.position, s.name) for s in permit_map.steps.order_by("position")] == [
        (1, "Receive"), (2, "Review"), (3, "Send")
    ]
    assert permit_map.history.count() == 1


def test_create_refuses_owner_or_engagement_of_another_organization(org_a, org_b, user_a):
    with pytest.raises(ValidationError) as error:
        services.process_map_create(actor=user_a, organization=org_a, name="X",
                                    owner=StakeholderFactory(organization=org_b))
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.process_map_create(actor=user_a, organization=org_a, name="X",
                                    engagement=EngagementFactory(organization=org_b))
    assert "engagement" in error.value.message_dict


def test_create_refuses_another_organization_for_client(org_b, user_a):
    with pytest.raises(PermissionDenied):
        services.process_map_create(actor=user_a, organization=org_b, name="X")


def test_create_refuses_duplicate_name_in_any_case(permit_map, user_a):
    with pytest.raises(ValidationError) as error:
        services.process_map_create(actor=user_a, organization=permit_map.organization,
                                    name="PERMIT REQUESTS")
    assert "This process already has a map with this version." in str(error.value)


def test_new_version_copies_steps_and_replaces_old(permit_map, user_a):
    successor = services.process_map_new_version(process_map=permit_map, actor=user_a)
    assert (successor.version, successor.replaces_id, successor.name) == (
        2, permit_map.pk, "Permit requests"
    )
    copied = list(successor.steps.order_by("position").values_list(
        "position", "name", "wait_time_hours", "capacity_per_week", "value_added"))
    original = list(permit_map.steps.order_by("position").values_list(
        "position", "name", "wait_time_hours", "capacity_per_week", "value_added"))
    assert copied == original
    assert successor.steps.count() == 3
    assert permit_map.steps.count() == 3  # the old version keeps its own steps


def test_only_latest_version_can_be_redesigned(permit_map, user_a):
    services.process_map_new_version(process_map=permit_map, actor=user_a)
    with pytest.raises(ConflictError, match=r"is not the latest version \(v2 is\)"):
        services.process_map_new_version(process_map=permit_map, actor=user_a)


def test_step_add_appends_and_update_validates(permit_map, user_a):
    added = services.process_step_add(process_map=permit_map, actor=user_a, name="Archive")
    assert added.position == 4
    with pytest.raises(ValidationError) as error:
        services.process_step_update(step=added, actor=user_a,
                                     percent_complete_accurate=D("120"))
    assert "% complete and accurate is between 0 and 100." in str(error.value)


# --- Actions and their workflow ---


def _action(org, user, **fields):
    values = {"source": ActionSource.RETROSPECTIVE, "title": "Shorter approvals",
              "problem": "Signatures take days.", "business_value": 8,
              "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
    return services.improvement_action_create(
        actor=user, organization=org, **{**values, **fields}
    )


def _walk(action, user, *statuses):
    for status in statuses:
        action = services.improvement_action_transition(
            action=action, to_status=status, actor=user
        )
    return action


def test_action_created_proposed_with_wsjf(org_a, user_a):
    action = _action(org_a, user_a)
    assert action.status == ActionStatus.PROPOSED
    assert (action.cost_of_delay, action.wsjf) == (16, D("3.20"))


def test_action_create_validates_source_links(org_a, user_a):
    with pytest.raises(ValidationError) as error:
        _action(org_a, user_a, source=ActionSource.PROCESS_STEP)
    assert "An action from a process step names the step." in str(error.value)


def test_action_refuses_step_of_another_organization(org_a, org_b, user_a):
    foreign_step = ProcessStepFactory(process_map__organization=org_b)
    with pytest.raises(ValidationError) as error:
        _action(org_a, user_a, source=ActionSource.PROCESS_STEP, process_step=foreign_step)
    assert "process_step" in error.value.message_dict


def test_full_workflow_stores_history(org_a, user_a, staff_user):
    action = _walk(_action(org_a, user_a), staff_user, ActionStatus.APPROVED,
                   ActionStatus.IN_PROGRESS, ActionStatus.DONE)
    action = services.improvement_action_transition(
        action=action, to_status=ActionStatus.VERIFIED, actor=staff_user,
        measured_hours_saved_per_month=D("12.5"), note="Measured over four weeks.",
    )
    assert action.status == ActionStatus.VERIFIED
    assert action.verified_at is not None
    assert action.measured_hours_saved_per_month == D("12.5")
    assert list(action.transitions.values_list("from_status", "to_status")) == [
        ("proposed", "approved"), ("approved", "in_progress"), ("in_progress", "done"),
        ("done", "verified"),
    ]
    assert action.transitions.last().note == "Measured over four weeks."
    assert action.history.count() >= 5


def test_refused_transition_names_the_allowed_ones(org_a, user_a, staff_user):
    action = _action(org_a, user_a)
    with pytest.raises(ConflictError) as error:
        services.improvement_action_transition(
            action=action, to_status=ActionStatus.DONE, actor=staff_user
        )
    assert str(error.value) == (
        "A proposed action cannot become done (allowed: approved, discarded)."
    )
    assert not ImprovementActionTransition.objects.exists()


def test_closed_action_cannot_move(org_a, user_a, staff_user):
    action = services.improvement_action_transition(
        action=_action(org_a, user_a), to_status=ActionStatus.DISCARDED, actor=staff_user,
        note="Not worth it.",
    )
    assert action.discard_reason == "Not worth it."
    with pytest.raises(ConflictError, match="allowed: none: it is closed"):
        services.improvement_action_transition(
            action=action, to_status=ActionStatus.APPROVED, actor=staff_user
        )


def test_discard_needs_reason(org_a, user_a, staff_user):
    with pytest.raises(ValidationError) as error:
        services.improvement_action_transition(
            action=_action(org_a, user_a), to_status=ActionStatus.DISCARDED, actor=staff_user,
            note="   ",
        )
    assert error.value.message_dict["note"] == ["Say why the action is discarded."]


def test_verify_needs_measured_benefit(org_a, user_a, staff_user):
    action = _walk(_action(org_a, user_a), staff_user, ActionStatus.APPROVED,
                   ActionStatus.IN_PROGRESS, ActionStatus.DONE)
    with pytest.raises(ValidationError) as error:
        services.improvement_action_transition(
            action=action, to_status=ActionStatus.VERIFIED, actor=staff_user
        )
    assert "Verifying an action needs its measured benefit" in str(error.value)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_measured_benefit_only_when_verifying(org_a, user_a, staff_user):
    with pytest.raises(ValidationError, match="recorded when the action is verified"):
        services.improvement_action_transition(
            action=_action(org_a, user_a), to_status=ActionStatus.APPROVED, actor=staff_user,
            measured_hours_saved_per_month=D("3"),
        )


def test_clients_do_not_move_actions_the_workflow_is_the_pmos(org_a, user_a):
    with pytest.raises(PermissionDenied, match="Only PMO staff"):
        services.improvement_action_transition(
            action=_action(org_a, user_a), to_status=ActionStatus.APPROVED, actor=user_a
        )


def test_client_of_another_organization_cannot_move_action(org_a, org_b, user_a):
    outsider = ClientUserFactory(membership__organization=org_b)
    with pytest.raises(PermissionDenied):
        services.improvement_action_transition(
            action=_action(org_a, user_a), to_status=ActionStatus.APPROVED, actor=outsider
        )


def test_target_date_warning_past_90_days(org_a, user_a):
    today = timezone.localdate()
    assert _action(org_a, user_a, target_date=today + timedelta(days=90)).target_date_warning() \
        == ""
    far = _action(org_a, user_a, target_date=today + timedelta(days=91))
    assert "more than 90 days" in far.target_date_warning()


# --- Suggestions ---


def test_suggestion_for_constraint_step_is_idempotent_and_not_approved(permit_map):
    first = services.suggest_actions_for_process_map(process_map=permit_map)
    again = services.suggest_actions_for_process_map(process_map=permit_map)
    assert len(first) == 1
    assert [a.pk for a in again] == [first[0].pk]
    action = first[0]
    assert (action.status, action.suggested, action.source) == (
        ActionStatus.PROPOSED, True, ActionSource.PROCESS_STEP
    )
    assert action.process_step.name == "Review"
    assert action.evidence["utilization"] == "1.3333"
    assert action.evidence["capacity_per_week"] == "30.00"
    assert action.evidence["demand_per_week"] == "40.00"
    assert "Step 2 (Review)" in action.problem
    assert ImprovementAction.objects.count() == 1


def test_new_suggestion_once_the_previous_is_closed(permit_map, user_a, staff_user):
    [first] = services.suggest_actions_for_process_map(process_map=permit_map)
    services.improvement_action_transition(
        action=first, to_status=ActionStatus.DISCARDED, actor=staff_user, note="Known already."
    )
    [second] = services.suggest_actions_for_process_map(process_map=permit_map)
    assert second.pk != first.pk


def test_no_suggestion_without_constraint(org_a, user_a):
    empty = services.process_map_create(actor=user_a, organization=org_a, name="Empty")
    assert services.suggest_actions_for_process_map(process_map=empty) == []


def test_demand_status_suggestion_is_idempotent(org_a):
    evidence = {"status": "assessed", "median_days": "12.0",
                "explanation": "Demands wait 12 days in Assessed."}
    first = services.suggest_action_for_demand_status(
        organization=org_a, status="assessed", evidence=evidence
    )
    again = services.suggest_action_for_demand_status(
        organization=org_a, status="assessed", evidence=evidence
    )
    assert first.pk == again.pk
    assert (first.source, first.demand_status, first.suggested, first.status) == (
        ActionSource.DEMAND_FLOW, "assessed", True, ActionStatus.PROPOSED
    )
    assert first.evidence == evidence
    assert "“Assessed”" in first.title
    assert "Demands wait 12 days in Assessed." in first.problem


# --- Database constraints ---


def _insert_fails(**fields):
    values = {"source": ActionSource.OTHER, "title": "T", "problem": "P", **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        ImprovementAction.objects.create(**values)


@pytest.mark.parametrize("fields", [
    {"business_value": 0},
    {"job_size": 21},
    {"status": ActionStatus.VERIFIED, "verified_at": None,
     "measured_hours_saved_per_month": D("1")},
    {"status": ActionStatus.VERIFIED, "verified_at": "2026-01-01T00:00:00Z"},
    {"status": ActionStatus.DISCARDED},
    {"source": ActionSource.PROCESS_STEP},
    {"source": ActionSource.DEMAND_FLOW},
    {"expected_hours_saved_per_month": D("-1")},
    {"expected_kpi_delta": D("2")},
    {"status": "unknown"},
])
def test_database_refuses_bad_actions(org_a, fields):
    _insert_fails(organization=org_a, **fields)


def test_database_allows_one_open_suggestion_per_bottleneck(org_a):
    step = ProcessStepFactory(process_map__organization=org_a)
    ImprovementAction.objects.create(organization=org_a, source=ActionSource.PROCESS_STEP,
                                     process_step=step, title="T", problem="P", suggested=True)
    _insert_fails(organization=org_a, source=ActionSource.PROCESS_STEP, process_step=step,
                  suggested=True)
    ImprovementAction.objects.create(organization=org_a, source=ActionSource.DEMAND_FLOW,
                                     demand_status="assessed", title="T", problem="P",
                                     suggested=True)
    _insert_fails(organization=org_a, source=ActionSource.DEMAND_FLOW,
                  demand_status="assessed", suggested=True)
    # A person may still add their own action on the same step.
    ImprovementAction.objects.create(organization=org_a, source=ActionSource.PROCESS_STEP,
                                     process_step=step, title="Mine", problem="P")


@pytest.mark.parametrize("fields", [
    {"position": 0},
    {"process_time_hours": D("-1")},
    {"wait_time_hours": D("-0.5")},
    {"percent_complete_accurate": D("100.01")},
    {"capacity_per_week": D("-1")},
    {"demand_per_week": D("-1")},
])
def test_database_refuses_bad_steps(fields):
    process_map = ProcessMapFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessStepFactory(process_map=process_map, **fields)


def test_database_refuses_duplicate_position_and_version(org_a):
    process_map = ProcessMapFactory(organization=org_a, name="Hiring")
    ProcessStepFactory(process_map=process_map, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessStepFactory(process_map=process_map, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessMap.objects.create(organization=org_a, name="HIRING", version=1)


# --- Selectors ---


@pytest.mark.parametrize("scores", [
    (13, 8, 8, 8), (1, 1, 1, 8), (1, 1, 1, 20), (20, 20, 20, 1), (5, 5, 1, 3), (2, 3, 1, 8),
])
def test_sql_wsjf_agrees_with_python(org_a, scores):
    business_value, time_criticality, risk_reduction, job_size = scores
    action = ImprovementActionFactory(
        organization=org_a, business_value=business_value, time_criticality=time_criticality,
        risk_reduction=risk_reduction, job_size=job_size,
    )
    row = ImprovementAction.objects.with_wsjf().get(pk=action.pk)
    assert D(row.wsjf_value).quantize(D("0.01")) == action.wsjf
    assert row.cost_of_delay_value == action.cost_of_delay


def test_action_list_orders_by_wsjf_and_is_scoped(org_a, org_b, user_a, staff_user):
    low = ImprovementActionFactory(organization=org_a, business_value=1, time_criticality=1,
                                   risk_reduction=1, job_size=20)
    high = ImprovementActionFactory(organization=org_a, business_value=20, job_size=1)
    middle = ImprovementActionFactory(organization=org_a, job_size=5)
    foreign = ImprovementActionFactory(organization=org_b)
    assert list(improvement_action_list(user=user_a)) == [high, middle, low]
    assert foreign in list(improvement_action_list(user=staff_user))


def test_process_map_list_is_scoped(org_a, org_b, user_a):
    mine = ProcessMapFactory(organization=org_a)
    ProcessMapFactory(organization=org_b)
    assert list(process_map_list(user=user_a)) == [mine]


def test_benefits_realized_per_month(org_a, org_b):
    def verified(org, when, hours):
        ImprovementActionFactory(
            organization=org, status=ActionStatus.VERIFIED, verified_at=when,
            measured_hours_saved_per_month=hours,
        )

    verified(org_a, timezone.make_aware(timezone.datetime(2026, 3, 5, 12)), D("10"))
    verified(org_a, timezone.make_aware(timezone.datetime(2026, 3, 28, 12)), D("2.5"))
    verified(org_a, timezone.make_aware(timezone.datetime(2026, 5, 1, 12)), D("4"))
    verified(org_a, timezone.make_aware(timezone.datetime(2026, 7, 1, 12)), D("99"))
    verified(org_b, timezone.make_aware(timezone.datetime(2026, 3, 5, 12)), D("50"))
    ImprovementActionFactory(organization=org_a, status=ActionStatus.DONE)
    rows = benefits_realized(organization_id=org_a.pk, start=date(2026, 1, 1),
                             end=date(2026, 6, 30))
    assert rows == [
        {"month": date(2026, 3, 1), "hours_saved_per_month": D("12.50"), "actions": 2},
        {"month": date(2026, 5, 1), "hours_saved_per_month": D("4.00"), "actions": 1},
    ]

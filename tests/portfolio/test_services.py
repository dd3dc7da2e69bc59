"""Portfolio services: applications, TIME overrides, dependencies, objectives and the demand
workflow, with their permission and cross-organization refusals; and the graph selectors."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo_service.exceptions import ConflictError
from portfolio import selectors, services
from portfolio.choices import DEMAND_TRANSITIONS, DemandStatus, Lifecycle, TimeClass
from portfolio.models import Application, ApplicationDependency, Demand, Objective, Technology
from stakeholders.choices import MembershipRole
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    ClientUserFactory,
    DemandFactory,
    ObjectiveFactory,
    StakeholderFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_a(org_a):
    return ClientUserFactory(membership__organization=org_a,
                             membership__role=MembershipRole.READ_ONLY)


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def _create(actor, organization, **fields):
    values = {"name": "Permits", "code": "PERM", "functional_fit": 3, "technical_fit": 3}
    return services.application_create(actor=actor, organization=organization,
                                       **{**values, **fields})


# --- Applications ------------------------------------------------------------------------------


def test_client_writer_creates_an_application_with_owners_and_technologies(user_a, org_a):
    TechnologyFactory(name="PostgreSQL")
    owner = StakeholderFactory(organization=org_a)
    application = _create(
        user_a, org_a, business_owner=owner, technical_owner=owner, lifecycle="in_production",
        technologies=[" postgresql ", "Django", "django", "", "  Red   Hat "],
    )
    application.refresh_from_db()
    assert application.organization == org_a
    assert application.business_owner == owner
    assert sorted(t.name for t in application.technologies.all()) == [
        "Django", "PostgreSQL", "Red Hat"
    ]
    assert Technology.objects.count() == 3  # postgresql matched the existing spelling
    assert application.time_computed == TimeClass.INVEST


def test_owners_must_be_of_the_same_organization(user_a, staff_user, org_a, org_b):
    foreign = StakeholderFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        _create(staff_user, org_a, business_owner=foreign)
    assert "business_owner" in error.value.message_dict
    application = _create(user_a, org_a)
    with pytest.raises(ValidationError) as error:
        services.application_update(application=application, actor=staff_user,
                                    technical_owner=foreign)
    assert "technical_owner" in error.value.message_dict
    application.refresh_from_db()
    assert application.technical_owner is None


def test_read_only_members_and_other_organizations_cannot_write(reader_a, user_b, org_a):
    for actor in (reader_a, user_b):
        with pytest.raises(PermissionDenied):
            _create(actor, org_a)
    application = ApplicationFactory(organization=org_a)
    for actor in (reader_a, user_b):
        with pytest.raises(PermissionDenied):
            services.application_update(application=application, actor=actor, name="Renamed")
        with pytest.raises(PermissionDenied):
            services.application_delete(application=application, actor=actor)
    assert Application.objects.get(pk=application.pk).name == application.name


@pytest.mark.parametrize(("fields", "field"), [
    ({"functional_fit": 5}, "functional_fit"),
    ({"technical_fit": 0}, "technical_fit"),
    ({"lifecycle": "abandoned"}, "lifecycle"),
    ({"code": "has space"}, "code"),
    ({"name": ""}, "name"),
    ({"annual_run_cost": -1}, "annual_run_cost"),
    ({"technologies": "Java"}, "technologies"),
    ({"technologies": ["Java", 3]}, "technologies"),
    ({"technologies": ["x" * 61]}, "technologies"),
    ({"technologies": [f"Tech {n}" for n in range(31)]}, "technologies"),
])
def test_bad_application_input_is_a_field_error(user_a, org_a, fields, field):
    with pytest.raises(ValidationError) as error:
        _create(user_a, org_a, **fields)
    assert field in error.value.message_dict
    assert not Application.objects.exists()


def test_thirty_technologies_and_sixty_characters_are_accepted(user_a, org_a):
    names = [f"Tech {n}" for n in range(29)] + ["y" * 60]
    application = _create(user_a, org_a, technologies=names)
    assert application.technologies.count() == 30


def test_codes_are_unique_per_organization_in_any_case(user_a, user_b, org_a, org_b):
    _create(user_a, org_a, code="HR-PAY")
    with pytest.raises(ValidationError) as error:
        _create(user_a, org_a, code="hr-pay")
    assert "Another application of this organization has this code." in str(error.value)
    assert _create(user_b, org_b, code="HR-PAY").code == "HR-PAY"


def test_update_changes_fields_and_replaces_technologies_only_when_given(user_a, org_a):
    application = _create(user_a, org_a, technologies=["Java"])
    services.application_update(application=application, actor=user_a, functional_fit=1,
                                lifecycle=Lifecycle.SUNSETTING)
    application.refresh_from_db()
    assert (application.functional_fit, application.lifecycle) == (1, Lifecycle.SUNSETTING)
    assert application.time_computed == TimeClass.TOLERATE
    assert [t.name for t in application.technologies.all()] == ["Java"]
    services.application_update(application=application, actor=user_a, technologies=["JAVA",
                                                                                      "Kafka"])
    assert sorted(t.name for t in application.technologies.all()) == ["Java", "Kafka"]
    services.application_update(application=application, actor=user_a, technologies=[])
    assert not application.technologies.exists()


def test_services_refuse_fields_they_do_not_own(user_a, org_a):
    with pytest.raises(TypeError, match="time_overridden_by"):
        _create(user_a, org_a, time_overridden_by=user_a)
    application = ApplicationFactory(organization=org_a)
    with pytest.raises(TypeError, match="organization"):
        services.application_update(application=application, actor=user_a, organization=org_a)


# --- TIME override ---


def test_staff_override_keeps_the_computed_class_and_records_who_and_when(staff_user, org_a):
    application = ApplicationFactory(organization=org_a, functional_fit=1, technical_fit=1)
    before = timezone.now()
    services.application_set_time_override(
        application=application, actor=staff_user, time_class=TimeClass.INVEST,
        rationale="  Core of the 2027 digital strategy.  ",
    )
    application.refresh_from_db()
    assert application.time_computed == TimeClass.ELIMINATE
    assert application.time_class == TimeClass.INVEST
    assert application.time_override_rationale == "Core of the 2027 digital strategy."
    assert application.time_overridden_by == staff_user
    assert application.time_overridden_at >= before
    services.application_clear_time_override(application=application, actor=staff_user)
    application.refresh_from_db()
    assert application.time_class == TimeClass.ELIMINATE
    assert (application.time_override, application.time_override_rationale) == ("", "")
    assert application.time_overridden_by is None
    assert application.time_overridden_at is None


def test_override_needs_a_rationale_and_a_real_class(staff_user, org_a):
    application = ApplicationFactory(organization=org_a)
    with pytest.raises(ValidationError) as error:
        services.application_set_time_override(
            application=application, actor=staff_user, time_class="invest", rationale="   ",
        )
    assert "time_override_rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.application_set_time_override(
            application=application, actor=staff_user, time_class="keep", rationale="Because.",
        )
    assert "time_override" in error.value.message_dict
    application.refresh_from_db()
    assert application.time_override == ""


def test_clients_cannot_override_time(user_a, org_a, staff_user):
    application = ApplicationFactory(organization=org_a)
    with pytest.raises(PermissionDenied, match="Only PMO staff"):
        services.application_set_time_override(
            application=application, actor=user_a, time_class="invest", rationale="We like it.",
        )
    with pytest.raises(PermissionDenied):
        services.application_update(application=application, actor=user_a,
                                    time_override="invest", time_override_rationale="Because.")
    with pytest.raises(PermissionDenied):
        _create(user_a, org_a, code="NEW", time_override="eliminate",
                time_override_rationale="Because.")
    assert not Application.objects.filter(code="NEW").exists()
    services.application_set_time_override(
        application=application, actor=staff_user, time_class="migrate", rationale="Cloud.",
    )
    with pytest.raises(PermissionDenied):
        services.application_clear_time_override(application=application, actor=user_a)
    # Sending the current values back unchanged is not an override.
    services.application_update(application=application, actor=user_a, name="Kept",
                                time_override="migrate", time_override_rationale="Cloud.")
    application.refresh_from_db()
    assert (application.name, application.time_override) == ("Kept", "migrate")


def test_staff_override_through_create_and_update(staff_user, org_a):
    application = _create(staff_user, org_a, functional_fit=4, technical_fit=4,
                          time_override="tolerate", time_override_rationale="Frozen by law.")
    assert application.time_class == TimeClass.TOLERATE
    assert application.time_overridden_by == staff_user
    services.application_update(application=application, actor=staff_user, time_override="")
    application.refresh_from_db()
    assert (application.time_override, application.time_override_rationale) == ("", "")
    with pytest.raises(ValidationError) as error:
        services.application_update(application=application, actor=staff_user,
                                    time_override="invest")
    assert "time_override_rationale" in error.value.message_dict


# --- Deleting ---


@pytest.mark.parametrize("use", ["dependency", "dependent", "demand", "objective"])
def test_applications_in_use_cannot_be_deleted(user_a, org_a, use):
    application = ApplicationFactory(organization=org_a)
    other = ApplicationFactory(organization=org_a)
    if use == "dependency":
        ApplicationDependencyFactory(source=application, target=other)
    elif use == "dependent":
        ApplicationDependencyFactory(source=other, target=application)
    elif use == "demand":
        DemandFactory(organization=org_a, applications=[application])
    else:
        ObjectiveFactory(organization=org_a).applications.add(application)
    with pytest.raises(ConflictError, match="retired"):
        services.application_delete(application=application, actor=user_a)
    assert Application.objects.filter(pk=application.pk).exists()
    services.application_delete(application=ApplicationFactory(organization=org_a),
                                actor=user_a)
    assert Application.objects.count() == 2


# --- Dependencies ------------------------------------------------------------------------------


def test_dependencies_are_created_and_cycles_are_allowed(user_a, org_a):
    crm, erp = ApplicationFactory(organization=org_a), ApplicationFactory(organization=org_a)
    there = services.dependency_create(actor=user_a, source=crm, target=erp, kind="api",
                                       description="Customer lookup")
    back = services.dependency_create(actor=user_a, source=erp, target=crm, kind="batch")
    assert (there.source, there.target, there.description) == (crm, erp, "Customer lookup")
    assert ApplicationDependency.objects.count() == 2
    assert [set(cycle) for cycle in selectors.portfolio_cycles(organization_id=org_a.pk)] == [
        {crm, erp}
    ]
    assert back.pk


def test_dependency_refusals(user_a, staff_user, reader_a, org_a, org_b):
    crm, erp = ApplicationFactory(organization=org_a), ApplicationFactory(organization=org_a)
    foreign = ApplicationFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        services.dependency_create(actor=staff_user, source=crm, target=foreign, kind="api")
    assert "target" in error.value.message_dict
    with pytest.raises(ValidationError, match="An application cannot depend on itself"):
        services.dependency_create(actor=user_a, source=crm, target=crm, kind="api")
    services.dependency_create(actor=user_a, source=crm, target=erp, kind="api")
    with pytest.raises(ValidationError, match="This dependency is already recorded"):
        services.dependency_create(actor=user_a, source=crm, target=erp, kind="api")
    with pytest.raises(ValidationError) as error:
        services.dependency_create(actor=user_a, source=erp, target=crm, kind="telepathy")
    assert "kind" in error.value.message_dict
    services.dependency_create(actor=user_a, source=crm, target=erp, kind="batch")
    with pytest.raises(PermissionDenied):
        services.dependency_create(actor=reader_a, source=erp, target=crm, kind="api")
    with pytest.raises(PermissionDenied):
        services.dependency_create(actor=ClientUserFactory(membership__organization=org_b),
                                   source=erp, target=crm, kind="api")
    assert ApplicationDependency.objects.count() == 2


def test_dependency_update_stays_inside_the_organization(user_a, staff_user, org_a, org_b):
    dependency = ApplicationDependencyFactory(source__organization=org_a)
    third = ApplicationFactory(organization=org_a)
    updated = services.dependency_update(dependency=dependency, actor=user_a, target=third,
                                         kind="messaging", description="Events")
    assert (updated.target, updated.kind, updated.description) == (third, "messaging", "Events")
    foreign = ApplicationFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        services.dependency_update(dependency=dependency, actor=staff_user, target=foreign)
    assert "target" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.dependency_update(dependency=dependency, actor=staff_user, source=foreign)
    assert "source" in error.value.message_dict
    with pytest.raises(ValidationError, match="cannot depend on itself"):
        services.dependency_update(dependency=dependency, actor=user_a, source=third)
    dependency.refresh_from_db()
    assert (dependency.target, dependency.kind) == (third, "messaging")
    services.dependency_delete(dependency=dependency, actor=user_a)
    assert not ApplicationDependency.objects.exists()


# --- Objectives --------------------------------------------------------------------------------


def _objective(actor, organization, **fields):
    values = {"title": "Paperless permits", "period_start": datetime.date(2026, 1, 1),
              "period_end": datetime.date(2026, 12, 31)}
    return services.objective_create(actor=actor, organization=organization,
                                     **{**values, **fields})


def test_objectives_link_applications_of_their_organization(user_a, staff_user, org_a, org_b):
    permits, portal = (ApplicationFactory(organization=org_a) for _ in range(2))
    owner = StakeholderFactory(organization=org_a)
    objective = _objective(user_a, org_a, applications=[permits], owner=owner)
    assert list(objective.applications.all()) == [permits]
    services.objective_update(objective=objective, actor=user_a, title="Paperless by 2027")
    assert list(objective.applications.all()) == [permits]  # kept when not given
    services.objective_update(objective=objective, actor=user_a, applications=[portal])
    objective.refresh_from_db()
    assert (objective.title, list(objective.applications.all())) == ("Paperless by 2027",
                                                                     [portal])
    foreign = ApplicationFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        _objective(staff_user, org_a, applications=[permits, foreign])
    assert "applications" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.objective_update(objective=objective, actor=staff_user,
                                  owner=StakeholderFactory(organization=org_b))
    assert "owner" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        _objective(ClientUserFactory(membership__organization=org_b), org_a)


def test_objective_period_and_status_are_validated(user_a, org_a):
    with pytest.raises(ValidationError) as error:
        _objective(user_a, org_a, period_end=datetime.date(2025, 12, 31))
    assert _messages(error.value, "period_end") == "The period cannot end before it starts."
    with pytest.raises(ValidationError) as error:
        _objective(user_a, org_a, status="postponed")
    assert "status" in error.value.message_dict
    assert not Objective.objects.exists()


def test_objectives_with_demand_cannot_be_deleted(user_a, org_a):
    served = ObjectiveFactory(organization=org_a)
    demand = DemandFactory(organization=org_a)
    demand.objectives.add(served)
    with pytest.raises(ConflictError, match="dropped"):
        services.objective_delete(objective=served, actor=user_a)
    free = ObjectiveFactory(organization=org_a)
    free.applications.add(ApplicationFactory(organization=org_a))
    services.objective_delete(objective=free, actor=user_a)
    assert list(Objective.objects.all()) == [served]


# --- Demand: submit and update -----------------------------------------------------------------


def _submit(actor, organization, **fields):
    values = {
        "title": "Online booking", "description": "Book without calling.",
        "demand_type": "evolution",
        "applications": fields.pop("applications", None)
        or [ApplicationFactory(organization=organization)],
    }
    return services.demand_submit(actor=actor, organization=organization,
                                  **{**values, **fields})


def test_submit_records_the_first_transition(user_a, org_a):
    objective = ObjectiveFactory(organization=org_a)
    requester = StakeholderFactory(organization=org_a)
    demand = _submit(user_a, org_a, objectives=[objective], requester=requester,
                     business_value=8, urgency=5, risk_reduction=3, effort=2)
    assert demand.status == DemandStatus.SUBMITTED
    assert demand.submitted_by == user_a
    assert demand.priority == 8.0
    (transition,) = demand.transitions.all()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "", DemandStatus.SUBMITTED, user_a
    )
    assert list(demand.objectives.all()) == [objective]
    minimal = _submit(user_a, org_a)
    assert (minimal.requester, list(minimal.objectives.all())) == (None, [])


@pytest.mark.parametrize("field", ["applications", "objectives", "requester"])
def test_submit_refuses_other_organizations_rows(staff_user, org_a, org_b, field):
    foreign = {
        "applications": [ApplicationFactory(organization=org_b)],
        "objectives": [ObjectiveFactory(organization=org_b)],
        "requester": StakeholderFactory(organization=org_b),
    }[field]
    with pytest.raises(ValidationError) as error:
        _submit(staff_user, org_a, **{field: foreign})
    assert field in error.value.message_dict
    assert not Demand.objects.exists()


def test_submit_refusals(user_a, reader_a, user_b, org_a):
    with pytest.raises(ValidationError) as error:
        services.demand_submit(actor=user_a, organization=org_a, title="T", description="D",
                               demand_type="evolution", applications=[])
    assert "applications" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _submit(user_a, org_a, effort=4)
    assert "effort" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _submit(user_a, org_a, demand_type="wish")
    assert "demand_type" in error.value.message_dict
    for actor in (reader_a, user_b):
        with pytest.raises(PermissionDenied):
            _submit(actor, org_a)
    assert not Demand.objects.exists()


@pytest.mark.parametrize("status", [DemandStatus.SUBMITTED, DemandStatus.ASSESSED])
def test_demand_can_change_while_submitted_or_assessed(user_a, org_a, status):
    demand = DemandFactory(organization=org_a)
    Demand.objects.filter(pk=demand.pk).update(status=status)
    other = ApplicationFactory(organization=org_a)
    objective = ObjectiveFactory(organization=org_a)
    services.demand_update(demand=demand, actor=user_a, title="Renamed", effort=13,
                           applications=[other], objectives=[objective])
    demand.refresh_from_db()
    assert (demand.title, demand.effort, demand.status) == ("Renamed", 13, status)
    assert list(demand.applications.all()) == [other]
    assert list(demand.objectives.all()) == [objective]
    services.demand_update(demand=demand, actor=user_a, urgency=20)
    assert list(demand.applications.all()) == [other]  # kept when not given


@pytest.mark.parametrize("status", [
    DemandStatus.APPROVED, DemandStatus.SCHEDULED, DemandStatus.IN_PROGRESS,
    DemandStatus.DELIVERED, DemandStatus.REJECTED, DemandStatus.WITHDRAWN,
])
def test_demand_cannot_change_once_approved(staff_user, org_a, status):
    demand = DemandFactory(organization=org_a, title="Original")
    Demand.objects.filter(pk=demand.pk).update(status=status)
    with pytest.raises(ConflictError, match="cannot be changed once approved"):
        services.demand_update(demand=demand, actor=staff_user, title="Changed")
    demand.refresh_from_db()
    assert demand.title == "Original"


def test_demand_update_refusals(user_a, staff_user, reader_a, org_a, org_b):
    demand = DemandFactory(organization=org_a)
    with pytest.raises(ValidationError) as error:
        services.demand_update(demand=demand, actor=user_a, applications=[])
    assert "applications" in error.value.message_dict
    for field, value in (
        ("applications", [ApplicationFactory(organization=org_b)]),
        ("objectives", [ObjectiveFactory(organization=org_b)]),
        ("requester", StakeholderFactory(organization=org_b)),
    ):
        with pytest.raises(ValidationError) as error:
            services.demand_update(demand=demand, actor=staff_user, **{field: value})
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.demand_update(demand=demand, actor=user_a, effort=4)
    assert "effort" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.demand_update(demand=demand, actor=reader_a, title="No")
    with pytest.raises(TypeError, match="status"):
        services.demand_update(demand=demand, actor=staff_user, status="approved")


# --- Demand workflow ---------------------------------------------------------------------------

ALLOWED = [(source, target) for source, targets in DEMAND_TRANSITIONS.items()
           for target in targets]
FORBIDDEN = [(source, target) for source in DemandStatus for target in DemandStatus
             if target not in DEMAND_TRANSITIONS[source]]


def _demand_in(status, organization):
    demand = DemandFactory(organization=organization)
    Demand.objects.filter(pk=demand.pk).update(status=status)
    demand.refresh_from_db()
    return demand


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_is_stored_with_actor_and_time(staff_user, org_a, source,
                                                                 target):
    demand = _demand_in(source, org_a)
    before = timezone.now()
    moved = services.demand_transition(demand=demand, actor=staff_user, to_status=target,
                                       note="  Reviewed at the board.  ")
    assert moved.status == target
    demand.refresh_from_db()
    assert demand.status == target
    transition = demand.transitions.last()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        source, target, staff_user
    )
    assert transition.note == "Reviewed at the board."
    assert before <= transition.at <= timezone.now()


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_other_transition_is_a_conflict(staff_user, org_a, source, target):
    demand = _demand_in(source, org_a)
    with pytest.raises(ConflictError, match="cannot become"):
        services.demand_transition(demand=demand, actor=staff_user, to_status=target,
                                   note="Because.")
    demand.refresh_from_db()
    assert demand.status == source
    assert demand.transitions.count() == 1  # only the factory's submission


def test_rejection_needs_a_note(staff_user, org_a):
    demand = DemandFactory(organization=org_a)
    for note in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.demand_transition(demand=demand, actor=staff_user, to_status="rejected",
                                       note=note)
        assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.demand_transition(demand=demand, actor=staff_user, to_status="archived")
    assert "to_status" in error.value.message_dict
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED


def test_clients_can_only_withdraw_their_own_demand(user_a, user_b, reader_a, org_a):
    demand = DemandFactory(organization=org_a)
    for target in ("assessed", "rejected", "delivered"):
        with pytest.raises(PermissionDenied, match="Only PMO staff"):
            services.demand_transition(demand=demand, actor=user_a, to_status=target,
                                       note="Please.")
    for outsider in (user_b, reader_a):
        with pytest.raises(PermissionDenied):
            services.demand_transition(demand=demand, actor=outsider, to_status="withdrawn")
    services.demand_transition(demand=demand, actor=user_a, to_status="withdrawn")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.WITHDRAWN
    assert demand.transitions.last().actor == user_a
    with pytest.raises(ConflictError):
        services.demand_transition(demand=demand, actor=user_a, to_status="withdrawn")


def test_allowed_targets_depend_on_the_user(user_a, staff_user, org_a):
    demand = DemandFactory(organization=org_a)
    assert services.demand_allowed_targets(demand=demand, user=staff_user) == [
        "assessed", "rejected", "withdrawn"
    ]
    assert services.demand_allowed_targets(demand=demand, user=user_a) == ["withdrawn"]
    delivered = _demand_in(DemandStatus.DELIVERED, org_a)
    assert services.demand_allowed_targets(demand=delivered, user=staff_user) == []


# --- Demand warnings ---------------------------------------------------------------------------


@pytest.mark.parametrize(("application", "warning"), [
    ({"functional_fit": 1, "technical_fit": 1}, "APP is classified Eliminate"),
    ({"functional_fit": 2, "technical_fit": 4}, "APP is classified Tolerate"),
    ({"functional_fit": 4, "technical_fit": 4, "time_override": "eliminate",
      "time_override_rationale": "Replaced next year."}, "APP is classified Eliminate"),
    ({"lifecycle": Lifecycle.SUNSETTING}, "APP is sunsetting."),
    ({"lifecycle": Lifecycle.RETIRED}, "APP is retired."),
])
def test_warnings_for_applications_on_their_way_out(user_a, org_a, application, warning):
    target = ApplicationFactory(organization=org_a, code="APP", **application)
    demand = _submit(user_a, org_a, applications=[target])
    (message,) = demand.application_warnings()
    assert message.startswith(warning)


@pytest.mark.parametrize("fits", [(4, 4), (3, 1), (None, None)])
def test_no_warning_for_invest_migrate_or_unassessed_in_production(user_a, org_a, fits):
    target = ApplicationFactory(organization=org_a, functional_fit=fits[0],
                                technical_fit=fits[1], lifecycle=Lifecycle.IN_PRODUCTION)
    demand = _submit(user_a, org_a, applications=[target])
    assert demand.application_warnings() == []


def test_warnings_add_up_over_applications(user_a, org_a):
    eliminate_retired = ApplicationFactory(organization=org_a, code="OLD", functional_fit=1,
                                           technical_fit=2, lifecycle=Lifecycle.RETIRED)
    invest = ApplicationFactory(organization=org_a, code="NEW", functional_fit=4,
                                technical_fit=3)
    demand = _submit(user_a, org_a, applications=[eliminate_retired, invest])
    assert demand.application_warnings() == [
        "OLD is classified Eliminate in the TIME assessment.", "OLD is retired."
    ]


# --- Graph selectors ---------------------------------------------------------------------------


def _graph(organization):
    """A <-> B is a cycle; C and D depend on A; E depends on C; F stands alone."""
    apps = {code: ApplicationFactory(organization=organization, code=code, name=f"App {code}")
            for code in "ABCDEF"}
    for source, target in ("AB", "BA", "CA", "DA", "EC"):
        ApplicationDependencyFactory(source=apps[source], target=apps[target])
    return apps


def test_neighbourhood_of_an_application(org_a, org_b):
    apps = _graph(org_a)
    _graph(org_b)  # another organization's graph never leaks in
    application = selectors.application_detail().get(pk=apps["A"].pk)
    with CaptureQueriesContext(connection) as queries:
        neighbourhood = selectors.application_neighbourhood(application=application)
    assert len(queries) == 2  # the edges, then the reached applications
    assert [d.target.code for d in neighbourhood["depends_on"]] == ["B"]
    assert [d.source.code for d in neighbourhood["depended_on_by"]] == ["B", "C", "D"]
    assert [a.code for a in neighbourhood["blast_radius"]] == ["B", "C", "D", "E"]
    assert neighbourhood["cycles"] == [["A", "B"]]
    leaf = selectors.application_neighbourhood(application=apps["E"])
    assert (leaf["blast_radius"], leaf["cycles"]) == ([], [])
    assert [d.target.code for d in leaf["depends_on"]] == ["C"]


def test_portfolio_cycles_per_organization(org_a, org_b):
    apps = _graph(org_a)
    ApplicationDependencyFactory(source=apps["E"], target=apps["F"])
    ApplicationDependencyFactory(source=apps["F"], target=apps["E"])
    cycles = selectors.portfolio_cycles(organization_id=org_a.pk)
    assert [[a.code for a in cycle] for cycle in cycles] == [["A", "B"], ["E", "F"]]
    assert selectors.portfolio_cycles(organization_id=org_b.pk) == []

"""Engagement services: creating (directly and from an accepted request), changing, and the
workflow with its stored transitions; cross-organization references are refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import RequestStatus, Typology
from engagements import selectors, services
from engagements.choices import ENGAGEMENT_TRANSITIONS, EngagementStatus, NeedStatus
from engagements.models import Engagement, EngagementTransition
from pmo_service.exceptions import ConflictError
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ConsultantFactory,
    EngagementFactory,
    OrganizationFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ServiceRequestFactory,
    StaffingNeedFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2030, 1, 7)
END = datetime.date(2030, 6, 28)


def _create(actor, organization, **fields) -> Engagement:
    values = {"title": "PMO rollout", "planned_start": START, "planned_end": END}
    return services.engagement_create(actor=actor, organization=organization,
                                      **{**values, **fields})


def test_staff_create_an_engagement_with_its_people_and_scope(staff_user, org_a):
    sponsor = StakeholderFactory(organization=org_a)
    owner = StakeholderFactory(organization=org_a)
    application = ApplicationFactory(organization=org_a)
    service = PublishedServiceFactory()
    scrum_master = ConsultantFactory()
    engagement = _create(
        staff_user, org_a, sponsor=sponsor, product_owner=owner, scrum_master=scrum_master,
        applications=[application], services=[service], typology=Typology.CONTROLLING,
        budget_at_completion=Decimal("120000.00"), description="Portfolio office",
    )
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.PROPOSED
    assert (engagement.sponsor, engagement.product_owner, engagement.scrum_master) == (
        sponsor, owner, scrum_master
    )
    assert list(engagement.applications.all()) == [application]
    assert list(engagement.services.all()) == [service]
    transition = engagement.transitions.get()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "", EngagementStatus.PROPOSED, staff_user
    )


@pytest.mark.parametrize("field", ["sponsor", "product_owner", "applications",
                                   "service_request"])
def test_references_from_another_organization_are_refused_on_their_field(
    staff_user, org_a, org_b, field
):
    foreign = {
        "sponsor": lambda: StakeholderFactory(organization=org_b),
        "product_owner": lambda: StakeholderFactory(organization=org_b),
        "applications": lambda: [ApplicationFactory(organization=org_b)],
        "service_request": lambda: ServiceRequestFactory(organization=org_b,
                                                         status=RequestStatus.ACCEPTED),
    }[field]()
    with pytest.raises(ValidationError) as error:
        _create(staff_user, org_a, **{field: foreign})
    assert field in error.value.message_dict
    engagement = _create(staff_user, org_a)
    if field != "service_request":
        with pytest.raises(ValidationError) as error:
            services.engagement_update(engagement=engagement, actor=staff_user,
                                       **{field: foreign})
        assert field in error.value.message_dict
    assert Engagement.objects.count() == 1


def test_scrum_master_must_be_an_active_consultant(staff_user, org_a):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, org_a, scrum_master=ConsultantFactory(is_active=False))
    assert "not an active consultant" in " ".join(error.value.message_dict["scrum_master"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"planned_end": START - datetime.timedelta(days=1)}, "planned_end"),
        ({"planned_start": "2030-01-07"}, "planned_start"),
        ({"budget_at_completion": Decimal("-1")}, "budget_at_completion"),
        ({"typology": "chaotic"}, "typology"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_engagement_input_is_refused_on_its_field(staff_user, org_a, fields, field):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, org_a, **fields)
    assert field in error.value.message_dict
    assert not Engagement.objects.exists()


def test_engagements_are_for_active_clients_and_staff_only(staff_user, user_a, org_a):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, ProviderFactory())
    assert "organization" in error.value.message_dict
    with pytest.raises(ValidationError):
        _create(staff_user, OrganizationFactory(is_active=False))
    with pytest.raises(PermissionDenied, match="Only PMO staff"):
        _create(user_a, org_a)
    assert not Engagement.objects.exists()


# --- From a service request ----------------------------------------------------------------------


def test_an_accepted_request_becomes_an_engagement_with_its_defaults(staff_user, org_a):
    request = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED,
                                    service__typical_duration_weeks=20,
                                    service__name="Portfolio Office",
                                    service__typology=Typology.DIRECTIVE)
    engagement = services.engagement_create_from_request(service_request=request,
                                                         actor=staff_user)
    assert engagement.organization == org_a
    assert engagement.service_request == request
    assert list(engagement.services.all()) == [request.service]
    assert engagement.title == f"Portfolio Office for {org_a.name}"
    assert engagement.typology == Typology.DIRECTIVE
    assert engagement.planned_start == request.desired_start
    assert engagement.planned_end == request.desired_start + datetime.timedelta(weeks=20)
    with pytest.raises(ConflictError, match="already became"):
        services.engagement_create_from_request(service_request=request, actor=staff_user)
    assert Engagement.objects.count() == 1


def test_an_ongoing_service_defaults_to_twelve_weeks_and_given_values_win(staff_user, org_a):
    request = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED,
                                    service__typical_duration_weeks=None)
    engagement = services.engagement_create_from_request(
        service_request=request, actor=staff_user, title="  Custom title ",
        planned_start=START, budget_at_completion=Decimal("90000"),
    )
    assert engagement.title == "Custom title"
    assert engagement.planned_start == START
    assert engagement.planned_end == START + datetime.timedelta(weeks=12)
    assert engagement.budget_at_completion == Decimal("90000")


@pytest.mark.parametrize("status", [RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW,
                                    RequestStatus.DECLINED])
def test_only_accepted_requests_become_engagements(staff_user, org_a, status):
    request = ServiceRequestFactory(organization=org_a, status=status,
                                    decision_reason="No budget")
    with pytest.raises(ConflictError, match="only accepted requests"):
        services.engagement_create_from_request(service_request=request, actor=staff_user)
    with pytest.raises(ConflictError):
        _create(staff_user, org_a, service_request=request)
    assert not Engagement.objects.exists()


def test_clients_cannot_turn_their_requests_into_engagements(user_a, org_a):
    request = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.engagement_create_from_request(service_request=request, actor=user_a)


# --- Update --------------------------------------------------------------------------------------


def test_update_changes_fields_and_links(staff_user, org_a):
    engagement = _create(staff_user, org_a, applications=[ApplicationFactory(organization=org_a)])
    services.engagement_update(engagement=engagement, actor=staff_user, title="Renamed",
                               applications=[], services=[PublishedServiceFactory()],
                               planned_end=END + datetime.timedelta(days=30))
    engagement.refresh_from_db()
    assert engagement.title == "Renamed"
    assert not engagement.applications.exists()
    assert engagement.services.count() == 1
    assert engagement.planned_end == END + datetime.timedelta(days=30)
    with pytest.raises(TypeError, match="status"):
        services.engagement_update(engagement=engagement, actor=staff_user, status="active")


def test_planned_dates_must_keep_holding_the_team_and_needs(staff_user, org_a):
    engagement = EngagementFactory(organization=org_a, planned_start=START, planned_end=END)
    AssignmentFactory(engagement=engagement, start_on=START, end_on=END)
    with pytest.raises(ValidationError) as error:
        services.engagement_update(engagement=engagement, actor=staff_user,
                                   planned_end=END - datetime.timedelta(days=1))
    assert "planned_start" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.engagement_update(engagement=engagement, actor=staff_user,
                                   planned_start=END + datetime.timedelta(days=1))
    assert "planned_end" in error.value.message_dict
    engagement.refresh_from_db()
    assert engagement.planned_end == END


@pytest.mark.parametrize("status", [EngagementStatus.CLOSED, EngagementStatus.CANCELLED])
def test_closed_and_cancelled_engagements_are_history(staff_user, org_a, status):
    engagement = EngagementFactory(organization=org_a, status=status)
    with pytest.raises(ConflictError, match="history"):
        services.engagement_update(engagement=engagement, actor=staff_user, title="Rewrite")


# --- Workflow ------------------------------------------------------------------------------------


def test_the_full_workflow_is_recorded_with_actor_and_note(staff_user, org_a):
    engagement = _create(staff_user, org_a)
    services.engagement_transition(engagement=engagement, actor=staff_user,
                                   to_status=EngagementStatus.STAFFING)
    with pytest.raises(ConflictError, match="without a team"):
        services.engagement_transition(engagement=engagement, actor=staff_user,
                                       to_status=EngagementStatus.ACTIVE)
    AssignmentFactory(engagement=engagement)
    for status in (EngagementStatus.ACTIVE, EngagementStatus.CLOSING, EngagementStatus.CLOSED):
        engagement = services.engagement_transition(
            engagement=engagement, actor=staff_user, to_status=status, note=f"to {status}"
        )
    assert engagement.status == EngagementStatus.CLOSED
    assert list(engagement.transitions.values_list("from_status", "to_status", "note")) == [
        ("", "proposed", ""), ("proposed", "staffing", ""),
        ("staffing", "active", "to active"), ("active", "closing", "to closing"),
        ("closing", "closed", "to closed"),
    ]
    assert services.engagement_allowed_targets(engagement=engagement) == []


@pytest.mark.parametrize(("current", "target"), [
    (current, target)
    for current in EngagementStatus.values for target in EngagementStatus.values
    if target not in ENGAGEMENT_TRANSITIONS[current]
])
def test_moves_outside_the_workflow_are_conflicts(staff_user, current, target):
    engagement = EngagementFactory(status=current)
    AssignmentFactory(engagement=engagement)
    with pytest.raises(ConflictError, match="cannot become"):
        services.engagement_transition(engagement=engagement, actor=staff_user,
                                       to_status=target, note="why")
    engagement.refresh_from_db()
    assert engagement.status == current
    assert not EngagementTransition.objects.exists()


def test_allowed_targets_follow_the_workflow():
    for status, targets in ENGAGEMENT_TRANSITIONS.items():
        engagement = EngagementFactory(status=status)
        assert services.engagement_allowed_targets(engagement=engagement) == list(targets)


def test_cancelling_needs_a_reason_and_cancels_open_needs(staff_user):
    engagement = EngagementFactory(status=EngagementStatus.STAFFING)
    open_need = StaffingNeedFactory(engagement=engagement)
    filled = StaffingNeedFactory(engagement=engagement, status=NeedStatus.FILLED)
    with pytest.raises(ValidationError) as error:
        services.engagement_transition(engagement=engagement, actor=staff_user,
                                       to_status=EngagementStatus.CANCELLED, note="  ")
    assert "note" in error.value.message_dict
    services.engagement_transition(engagement=engagement, actor=staff_user,
                                   to_status=EngagementStatus.CANCELLED,
                                   note="The client froze the budget.")
    open_need.refresh_from_db()
    filled.refresh_from_db()
    assert (open_need.status, filled.status) == (NeedStatus.CANCELLED, NeedStatus.FILLED)
    assert engagement.transitions.get().note == "The client froze the budget."


def test_unknown_statuses_and_clients_are_refused(staff_user, user_a, org_a):
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.PROPOSED)
    with pytest.raises(ValidationError) as error:
        services.engagement_transition(engagement=engagement, actor=staff_user,
                                       to_status="paused")
    assert "to_status" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.engagement_transition(engagement=engagement, actor=user_a,
                                       to_status=EngagementStatus.STAFFING)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.PROPOSED


# --- Lists and isolation -------------------------------------------------------------------------


def _list_queries() -> int:
    seen = []
    with CaptureQueriesContext(connection) as queries:
        for engagement in selectors.engagement_list():
            seen += [engagement.organization, engagement.scrum_master, engagement.sponsor,
                     *engagement.services.all(), *engagement.applications.all()]
            for assignment in engagement.assignments.all():
                seen += [assignment.consultant.full_name, assignment.role.name]
    assert seen
    return len(queries)


def _engagement_with_team():
    engagement = EngagementFactory(scrum_master=ConsultantFactory())
    engagement.services.add(PublishedServiceFactory())
    AssignmentFactory(engagement=engagement)
    AssignmentFactory(engagement=engagement)


def test_engagement_list_costs_the_same_for_2_or_6_engagements():
    for _ in range(2):
        _engagement_with_team()
    few = _list_queries()
    for _ in range(4):
        _engagement_with_team()
    assert _list_queries() == few


def test_clients_see_only_their_organizations_engagements(user_a, org_a, org_b, staff_user):
    mine = EngagementFactory(organization=org_a)
    EngagementFactory(organization=org_b)
    assert list(selectors.engagement_list().filter(
        pk__in=Engagement.objects.for_user(user_a)
    )) == [mine]
    assert Engagement.objects.for_user(staff_user).count() == 2

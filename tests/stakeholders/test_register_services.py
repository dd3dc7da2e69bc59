"""Services of the stakeholder register, engagement assessments, communication and risks."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pmo_service.exceptions import ConflictError
from stakeholders import services
from stakeholders.choices import MembershipRole
from stakeholders.models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Risk,
    Stakeholder,
    add_interval,
)
from tests.factories import (
    ClientUserFactory,
    CommunicationFactory,
    CommunicationPlanFactory,
    EngagementAssessmentFactory,
    RiskFactory,
    StaffUserFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(days: int):
    return today() - timedelta(days=days)


@pytest.fixture
def reader(org_a):
    return ClientUserFactory(
        membership__organization=org_a, membership__role=MembershipRole.READ_ONLY
    )


@pytest.fixture
def person(org_a):
    return StakeholderFactory(
        organization=org_a, current_engagement="neutral", desired_engagement="supportive"
    )


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Stakeholders ----------------------------------------------------------------------------


def test_stakeholder_create_records_the_initial_assessment(user_a, org_a):
    stakeholder = services.stakeholder_create(
        actor=user_a, organization=org_a, full_name="Ana Torres", power=4, interest=5,
        current_engagement="resistant", desired_engagement="leading",
    )
    assessment = stakeholder.assessments.get()
    assert (assessment.current, assessment.desired) == ("resistant", "leading")
    assert assessment.assessed_on == today()
    assert assessment.assessed_by == user_a
    assert assessment.note == "Initial assessment"
    assert stakeholder.quadrant == "manage_closely"


def test_stakeholder_create_validates_and_saves_nothing_on_error(user_a, org_a):
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_create(
            actor=user_a, organization=org_a, full_name="Ana", power=9, interest=3,
            current_engagement="enthusiastic",
        )
    assert {"power", "current_engagement"} <= set(field_errors(excinfo))
    assert not Stakeholder.objects.exists()
    assert not EngagementAssessment.objects.exists()


def test_stakeholder_email_is_unique_per_organization(user_a, org_a, org_b):
    StakeholderFactory(organization=org_a, email="ana@client.test")
    StakeholderFactory(organization=org_b, email="ana@client.test")  # another org: fine
    with pytest.raises(ValidationError, match="already has a stakeholder with this e-mail"):
        services.stakeholder_create(
            actor=user_a, organization=org_a, full_name="Ana", power=2, interest=2,
            email="ANA@client.test",
        )


def test_read_only_member_cannot_write_the_register(reader, org_a, person):
    with pytest.raises(PermissionDenied, match="read-only"):
        services.stakeholder_create(
            actor=reader, organization=org_a, full_name="X", power=1, interest=1
        )
    with pytest.raises(PermissionDenied):
        services.stakeholder_update(stakeholder=person, actor=reader, power=5)
    with pytest.raises(PermissionDenied):
        services.engagement_assess(
            stakeholder=person, actor=reader, current="leading", desired="leading"
        )
    assert Stakeholder.objects.count() == 1
    assert Stakeholder.objects.get().power == 3


def test_member_of_an_inactive_organization_cannot_write(user_a, org_a):
    org_a.is_active = False
    org_a.save()
    with pytest.raises(PermissionDenied, match="no longer served"):
        services.stakeholder_create(
            actor=user_a, organization=org_a, full_name="X", power=1, interest=1
        )


def test_client_cannot_write_another_organizations_register(user_a, org_b):
    with pytest.raises(PermissionDenied):
        services.stakeholder_create(
            actor=user_a, organization=org_b, full_name="X", power=1, interest=1
        )
    foreign = StakeholderFactory(organization=org_b)
    with pytest.raises(PermissionDenied):
        services.stakeholder_update(stakeholder=foreign, actor=user_a, power=5)


def test_only_staff_assign_a_staff_relationship_owner(user_a, staff_user, org_a, person):
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_create(
            actor=user_a, organization=org_a, full_name="X", power=1, interest=1,
            relationship_owner=staff_user,
        )
    assert "Only PMO staff" in field_errors(excinfo)["relationship_owner"][0]
    updated = services.stakeholder_update(
        stakeholder=person, actor=staff_user, relationship_owner=staff_user
    )
    assert updated.relationship_owner == staff_user
    # A client may send the value back unchanged, but not change or clear it.
    services.stakeholder_update(stakeholder=person, actor=user_a, relationship_owner=staff_user)
    with pytest.raises(ValidationError):
        services.stakeholder_update(stakeholder=person, actor=user_a, relationship_owner=None)
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_update(stakeholder=person, actor=staff_user, relationship_owner=user_a)
    assert "relationship_owner" in field_errors(excinfo)  # a client user is no PMO owner


def test_stakeholder_update_records_an_assessment_only_when_engagement_changes(
    user_a, person
):
    services.stakeholder_update(stakeholder=person, actor=user_a, power=5, notes="Key ally")
    assert not person.assessments.exists()
    updated = services.stakeholder_update(
        stakeholder=person, actor=user_a, current_engagement="supportive"
    )
    assessment = updated.assessments.get()
    assert (assessment.current, assessment.desired) == ("supportive", "supportive")
    assert assessment.assessed_on == today()
    assert assessment.assessed_by == user_a
    assert updated.power == 5
    assert updated.engagement_gap == 0


def test_stakeholder_cannot_move_to_another_organization(staff_user, person, org_b):
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_update(stakeholder=person, actor=staff_user, organization=org_b)
    assert "organization" in field_errors(excinfo)
    person.refresh_from_db()
    assert person.organization_id != org_b.pk


# --- Engagement assessments ------------------------------------------------------------------


def test_assessment_defaults_to_today_and_syncs_the_register(user_a, person):
    assessment = services.engagement_assess(
        stakeholder=person, actor=user_a, current="resistant", desired="leading",
        note="  Opposed the rollout in the steering committee.  ",
    )
    assert assessment.assessed_on == today()
    assert assessment.note == "Opposed the rollout in the steering committee."
    person.refresh_from_db()
    assert (person.current_engagement, person.desired_engagement) == ("resistant", "leading")
    assert person.engagement_gap == 3


def test_reassessment_over_time_keeps_the_trend(user_a, person):
    for days, current in ((60, "unaware"), (30, "resistant"), (0, "neutral")):
        services.engagement_assess(
            stakeholder=person, actor=user_a, current=current, desired="supportive",
            assessed_on=days_ago(days),
        )
    trend = list(person.assessments.order_by("assessed_on").values_list("current", flat=True))
    assert trend == ["unaware", "resistant", "neutral"]
    person.refresh_from_db()
    assert person.current_engagement == "neutral"


def test_back_dated_assessment_does_not_overwrite_newer_values(user_a, person):
    services.engagement_assess(
        stakeholder=person, actor=user_a, current="supportive", desired="leading",
        assessed_on=days_ago(2),
    )
    older = services.engagement_assess(
        stakeholder=person, actor=user_a, current="unaware", desired="neutral",
        assessed_on=days_ago(10),
    )
    person.refresh_from_db()
    assert (person.current_engagement, person.desired_engagement) == ("supportive", "leading")
    assert person.assessments.count() == 2
    assert older in person.assessments.all()


def test_same_day_assessment_recorded_last_wins(user_a, person):
    for current in ("resistant", "leading"):
        services.engagement_assess(
            stakeholder=person, actor=user_a, current=current, desired="leading",
            assessed_on=days_ago(1),
        )
    person.refresh_from_db()
    assert person.current_engagement == "leading"


def test_back_dated_assessment_that_is_still_the_latest_syncs(user_a, person):
    EngagementAssessmentFactory(stakeholder=person, assessed_on=days_ago(40))
    services.engagement_assess(
        stakeholder=person, actor=user_a, current="unaware", desired="supportive",
        assessed_on=days_ago(20),
    )
    person.refresh_from_db()
    assert person.current_engagement == "unaware"


def test_future_assessment_and_unknown_levels_are_refused(user_a, person):
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_assess(
            stakeholder=person, actor=user_a, current="neutral", desired="leading",
            assessed_on=today() + timedelta(days=1),
        )
    assert "future" in field_errors(excinfo)["assessed_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_assess(
            stakeholder=person, actor=user_a, current="ecstatic", desired="leading"
        )
    assert "current" in field_errors(excinfo)
    assert not person.assessments.exists()
    person.refresh_from_db()
    assert person.current_engagement == "neutral"


def test_client_cannot_assess_another_organizations_stakeholder(user_a, org_b):
    foreign = StakeholderFactory(organization=org_b)
    with pytest.raises(PermissionDenied):
        services.engagement_assess(
            stakeholder=foreign, actor=user_a, current="neutral", desired="leading"
        )


# --- Communication plan and log --------------------------------------------------------------


def test_plan_needs_stakeholders_or_an_audience(user_a, org_a, person):
    with pytest.raises(ValidationError) as excinfo:
        services.communication_plan_create(
            actor=user_a, organization=org_a, purpose="Progress", channel="meeting",
            frequency="monthly", audience="   ",
        )
    assert "audience" in field_errors(excinfo)
    by_group = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="Progress", channel="meeting",
        frequency="monthly", audience="Steering committee",
    )
    by_person = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="One to one", channel="phone",
        frequency="weekly", stakeholders=[person],
    )
    assert list(by_person.stakeholders.all()) == [person]
    assert by_group.stakeholders.count() == 0


def test_new_plan_is_first_due_on_its_start_and_ad_hoc_never(user_a, org_a):
    start = today() + timedelta(days=5)
    plan = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="Kick-off", channel="workshop",
        frequency="quarterly", audience="All staff", starts_on=start,
    )
    plan.refresh_from_db()
    assert plan.next_due_on == start
    ad_hoc = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="Escalations", channel="email",
        frequency="ad_hoc", audience="Sponsors",
    )
    ad_hoc.refresh_from_db()
    assert ad_hoc.next_due_on is None


def test_plan_refuses_other_organizations_people(user_a, staff_user, org_a, org_b):
    foreign = StakeholderFactory(organization=org_b)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_plan_create(
            actor=staff_user, organization=org_a, purpose="P", channel="meeting",
            frequency="monthly", stakeholders=[foreign],
        )
    assert "stakeholders" in field_errors(excinfo)
    outsider = ClientUserFactory(membership__organization=org_b)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_plan_create(
            actor=staff_user, organization=org_a, purpose="P", channel="meeting",
            frequency="monthly", audience="Board", owner=outsider,
        )
    assert "owner" in field_errors(excinfo)
    # Staff and the organization's own members may own a plan.
    for owner in (staff_user, user_a):
        services.communication_plan_create(
            actor=staff_user, organization=org_a, purpose="P", channel="meeting",
            frequency="monthly", audience="Board", owner=owner,
        )
    assert CommunicationPlan.objects.count() == 2


def test_logging_a_communication_moves_the_plan_due_date(user_a, org_a, person):
    plan = CommunicationPlanFactory(
        organization=org_a, frequency="monthly", starts_on=days_ago(90), channel="video_call"
    )
    held = days_ago(40)
    communication = services.communication_record(
        actor=user_a, organization=org_a, plan=plan, held_on=held,
        summary="Agreed the pilot scope.", participants=[person],
    )
    assert communication.channel == "video_call"  # from the plan
    assert communication.recorded_by == user_a
    assert list(communication.participants.all()) == [person]
    plan.refresh_from_db()
    expected = add_interval(held, "monthly")
    assert plan.next_due_on == expected
    # An older entry logged afterwards does not pull the due date back.
    services.communication_record(
        actor=user_a, organization=org_a, plan=plan, held_on=days_ago(70), channel="email",
        summary="Earlier e-mail, logged late.",
    )
    plan.refresh_from_db()
    assert plan.next_due_on == expected


def test_overdue_plans_are_detected_and_cleared_by_logging(user_a, org_a):
    plan = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="Weekly call", channel="phone",
        frequency="weekly", audience="Project team", starts_on=days_ago(30),
    )
    services.communication_record(
        actor=user_a, organization=org_a, plan=plan, held_on=days_ago(10), summary="Call."
    )
    plan.refresh_from_db()
    assert plan.next_due_on == days_ago(3)
    assert plan.is_overdue(today())
    assert list(CommunicationPlan.objects.overdue(today())) == [plan]
    services.communication_record(
        actor=user_a, organization=org_a, plan=plan, held_on=today(), summary="Call."
    )
    plan.refresh_from_db()
    assert plan.next_due_on == today() + timedelta(days=7)
    assert not plan.is_overdue(today())
    assert not CommunicationPlan.objects.overdue(today()).exists()


def test_inactive_plan_is_never_overdue(user_a, org_a):
    plan = CommunicationPlanFactory(organization=org_a, starts_on=days_ago(30))
    services.communication_plan_refresh_due(plan=plan)
    assert plan.is_overdue(today())
    services.communication_plan_update(plan=plan, actor=user_a, is_active=False)
    assert not CommunicationPlan.objects.overdue(today()).exists()


def test_plan_update_recomputes_due_and_keeps_an_audience(user_a, org_a, person):
    plan = services.communication_plan_create(
        actor=user_a, organization=org_a, purpose="Report", channel="report",
        frequency="monthly", stakeholders=[person], starts_on=days_ago(100),
    )
    services.communication_record(
        actor=user_a, organization=org_a, plan=plan, held_on=days_ago(14), summary="Sent."
    )
    plan = services.communication_plan_update(plan=plan, actor=user_a, frequency="weekly")
    assert plan.next_due_on == days_ago(7)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_plan_update(plan=plan, actor=user_a, stakeholders=[])
    assert "audience" in field_errors(excinfo)
    plan = services.communication_plan_update(
        plan=plan, actor=user_a, stakeholders=[], audience="Management team"
    )
    assert plan.stakeholders.count() == 0
    # Leaving stakeholders out keeps them.
    services.communication_plan_update(plan=plan, actor=user_a, stakeholders=[person])
    services.communication_plan_update(plan=plan, actor=user_a, purpose="Monthly report")
    assert list(plan.stakeholders.all()) == [person]


def test_communication_refuses_future_dates_and_foreign_references(user_a, staff_user, org_a,
                                                                   org_b):
    with pytest.raises(ValidationError) as excinfo:
        services.communication_record(
            actor=user_a, organization=org_a, held_on=today() + timedelta(days=1),
            channel="meeting", summary="Not yet.",
        )
    assert "held_on" in field_errors(excinfo)
    foreign_plan = CommunicationPlanFactory(organization=org_b)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_record(
            actor=staff_user, organization=org_a, held_on=today(), plan=foreign_plan,
            summary="x",
        )
    assert "plan" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_record(
            actor=staff_user, organization=org_a, held_on=today(), channel="meeting",
            summary="x", participants=[StakeholderFactory(organization=org_b)],
        )
    assert "participants" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.communication_record(
            actor=user_a, organization=org_a, held_on=today(), summary="No channel, no plan."
        )
    assert "channel" in field_errors(excinfo)
    assert not Communication.objects.exists()
    foreign_plan.refresh_from_db()
    assert foreign_plan.next_due_on == foreign_plan.starts_on


def test_moving_a_log_entry_refreshes_both_plans(user_a, org_a):
    first = CommunicationPlanFactory(organization=org_a, frequency="weekly",
                                     starts_on=days_ago(60))
    second = CommunicationPlanFactory(organization=org_a, frequency="weekly",
                                      starts_on=days_ago(60))
    entry = services.communication_record(
        actor=user_a, organization=org_a, plan=first, held_on=days_ago(5), summary="Call."
    )
    first.refresh_from_db()
    assert first.next_due_on == days_ago(5) + timedelta(days=7)
    services.communication_update(communication=entry, actor=user_a, plan=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.next_due_on == first.starts_on  # nothing logged against it any more
    assert second.next_due_on == days_ago(5) + timedelta(days=7)
    services.communication_update(communication=entry, actor=user_a, held_on=days_ago(1))
    second.refresh_from_db()
    assert second.next_due_on == days_ago(1) + timedelta(days=7)
    with pytest.raises(ValidationError):
        services.communication_update(
            communication=entry, actor=user_a, held_on=today() + timedelta(days=3)
        )


def test_plan_with_a_log_cannot_be_deleted(user_a, org_a):
    plan = CommunicationPlanFactory(organization=org_a)
    CommunicationFactory(organization=org_a, plan=plan)
    with pytest.raises(ConflictError, match="deactivate"):
        services.communication_plan_delete(plan=plan, actor=user_a)
    unused = CommunicationPlanFactory(organization=org_a)
    services.communication_plan_delete(plan=unused, actor=user_a)
    assert list(CommunicationPlan.objects.all()) == [plan]


# --- Risks -----------------------------------------------------------------------------------


def test_risk_response_must_fit_its_kind(user_a, org_a):
    with pytest.raises(ValidationError, match="does not apply to this kind"):
        services.risk_create(
            actor=user_a, organization=org_a, title="New funding", category="financial",
            kind="opportunity", probability=2, impact=4, response_strategy="mitigate",
        )
    risk = services.risk_create(
        actor=user_a, organization=org_a, title="New funding", category="financial",
        kind="opportunity", probability=2, impact=4, response_strategy="exploit",
    )
    assert risk.rating == "medium"
    with pytest.raises(ValidationError):
        services.risk_update(risk=risk, actor=user_a, kind="threat")


def test_risk_links_only_its_organizations_stakeholders(staff_user, org_a, org_b, person):
    foreign = StakeholderFactory(organization=org_b)
    for references in ({"owner": foreign}, {"stakeholders": [person, foreign]}):
        with pytest.raises(ValidationError) as excinfo:
            services.risk_create(
                actor=staff_user, organization=org_a, title="Key user leaves",
                category="resources", probability=3, impact=4, **references,
            )
        assert set(references) <= set(field_errors(excinfo))
    assert not Risk.objects.exists()
    risk = services.risk_create(
        actor=staff_user, organization=org_a, title="Key user leaves", category="resources",
        probability=3, impact=4, owner=person, stakeholders=[person],
    )
    assert list(risk.stakeholders.all()) == [person]


def test_risk_is_closed_with_a_status_and_keeps_its_links(user_a, reader, org_a, person):
    risk = RiskFactory(organization=org_a)
    risk.stakeholders.add(person)
    with pytest.raises(PermissionDenied):
        services.risk_update(risk=risk, actor=reader, status="closed")
    services.risk_update(risk=risk, actor=user_a, status="closed")
    risk.refresh_from_db()
    assert risk.status == "closed"
    assert not Risk.objects.active().exists()
    assert list(risk.stakeholders.all()) == [person]


def test_staff_may_write_any_organization(org_b):
    staff = StaffUserFactory()
    stakeholder = services.stakeholder_create(
        actor=staff, organization=org_b, full_name="Bea", power=2, interest=4
    )
    assert stakeholder.organization == org_b
    assert stakeholder.assessments.get().assessed_by == staff

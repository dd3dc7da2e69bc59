"""The demo stakeholder registers seeded by ``seed_demo``: believable, complete, consistent
with the register's own rules, and created only once."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from stakeholders.choices import (
    ENGAGEMENT_ORDER,
    OPPORTUNITY_RESPONSES,
    THREAT_RESPONSES,
    CommunicationFrequency,
    Quadrant,
    Relationship,
    RiskKind,
    RiskRating,
    RiskStatus,
)
from stakeholders.models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Organization,
    Risk,
    Stakeholder,
    User,
)

pytestmark = pytest.mark.django_db

CLIENTS = [
    "City Council of Riverton",
    "Eastmoor Regional Health Service",
    "National Agency for Digital Government",
]
REGISTER_MODELS = [Stakeholder, EngagementAssessment, CommunicationPlan, Communication, Risk]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the whole module (it is slow), inside a transaction rolled back
    at the end: each test runs in a savepoint of it, and nothing leaks into other modules."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def staff(seeded):
    return User.objects.get(username="pmo.staff")


def _organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _trend(assessments: list[EngagementAssessment]) -> str:
    first = ENGAGEMENT_ORDER[assessments[0].current]
    last = ENGAGEMENT_ORDER[assessments[-1].current]
    return "improving" if last > first else "declining" if last < first else "steady"


@pytest.mark.parametrize("client_name", CLIENTS)
def test_each_register_covers_the_grid_and_the_relationships(seeded, staff, client_name):
    people = list(
        Stakeholder.objects.filter(organization=_organization(client_name)).with_classification()
    )
    assert len(people) >= 10
    # Default thresholds (high from 3): every quadrant of the grid is populated, and the SQL
    # classification agrees with the Python one.
    assert {person.quadrant_value for person in people} == set(Quadrant.values)
    assert all(person.quadrant_value == person.quadrant for person in people)
    relationships = {person.relationship for person in people}
    assert {
        Relationship.SPONSOR, Relationship.PRODUCT_OWNER, Relationship.DECISION_MAKER,
        Relationship.KEY_USER, Relationship.SUPPLIER, Relationship.REGULATOR,
    } <= relationships
    gaps = {person.engagement_gap_value for person in people}
    assert any(gap > 0 for gap in gaps)  # engagement to raise
    assert any(gap < 0 for gap in gaps)  # over-engaged: to be kept within scope
    assert 0 in gaps
    assert all(person.relationship_owner == staff for person in people)
    assert all(person.email and person.title and person.unit and person.notes
               for person in people)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_engagement_history_shows_trends_and_matches_the_register(seeded, staff, client_name):
    today = timezone.localdate()
    trends = set()
    people = Stakeholder.objects.filter(organization=_organization(client_name))
    for person in people.prefetch_related("assessments"):
        history = sorted(person.assessments.all(), key=lambda item: (item.assessed_on, item.pk))
        assert 2 <= len(history) <= 3, person
        assert len({item.assessed_on for item in history}) == len(history), person
        assert all(item.assessed_by == staff and item.note for item in history), person
        assert all(item.assessed_on < today for item in history), person
        latest = person.assessments.latest()
        assert (person.current_engagement, person.desired_engagement) == (
            latest.current, latest.desired
        ), person
        trends.add(_trend(history))
    assert trends == {"improving", "declining", "steady"}
    oldest = EngagementAssessment.objects.filter(stakeholder__in=people).order_by("assessed_on")
    assert oldest.first().assessed_on <= today - datetime.timedelta(days=90)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_communication_plan_has_a_log_and_due_dates_that_follow_it(seeded, staff, client_name):
    today = timezone.localdate()
    plans = list(
        CommunicationPlan.objects.filter(organization=_organization(client_name))
        .annotate(last_held=Max("communications__held_on"))
        .prefetch_related("stakeholders")
    )
    assert 5 <= len(plans) <= 7
    assert len({plan.channel for plan in plans}) >= 4
    assert len({plan.frequency for plan in plans}) >= 4
    for plan in plans:
        assert plan.last_held is not None, plan  # every plan has communications logged
        assert plan.next_due_on == plan.compute_next_due(plan.last_held), plan
        assert plan.owner == staff, plan
    overdue = [plan for plan in plans if plan.is_overdue(today)]
    assert len(overdue) >= 2
    assert {plan.pk for plan in overdue} == set(
        CommunicationPlan.objects.filter(organization__name=client_name)
        .overdue(today).values_list("pk", flat=True)
    )
    soon = today + datetime.timedelta(days=14)
    assert any(plan.next_due_on and today <= plan.next_due_on <= soon for plan in plans)
    ad_hoc = [plan for plan in plans if plan.frequency == CommunicationFrequency.AD_HOC]
    assert ad_hoc
    assert all(plan.next_due_on is None for plan in ad_hoc)
    assert any(plan.audience for plan in plans)  # a group, such as the steering committee
    assert any(not plan.audience and plan.stakeholders.all() for plan in plans)
    log = Communication.objects.filter(organization__name=client_name)
    assert log.count() >= 12
    assert not log.exclude(recorded_by=staff).exists()
    assert not log.filter(held_on__gt=today).exists()
    assert log.filter(participants__isnull=False).exists()


@pytest.mark.parametrize("client_name", CLIENTS)
def test_risk_register_spreads_over_the_heat_map(seeded, client_name):
    organization = _organization(client_name)
    risks = list(
        Risk.objects.filter(organization=organization).with_rating()
        .select_related("owner").prefetch_related("stakeholders")
    )
    assert len(risks) >= 12
    # Default thresholds: every rating, over many cells of the 5x5 map.
    assert {risk.rating_value for risk in risks} == set(RiskRating.values)
    assert all(risk.rating_value == risk.rating for risk in risks)
    assert len({(risk.probability, risk.impact) for risk in risks}) >= 8
    assert {risk.status for risk in risks} == set(RiskStatus.values)
    opportunities = [risk for risk in risks if risk.kind == RiskKind.OPPORTUNITY]
    threats = [risk for risk in risks if risk.kind == RiskKind.THREAT]
    assert len(opportunities) >= 2
    assert threats
    assert all(risk.response_strategy in OPPORTUNITY_RESPONSES for risk in opportunities)
    assert all(risk.response_strategy in THREAT_RESPONSES for risk in threats)
    assert len({risk.response_strategy for risk in risks}) >= 5
    assert all(risk.owner and risk.owner.organization_id == organization.pk for risk in risks)
    linked = [risk for risk in risks if risk.stakeholders.all()]
    assert len(linked) >= len(risks) - 1
    assert all(
        person.organization_id == organization.pk
        for risk in linked for person in risk.stakeholders.all()
    )
    assert all(risk.proximity and risk.cause and risk.effect and risk.response_actions
               for risk in risks)


def test_summary_line_reports_the_registers(seeded):
    match = re.search(
        r"Stakeholders: (\d+) people, (\d+) communication plans, (\d+) risks across (\d+) "
        r"clients", seeded,
    )
    assert match, seeded
    assert [int(value) for value in match.groups()] == [
        Stakeholder.objects.count(), CommunicationPlan.objects.count(), Risk.objects.count(), 3
    ]


def _snapshot() -> dict[str, list]:
    """Every row of the register's tables with all its values."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in REGISTER_MODELS
    }


def test_seeding_again_creates_and_changes_nothing(seeded):
    before = _snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert _snapshot() == before
    assert "risks across 3 clients (0, 0 and 0 created now)" in output.getvalue()


def test_an_existing_person_is_left_as_staff_edited_it(seeded):
    person = Stakeholder.objects.get(email="tomas.herrera@riverton.example")
    Stakeholder.objects.filter(pk=person.pk).update(title="Acting Head of Urban Planning")
    call_command("seed_demo", stdout=io.StringIO())
    person.refresh_from_db()
    assert person.title == "Acting Head of Urban Planning"
    assert Stakeholder.objects.filter(email="tomas.herrera@riverton.example").count() == 1

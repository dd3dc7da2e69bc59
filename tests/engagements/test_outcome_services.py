"""Outcome services: recording how an engagement ended, the client's perceived fit of each
team member, and the culture snapshot the track record later compares against."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements import selectors, services
from engagements.choices import EngagementStatus
from engagements.models import ConsultantFitRating, EngagementOutcome
from pmo_service.exceptions import ConflictError
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    ConsultantFitRatingFactory,
    CultureAssessmentFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing(org_a):
    return EngagementFactory(organization=org_a, status=EngagementStatus.CLOSING)


def _rating(consultant, **items):
    return {"consultant": consultant, "values_match": 6, "values_fit": 5, "culture_fit": 7,
            **items}


def test_staff_record_the_outcome_with_ratings_and_a_culture_snapshot(staff_user, closing):
    first, second = AssignmentFactory(engagement=closing), AssignmentFactory(engagement=closing)
    CultureAssessmentFactory(organization=closing.organization,
                             assessed_on=datetime.date(2020, 1, 1))
    in_force = CultureAssessmentFactory(
        organization=closing.organization, assessed_on=datetime.date(2024, 1, 1),
        current_clan=Decimal("12.50"), current_adhocracy=Decimal("60.00"),
        current_market=Decimal("17.50"), current_hierarchy=Decimal("10.00"),
    )
    outcome = services.outcome_record(
        engagement=closing, actor=staff_user, client_satisfaction=4, on_time=False,
        final_cpi=Decimal("0.950"), final_spi=Decimal("1.020"), note="Late by two sprints",
        ratings=[_rating(first.consultant, comment="Great with the board"),
                 _rating(second.consultant, values_match=2, values_fit=2, culture_fit=3)],
    )
    outcome.refresh_from_db()
    assert outcome.culture_profile == in_force.current_profile
    assert (outcome.client_satisfaction, outcome.on_time, outcome.recorded_by) == (
        4, False, staff_user
    )
    ratings = {rating.consultant: rating for rating in outcome.fit_ratings.all()}
    assert ratings[first.consultant].perceived_fit == Decimal("6.00")
    assert ratings[first.consultant].comment == "Great with the board"
    assert ratings[second.consultant].perceived_fit == Decimal("2.33")


def test_without_an_assessment_the_snapshot_is_empty(staff_user, org_a):
    engagement = EngagementFactory(organization=org_a, status=EngagementStatus.CLOSED)
    CultureAssessmentFactory()  # another client's culture is not this one's
    outcome = services.outcome_record(engagement=engagement, actor=staff_user,
                                      client_satisfaction=3, on_time=True)
    assert outcome.culture_profile is None
    assert outcome.culture_hierarchy is None


@pytest.mark.parametrize("status", [EngagementStatus.PROPOSED, EngagementStatus.STAFFING,
                                    EngagementStatus.ACTIVE, EngagementStatus.CANCELLED])
def test_outcomes_wait_for_closing(staff_user, status):
    engagement = EngagementFactory(status=status)
    with pytest.raises(ConflictError, match="closing"):
        services.outcome_record(engagement=engagement, actor=staff_user,
                                client_satisfaction=3, on_time=True)
    assert not EngagementOutcome.objects.exists()


def test_an_outcome_is_recorded_once(staff_user, closing):
    services.outcome_record(engagement=closing, actor=staff_user, client_satisfaction=5,
                            on_time=True)
    with pytest.raises(ConflictError, match="already recorded"):
        services.outcome_record(engagement=closing, actor=staff_user, client_satisfaction=1,
                                on_time=False)
    assert EngagementOutcome.objects.get().client_satisfaction == 5


def test_only_consultants_of_the_team_are_rated(staff_user, closing):
    member = AssignmentFactory(engagement=closing).consultant
    AssignmentFactory(consultant=(outsider := ConsultantFactory()))  # on another engagement
    for ratings, message in [
        ([_rating(outsider)], "was not on this engagement's team"),
        ([_rating(member), _rating(member)], "rated twice"),
        ([_rating(member, culture_fit=8)], "from 1 to 7"),
        ([_rating(member, values_fit=0)], "from 1 to 7"),
        ([_rating(member, values_match="7")], "from 1 to 7"),
        ([{"consultant": "Ana", "values_match": 5}], "names a consultant"),
        ("not a list", "as a list"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.outcome_record(engagement=closing, actor=staff_user,
                                    client_satisfaction=4, on_time=True, ratings=ratings)
        assert message in " ".join(error.value.message_dict["ratings"])
    assert not EngagementOutcome.objects.exists()
    assert not ConsultantFitRating.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"client_satisfaction": 0}, "client_satisfaction"),
        ({"client_satisfaction": 6}, "client_satisfaction"),
        ({"client_satisfaction": None}, "client_satisfaction"),
        ({"on_time": "yes"}, "on_time"),
        ({"final_cpi": Decimal("-0.5")}, "final_cpi"),
        ({"final_spi": Decimal("-0.001")}, "final_spi"),
    ],
)
def test_bad_outcome_input_is_refused_on_its_field(staff_user, closing, fields, field):
    values = {"client_satisfaction": 4, "on_time": True, **fields}
    with pytest.raises(ValidationError) as error:
        services.outcome_record(engagement=closing, actor=staff_user, **values)
    assert field in error.value.message_dict
    assert not EngagementOutcome.objects.exists()


def test_clients_do_not_record_outcomes(user_a, closing):
    with pytest.raises(PermissionDenied):
        services.outcome_record(engagement=closing, actor=user_a, client_satisfaction=5,
                                on_time=True)


def test_outcome_list_costs_the_same_for_2_or_6_outcomes(org_a, org_b, user_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for outcome in selectors.outcome_list():
                _ = [outcome.engagement.organization.name,
                     *(rating.consultant.full_name for rating in outcome.fit_ratings.all())]
        return len(captured)

    def add(count, organization):
        for _ in range(count):
            outcome = EngagementOutcomeFactory(engagement__organization=organization)
            ConsultantFitRatingFactory(outcome=outcome)
            ConsultantFitRatingFactory(outcome=outcome)

    add(2, org_a)
    few = queries()
    add(4, org_b)
    assert queries() == few
    # Clients see only their organization's outcomes.
    assert EngagementOutcome.objects.for_user(user_a).count() == 2

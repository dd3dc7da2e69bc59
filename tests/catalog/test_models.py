"""Catalog models: the indicator rating rule and the invariants the database enforces."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.choices import Direction, Rating, ServiceStatus, TierLevel
from catalog.models import Criterion, Indicator, Service, ServiceTier, Skill, ValueProcess
from tests.factories import (
    CriterionFactory,
    IndicatorFactory,
    PublishedServiceFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceRoleFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    SkillFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


def _indicator(direction, green, red) -> Indicator:
    return Indicator(
        direction=direction, green_threshold=Decimal(green), red_threshold=Decimal(red)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("95", Rating.GREEN), ("90", Rating.GREEN), ("89.99", Rating.AMBER), ("75", Rating.AMBER),
     ("74.99", Rating.RED), ("0", Rating.RED)],
)
def test_rating_when_higher_is_better(value, expected):
    indicator = _indicator(Direction.HIGHER_IS_BETTER, "90", "75")
    assert indicator.rating(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", Rating.GREEN), ("5", Rating.GREEN), ("5.01", Rating.AMBER), ("10", Rating.AMBER),
     ("10.5", Rating.RED)],
)
def test_rating_when_lower_is_better(value, expected):
    indicator = _indicator(Direction.LOWER_IS_BETTER, "5", "10")
    assert indicator.rating(Decimal(value)) == expected


def test_equal_thresholds_leave_no_amber_band():
    indicator = _indicator(Direction.HIGHER_IS_BETTER, "80", "80")
    assert indicator.rating(Decimal("80")) == Rating.GREEN
    assert indicator.rating(Decimal("79.9")) == Rating.RED


@pytest.mark.parametrize(
    ("direction", "green", "red"),
    [(Direction.HIGHER_IS_BETTER, "70", "80"), (Direction.LOWER_IS_BETTER, "10", "5")],
)
def test_thresholds_out_of_order_are_refused_by_the_database(direction, green, red):
    indicator = IndicatorFactory.build(
        service=ServiceFactory(), direction=direction,
        green_threshold=Decimal(green), red_threshold=Decimal(red),
    )
    with pytest.raises(ValidationError, match="Thresholds are out of order"):
        indicator.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


def test_service_names_are_unique_ignoring_case():
    ServiceFactory(name="Portfolio Reporting")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(name="portfolio reporting")


def test_published_service_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(status=ServiceStatus.PUBLISHED, published_at=None)


@pytest.mark.parametrize("weeks", [0, 521])
def test_typical_duration_is_bounded(weeks):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(typical_duration_weeks=weeks)


def test_one_tier_per_level_and_tiers_listed_from_leanest():
    service = ServiceFactory()
    for level in (TierLevel.PREMIUM, TierLevel.ESSENTIAL, TierLevel.STANDARD):
        ServiceTierFactory(service=service, level=level)
    assert [tier.level for tier in service.tiers.all()] == [
        TierLevel.ESSENTIAL, TierLevel.STANDARD, TierLevel.PREMIUM,
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceTier.objects.create(
            service=service, level=TierLevel.STANDARD, includes="x", commitments="y"
        )


def test_negative_price_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceTierFactory(price=Decimal("-1"))


def test_tier_lines_drop_bullets_and_blanks():
    tier = ServiceTier(includes="- Monthly report\n\n• Dashboard \n", commitments="")
    assert tier.included_items == ["Monthly report", "Dashboard"]
    assert tier.commitment_items == []


def test_criteria_are_ordered_entry_acceptance_exit_then_position():
    service = ServiceFactory()
    CriterionFactory(service=service, kind="exit", position=1, text="exit")
    CriterionFactory(service=service, kind="acceptance", position=2, text="acceptance 2")
    CriterionFactory(service=service, kind="acceptance", position=1, text="acceptance 1")
    CriterionFactory(service=service, kind="entry", position=9, text="entry")
    assert [criterion.text for criterion in Criterion.objects.filter(service=service)] == [
        "entry", "acceptance 1", "acceptance 2", "exit",
    ]


def test_role_allocation_and_skill_levels_are_bounded():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRoleFactory(typical_allocation_percent=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRoleSkillFactory(minimum_level=6)
    requirement = ServiceRoleSkillFactory(minimum_level=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRoleSkillFactory(service_role=requirement.service_role, skill=requirement.skill)


def test_taxonomy_names_are_unique_ignoring_case():
    SkillFactory(name="Risk management")
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillFactory(name="RISK MANAGEMENT")


def test_skill_in_use_cannot_be_deleted():
    requirement = ServiceRoleSkillFactory()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        requirement.skill.delete()


def test_declined_request_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(status="declined", decision_reason="")


def test_only_one_open_request_per_organization_and_service():
    first = ServiceRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(organization=first.organization, service=first.service)
    # Once decided, the organization may ask again.
    first.status = "accepted"
    first.save()
    ServiceRequestFactory(organization=first.organization, service=first.service)


def test_requests_and_their_history_cannot_be_deleted():
    from django.db.models import ProtectedError

    request = ServiceRequestFactory()
    with pytest.raises(ProtectedError):
        request.delete()
    with pytest.raises(ProtectedError):
        request.service.delete()


def test_visibility_published_for_everyone_everything_for_staff(user_a):
    from django.contrib.auth.models import AnonymousUser

    published = PublishedServiceFactory()
    draft = ServiceFactory()
    retired = PublishedServiceFactory(status=ServiceStatus.RETIRED)
    for user in (AnonymousUser(), user_a):
        assert set(Service.objects.for_user(user)) == {published}
    assert set(Service.objects.for_user(StaffUserFactory())) == {published, draft, retired}
    SkillFactory()
    ValueProcess.objects.create(name="Planning", slug="planning")
    assert Skill.objects.for_user(AnonymousUser()).count() == 1
    assert ValueProcess.objects.for_user(AnonymousUser()).count() == 1

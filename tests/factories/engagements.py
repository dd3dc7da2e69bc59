"""Factories for the bench, client culture, engagements, outcomes and matching."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from catalog.choices import Seniority
from engagements.choices import CultureSource, EngagementStatus, Language, NeedStatus
from engagements.models import (
    Assignment,
    Consultant,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    CultureAssessment,
    DayRate,
    Engagement,
    EngagementOutcome,
    StaffingNeed,
    StaffingNeedSkill,
)

from .catalog import RoleFactory, SkillFactory
from .stakeholders import OrganizationFactory, StaffUserFactory


class ConsultantFactory(factory.django.DjangoModelFactory):
    """A senior consultant with an even working style; add skills, languages, rates."""

    class Meta:
        model = Consultant

    full_name = factory.Sequence(lambda n: f"Consultant {n:04d}")
    email = factory.Sequence(lambda n: f"consultant{n}@provider.example")
    seniority = Seniority.SENIOR
    location = "Madrid, ES"
    capacity_percent = 100
    style_clan = 25
    style_adhocracy = 25
    style_market = 25
    style_hierarchy = 25


class ConsultantSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantSkill

    consultant = factory.SubFactory(ConsultantFactory)
    skill = factory.SubFactory(SkillFactory)
    proficiency = 3


class ConsultantLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantLanguage

    consultant = factory.SubFactory(ConsultantFactory)
    language = Language.SPANISH


class ConsultantSectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantSector

    consultant = factory.SubFactory(ConsultantFactory)
    sector = "local"
    years = 3


class DayRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DayRate

    consultant = factory.SubFactory(ConsultantFactory)
    amount = Decimal("600.00")
    valid_from = date(2020, 1, 1)


class CultureAssessmentFactory(factory.django.DjangoModelFactory):
    """A directly entered, hierarchy-leaning culture (current) wishing for more clan."""

    class Meta:
        model = CultureAssessment

    organization = factory.SubFactory(OrganizationFactory)
    assessed_on = factory.LazyFunction(date.today)
    source = CultureSource.DIRECT
    current_clan = Decimal("20")
    current_adhocracy = Decimal("10")
    current_market = Decimal("20")
    current_hierarchy = Decimal("50")
    preferred_clan = Decimal("35")
    preferred_adhocracy = Decimal("20")
    preferred_market = Decimal("15")
    preferred_hierarchy = Decimal("30")
    assessed_by = factory.SubFactory(StaffUserFactory)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"PMO rollout {n:04d}")
    status = EngagementStatus.STAFFING
    planned_start = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + timedelta(days=180))
    budget_at_completion = Decimal("250000.00")


class StaffingNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingNeed

    engagement = factory.SubFactory(EngagementFactory)
    role = factory.SubFactory(RoleFactory)
    seniority = Seniority.SENIOR
    language = ""
    allocation_percent = 50
    start_on = factory.LazyAttribute(lambda o: o.engagement.planned_start)
    end_on = factory.LazyAttribute(lambda o: o.engagement.planned_end)
    status = NeedStatus.OPEN


class StaffingNeedSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingNeedSkill

    need = factory.SubFactory(StaffingNeedFactory)
    skill = factory.SubFactory(SkillFactory)
    minimum_level = 3


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A bare row (no capacity check): use services.assignment_create in service tests."""

    class Meta:
        model = Assignment

    engagement = factory.SubFactory(EngagementFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    role = factory.SubFactory(RoleFactory)
    allocation_percent = 50
    start_on = factory.LazyAttribute(lambda o: o.engagement.planned_start)
    end_on = factory.LazyAttribute(lambda o: o.engagement.planned_end)
    created_by = factory.SubFactory(StaffUserFactory)


class EngagementOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementOutcome

    engagement = factory.SubFactory(EngagementFactory, status=EngagementStatus.CLOSED)
    client_satisfaction = 4
    on_time = True
    recorded_by = factory.SubFactory(StaffUserFactory)


class ConsultantFitRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantFitRating

    outcome = factory.SubFactory(EngagementOutcomeFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    values_match = 5
    values_fit = 5
    culture_fit = 5

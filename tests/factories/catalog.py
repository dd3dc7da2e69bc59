"""Factories for the service catalog and service requests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.choices import (
    CriterionKind,
    Direction,
    Frequency,
    PricingBasis,
    RequestStatus,
    Seniority,
    ServiceStatus,
    SkillCategory,
    TierLevel,
    Typology,
)
from catalog.models import (
    Category,
    Certification,
    Criterion,
    Indicator,
    Role,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
    Skill,
    ValueProcess,
)

from .stakeholders import ClientUserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n:03d}")
    slug = factory.Sequence(lambda n: f"category-{n:03d}")


class ValueProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueProcess

    name = factory.Sequence(lambda n: f"Value process {n:03d}")
    slug = factory.Sequence(lambda n: f"value-process-{n:03d}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n:03d}")
    slug = factory.Sequence(lambda n: f"skill-{n:03d}")
    category = SkillCategory.METHODOLOGY


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"Role {n:03d}")
    slug = factory.Sequence(lambda n: f"role-{n:03d}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    code = factory.Sequence(lambda n: f"CERT{n:03d}")
    name = factory.Sequence(lambda n: f"Certification {n:03d}")
    issuer = "PMI"


class ServiceFactory(factory.django.DjangoModelFactory):
    """A draft service; use ``PublishedServiceFactory`` for one clients can see."""

    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n:04d}")
    slug = factory.Sequence(lambda n: f"service-{n:04d}")
    summary = "Helps the client run its portfolio with less effort."
    description = "A longer explanation of what the client gets."
    typology = Typology.SUPPORTIVE
    category = factory.SubFactory(CategoryFactory)
    typical_duration_weeks = 12
    pricing_basis = PricingBasis.MONTHLY_RETAINER


class PublishedServiceFactory(ServiceFactory):
    """A published service with one (standard) tier, as the catalog shows."""

    class Meta:
        skip_postgeneration_save = True

    status = ServiceStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    tier = factory.RelatedFactory(
        "tests.factories.catalog.ServiceTierFactory", factory_related_name="service"
    )


class ServiceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTier
        django_get_or_create = ("service", "level")

    service = factory.SubFactory(ServiceFactory)
    level = TierLevel.STANDARD
    headline = "For organizations starting out"
    includes = "Monthly portfolio report\nPMO lead part-time"
    commitments = "Report by the 5th working day\nAnswer within 2 working days"
    price = Decimal("4500.00")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    service = factory.SubFactory(ServiceFactory)
    kind = CriterionKind.ENTRY
    position = factory.Sequence(int)
    text = "A sponsor is named by the client."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Indicator {n:03d}")
    measures = "Share of projects reporting on time"
    formula = "Reports received by the deadline divided by reports due, times 100"
    unit = "%"
    direction = Direction.HIGHER_IS_BETTER
    target = Decimal("95")
    green_threshold = Decimal("90")
    red_threshold = Decimal("75")
    frequency = Frequency.MONTHLY


class ServiceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRole

    service = factory.SubFactory(ServiceFactory)
    role = factory.SubFactory(RoleFactory)
    seniority = Seniority.SENIOR
    typical_allocation_percent = 50


class ServiceRoleSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRoleSkill

    service_role = factory.SubFactory(ServiceRoleFactory)
    skill = factory.SubFactory(SkillFactory)
    minimum_level = 3


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request (with its submission transition) by a client user of ``organization``.

    Built directly, not through the service, so tests can place requests in any state.
    """

    class Meta:
        model = ServiceRequest
        skip_postgeneration_save = True

    service = factory.SubFactory(PublishedServiceFactory)
    tier = factory.LazyAttribute(lambda request: request.service.tiers.first())
    organization = factory.SubFactory("tests.factories.stakeholders.OrganizationFactory")
    requested_by = factory.LazyAttribute(
        lambda request: ClientUserFactory(membership__organization=request.organization)
    )
    desired_start = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=30)
    )
    context = "Our projects report in ten different formats."
    expected_outcomes = "One monthly portfolio report the board trusts."
    status = RequestStatus.SUBMITTED

    @factory.post_generation
    def submission(self, create, extracted, **kwargs):
        if create:
            ServiceRequestTransition.objects.create(
                request=self, from_status="", to_status=RequestStatus.SUBMITTED,
                actor=self.requested_by,
            )

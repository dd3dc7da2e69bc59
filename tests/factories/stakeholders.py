"""Factories for organizations, users, memberships and the stakeholder register."""

from datetime import date

import factory

from stakeholders.choices import (
    Channel,
    CommunicationFrequency,
    EngagementLevel,
    MembershipRole,
    OrganizationKind,
    Relationship,
    ResponseStrategy,
    RiskCategory,
    RiskKind,
    RiskStatus,
    Sector,
)
from stakeholders.models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Membership,
    Organization,
    Risk,
    Stakeholder,
    User,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Client Organization {n:04d}")
    kind = OrganizationKind.CLIENT
    sector = Sector.LOCAL
    is_public_administration = True
    country = "ES"
    region = "Madrid"
    contact_name = factory.Faker("name")
    contact_email = factory.Sequence(lambda n: f"contact{n}@client.example")


class ProviderFactory(OrganizationFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("kind",)

    name = "Provider PMO"
    kind = OrganizationKind.PROVIDER
    sector = Sector.SERVICES
    is_public_administration = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(TEST_PASSWORD)


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.MEMBER


class ClientUserFactory(UserFactory):
    """A client user with a membership (pass ``membership__organization=...``)."""

    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user")


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    organization = factory.SubFactory(OrganizationFactory)
    full_name = factory.Faker("name")
    title = factory.Faker("job")
    unit = "Information Systems"
    email = factory.Sequence(lambda n: f"stakeholder{n}@client.example")
    relationship = Relationship.KEY_USER
    power = 3
    interest = 3
    current_engagement = EngagementLevel.NEUTRAL
    desired_engagement = EngagementLevel.SUPPORTIVE


class EngagementAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementAssessment

    stakeholder = factory.SubFactory(StakeholderFactory)
    assessed_on = factory.LazyFunction(date.today)
    current = EngagementLevel.NEUTRAL
    desired = EngagementLevel.SUPPORTIVE
    assessed_by = factory.SubFactory(StaffUserFactory)


class CommunicationPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationPlan

    organization = factory.SubFactory(OrganizationFactory)
    audience = "Steering committee"
    purpose = factory.Sequence(lambda n: f"Monthly progress review {n}")
    channel = Channel.MEETING
    frequency = CommunicationFrequency.MONTHLY
    starts_on = factory.LazyFunction(date.today)
    next_due_on = factory.LazyAttribute(lambda plan: plan.starts_on)


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communication

    organization = factory.SubFactory(OrganizationFactory)
    held_on = factory.LazyFunction(date.today)
    channel = Channel.MEETING
    summary = factory.Sequence(lambda n: f"Reviewed progress and risks ({n}).")
    recorded_by = factory.SubFactory(StaffUserFactory)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Key supplier delivers late ({n})")
    category = RiskCategory.SCHEDULE
    kind = RiskKind.THREAT
    probability = 3
    impact = 3
    response_strategy = ResponseStrategy.MITIGATE
    status = RiskStatus.OPEN

"""Factories for organizations, users and memberships."""

import factory

from stakeholders.choices import MembershipRole, OrganizationKind, Sector
from stakeholders.models import Membership, Organization, User

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

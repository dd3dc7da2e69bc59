"""Database invariants and tenant scoping of organizations, users and memberships."""

import pytest
from django.db import IntegrityError, transaction

from stakeholders.choices import OrganizationKind
from stakeholders.models import Membership, Organization, User
from tests.factories import ClientUserFactory, OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_only_one_provider_organization_can_exist():
    ProviderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="Second provider", kind=OrganizationKind.PROVIDER)


def test_organization_names_are_unique_ignoring_case():
    OrganizationFactory(name="City of Riverton")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(name="CITY OF RIVERTON")


def test_country_must_be_an_iso_code_at_database_level():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(country="es")


def test_user_email_unique_ignoring_case_but_blank_allowed_twice():
    ClientUserFactory(email="Ana@Example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientUserFactory(email="ana@example.test")
    ClientUserFactory(email="")
    ClientUserFactory(email="")
    assert User.objects.filter(email="").count() == 2


def test_organization_with_members_cannot_be_deleted(user_a, org_a):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        org_a.delete()


def test_for_user_scopes_to_own_organization(user_a, user_b, org_a, org_b):
    assert list(Organization.objects.for_user(user_a)) == [org_a]
    assert list(Membership.objects.for_user(user_b)) == [user_b.membership]
    assert list(User.objects.for_user(user_a)) == [user_a]


def test_staff_see_everything_and_anonymous_nothing(staff_user, org_a, org_b):
    from django.contrib.auth.models import AnonymousUser

    assert set(Organization.objects.for_user(staff_user)) == {org_a, org_b}
    assert not Organization.objects.for_user(AnonymousUser()).exists()


def test_user_without_membership_or_inactive_sees_nothing(org_a, user_a):
    loner = User.objects.create_user("loner", password="x")
    assert not Organization.objects.for_user(loner).exists()
    user_a.is_active = False
    user_a.save()
    fresh = User.objects.get(pk=user_a.pk)
    assert not Organization.objects.for_user(fresh).exists()


def test_changes_to_organizations_are_audited(staff_user, org_a):
    org_a.region = "Valencia"
    org_a.save()
    history = org_a.history.order_by("history_date")
    assert [entry.history_type for entry in history] == ["+", "~"]
    assert history.last().region == "Valencia"

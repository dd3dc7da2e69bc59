"""Filter sets of the stakeholders API."""

import django_filters

from .choices import MembershipRole
from .models import Organization, User


class OrganizationFilter(django_filters.FilterSet):
    class Meta:
        model = Organization
        fields = ["kind", "sector", "is_public_administration", "country", "is_active"]


class UserFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        field_name="membership__organization", queryset=Organization.objects.all()
    )
    role = django_filters.ChoiceFilter(
        field_name="membership__role", choices=MembershipRole.choices
    )

    class Meta:
        model = User
        fields = ["organization", "role", "is_active", "is_staff"]

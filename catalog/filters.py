"""Filter sets of the catalog API.

Category and value process are filtered by slug, the identifier the catalog's addresses use;
an unknown slug or choice is a 400 naming the parameter, not a silently empty list.
"""

import django_filters

from pmo_service.api.filters import IdFilter

from .choices import RequestStatus, ServiceStatus, SkillCategory, Typology
from .models import Category, Service, ServiceRequest, Skill, ValueProcess


class ServiceFilter(django_filters.FilterSet):
    typology = django_filters.ChoiceFilter(choices=Typology.choices)
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", help_text="Category slug."
    )
    value_process = django_filters.ModelChoiceFilter(
        field_name="value_processes", queryset=ValueProcess.objects.all(), to_field_name="slug",
        help_text="Value process slug.",
    )
    # Only staff see drafts and retired services; for everyone else the scope already hides them.
    status = django_filters.ChoiceFilter(choices=ServiceStatus.choices)

    class Meta:
        model = Service
        fields = ["typology", "category", "value_process", "status"]


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=SkillCategory.choices)

    class Meta:
        model = Skill
        fields = ["category"]


class ServiceRequestFilter(django_filters.FilterSet):
    """Plain ids for service and organization: filtering never reveals whether a row exists,
    it only narrows what the user's scope already shows."""

    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    service = IdFilter(field_name="service_id", help_text="Service id.")
    organization = IdFilter(
        field_name="organization_id", help_text="Organization id (useful to PMO staff)."
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="Created on or after."
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="Created on or before."
    )

    class Meta:
        model = ServiceRequest
        fields = ["status", "service", "organization", "created_after", "created_before"]

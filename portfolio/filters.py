"""Filter sets of the portfolio API.

References to other rows (organization, application, stakeholder...) are plain ids: a filter
only narrows what the user's scope already shows, so it never reveals whether a row exists.
An unknown choice or a malformed id is a 400 naming the parameter.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from pmo_service.api.filters import IdFilter

from . import classification
from .choices import (
    Criticality,
    DemandStatus,
    DemandType,
    DependencyKind,
    Hosting,
    Lifecycle,
    ObjectiveStatus,
    TimeClass,
)
from .models import Application, ApplicationDependency, Demand, Objective


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also 1/0, yes/no); anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # The default widgets turn unknown values into None before the field sees them.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class ApplicationFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    lifecycle = django_filters.MultipleChoiceFilter(
        choices=Lifecycle.choices, help_text="Lifecycle stage; repeat for several."
    )
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices)
    time_class = django_filters.ChoiceFilter(
        choices=TimeClass.choices, method="filter_time_class",
        help_text="Final TIME class: the staff override where there is one, else computed.",
    )
    time_computed = django_filters.ChoiceFilter(
        choices=TimeClass.choices, method="filter_time_computed",
        help_text="TIME class computed from the fits, whatever the override.",
    )
    overridden = StrictBooleanFilter(
        method="filter_overridden", help_text="Whether PMO staff overrode the TIME class."
    )
    hosting = django_filters.ChoiceFilter(choices=Hosting.choices)
    technology = django_filters.CharFilter(
        method="filter_technology", max_length=60,
        help_text="Technology name, any case (e.g. postgresql).",
    )
    owner = IdFilter(
        method="filter_owner", help_text="Stakeholder id of the business or technical owner."
    )
    vendor = django_filters.CharFilter(
        lookup_expr="icontains", max_length=150, help_text="Part of the vendor's name."
    )
    contract_end_before = django_filters.DateFilter(
        field_name="contract_end", lookup_expr="lte", help_text="Contract ends on or before."
    )

    class Meta:
        model = Application
        fields = [
            "organization", "lifecycle", "criticality", "time_class", "time_computed",
            "overridden", "hosting", "technology", "owner", "vendor", "contract_end_before",
        ]

    def filter_time_class(self, queryset, name, value):
        return queryset.in_time_class(value)

    def filter_time_computed(self, queryset, name, value):
        return queryset.filter(classification.time_class_filter(value))

    def filter_overridden(self, queryset, name, value):
        return queryset.exclude(time_override="") if value else queryset.filter(time_override="")

    def filter_technology(self, queryset, name, value):
        # EXISTS rather than a join: one row per application, no DISTINCT needed.
        links = Application.technologies.through.objects.filter(
            application=OuterRef("pk"), technology__name__iexact=value.strip()
        )
        return queryset.filter(Exists(links))

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(business_owner_id=value) | Q(technical_owner_id=value))


class ApplicationDependencyFilter(django_filters.FilterSet):
    source = IdFilter(field_name="source_id", help_text="Id of the depending application.")
    target = IdFilter(field_name="target_id", help_text="Id of the application depended on.")
    application = IdFilter(
        method="filter_application", help_text="Id of an application at either end."
    )
    kind = django_filters.ChoiceFilter(choices=DependencyKind.choices)
    organization = IdFilter(field_name="source__organization_id", help_text="Organization id.")

    class Meta:
        model = ApplicationDependency
        fields = ["source", "target", "application", "kind", "organization"]

    def filter_application(self, queryset, name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))


class ObjectiveFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ObjectiveStatus.choices)
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    application = IdFilter(
        field_name="applications", help_text="Id of an application serving the objective."
    )
    active_on = django_filters.DateFilter(
        method="filter_active_on", help_text="A date inside the objective's period."
    )

    class Meta:
        model = Objective
        fields = ["status", "organization", "application", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class DemandFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=DemandStatus.choices, help_text="Status; repeat for several."
    )
    demand_type = django_filters.ChoiceFilter(choices=DemandType.choices)
    application = IdFilter(field_name="applications", help_text="Id of a targeted application.")
    objective = IdFilter(field_name="objectives", help_text="Id of an objective served.")
    requester = IdFilter(field_name="requester_id", help_text="Stakeholder id of the requester.")
    priority_min = django_filters.NumberFilter(
        field_name="priority_value", lookup_expr="gte", min_value=0, max_value=100,
        help_text="Lowest WSJF priority score to include.",
    )
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")

    class Meta:
        model = Demand
        fields = [
            "status", "demand_type", "application", "objective", "requester", "priority_min",
            "organization",
        ]

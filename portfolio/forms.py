"""Portal forms of the portfolio: the list filters and the demand submission form.

Filters are forgiving: a value that does not validate (``?time_class=foo``,
``?application=abc``) is reported beside its control and otherwise ignored, never an error
page. Every choice that names a record (organization, application, objective, stakeholder)
comes from a queryset the view scoped with ``for_user``: this module never decides what a
user may see. The demand form only shapes input; the rules live in ``portfolio.services``.
"""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from stakeholders.models import Organization, Stakeholder

from .choices import (
    Criticality,
    DemandStatus,
    DemandType,
    Hosting,
    Lifecycle,
    ObjectiveStatus,
    RelativeSize,
    TimeClass,
)
from .models import Application, Demand, Objective

MAX_SEARCH_LENGTH = 200
# The TIME filter's extra value: applications missing a fit, which no class describes.
UNASSESSED = "unassessed"
# The objective list's period filter, relative to today.
PERIOD_CHOICES = [
    ("", "Any period"),
    ("current", "Current (running today)"),
    ("upcoming", "Upcoming (not started)"),
    ("past", "Past (ended)"),
]
RELATIVE_SIZE_ERROR = "Choose a value on the scale 1, 2, 3, 5, 8, 13, 20."


def _valid_values(form: forms.Form) -> dict[str, Any]:
    """The filter values that passed validation; invalid ones count as not given."""
    if not form.is_bound:
        return dict.fromkeys(form.fields)
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in form.fields}


def _clean_search(value: str) -> str:
    return " ".join(value.split())[:MAX_SEARCH_LENGTH]


class SearchInput(forms.TextInput):
    input_type = "search"


class OrganizationFilterMixin:
    """An “Organization” filter, for PMO staff only (clients see one organization anyway).

    ``organizations`` is the scoped queryset of client organizations, or None to leave the
    filter out. Applying it uses the scoping mechanism's own ``for_organization``.
    """

    def _add_organization_field(self, organizations: QuerySet[Organization] | None) -> None:
        if organizations is None:
            return
        self.fields["organization"] = forms.ModelChoiceField(
            label="Organization", required=False, queryset=organizations,
            empty_label="All organizations",
            error_messages={"invalid_choice": "Choose one of the listed organizations."},
        )

    def chosen_organization(self) -> Organization | None:
        return _valid_values(self).get("organization")

    def narrow_to_organization(self, queryset: QuerySet) -> QuerySet:
        organization = self.chosen_organization()
        return queryset.for_organization(organization.pk) if organization else queryset


class ApplicationFilterForm(OrganizationFilterMixin, forms.Form):
    """Search and filters of the applications portfolio, submitted with GET."""

    q = forms.CharField(
        label="Search", required=False,
        widget=SearchInput(attrs={"placeholder": "Name, code or vendor"}),
    )
    time_class = forms.ChoiceField(
        label="TIME class", required=False,
        choices=[("", "All classes"), *TimeClass.choices, (UNASSESSED, "Not assessed yet")],
        help_text="The final class: a PMO override replaces the computed one.",
    )
    lifecycle = forms.ChoiceField(
        label="Lifecycle", required=False, choices=[("", "All stages"), *Lifecycle.choices]
    )
    criticality = forms.ChoiceField(
        label="Criticality", required=False,
        choices=[("", "All levels"), *Criticality.choices],
    )
    hosting = forms.ChoiceField(
        label="Hosting", required=False, choices=[("", "Any hosting"), *Hosting.choices]
    )

    def __init__(self, data=None, *, organizations: QuerySet[Organization] | None = None,
                 **kwargs):
        super().__init__(data, **kwargs)
        self._add_organization_field(organizations)

    def clean_q(self) -> str:
        return _clean_search(self.cleaned_data["q"])

    def has_filters(self, *, include_time: bool = True) -> bool:
        values = _valid_values(self)
        names = [name for name in self.fields if include_time or name != "time_class"]
        return any(values[name] for name in names)

    def chosen_time_class(self) -> str:
        return _valid_values(self)["time_class"] or ""

    def apply(self, queryset: QuerySet[Application], *, include_time: bool = True
              ) -> QuerySet[Application]:
        """``queryset`` narrowed by the valid filters. The TIME chart leaves out its own
        filter (``include_time=False``) so it keeps showing every class to choose from."""
        values = _valid_values(self)
        queryset = self.narrow_to_organization(queryset)
        if values["q"]:
            queryset = queryset.filter(
                Q(name__icontains=values["q"]) | Q(code__icontains=values["q"])
                | Q(vendor__icontains=values["q"])
            )
        for name in ("lifecycle", "criticality", "hosting"):
            if values[name]:
                queryset = queryset.filter(**{name: values[name]})
        time = values["time_class"]
        if include_time and time == UNASSESSED:
            queryset = queryset.filter(
                Q(functional_fit__isnull=True) | Q(technical_fit__isnull=True)
            )
        elif include_time and time:
            queryset = queryset.in_time_class(time)
        return queryset


class ApplicationChoiceField(forms.ModelChoiceField):
    """Applications as “CODE · name”, with the organization when several are listed."""

    def __init__(self, *args, show_organization: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_organization = show_organization

    def label_from_instance(self, application: Application) -> str:
        label = f"{application.code} · {application.name}"
        if self.show_organization:
            label += f" ({application.organization.name})"
        return label


class DemandFilterForm(OrganizationFilterMixin, forms.Form):
    """Filters of the demand board, submitted with GET. ``status`` lists one whole column."""

    q = forms.CharField(
        label="Search", required=False,
        widget=SearchInput(attrs={"placeholder": "Title or description"}),
    )
    application = ApplicationChoiceField(
        label="Application", required=False, queryset=Application.objects.none(),
        empty_label="All applications",
        error_messages={"invalid_choice": "Choose one of the listed applications."},
    )
    demand_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *DemandType.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *DemandStatus.choices],
    )

    def __init__(self, data=None, *, applications: QuerySet[Application],
                 organizations: QuerySet[Organization] | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].show_organization = organizations is not None
        self._add_organization_field(organizations)

    def clean_q(self) -> str:
        return _clean_search(self.cleaned_data["q"])

    def chosen_status(self) -> str:
        return _valid_values(self)["status"] or ""

    def has_filters(self) -> bool:
        values = _valid_values(self)
        return any(values[name] for name in self.fields if name != "status")

    def apply(self, queryset: QuerySet[Demand]) -> QuerySet[Demand]:
        """``queryset`` narrowed by the valid filters, except ``status`` (the view's layout)."""
        values = _valid_values(self)
        queryset = self.narrow_to_organization(queryset)
        if values["q"]:
            queryset = queryset.filter(
                Q(title__icontains=values["q"]) | Q(description__icontains=values["q"])
            )
        if values["application"]:
            queryset = queryset.filter(applications=values["application"])
        if values["demand_type"]:
            queryset = queryset.filter(demand_type=values["demand_type"])
        return queryset


class ObjectiveFilterForm(OrganizationFilterMixin, forms.Form):
    """Status and period filters of the objectives list, submitted with GET."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *ObjectiveStatus.choices]
    )
    period = forms.ChoiceField(label="Period", required=False, choices=PERIOD_CHOICES)

    def __init__(self, data=None, *, organizations: QuerySet[Organization] | None = None,
                 **kwargs):
        super().__init__(data, **kwargs)
        self._add_organization_field(organizations)

    def has_filters(self) -> bool:
        return any(_valid_values(self).values())

    def apply(self, queryset: QuerySet[Objective], *, today: date) -> QuerySet[Objective]:
        values = _valid_values(self)
        queryset = self.narrow_to_organization(queryset)
        if values["status"]:
            queryset = queryset.filter(status=values["status"])
        period = values["period"]
        if period == "current":
            queryset = queryset.filter(period_start__lte=today, period_end__gte=today)
        elif period == "upcoming":
            queryset = queryset.filter(period_start__gt=today)
        elif period == "past":
            queryset = queryset.filter(period_end__lt=today)
        return queryset


# --- Demand submission ----------------------------------------------------------------------


class DemandApplicationsField(forms.ModelMultipleChoiceField):
    """Checkboxes that say, before submitting, which applications the portfolio discourages:
    “CODE · name (Eliminate, sunsetting)”."""

    def label_from_instance(self, application: Application) -> str:
        time = application.time_class
        time_text = time.label if time else "not assessed"
        return (
            f"{application.code} · {application.name} "
            f"({time_text}, {application.get_lifecycle_display().lower()})"
        )


class ObjectivesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, objective: Objective) -> str:
        return (
            f"{objective.title} ({objective.period_start:%b %Y} to {objective.period_end:%b %Y})"
        )


class RequesterField(forms.ModelChoiceField):
    def label_from_instance(self, stakeholder: Stakeholder) -> str:
        if stakeholder.title:
            return f"{stakeholder.full_name} · {stakeholder.title}"
        return stakeholder.full_name


def _relative_size_field(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, coerce=int, choices=RelativeSize.choices, initial=RelativeSize.THREE,
        help_text=help_text,
        error_messages={"invalid_choice": RELATIVE_SIZE_ERROR, "required": RELATIVE_SIZE_ERROR},
    )


class DemandForm(forms.Form):
    """A new demand on applications of one organization, with its WSJF estimates.

    The view passes the organization's applications, objectives and stakeholders (already
    scoped); an identifier outside them, for instance another organization's application
    typed into the request, is refused as an invalid choice.
    """

    title = forms.CharField(
        label="Title", max_length=200,
        help_text="A short name everyone will recognise, e.g. “Online appointment booking”.",
        error_messages={"required": "Give the demand a title."},
    )
    demand_type = forms.ChoiceField(
        label="Type", choices=[("", "Choose a type"), *DemandType.choices],
        error_messages={"required": "Choose the type of demand.",
                        "invalid_choice": "Choose one of the listed types."},
    )
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is needed and why: the problem today, who is affected, any deadline.",
        error_messages={"required": "Describe what is needed and why."},
    )
    applications = DemandApplicationsField(
        label="Applications", queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The applications the work touches. The TIME class and lifecycle are shown: "
                  "work on Tolerate or Eliminate applications, or on sunsetting and retired "
                  "ones, may be wasted and is flagged to the PMO team.",
        error_messages={"required": "Choose at least one application.",
                        "invalid_choice": "Choose applications from the list.",
                        "invalid_pk_value": "Choose applications from the list."},
    )
    objectives = ObjectivesField(
        label="Objectives served", required=False, queryset=Objective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The strategic objectives this demand helps to meet, if any.",
        error_messages={"invalid_choice": "Choose objectives from the list.",
                        "invalid_pk_value": "Choose objectives from the list."},
    )
    requester = RequesterField(
        label="Requester", required=False, queryset=Stakeholder.objects.none(),
        empty_label="Not recorded",
        help_text="The stakeholder who asks for it, from your stakeholder register.",
        error_messages={"invalid_choice": "Choose a stakeholder from the list."},
    )
    business_value = _relative_size_field(
        "Business value", "How much the organization or its citizens gain."
    )
    urgency = _relative_size_field(
        "Urgency", "How fast the value decays if the work waits (a fixed deadline is high)."
    )
    risk_reduction = _relative_size_field(
        "Risk reduction", "How much risk it removes, or which opportunities it opens."
    )
    effort = _relative_size_field(
        "Effort", "The estimated size of the work, relative to other demands."
    )
    target_date = forms.DateField(
        label="Target date", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the requester needs it, if there is a date.",
        error_messages={"invalid": "Enter a date such as 2026-09-01."},
    )

    ESTIMATES = ("business_value", "urgency", "risk_reduction", "effort")
    CHECKBOX_GROUPS = ("applications", "objectives")

    def __init__(
        self,
        *args,
        applications: QuerySet[Application],
        objectives: QuerySet[Objective],
        requesters: QuerySet[Stakeholder],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
        self.fields["objectives"].queryset = objectives
        self.fields["requester"].queryset = requesters

    def estimate_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ESTIMATES]

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show the service layer's refusal next to the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)

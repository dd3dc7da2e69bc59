"""Portal forms of the improvement app: list filters, the period of the demand flow and the
benefits, and an action's transition.

Filters build on ``stakeholders.forms.OrganizationFilterForm`` (staff choose an organization,
clients never see the choice) and are forgiving: a value that does not validate is reported
beside its control and otherwise ignored, never an error page.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from engagements.models import Engagement
from pmo_service.api.scoping import scope_queryset
from stakeholders.forms import MAX_SEARCH_LENGTH, OrganizationFilterForm

from .choices import ActionSource, ActionStatus
from .models import ImprovementAction, ProcessMap

# The demand flow reads every transition of the period: a longer period is refused.
MAX_PERIOD_DAYS = 731
DEFAULT_FLOW_DAYS = 90
DEFAULT_BENEFITS_DAYS = 365


def _organization_choice(form: OrganizationFilterForm, empty_label: str) -> None:
    if "organization" in form.fields:
        field = form.fields["organization"]
        field.empty_label = empty_label
        field.error_messages["invalid_choice"] = "Choose one of the listed organizations."


class ProcessMapFilterForm(OrganizationFilterForm):
    """Search and "latest versions only" on the process map list."""

    q = forms.CharField(
        label="Search", required=False, max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Process name"}),
    )
    latest = forms.BooleanField(
        label="Latest versions only", required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, user=user, **kwargs)
        _organization_choice(self, "All organizations")

    def apply(self, queryset: QuerySet[ProcessMap]) -> QuerySet[ProcessMap]:
        """``queryset`` (already scoped) narrowed by the filters that validated."""
        values = self.values()
        if self.organization is not None:
            queryset = queryset.for_organization(self.organization.pk)
        if values["q"]:
            queryset = queryset.filter(
                Q(name__icontains=values["q"]) | Q(description__icontains=values["q"])
            )
        if values["latest"]:
            queryset = queryset.exclude(
                Exists(ProcessMap.objects.filter(replaces=OuterRef("pk")))
            )
        return queryset


class ActionFilterForm(OrganizationFilterForm):
    """Engagement and source filters of the improvement board."""

    engagement = forms.ModelChoiceField(
        label="Engagement", required=False, queryset=Engagement.objects.none(),
        empty_label="All engagements",
        error_messages={"invalid_choice": "Choose one of the listed engagements."},
    )
    source = forms.ChoiceField(
        label="Source", required=False, choices=[("", "All sources"), *ActionSource.choices],
        error_messages={"invalid_choice": "Choose one of the listed sources."},
    )

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, user=user, **kwargs)
        _organization_choice(self, "All organizations")
        self.fields["engagement"].queryset = scope_queryset(
            Engagement.objects.select_related("organization").order_by("title", "id"), user
        )
        self.fields["engagement"].label_from_instance = (
            (lambda e: f"{e.title} · {e.organization.name}") if self.staff_view
            else (lambda e: e.title)
        )

    def apply(self, queryset: QuerySet[ImprovementAction]) -> QuerySet[ImprovementAction]:
        values = self.values()
        if self.organization is not None:
            queryset = queryset.for_organization(self.organization.pk)
        if values["engagement"] is not None:
            queryset = queryset.filter(engagement=values["engagement"])
        if values["source"]:
            queryset = queryset.filter(source=values["source"])
        return queryset


class PeriodForm(OrganizationFilterForm):
    """One organization (staff choose it) and a period of whole days, ``from`` to ``to``.

    The fields are named ``from`` and ``to`` in the address bar, as the API's query
    parameters. Unbound, the period is the last ``default_days`` days up to today.
    """

    default_days = DEFAULT_FLOW_DAYS

    def __init__(self, data=None, *, user: Any, today: date, **kwargs):
        super().__init__(data, user=user, **kwargs)
        _organization_choice(self, "Choose an organization")
        self.today = today
        self.fields["from"] = forms.DateField(
            label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
        )
        self.fields["to"] = forms.DateField(
            label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
        )
        if not self.is_bound:
            start, end = self.default_period()
            self.initial = {**self.initial, "from": start, "to": end}

    def default_period(self) -> tuple[date, date]:
        return self.today - timedelta(days=self.default_days - 1), self.today

    def clean(self):
        cleaned = super().clean()
        default_start, default_end = self.default_period()
        start = cleaned.get("from") or default_start
        end = cleaned.get("to") or default_end
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        if start > end:
            self.add_error("to", "The period cannot end before it starts.")
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error("to", f"Choose a period of at most {MAX_PERIOD_DAYS} days.")
        else:
            cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def period(self) -> tuple[date, date] | None:
        """The valid period, or None when the input has errors (shown on the form)."""
        if not self.is_bound:
            return self.default_period()
        if not self.is_valid():
            return None
        return self.cleaned_data["from"], self.cleaned_data["to"]


class BenefitsPeriodForm(PeriodForm):
    default_days = DEFAULT_BENEFITS_DAYS


class ActionTransitionForm(forms.Form):
    """A move of an action to the next status: a note (the reason, to discard), and the
    measured benefit (to verify). The service checks what each move needs."""

    to_status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    measured_hours_saved_per_month = forms.DecimalField(
        label="Measured hours saved per month", required=False, max_digits=8,
        decimal_places=2, min_value=Decimal(0),
    )
    measured_kpi_delta = forms.DecimalField(
        label="Measured KPI change", required=False, max_digits=12, decimal_places=4,
    )

"""Portal forms of the catalog: the catalog and request-list filters, and the request form.

Filters are forgiving: an unknown value in the address bar is ignored, never an error page.
The request form only shapes input; every rule lives in ``catalog.services``.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils import timezone

from .choices import RequestStatus, Typology
from .models import Category, Service, ServiceTier, ValueProcess
from .services import MAX_DESIRED_START_DAYS

MAX_SEARCH_LENGTH = 200


def tier_price_text(*, price: Decimal | None, unit: str) -> str:
    """“€4,500 per month”, or “On quote” when a tier has no indicative price."""
    if price is None:
        return "On quote"
    return f"€{floatformat(price, '-2g')} {unit}".strip()


def _valid_values(form: forms.Form) -> dict[str, object]:
    """The filter values that passed validation; invalid ones count as not given."""
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in form.fields}


class CatalogFilterForm(forms.Form):
    """Search and filters of the public catalog, submitted with GET."""

    q = forms.CharField(
        label="Search services", required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. portfolio reporting"}),
    )
    typology = forms.ChoiceField(
        label="PMI typology", required=False, choices=[("", "All typologies"), *Typology.choices]
    )
    category = forms.ChoiceField(label="Category", required=False)
    value_process = forms.ChoiceField(label="Value process", required=False)

    def __init__(
        self,
        data=None,
        *,
        categories: QuerySet[Category],
        value_processes: QuerySet[ValueProcess],
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.fields["category"].choices = [
            ("", "All categories"), *((category.slug, category.name) for category in categories)
        ]
        self.fields["value_process"].choices = [
            ("", "All processes"),
            *((process.slug, process.name) for process in value_processes),
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:MAX_SEARCH_LENGTH]

    def filters(self) -> dict[str, str]:
        """Keyword arguments for ``selectors.service_list``."""
        values = _valid_values(self)
        return {
            "search": values["q"] or "",
            "typology": values["typology"] or "",
            "category": values["category"] or "",
            "value_process": values["value_process"] or "",
        }


class RequestFilterForm(forms.Form):
    """Status filter and the “only mine” toggle of the client's request list."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *RequestStatus.choices]
    )
    mine = forms.BooleanField(
        label="Only requests I made", required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    def filters(self) -> dict[str, object]:
        values = _valid_values(self)
        return {"status": values["status"] or "", "mine": bool(values["mine"])}


class TierChoiceField(forms.ModelChoiceField):
    """A service's tiers as radio buttons labelled with level, headline and price."""

    def label_from_instance(self, tier: ServiceTier) -> str:
        parts = [tier.get_level_display()]
        if tier.headline:
            parts.append(tier.headline)
        parts.append(tier_price_text(price=tier.price, unit=tier.service.price_unit))
        return " · ".join(parts)


class ServiceRequestForm(forms.Form):
    """A client's request for one service: the tier, when to start, and why."""

    tier = TierChoiceField(
        label="Service level",
        queryset=ServiceTier.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="Prices are indicative; the PMO team confirms them when it accepts the request.",
        error_messages={"required": "Choose a service level.",
                        "invalid_choice": "Choose one of this service's levels."},
    )
    desired_start = forms.DateField(
        label="Desired start date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When you would like the service to begin; within the next two years.",
        error_messages={"required": "Tell us when you would like to start.",
                        "invalid": "Enter a date such as 2026-09-01."},
    )
    context = forms.CharField(
        label="Context",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "The situation that makes the service needed: the projects or portfolio involved, "
            "what is not working today, any deadline."
        ),
        error_messages={"required": "Describe the situation that makes the service needed."},
    )
    expected_outcomes = forms.CharField(
        label="Expected outcomes",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What success looks like for you, e.g. “one monthly portfolio report the "
                  "board trusts”.",
        error_messages={"required": "Describe what success looks like for you."},
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["tier"].queryset = service.tiers.all()
        today = timezone.localdate()
        self.fields["desired_start"].widget.attrs.update({
            "min": today.isoformat(),
            "max": (today + timedelta(days=MAX_DESIRED_START_DAYS)).isoformat(),
        })

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show the service layer's refusal next to the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)

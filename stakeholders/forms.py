"""Filter forms of the stakeholder-management pages, submitted with GET.

Filters are forgiving: a value that does not validate (a typo in the address bar, an
organization that is not visible) is reported next to its field and ignored, so the page
still renders with the other filters applied. PMO staff get an organization filter on every
page; clients never see it, their pages are scoped to their organization already.
"""

from typing import Any

from django import forms

from pmo_service.api.scoping import scope_queryset

from .choices import (
    ACTIVE_RISK_STATUSES,
    Quadrant,
    Relationship,
    RiskCategory,
    RiskKind,
    RiskRating,
    RiskStatus,
)
from .models import Organization, Stakeholder
from .reports import IMPACT_LABELS, PROBABILITY_LABELS, SCALE
from .tenancy import user_sees_everything

MAX_SEARCH_LENGTH = 200
ALL_STATUSES = "all"


def _search_field(label: str, placeholder: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


def _scale_field(label: str, names: dict[int, str]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None,
        choices=[("", "Any"), *((value, f"{value} · {names[value]}") for value in SCALE)],
    )


class OrganizationFilterForm(forms.Form):
    """Base of the page filters: adds the organization choice for PMO staff."""

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.staff_view = user_sees_everything(user)
        if self.staff_view:
            self.fields = {
                "organization": forms.ModelChoiceField(
                    label="Organization", required=False, empty_label="All organizations",
                    queryset=scope_queryset(Organization.objects.clients(), user),
                ),
                **self.fields,
            }

    def values(self) -> dict[str, Any]:
        """Every field's value: the validated one, or its empty value when it did not validate.

        An unbound form (the page opened without a query string) validates nothing and gives
        every field its empty value, which is each page's default view.
        """
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else getattr(
            self, "cleaned_data", {}
        )
        return {name: cleaned.get(name) for name in self.fields}

    @property
    def organization(self) -> Organization | None:
        """The organization staff chose, or None (all organizations, or a client's own)."""
        return self.values().get("organization") if self.staff_view else None

    @property
    def filtered(self) -> bool:
        """Whether any filter other than the organization narrows the page."""
        return any(
            value not in (None, "", False)
            for name, value in self.values().items()
            if name != "organization"
        )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


class StakeholderFilterForm(OrganizationFilterForm):
    """Filters of the stakeholder register under the power/interest grid."""

    q = _search_field("Search stakeholders", "Name, job title, unit or e-mail")
    quadrant = forms.ChoiceField(
        label="Quadrant", required=False, choices=[("", "All quadrants"), *Quadrant.choices]
    )
    relationship = forms.ChoiceField(
        label="Relationship", required=False,
        choices=[("", "All relationships"), *Relationship.choices],
    )
    archived = forms.BooleanField(
        label="Include archived", required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments of ``reports.filter_stakeholders``."""
        values = self.values()
        return {
            "quadrant": values["quadrant"] or "",
            "relationship": values["relationship"] or "",
            "search": values["q"] or "",
            "include_archived": bool(values["archived"]),
        }


class EngagementFilterForm(OrganizationFilterForm):
    """The engagement matrix's filters: only stakeholders whose C and D differ."""

    with_gap = forms.BooleanField(
        label="Only stakeholders with a gap", required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    @property
    def only_with_gap(self) -> bool:
        return bool(self.values()["with_gap"])


class CommunicationFilterForm(OrganizationFilterForm):
    """The communications page has no filter of its own; staff choose the organization."""


class OwnerChoiceField(forms.ModelChoiceField):
    """Risk owners, labelled with their organization when several organizations are listed."""

    def __init__(self, *args, with_organization: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_organization = with_organization

    def label_from_instance(self, stakeholder: Stakeholder) -> str:
        if self.with_organization:
            return f"{stakeholder.full_name} ({stakeholder.organization.name})"
        return stakeholder.full_name


class RiskFilterForm(OrganizationFilterForm):
    """Filters of the risk list; the heat map follows all of them but probability and impact."""

    q = _search_field("Search risks", "Title, description, cause, effect or actions")
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[
            ("", "Active (open or monitoring)"), (ALL_STATUSES, "All statuses"),
            *RiskStatus.choices,
        ],
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Threats and opportunities"), *RiskKind.choices]
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *RiskCategory.choices]
    )
    rating = forms.ChoiceField(
        label="Rating", required=False, choices=[("", "All ratings"), *RiskRating.choices]
    )
    owner = OwnerChoiceField(
        label="Owner", required=False, empty_label="Any owner",
        queryset=Stakeholder.objects.none(),
    )
    probability = _scale_field("Probability", PROBABILITY_LABELS)
    impact = _scale_field("Impact", IMPACT_LABELS)

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, user=user, **kwargs)
        owner = self.fields["owner"]
        # Only people who own a risk: a list of the whole register would bury them.
        owner.queryset = (
            scope_queryset(Stakeholder.objects.all(), user)
            .filter(owned_risks__isnull=False).distinct()
            .select_related("organization").order_by("full_name", "pk")
        )
        owner.with_organization = self.staff_view

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization, owner = cleaned.get("organization"), cleaned.get("owner")
        if organization is not None:
            # Staff chose an organization: offer its risk owners only, without its name.
            field = self.fields["owner"]
            field.queryset = field.queryset.for_organization(organization.pk)
            field.with_organization = False
            if owner is not None and owner.organization_id != organization.pk:
                self.add_error("owner", "This person owns risks of another organization.")
        return cleaned

    def filters(self, *, with_cell: bool = True) -> dict[str, Any]:
        """Keyword arguments of ``reports.filter_risks``.

        ``with_cell=False`` leaves out probability and impact: the heat map shows every cell
        of the current filters, and a click on a cell adds exactly that cell's filter.
        """
        values = self.values()
        status = values["status"] or ""
        filters = {
            "statuses": (
                ACTIVE_RISK_STATUSES if not status
                else None if status == ALL_STATUSES
                else (status,)
            ),
            "kind": values["kind"] or "",
            "category": values["category"] or "",
            "rating": values["rating"] or "",
            "owner_id": values["owner"].pk if values["owner"] else None,
            "search": values["q"] or "",
        }
        if with_cell:
            filters.update(probability=values["probability"], impact=values["impact"])
        return filters

    @property
    def cell(self) -> tuple[int, int] | None:
        """The heat-map cell chosen, when both probability and impact are filtered."""
        values = self.values()
        if values["probability"] is None or values["impact"] is None:
            return None
        return values["probability"], values["impact"]

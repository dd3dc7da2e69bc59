"""Portal forms of the engagements app: the engagement list's filters and the culture page's
organization choice, both submitted with GET.

They build on ``stakeholders.forms.OrganizationFilterForm``: PMO staff get an organization
choice from the scoped client organizations, clients never see it. Filters are forgiving: a
value that does not validate (``?status=nope``, ``?organization=abc``) is reported beside its
control and otherwise ignored, never an error page.
"""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from catalog.choices import Typology
from stakeholders.forms import MAX_SEARCH_LENGTH, OrganizationFilterForm

from .choices import EngagementStatus
from .models import Engagement


class EngagementFilterForm(OrganizationFilterForm):
    """Search, status and typology filters of the engagement list."""

    q = forms.CharField(
        label="Search", required=False, max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or description"}),
    )
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "All statuses"), *EngagementStatus.choices],
        error_messages={"invalid_choice": "Choose one of the listed statuses."},
    )
    typology = forms.ChoiceField(
        label="PMO typology", required=False,
        choices=[("", "All typologies"), *Typology.choices],
        error_messages={"invalid_choice": "Choose one of the listed typologies."},
    )

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, user=user, **kwargs)
        if "organization" in self.fields:
            self.fields["organization"].error_messages["invalid_choice"] = (
                "Choose one of the listed organizations."
            )

    def apply(self, queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
        """``queryset`` (already scoped) narrowed by the filters that validated."""
        values = self.values()
        if self.organization is not None:
            queryset = queryset.for_organization(self.organization.pk)
        if values["q"]:
            queryset = queryset.filter(
                Q(title__icontains=values["q"]) | Q(description__icontains=values["q"])
            )
        if values["status"]:
            queryset = queryset.filter(status=values["status"])
        if values["typology"]:
            queryset = queryset.filter(typology=values["typology"])
        return queryset


class CultureOrganizationForm(OrganizationFilterForm):
    """The culture page shows one organization: staff choose it, a client sees their own."""

    def __init__(self, data=None, *, user: Any, **kwargs):
        super().__init__(data, user=user, **kwargs)
        if "organization" in self.fields:
            field = self.fields["organization"]
            field.empty_label = "Choose an organization"
            field.error_messages["invalid_choice"] = "Choose one of the listed organizations."

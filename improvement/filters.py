"""Filter sets of the improvement API.

References to other rows (organization, engagement, service) are plain ids: a filter only
narrows what the user's scope already shows, so it never reveals whether a row exists. An
unknown choice or a malformed id is a 400 naming the parameter.
"""

import django_filters

from pmo_service.api.filters import IdFilter
from portfolio.choices import DemandStatus
from portfolio.filters import StrictBooleanFilter

from .choices import ActionSource, ActionStatus, PdcaPhase
from .models import ImprovementAction, ProcessMap


class ProcessMapFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    service = IdFilter(field_name="service_id", help_text="Catalog service id.")
    name = django_filters.CharFilter(
        lookup_expr="icontains", max_length=200, help_text="Part of the process name."
    )
    is_latest = StrictBooleanFilter(
        field_name="is_latest_value",
        help_text="Whether no newer version replaces the map (the current design).",
    )

    class Meta:
        model = ProcessMap
        fields = ["organization", "engagement", "service", "name", "is_latest"]


class ImprovementActionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ActionStatus.choices, help_text="Status; repeat for several."
    )
    source = django_filters.MultipleChoiceFilter(
        choices=ActionSource.choices, help_text="Source; repeat for several."
    )
    pdca_phase = django_filters.ChoiceFilter(choices=PdcaPhase.choices)
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    process_map = IdFilter(
        field_name="process_step__process_map_id",
        help_text="Id of the process map whose step the action came from.",
    )
    demand_status = django_filters.ChoiceFilter(
        choices=DemandStatus.choices, help_text="Demand status the action came from."
    )
    suggested = StrictBooleanFilter(
        help_text="Whether bottleneck detection suggested it (not a person)."
    )

    class Meta:
        model = ImprovementAction
        fields = [
            "status", "source", "pdca_phase", "engagement", "organization", "process_map",
            "demand_status", "suggested",
        ]

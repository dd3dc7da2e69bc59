"""Filter sets of the stakeholders API.

References (organization, stakeholder, plan, owner...) are filtered by plain id: filtering
never reveals whether a row exists, it only narrows what the user's scope already shows.
Computed values (quadrant, engagement gap, risk rating, overdue) filter with the same
formulas the fields show (stakeholders.classification and the model querysets).
"""

import django_filters
from django.db.models import Q
from django.utils import timezone

from pmo_service.api.filters import IdFilter

from . import classification
from .choices import (
    ACTIVE_RISK_STATUSES,
    Channel,
    CommunicationFrequency,
    EngagementLevel,
    MembershipRole,
    Quadrant,
    Relationship,
    RiskCategory,
    RiskKind,
    RiskRating,
    RiskStatus,
)
from .models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Organization,
    Risk,
    Stakeholder,
    User,
)


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


def _id_filter(field_name: str, help_text: str) -> IdFilter:
    return IdFilter(field_name=field_name, help_text=help_text)


def _organization_filter() -> django_filters.NumberFilter:
    return _id_filter("organization_id", "Organization id (useful to PMO staff).")


SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]


class StakeholderFilter(django_filters.FilterSet):
    organization = _organization_filter()
    relationship = django_filters.ChoiceFilter(choices=Relationship.choices)
    quadrant = django_filters.ChoiceFilter(
        choices=Quadrant.choices, method="filter_quadrant",
        help_text="Power/interest quadrant under the configured thresholds.",
    )
    current_engagement = django_filters.ChoiceFilter(choices=EngagementLevel.choices)
    desired_engagement = django_filters.ChoiceFilter(choices=EngagementLevel.choices)
    has_gap = django_filters.BooleanFilter(
        method="filter_has_gap",
        help_text="true: engagement must still grow (desired above current); false: it need not.",
    )
    is_active = django_filters.BooleanFilter()
    relationship_owner = _id_filter("relationship_owner_id", "Id of the PMO staff member.")

    class Meta:
        model = Stakeholder
        fields = [
            "organization", "relationship", "quadrant", "current_engagement",
            "desired_engagement", "has_gap", "is_active", "relationship_owner",
        ]

    def filter_quadrant(self, queryset, name, value):
        # Written on the raw scores (not the annotation) so the power/interest index serves.
        return queryset.filter(classification.quadrant_filter(value))

    def filter_has_gap(self, queryset, name, value):
        # engagement_gap_value is annotated by selectors.stakeholder_list().
        if value:
            return queryset.filter(engagement_gap_value__gt=0)
        return queryset.filter(engagement_gap_value__lte=0)


class EngagementAssessmentFilter(django_filters.FilterSet):
    stakeholder = _id_filter("stakeholder_id", "Stakeholder id.")
    organization = _id_filter(
        "stakeholder__organization_id", "Organization id (useful to PMO staff)."
    )
    assessed_after = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="gte", help_text="Assessed on or after."
    )
    assessed_before = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="lte", help_text="Assessed on or before."
    )

    class Meta:
        model = EngagementAssessment
        fields = ["stakeholder", "organization", "assessed_after", "assessed_before"]


class CommunicationPlanFilter(django_filters.FilterSet):
    organization = _organization_filter()
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    frequency = django_filters.ChoiceFilter(choices=CommunicationFrequency.choices)
    stakeholder = _id_filter("stakeholders", "Plans addressed to this stakeholder (id).")
    owner = _id_filter("owner_id", "Owner's user id.")
    is_active = django_filters.BooleanFilter()
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: active plans whose next due date has passed; false: all others.",
    )
    due_before = django_filters.DateFilter(
        method="filter_due_before", help_text="Active plans due on or before this date."
    )

    class Meta:
        model = CommunicationPlan
        fields = [
            "organization", "channel", "frequency", "stakeholder", "owner", "is_active",
            "overdue", "due_before",
        ]

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_due_before(self, queryset, name, value):
        return queryset.due_by(value)


class CommunicationFilter(django_filters.FilterSet):
    organization = _organization_filter()
    plan = _id_filter("plan_id", "Plan id.")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    participant = _id_filter("participants", "Communications this stakeholder (id) attended.")
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", help_text="Held on or after."
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", help_text="Held on or before."
    )

    class Meta:
        model = Communication
        fields = ["organization", "plan", "channel", "participant", "held_after", "held_before"]


class RiskFilter(django_filters.FilterSet):
    organization = _organization_filter()
    status = django_filters.MultipleChoiceFilter(
        choices=RiskStatus.choices, help_text="Repeat to match any of several statuses."
    )
    kind = django_filters.ChoiceFilter(choices=RiskKind.choices)
    category = django_filters.ChoiceFilter(choices=RiskCategory.choices)
    rating = django_filters.ChoiceFilter(
        choices=RiskRating.choices, method="filter_rating",
        help_text="Rating of probability x impact under the configured thresholds.",
    )
    probability = django_filters.TypedChoiceFilter(choices=SCORE_CHOICES, coerce=int)
    impact = django_filters.TypedChoiceFilter(choices=SCORE_CHOICES, coerce=int)
    owner = _id_filter("owner_id", "Owner's stakeholder id.")
    stakeholder = _id_filter("stakeholders", "Risks linked to this stakeholder (id).")
    proximity_before = django_filters.DateFilter(
        field_name="proximity", lookup_expr="lte",
        help_text="Risks that could materialize on or before this date.",
    )
    active = django_filters.BooleanFilter(
        method="filter_active", help_text="true: open or monitored; false: closed or occurred."
    )

    class Meta:
        model = Risk
        fields = [
            "organization", "status", "kind", "category", "rating", "probability", "impact",
            "owner", "stakeholder", "proximity_before", "active",
        ]

    def filter_rating(self, queryset, name, value):
        # score_value is annotated by selectors.risk_list(); the bounds follow the thresholds.
        low, high = classification.risk_rating_score_range(value)
        return queryset.filter(score_value__gte=low, score_value__lte=high)

    def filter_active(self, queryset, name, value):
        active = Q(status__in=[status.value for status in ACTIVE_RISK_STATUSES])
        return queryset.filter(active if value else ~active)

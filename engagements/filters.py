"""Filter sets of the engagements API.

References to other rows (organization, engagement, consultant, skill...) are plain ids: a
filter only narrows what the user's scope already shows, so it never reveals whether a row
exists. An unknown choice, a malformed id or date, or an incomplete pair of parameters is a
400 naming the parameter.
"""

from collections import defaultdict
from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from catalog.choices import Typology
from pmo_service.api.filters import IdFilter
from portfolio.filters import StrictBooleanFilter
from stakeholders.choices import Sector

from .choices import (
    CultureSource,
    EngagementStatus,
    Health,
    Language,
    NeedStatus,
    ProposalStatus,
    Seniority,
)
from .models import (
    Assignment,
    Consultant,
    ConsultantFitRating,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    CultureAssessment,
    Engagement,
    EngagementOutcome,
    StaffingNeed,
    StaffingProposal,
)

# A free-capacity question over more than this many days is a mistake, not a plan.
MAX_WINDOW_DAYS = 3 * 366


def peak_loads(*, start: date, end: date) -> dict[int, int]:
    """Each consultant's highest daily load (sum of allocations) on any day of [start, end].

    One query over the assignments overlapping the window, then a sweep over their start and
    end days per consultant: the load only changes where an assignment starts or ends.
    Consultants without an assignment in the window are absent (their load is 0).
    """
    # (day, 0) adds an allocation from that day on; (day, 1) removes it after that day, so
    # an assignment ending on a day still counts against one starting the same day (and no
    # "day after" is computed, which would overflow on 9999-12-31).
    changes: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    rows = Assignment.objects.overlapping(start, end).values_list(
        "consultant_id", "start_on", "end_on", "allocation_percent"
    )
    for consultant_id, start_on, end_on, allocation in rows:
        changes[consultant_id].append((max(start_on, start), 0, allocation))
        changes[consultant_id].append((min(end_on, end), 1, -allocation))
    peaks = {}
    for consultant_id, events in changes.items():
        load = peak = 0
        for _day, _order, delta in sorted(events):
            load += delta
            peak = max(peak, load)
        peaks[consultant_id] = peak
    return peaks


class ConsultantFilterForm(forms.Form):
    """Parameters that only make sense together are checked together."""

    def clean(self):
        data = super().clean()
        if data.get("min_level") is not None and not data.get("skill"):
            self.add_error("min_level", "Give a skill to filter on its level.")
        start, end = data.get("available_from"), data.get("available_to")
        if (start is None) != (end is None):
            missing = "available_to" if end is None else "available_from"
            self.add_error(missing, "Give both available_from and available_to.")
        elif start is not None and end is not None:
            if end < start:
                self.add_error("available_to", "The window cannot end before it starts.")
            elif (end - start).days > MAX_WINDOW_DAYS:
                self.add_error("available_to", "Ask about a window of at most three years.")
        if data.get("allocation") is not None and start is None:
            self.add_error("allocation", "Give available_from and available_to as well.")
        return data


class ConsultantFilter(django_filters.FilterSet):
    seniority = django_filters.MultipleChoiceFilter(
        choices=Seniority.choices, help_text="Seniority; repeat for several."
    )
    skill = IdFilter(
        method="filter_skill",
        help_text="Id of a skill the consultant has (at min_level or above, if given).",
    )
    min_level = django_filters.NumberFilter(
        method="filter_nothing", min_value=1, max_value=5,
        help_text="Lowest proficiency (1-5) in the skill; needs skill.",
    )
    language = django_filters.ChoiceFilter(
        choices=Language.choices, method="filter_language", help_text="A working language."
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, method="filter_sector", help_text="A sector of experience."
    )
    is_active = StrictBooleanFilter()
    available_from = django_filters.DateFilter(
        method="filter_nothing",
        help_text="First day of a window in which the consultant has free capacity.",
    )
    available_to = django_filters.DateFilter(
        method="filter_available",
        help_text="Last day of that window (give both, at most three years apart).",
    )
    allocation = django_filters.NumberFilter(
        method="filter_nothing", min_value=1, max_value=100,
        help_text="Free capacity (%) needed on every day of the window; default 1.",
    )

    class Meta:
        model = Consultant
        form = ConsultantFilterForm
        fields = [
            "seniority", "skill", "min_level", "language", "sector", "is_active",
            "available_from", "available_to", "allocation",
        ]

    def filter_nothing(self, queryset, name, value):
        # Read together with another parameter by that parameter's method.
        return queryset

    def filter_skill(self, queryset, name, value):
        held = ConsultantSkill.objects.filter(consultant=OuterRef("pk"), skill_id=value)
        min_level = self.form.cleaned_data.get("min_level")
        if min_level is not None:
            held = held.filter(proficiency__gte=int(min_level))
        return queryset.filter(Exists(held))

    def filter_language(self, queryset, name, value):
        spoken = ConsultantLanguage.objects.filter(consultant=OuterRef("pk"), language=value)
        return queryset.filter(Exists(spoken))

    def filter_sector(self, queryset, name, value):
        worked = ConsultantSector.objects.filter(consultant=OuterRef("pk"), sector=value)
        return queryset.filter(Exists(worked))

    def filter_available(self, queryset, name, value):
        """Consultants whose free capacity (capacity minus load) reaches ``allocation`` on
        every day of the window, the same rule assignments are checked against."""
        start = self.form.cleaned_data["available_from"]
        needed = int(self.form.cleaned_data.get("allocation") or 1)
        by_peak: dict[int, list[int]] = defaultdict(list)
        for consultant_id, peak in peak_loads(start=start, end=value).items():
            by_peak[peak].append(consultant_id)
        # One condition per distinct peak load, not per consultant.
        too_busy = Q(pk__in=[])
        for peak, ids in by_peak.items():
            too_busy |= Q(pk__in=ids, capacity_percent__lt=peak + needed)
        return queryset.filter(capacity_percent__gte=needed).exclude(too_busy)


class EngagementFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    status = django_filters.MultipleChoiceFilter(
        choices=EngagementStatus.choices, help_text="Status; repeat for several."
    )
    typology = django_filters.ChoiceFilter(choices=Typology.choices)
    health = django_filters.MultipleChoiceFilter(
        field_name="metrics__health", choices=Health.choices,
        help_text="Overall health as last computed; repeat for several. Engagements never "
        "computed have none and match no value.",
    )
    service = IdFilter(field_name="services", help_text="Id of a catalog service delivered.")
    starts_after = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="gte", help_text="Planned start on or after."
    )
    starts_before = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="lte", help_text="Planned start on or before."
    )

    class Meta:
        model = Engagement
        fields = ["organization", "status", "health", "typology", "service", "starts_after",
                  "starts_before"]


class AssignmentFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    consultant = IdFilter(field_name="consultant_id", help_text="Consultant id.")
    role = IdFilter(field_name="role_id", help_text="Id of the catalog role.")
    active_on = django_filters.DateFilter(
        method="filter_active_on", help_text="A date inside the assignment's period."
    )

    class Meta:
        model = Assignment
        fields = ["engagement", "consultant", "role", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_on__lte=value, end_on__gte=value)


class StaffingNeedFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    organization = IdFilter(
        field_name="engagement__organization_id", help_text="Organization id."
    )
    role = IdFilter(field_name="role_id", help_text="Id of the catalog role.")
    status = django_filters.MultipleChoiceFilter(
        choices=NeedStatus.choices, help_text="Status; repeat for several."
    )
    seniority = django_filters.ChoiceFilter(choices=Seniority.choices)
    starts_before = django_filters.DateFilter(
        field_name="start_on", lookup_expr="lte", help_text="Starts on or before."
    )

    class Meta:
        model = StaffingNeed
        fields = ["engagement", "organization", "role", "status", "seniority", "starts_before"]


class StaffingProposalFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ProposalStatus.choices, help_text="Status; repeat for several."
    )
    created_after = django_filters.DateFilter(
        field_name="created_at__date", lookup_expr="gte", help_text="Computed on or after."
    )

    class Meta:
        model = StaffingProposal
        fields = ["status", "created_after"]


class CultureAssessmentFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    source = django_filters.ChoiceFilter(choices=CultureSource.choices)
    assessed_after = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="gte", help_text="Assessed on or after."
    )
    assessed_before = django_filters.DateFilter(
        field_name="assessed_on", lookup_expr="lte", help_text="Assessed on or before."
    )

    class Meta:
        model = CultureAssessment
        fields = ["organization", "source", "assessed_after", "assessed_before"]


class EngagementOutcomeFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    organization = IdFilter(
        field_name="engagement__organization_id", help_text="Organization id."
    )
    consultant = IdFilter(
        method="filter_consultant", help_text="Id of a consultant rated in the outcome."
    )
    on_time = StrictBooleanFilter()

    class Meta:
        model = EngagementOutcome
        fields = ["engagement", "organization", "consultant", "on_time"]

    def filter_consultant(self, queryset, name, value):
        rated = ConsultantFitRating.objects.filter(
            outcome=OuterRef("pk"), consultant_id=value
        )
        return queryset.filter(Exists(rated))


# --- Agile delivery and metrics ------------------------------------------------------------------
# (Imports kept here so the filter sets above stay untouched.)

from .choices import (  # noqa: E402
    DeliverableKind,
    DeliverableStatus,
    ExpenseCategory,
    IterationStatus,
)
from .models import (  # noqa: E402
    Deliverable,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)


class IterationFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    status = django_filters.MultipleChoiceFilter(
        choices=IterationStatus.choices, help_text="Status; repeat for several."
    )
    active_on = django_filters.DateFilter(
        method="filter_active_on", help_text="A date inside the iteration."
    )

    class Meta:
        model = Iteration
        fields = ["engagement", "status", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_on__lte=value, end_on__gte=value)


class DeliverableFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    iteration = IdFilter(field_name="iteration_id", help_text="Iteration id.")
    status = django_filters.MultipleChoiceFilter(
        choices=DeliverableStatus.choices, help_text="Status; repeat for several."
    )
    kind = django_filters.ChoiceFilter(choices=DeliverableKind.choices)
    finishes_after = django_filters.DateFilter(
        field_name="planned_finish", lookup_expr="gte", help_text="Planned finish on or after."
    )
    finishes_before = django_filters.DateFilter(
        field_name="planned_finish", lookup_expr="lte",
        help_text="Planned finish on or before.",
    )

    class Meta:
        model = Deliverable
        fields = ["engagement", "iteration", "status", "kind", "finishes_after",
                  "finishes_before"]


class TimeEntryFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    consultant = IdFilter(field_name="consultant_id", help_text="Consultant id.")
    deliverable = IdFilter(field_name="deliverable_id", help_text="Deliverable id.")
    iteration = IdFilter(field_name="deliverable__iteration_id",
                         help_text="Id of the iteration of the entry's deliverable.")
    worked_after = django_filters.DateFilter(
        field_name="worked_on", lookup_expr="gte", help_text="Worked on or after."
    )
    worked_before = django_filters.DateFilter(
        field_name="worked_on", lookup_expr="lte", help_text="Worked on or before."
    )

    class Meta:
        model = TimeEntry
        fields = ["engagement", "consultant", "deliverable", "iteration", "worked_after",
                  "worked_before"]


class ExpenseFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    category = django_filters.MultipleChoiceFilter(
        choices=ExpenseCategory.choices, help_text="Category; repeat for several."
    )
    spent_after = django_filters.DateFilter(
        field_name="spent_on", lookup_expr="gte", help_text="Spent on or after."
    )
    spent_before = django_filters.DateFilter(
        field_name="spent_on", lookup_expr="lte", help_text="Spent on or before."
    )

    class Meta:
        model = Expense
        fields = ["engagement", "category", "spent_after", "spent_before"]


class KpiMeasurementFilter(django_filters.FilterSet):
    engagement = IdFilter(field_name="engagement_id", help_text="Engagement id.")
    indicator = IdFilter(field_name="indicator_id", help_text="Id of the catalog indicator.")
    period_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", help_text="Period ends on or after."
    )
    period_before = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", help_text="Period starts on or before."
    )

    class Meta:
        model = KpiMeasurement
        fields = ["engagement", "indicator", "period_after", "period_before"]


class MetricsHistoryFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start is not None and end is not None and end < start:
            self.add_error("to", "The period cannot end before it starts.")
        return data


class MetricsHistoryFilter(django_filters.FilterSet):
    """``from`` and ``to`` (Python keywords, hence declared below) bound the snapshot day."""

    class Meta:
        model = MetricsSnapshot
        form = MetricsHistoryFilterForm
        fields = []


MetricsHistoryFilter.base_filters.update({
    "from": django_filters.DateFilter(field_name="day", lookup_expr="gte",
                                      help_text="Snapshots on or after this day."),
    "to": django_filters.DateFilter(field_name="day", lookup_expr="lte",
                                    help_text="Snapshots on or before this day."),
})

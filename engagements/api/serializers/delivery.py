"""Serializers of agile delivery (iterations, deliverables, time entries, expenses, KPI
measurements) and of the engagement metrics.

Writes go through engagements.services.delivery (the views call them with
``validated_data``); these classes check the input's shape and tenancy and describe what is
returned. A time entry's ``cost`` is the provider's (hours x day rate / 8): clients get the
public serializer without it, as they never see day rates.
"""

from collections.abc import Mapping
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Indicator, Service
from pmo_service.api.scoping import ScopedPrimaryKeyRelatedField
from stakeholders.api.serializers import person_name
from stakeholders.models import Stakeholder

from ...choices import (
    DeliverableKind,
    DeliverableStatus,
    ExpenseCategory,
    Health,
    IterationStatus,
)
from ...models import (
    Consultant,
    Deliverable,
    Engagement,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from .common import StaffOnlyFieldsMixin

MAX_SMALL_INTEGER = 32767


class BoundedPrimaryKeyRelatedField(ScopedPrimaryKeyRelatedField):
    """A key of shared reference data (catalog indicators): not tenant-owned, so not scoped,
    but malformed or out-of-range keys are refused the same way (400, never a 500)."""

    def get_queryset(self):
        return serializers.PrimaryKeyRelatedField.get_queryset(self)


def _engagement_field():
    return ScopedPrimaryKeyRelatedField(
        queryset=Engagement.objects.all(), help_text="Engagement id (cannot change later)."
    )


class ImmutableEngagementMixin:
    """The engagement is given when the row is created and never changes."""

    def validate_engagement(self, engagement):
        if self.instance is not None and engagement.pk != self.instance.engagement_id:
            raise serializers.ValidationError("A row cannot move to another engagement.")
        return engagement


# --- Iterations ----------------------------------------------------------------------------------


class IterationSerializer(serializers.ModelSerializer):
    """An iteration (sprint) of an engagement."""

    class Meta:
        model = Iteration
        fields = ["id", "engagement", "number", "start_on", "end_on", "goal", "status",
                  "review_notes"]
        read_only_fields = fields


class IterationWriteSerializer(ImmutableEngagementMixin, serializers.Serializer):
    engagement = _engagement_field()
    number = serializers.IntegerField(min_value=1, max_value=MAX_SMALL_INTEGER)
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    goal = serializers.CharField(max_length=300, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=IterationStatus.choices, required=False)
    review_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


# --- Deliverables --------------------------------------------------------------------------------


class DeliverableSerializer(serializers.ModelSerializer):
    """A backlog item: its budget is its planned value; acceptance records who and when."""

    accepted_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Deliverable
        fields = [
            "id", "engagement", "iteration", "title", "kind", "service", "story_points",
            "budget", "planned_start", "planned_finish", "percent_complete", "status",
            "accepted_by", "accepted_by_name", "accepted_at", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_accepted_by_name(self, deliverable) -> str | None:
        accepted_by = deliverable.accepted_by
        return None if accepted_by is None else accepted_by.full_name


class DeliverableWriteSerializer(ImmutableEngagementMixin, serializers.Serializer):
    engagement = _engagement_field()
    iteration = ScopedPrimaryKeyRelatedField(
        queryset=Iteration.objects.all(), required=False, allow_null=True,
        help_text="Id of an iteration of the same engagement.",
    )
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DeliverableKind.choices, required=False)
    service = ScopedPrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True,
        help_text="The catalog service launched (service launches only).",
    )
    story_points = serializers.IntegerField(min_value=0, max_value=MAX_SMALL_INTEGER,
                                            required=False)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0),
                                      required=False)
    planned_start = serializers.DateField()
    planned_finish = serializers.DateField()
    percent_complete = serializers.IntegerField(min_value=0, max_value=100, required=False)
    status = serializers.ChoiceField(
        choices=DeliverableStatus.choices, required=False,
        help_text="Not `accepted`: acceptance has its own action.",
    )


class DeliverableAcceptSerializer(serializers.Serializer):
    accepted_by = ScopedPrimaryKeyRelatedField(
        queryset=Stakeholder.objects.all(),
        help_text="Id of the client's Product Owner (an active stakeholder of the client).",
    )


# --- Time entries --------------------------------------------------------------------------------


class TimeEntrySerializer(serializers.ModelSerializer):
    """Hours a consultant worked on an engagement on a day (public: no cost)."""

    consultant_name = serializers.CharField(source="consultant.full_name", read_only=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id", "engagement", "consultant", "consultant_name", "deliverable", "worked_on",
            "hours", "description", "external_id", "created_at",
        ]
        read_only_fields = fields


class TimeEntryStaffSerializer(StaffOnlyFieldsMixin, TimeEntrySerializer):
    """With the stored ``cost`` (EUR: hours x the day rate in force that day / 8)."""

    class Meta(TimeEntrySerializer.Meta):
        fields = [*TimeEntrySerializer.Meta.fields, "cost"]
        read_only_fields = fields
        staff_only_fields = ["cost"]


class TimeEntryWriteSerializer(serializers.Serializer):
    engagement = _engagement_field()
    consultant = ScopedPrimaryKeyRelatedField(
        queryset=Consultant.objects.all(),
        help_text="Id of a consultant on the team that day, with a day rate in force.",
    )
    deliverable = ScopedPrimaryKeyRelatedField(
        queryset=Deliverable.objects.all(), required=False, allow_null=True,
        help_text="Id of a deliverable of the same engagement.",
    )
    worked_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, min_value=Decimal("0.01"),
                                     max_value=Decimal(24))
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text="The integrator's id: sending the same entry again returns the recorded one.",
    )


class TimeEntryCorrectionSerializer(serializers.Serializer):
    """A staff correction of a logged entry: its day, hours, deliverable or description.

    The engagement, consultant and external id are the entry's identity: they may be sent
    back unchanged (a PUT of the whole row) but a different value is refused (400): log a
    new entry instead.
    """

    IDENTITY_FIELDS = {"engagement": "engagement_id", "consultant": "consultant_id",
                       "external_id": "external_id"}

    deliverable = ScopedPrimaryKeyRelatedField(
        queryset=Deliverable.objects.all(), required=False, allow_null=True,
        help_text="Id of a deliverable of the same engagement (null: none).",
    )
    worked_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, min_value=Decimal("0.01"),
                                     max_value=Decimal(24))
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs):
        sent = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        changed = {
            name: f"A time entry's {name.replace('_', ' ')} does not change: log a new "
                  "entry instead."
            for name, attribute in self.IDENTITY_FIELDS.items()
            if name in sent and str(sent[name]) != str(getattr(self.instance, attribute))
        }
        if changed:
            raise serializers.ValidationError(changed)
        return attrs


class TimeEntryBulkRowSerializer(serializers.Serializer):
    """One entry of a pushed batch (ids for the references)."""

    engagement = serializers.IntegerField()
    consultant = serializers.IntegerField()
    deliverable = serializers.IntegerField(required=False, allow_null=True)
    worked_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2)
    description = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True)


class TimeEntryBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(min_value=0)
    duplicates = serializers.IntegerField(
        min_value=0, help_text="Entries already recorded (same engagement, external id and "
        "content): skipped."
    )
    ids = serializers.ListField(child=serializers.IntegerField(),
                                help_text="Ids of the entries created.")


class TimeEntryBulkErrorSerializer(serializers.Serializer):
    """A refused push: either row errors (nothing was written) or an error about the body as
    a whole (not a list, more than 1,000 entries) under ``entries``."""

    rows = serializers.DictField(
        required=False,
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text="By row index (from 0): the failing fields and their messages.",
    )
    entries = serializers.ListField(
        required=False, child=serializers.CharField(),
        help_text="What is wrong with the body as a whole.",
    )


# --- Expenses and KPI measurements ---------------------------------------------------------------


class ExpenseSerializer(serializers.ModelSerializer):
    """A cost other than time (EUR); it counts toward the engagement's actual cost."""

    class Meta:
        model = Expense
        fields = ["id", "engagement", "spent_on", "amount", "category", "description",
                  "created_at"]
        read_only_fields = fields


class ExpenseWriteSerializer(ImmutableEngagementMixin, serializers.Serializer):
    engagement = _engagement_field()
    spent_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2,
                                      min_value=Decimal("0.01"))
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class KpiMeasurementSerializer(serializers.ModelSerializer):
    """A value of one of the engagement's service indicators for a period."""

    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = KpiMeasurement
        fields = ["id", "engagement", "indicator", "indicator_name", "period_start",
                  "period_end", "value", "note", "recorded_by", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_recorded_by(self, measurement) -> str:
        return person_name(measurement.recorded_by)


class KpiMeasurementWriteSerializer(serializers.Serializer):
    engagement = _engagement_field()
    indicator = BoundedPrimaryKeyRelatedField(
        queryset=Indicator.objects.all(),
        help_text="Id of an indicator of one of the engagement's services.",
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


# --- Metrics -------------------------------------------------------------------------------------

NOT_FIGURES = ("kpis", "reasons")


class FigureSerializer(serializers.Serializer):
    value = serializers.CharField(
        allow_null=True, help_text="A decimal as text, or null when undefined."
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why the value is null.")


class KpiStatusSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    value = serializers.CharField()
    target = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.ChoiceField(choices=Health.choices)


class _MetricsFiguresMixin(serializers.Serializer):
    figures = serializers.SerializerMethodField(
        help_text="Every figure by name (bac, pv, ev, ac, cv, sv, cpi, spi, eac, etc, vac, "
        "tcpi, agile EVM, delivery, stakeholder and risk figures): see docs/metrics.md.",
    )
    reasons = serializers.SerializerMethodField()
    kpis = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=FigureSerializer()))
    def get_figures(self, metrics) -> dict:
        return {name: figure for name, figure in (metrics.figures or {}).items()
                if name not in NOT_FIGURES}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, metrics) -> list:
        return list((metrics.figures or {}).get("reasons", []))

    @extend_schema_field(KpiStatusSerializer(many=True))
    def get_kpis(self, metrics) -> list:
        return list((metrics.figures or {}).get("kpis", []))


class EngagementMetricsSerializer(_MetricsFiguresMixin, serializers.Serializer):
    """The engagement's metrics as last recomputed, and whether inputs changed since."""

    engagement = serializers.IntegerField(source="engagement_id")
    status_date = serializers.DateField()
    as_of = serializers.DateTimeField(help_text="When the figures were computed.")
    is_stale = serializers.BooleanField(
        help_text="An input changed after as_of: a recompute is on its way."
    )
    health = serializers.ChoiceField(choices=Health.choices)


class MetricsSnapshotSerializer(_MetricsFiguresMixin, serializers.ModelSerializer):
    """The metrics of one engagement on one day."""

    class Meta:
        model = MetricsSnapshot
        fields = ["id", "engagement", "day", "as_of", "health", "figures", "reasons", "kpis"]
        read_only_fields = fields

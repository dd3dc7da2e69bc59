"""Serializers of the improvement API. Input validation is separate from output shape.

Writes go through improvement.services (the views call them with ``validated_data``); these
classes check the input's shape and tenancy and describe what is returned. Computed values
(analysis figures, cost of delay, WSJF, warnings) are read-only. Times are in hours,
capacity and demand in items per week.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Indicator, Service
from engagements.api.serializers import FigureSerializer
from engagements.models import Engagement
from pmo_service.api.scoping import ScopedPrimaryKeyRelatedField
from portfolio.choices import DemandStatus
from stakeholders.api.serializers import person_name
from stakeholders.api.tenant import TenantOwnedSerializer
from stakeholders.models import Stakeholder

from .. import services
from ..choices import ACTION_TRANSITIONS, SCORE_MAX, SCORE_MIN, ActionStatus
from ..models import ImprovementAction, ImprovementActionTransition, ProcessMap, ProcessStep

MAX_STEPS = 100
HOURS_MAX = Decimal("99999999.99")

# --- Process maps ----------------------------------------------------------------------------


class ProcessStepField(ScopedPrimaryKeyRelatedField):
    """A process step id, accepted when the user may see its map (steps have no scope of
    their own: they are seen through their map)."""

    def get_queryset(self):
        user = self.context["request"].user
        return ProcessStep.objects.filter(process_map__in=ProcessMap.objects.for_user(user))


class IndicatorField(ScopedPrimaryKeyRelatedField):
    """A catalog indicator id, accepted when the user may see its service."""

    def get_queryset(self):
        user = self.context["request"].user
        return Indicator.objects.filter(service__in=Service.objects.for_user(user))


class ProcessStepSerializer(serializers.ModelSerializer):
    """One step of a process map. ``position`` is optional on input: when every step gives
    one they must be 1, 2, ... n (in any order); when none does, the list order is used."""

    position = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_STEPS,
        help_text="1 for the first step; give it on every step or on none.",
    )

    class Meta:
        model = ProcessStep
        fields = [
            "id", "position", "name", "performer", "process_time_hours", "wait_time_hours",
            "percent_complete_accurate", "capacity_per_week", "demand_per_week", "people",
            "handoffs", "value_added",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "process_time_hours": {"min_value": Decimal(0), "max_value": HOURS_MAX},
            "wait_time_hours": {"min_value": Decimal(0), "max_value": HOURS_MAX},
            "capacity_per_week": {"min_value": Decimal(0), "max_value": HOURS_MAX},
            "demand_per_week": {"min_value": Decimal(0), "max_value": HOURS_MAX},
            "percent_complete_accurate": {"min_value": Decimal(0), "max_value": Decimal(100)},
            "people": {"min_value": 0, "max_value": 100_000},
            "handoffs": {"min_value": 0, "max_value": 100_000},
        }

    def get_validators(self):
        # Positions are checked over the whole list by the map serializer.
        return []


def ordered_steps(steps: list[dict]) -> list[dict]:
    """The step inputs in position order, without ``position`` (the services number them).

    Raises a field error on ``steps`` when positions are mixed, repeated or have gaps.
    """
    given = [step.get("position") for step in steps]
    if all(position is None for position in given):
        return [dict(step) for step in steps]
    if any(position is None for position in given):
        raise serializers.ValidationError(
            {"steps": ["Give a position on every step or on none."]}
        )
    if sorted(given) != list(range(1, len(steps) + 1)):
        raise serializers.ValidationError(
            {"steps": [f"Positions must be 1 to {len(steps)}, each once."]}
        )
    ordered = sorted(steps, key=lambda step: step["position"])
    return [{k: v for k, v in step.items() if k != "position"} for step in ordered]


class ProcessMapSerializer(TenantOwnedSerializer):
    """One version of a client process, with its steps in order.

    ``steps`` given on create or update replace the whole ordered list at once. The name and
    the version identify a map: the name does not change (start a new map instead) and new
    versions come from ``POST /process-maps/{id}/new-version/``. ``is_latest`` says no newer
    version replaces this one; only the latest version's steps can be redrawn.
    """

    owner = ScopedPrimaryKeyRelatedField(
        queryset=Stakeholder.objects.all(), required=False, allow_null=True,
        help_text="Stakeholder id of the process owner at the client.",
    )
    engagement = ScopedPrimaryKeyRelatedField(
        queryset=Engagement.objects.all(), required=False, allow_null=True,
        help_text="Engagement id the map was drawn for.",
    )
    service = ScopedPrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True,
        help_text="Catalog service id the process delivers.",
    )
    steps = ProcessStepSerializer(many=True, required=False, max_length=MAX_STEPS)
    is_latest = serializers.SerializerMethodField(
        help_text="Whether no newer version replaces this one."
    )
    step_count = serializers.SerializerMethodField(help_text="Number of steps.")

    class Meta:
        model = ProcessMap
        fields = [
            "id", "organization", "name", "description", "owner", "version", "replaces",
            "is_latest", "engagement", "service", "step_count", "steps", "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "replaces", "created_at", "updated_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_is_latest(self, process_map) -> bool:
        if hasattr(process_map, "is_latest_value"):
            return process_map.is_latest_value
        return not process_map.replaced_by.exists()

    @extend_schema_field(serializers.IntegerField())
    def get_step_count(self, process_map) -> int:
        if hasattr(process_map, "step_count"):
            return process_map.step_count
        return process_map.steps.count()

    def validate(self, attrs):
        if self.instance is not None and "name" in attrs and attrs["name"] != self.instance.name:
            raise serializers.ValidationError(
                {"name": ["The name identifies the process; it does not change."]}
            )
        if "steps" in attrs:
            attrs["steps"] = ordered_steps(attrs["steps"])
        return super().validate(attrs)


class UtilizationSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    capacity_per_week = serializers.CharField(help_text="Items per week, a decimal as text.")
    demand_per_week = serializers.CharField(help_text="Items per week, a decimal as text.")
    utilization = FigureSerializer(help_text="Demand / capacity; null with the reason.")
    is_constraint = serializers.BooleanField()
    is_tied = serializers.BooleanField(help_text="Ties with the constraint.")


class VersionComparisonSerializer(serializers.Serializer):
    """Lead time and PCE after (this version) against before (the version it replaces)."""

    replaces = serializers.IntegerField(help_text="Id of the earlier version.")
    replaces_version = serializers.IntegerField()
    lead_time_before = FigureSerializer()
    lead_time_after = FigureSerializer()
    lead_time_delta = FigureSerializer(help_text="After - before, hours; negative is better.")
    lead_time_change_percent = FigureSerializer()
    pce_before = FigureSerializer()
    pce_after = FigureSerializer()
    pce_delta = FigureSerializer()
    pce_change_percent = FigureSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class ProcessAnalysisSerializer(serializers.Serializer):
    """The value-stream figures of a map version (docs: improvement/analysis.py): every
    figure as ``{value, reason}``, per-step utilization, the constraint with its ties and
    explanation, throughput, and the before/after comparison when it replaces a version."""

    process_map = serializers.IntegerField()
    version = serializers.IntegerField()
    step_count = serializers.IntegerField()
    lead_time = FigureSerializer(help_text="Hours: process times plus waits.")
    total_process_time = FigureSerializer(help_text="Hours.")
    total_wait_time = FigureSerializer(help_text="Hours.")
    value_added_time = FigureSerializer(help_text="Hours of value-adding steps.")
    pce = FigureSerializer(help_text="Process cycle efficiency: value-added / lead time.")
    rty = FigureSerializer(help_text="Rolled throughput yield, 0 to 1.")
    throughput_per_week = FigureSerializer(help_text="Items per week the process delivers.")
    throughput_explanation = serializers.CharField()
    steps = UtilizationSerializer(many=True)
    constraint_position = serializers.IntegerField(allow_null=True)
    tied_positions = serializers.ListField(child=serializers.IntegerField())
    constraint_explanation = serializers.CharField()
    comparison = VersionComparisonSerializer(allow_null=True)


# --- Improvement actions ---------------------------------------------------------------------


class ImprovementActionTransitionSerializer(serializers.ModelSerializer):
    """One status change, as stored."""

    actor_name = serializers.SerializerMethodField(help_text="Who made the change.")

    class Meta:
        model = ImprovementActionTransition
        fields = ["from_status", "to_status", "actor_name", "at", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_actor_name(self, transition) -> str:
        return person_name(transition.actor)


def _score_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=SCORE_MIN, max_value=SCORE_MAX, required=False, help_text=help_text
    )


class ImprovementActionSerializer(TenantOwnedSerializer):
    """A short-term improvement action ranked by WSJF.

    ``cost_of_delay`` = business value + time criticality + risk reduction; ``wsjf`` = cost
    of delay / job size (2 decimals). ``status`` moves only through ``transition``;
    ``allowed_transitions`` lists where it may go now. ``target_date_warning`` is set when
    the target is more than 90 days after creation. ``source``, ``process_step``,
    ``demand_status`` and ``evidence`` record where the action came from and are fixed once
    created; ``suggested`` actions were created by bottleneck detection.
    """

    engagement = ScopedPrimaryKeyRelatedField(
        queryset=Engagement.objects.all(), required=False, allow_null=True,
        help_text="Engagement id.",
    )
    process_step = ProcessStepField(
        queryset=ProcessStep.objects.all(), required=False, allow_null=True,
        help_text="Id of the bottleneck step it came from (source process_step).",
    )
    expected_kpi = IndicatorField(
        queryset=Indicator.objects.all(), required=False, allow_null=True,
        help_text="Catalog indicator id the action should move.",
    )
    demand_status = serializers.ChoiceField(
        choices=DemandStatus.choices, required=False, allow_blank=True,
        help_text="Demand status it came from (source demand_flow).",
    )
    evidence = serializers.JSONField(
        required=False, help_text="Figures that showed the bottleneck (a JSON object)."
    )
    business_value = _score_field(f"Relative business value, {SCORE_MIN}-{SCORE_MAX}.")
    time_criticality = _score_field(f"How fast value decays, {SCORE_MIN}-{SCORE_MAX}.")
    risk_reduction = _score_field(
        f"Risk reduction / opportunity enablement, {SCORE_MIN}-{SCORE_MAX}."
    )
    job_size = _score_field(f"Relative size of the work, {SCORE_MIN}-{SCORE_MAX}.")
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    cost_of_delay = serializers.SerializerMethodField(help_text="Sum of the three scores.")
    wsjf = serializers.SerializerMethodField(help_text="Cost of delay / job size.")
    target_date_warning = serializers.SerializerMethodField(
        help_text="Set when the target is further than 90 days: split the action."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Statuses the action may move to now."
    )
    owner_name = serializers.SerializerMethodField(help_text="Name of the owner.")
    transitions = ImprovementActionTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ImprovementAction
        fields = [
            "id", "organization", "engagement", "source", "process_step", "demand_status",
            "evidence", "title", "problem", "proposal", "owner", "owner_name",
            "business_value", "time_criticality", "risk_reduction", "job_size",
            "cost_of_delay", "wsjf", "pdca_phase", "status", "allowed_transitions",
            "target_date", "target_date_warning", "expected_hours_saved_per_month",
            "expected_kpi", "expected_kpi_delta", "measured_hours_saved_per_month",
            "measured_kpi_delta", "verified_at", "discard_reason", "suggested",
            "transitions", "created_at", "updated_at",
        ]
        read_only_fields = [
            "id", "status", "measured_hours_saved_per_month", "measured_kpi_delta",
            "verified_at", "discard_reason", "suggested", "created_at", "updated_at",
        ]
        extra_kwargs = {
            "expected_hours_saved_per_month": {"min_value": Decimal(0)},
            "owner": {"help_text": "User id of the owner: PMO staff or a member."},
        }

    @extend_schema_field(serializers.IntegerField())
    def get_cost_of_delay(self, action) -> int:
        return getattr(action, "cost_of_delay_value", None) or action.cost_of_delay

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_wsjf(self, action) -> str:
        value = getattr(action, "wsjf_value", None)
        return str(Decimal(value if value is not None else action.wsjf).quantize(Decimal("0.01")))

    @extend_schema_field(serializers.CharField())
    def get_target_date_warning(self, action) -> str:
        return action.target_date_warning()

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ActionStatus.choices))
    )
    def get_allowed_transitions(self, action) -> list[str]:
        """Where the requesting user may move the action now (none for clients: the
        workflow is the PMO's)."""
        request = self.context.get("request")
        if request is None:
            return [str(status) for status in ACTION_TRANSITIONS[action.status]]
        return [str(status) for status in services.improvement_action_allowed_targets(
            action=action, user=request.user)]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner_name(self, action) -> str | None:
        return person_name(action.owner)

    def validate_evidence(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Evidence is a JSON object.")
        return value

    def validate(self, attrs):
        if self.instance is not None:
            fixed = [name for name in ("source", "process_step", "demand_status", "evidence")
                     if name in attrs and attrs[name] != getattr(self.instance, name)]
            if fixed:
                raise serializers.ValidationError(
                    {name: ["Where the action came from does not change."] for name in fixed}
                )
        return super().validate(attrs)


class ImprovementActionTransitionRequestSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=ActionStatus.choices, help_text="The status to move the action to."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text="Why; required when discarding.",
    )
    measured_hours_saved_per_month = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal(0), required=False,
        allow_null=True, default=None,
        help_text="Measured benefit, required (or the KPI delta) to verify.",
    )
    measured_kpi_delta = serializers.DecimalField(
        max_digits=12, decimal_places=4, required=False, allow_null=True, default=None,
        help_text="Measured change of the expected KPI, when verifying.",
    )


# --- Demand flow -----------------------------------------------------------------------------


def _days(help_text: str = "Days, a decimal as text.") -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=help_text)


class StatusTimeSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    completed_count = serializers.IntegerField()
    completed_mean_days = _days()
    completed_p85_days = _days("85th percentile (nearest rank), days.")
    still_in_count = serializers.IntegerField()
    still_in_mean_age_days = _days()
    still_in_max_age_days = _days()


class HistogramBinSerializer(serializers.Serializer):
    lower_days = serializers.IntegerField()
    upper_days = serializers.IntegerField()
    count = serializers.IntegerField()


class LeadTimesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean_days = _days()
    median_days = _days()
    p85_days = _days()
    max_days = _days()
    histogram = HistogramBinSerializer(many=True)


class WeekFlowSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W05.")
    week_start = serializers.DateField()
    delivered = serializers.IntegerField()
    wip_at = serializers.DateTimeField()
    wip = serializers.IntegerField()
    wip_by_status = serializers.DictField(child=serializers.IntegerField())


class FlowBottleneckSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    mean_days = _days()
    p85_days = _days()
    count = serializers.IntegerField()
    share_of_lead_time = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()


class LittlesLawSerializer(serializers.Serializer):
    average_wip = serializers.CharField(allow_null=True)
    throughput_per_day = serializers.CharField(allow_null=True)
    mean_lead_time_days = serializers.CharField(allow_null=True)
    predicted_wip = serializers.CharField(allow_null=True)


class DemandFlowSerializer(serializers.Serializer):
    """The flow of an organization's demand over a period (see improvement/flow.py): time
    in each status, lead times, weekly throughput and WIP, and the status where work waits
    longest. Durations are days as decimal text."""

    organization = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    horizon = serializers.DateTimeField()
    demand_count = serializers.IntegerField()
    time_in_status = StatusTimeSerializer(many=True)
    lead_times = LeadTimesSerializer()
    weeks = WeekFlowSerializer(many=True)
    wip_at_horizon = serializers.IntegerField()
    wip_at_horizon_by_status = serializers.DictField(child=serializers.IntegerField())
    bottleneck = FlowBottleneckSerializer(allow_null=True)
    bottleneck_reason = serializers.CharField(allow_blank=True)
    littles_law = LittlesLawSerializer()


"""Improvement actions: short PDCA experiments ranked by WSJF, with their workflow history."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Cast, Round
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from .. import analysis
from ..choices import (
    OPEN_ACTION_STATUSES,
    SCORE_MAX,
    SCORE_MIN,
    SHORT_TERM_DAYS,
    ActionSource,
    ActionStatus,
    PdcaPhase,
)


def cost_of_delay_expression() -> models.Expression:
    """Cost of delay in SQL: the same sum as ``analysis.cost_of_delay``."""
    return F("business_value") + F("time_criticality") + F("risk_reduction")


def wsjf_expression() -> models.Expression:
    """WSJF in SQL, 2 decimals: ROUND casts to numeric on PostgreSQL (half away from zero,
    as ``analysis.wsjf`` rounds half up on these positive values)."""
    return Round(
        Cast(cost_of_delay_expression(), models.FloatField())
        / Cast(F("job_size"), models.FloatField()),
        precision=2, output_field=models.DecimalField(max_digits=6, decimal_places=2),
    )


class ImprovementActionQuerySet(TenantQuerySet):
    def with_wsjf(self) -> "ImprovementActionQuerySet":
        return self.annotate(
            cost_of_delay_value=cost_of_delay_expression(), wsjf_value=wsjf_expression()
        )

    def open(self) -> "ImprovementActionQuerySet":
        return self.filter(status__in=OPEN_ACTION_STATUSES)


def _score(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, default=1, help_text=help_text)


_OPEN_SUGGESTION = models.Q(suggested=True, status__in=OPEN_ACTION_STATUSES)


class ImprovementAction(models.Model):
    """A short-term improvement (weeks, not quarters) of a client's way of working.

    It comes from a ``source`` (a process step or demand-flow bottleneck, a retrospective,
    feedback, a red KPI), is ranked by WSJF, follows PDCA and moves only through
    ``ACTION_TRANSITIONS``, each move stored as an :class:`ImprovementActionTransition`.
    It states an expected benefit (hours saved per month, or a KPI delta) and, once
    verified, the measured one. ``suggested`` actions were created by bottleneck detection
    with the figures that showed the bottleneck in ``evidence``; nobody approved them yet.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="improvement_actions",
    )
    source = models.CharField(max_length=30, choices=ActionSource.choices)
    process_step = models.ForeignKey(
        "improvement.ProcessStep", on_delete=models.PROTECT, null=True, blank=True,
        related_name="improvement_actions", help_text="The bottleneck step it came from.",
    )
    demand_status = models.CharField(
        max_length=20, blank=True, help_text="The demand status where the flow waited longest.",
    )
    evidence = models.JSONField(
        default=dict, blank=True, help_text="The figures that showed the bottleneck."
    )
    title = models.CharField(max_length=200)
    problem = models.TextField()
    proposal = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_improvement_actions",
    )
    business_value = _score("business value", "Relative business value, 1-20.")
    time_criticality = _score("time criticality", "How fast value decays if it waits, 1-20.")
    risk_reduction = _score(
        "risk reduction / opportunity enablement", "Relative risk reduction, 1-20."
    )
    job_size = _score("job size", "Relative size of the work, 1-20.")
    pdca_phase = models.CharField(
        "PDCA phase", max_length=10, choices=PdcaPhase.choices, default=PdcaPhase.PLAN
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED,
        editable=False,
    )
    target_date = models.DateField(null=True, blank=True)
    expected_hours_saved_per_month = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True
    )
    expected_kpi = models.ForeignKey(
        "catalog.Indicator", on_delete=models.PROTECT, null=True, blank=True,
        related_name="improvement_actions", help_text="The KPI the action should move.",
    )
    expected_kpi_delta = models.DecimalField(max_digits=12, decimal_places=4, null=True,
                                             blank=True)
    measured_hours_saved_per_month = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True
    )
    measured_kpi_delta = models.DecimalField(max_digits=12, decimal_places=4, null=True,
                                             blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    discard_reason = models.TextField(blank=True)
    suggested = models.BooleanField(
        default=False, help_text="Created by bottleneck detection, not by a person.",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImprovementActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="improvement_action_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ActionSource.values),
                name="improvement_action_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(pdca_phase__in=PdcaPhase.values),
                name="improvement_action_pdca_phase_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    business_value__range=(SCORE_MIN, SCORE_MAX),
                    time_criticality__range=(SCORE_MIN, SCORE_MAX),
                    risk_reduction__range=(SCORE_MIN, SCORE_MAX),
                    job_size__range=(SCORE_MIN, SCORE_MAX),
                ),
                name="improvement_action_scores_in_range",
                violation_error_message=f"Value, time criticality, risk reduction and job size "
                f"are relative scores from {SCORE_MIN} to {SCORE_MAX}.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.VERIFIED)
                | (models.Q(verified_at__isnull=False)
                   & (models.Q(measured_hours_saved_per_month__isnull=False)
                      | models.Q(measured_kpi_delta__isnull=False))),
                name="improvement_action_verified_has_measure",
                violation_error_message="A verified action needs its verification time and a "
                "measured benefit (hours saved or KPI delta).",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ActionStatus.DISCARDED) | ~models.Q(discard_reason=""),
                name="improvement_action_discard_has_reason",
                violation_error_message="Discarding an action needs a reason.",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ActionSource.PROCESS_STEP)
                | models.Q(process_step__isnull=False),
                name="improvement_action_step_source_has_step",
                violation_error_message="An action from a process step names the step.",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ActionSource.DEMAND_FLOW) | ~models.Q(demand_status=""),
                name="improvement_action_flow_source_has_status",
                violation_error_message="An action from the demand flow names the status.",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_hours_saved_per_month__isnull=True)
                | models.Q(expected_hours_saved_per_month__gte=0),
                name="improvement_action_expected_hours_non_negative",
                violation_error_message="Expected hours saved cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(measured_hours_saved_per_month__isnull=True)
                | models.Q(measured_hours_saved_per_month__gte=0),
                name="improvement_action_measured_hours_non_negative",
                violation_error_message="Measured hours saved cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_kpi_delta__isnull=True)
                | models.Q(expected_kpi__isnull=False),
                name="improvement_action_kpi_delta_has_kpi",
                violation_error_message="An expected KPI delta names the KPI.",
            ),
            # Detection runs again and again: one open suggestion per bottleneck keeps it
            # idempotent even when two runs race.
            models.UniqueConstraint(
                fields=["organization", "process_step"],
                condition=_OPEN_SUGGESTION & models.Q(process_step__isnull=False),
                name="improvement_action_one_open_suggestion_per_step",
                violation_error_message="This step already has an open suggested action.",
            ),
            models.UniqueConstraint(
                fields=["organization", "demand_status"],
                condition=_OPEN_SUGGESTION & ~models.Q(demand_status=""),
                name="improvement_action_one_open_suggestion_per_status",
                violation_error_message="This demand status already has an open suggested "
                "action.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def cost_of_delay(self) -> int:
        return analysis.cost_of_delay(
            self.business_value, self.time_criticality, self.risk_reduction
        )

    @property
    def wsjf(self) -> Decimal:
        return analysis.wsjf(
            self.business_value, self.time_criticality, self.risk_reduction, self.job_size
        )

    def target_date_warning(self, today: date | None = None) -> str:
        """Text when the target is further than ``SHORT_TERM_DAYS`` from creation (or today
        for an unsaved action): improvement actions are meant to take weeks."""
        if self.target_date is None:
            return ""
        start = self.created_at.date() if self.created_at else (today or timezone.localdate())
        if self.target_date - start > timedelta(days=SHORT_TERM_DAYS):
            return (f"The target date is more than {SHORT_TERM_DAYS} days away: split the "
                    "action into shorter experiments.")
        return ""


class ImprovementActionTransition(models.Model):
    """One status change of an improvement action, with its author, time and note."""

    action = models.ForeignKey(
        ImprovementAction, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
        related_name="improvement_action_transitions",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_status__in=ActionStatus.values),
                name="improvement_action_transition_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"

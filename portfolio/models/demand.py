"""Strategic objectives and the demand articulated on applications to serve them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from .. import classification
from ..choices import (
    DISCOURAGED_TIME_CLASSES,
    ENDING_LIFECYCLES,
    OPEN_DEMAND_STATUSES,
    DemandStatus,
    DemandType,
    ObjectiveStatus,
    RelativeSize,
)
from .applications import Application


class ObjectiveQuerySet(TenantQuerySet):
    pass


class Objective(models.Model):
    """A strategic objective of the client organization for a period."""

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    owner = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_objectives",
    )
    status = models.CharField(
        max_length=20, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    applications = models.ManyToManyField(
        Application, through="ObjectiveApplication", blank=True, related_name="objectives",
        help_text="Applications through which the objective is met.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectiveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="objective_period_in_order",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ObjectiveStatus.values),
                name="objective_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ObjectiveApplication(models.Model):
    """Link: an application serves an objective. Applications in use cannot be deleted."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE)
    application = models.ForeignKey(Application, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "application"], name="objective_application_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} serves {self.objective}"


class DemandQuerySet(TenantQuerySet):
    def with_priority(self) -> "DemandQuerySet":
        return self.annotate(priority_value=classification.demand_priority_expression())

    def open(self) -> "DemandQuerySet":
        return self.filter(status__in=OPEN_DEMAND_STATUSES)


def _relative_size(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        choices=RelativeSize.choices, default=RelativeSize.THREE, help_text=help_text
    )


class Demand(models.Model):
    """A request for work on one or more applications: a new system, an evolution, a fix.

    Its priority is WSJF (see portfolio.classification). Status moves only through
    ``DEMAND_TRANSITIONS``; each move is stored as a :class:`DemandTransition` with its time
    and author, from which flow metrics are computed. Demands are never deleted (withdraw).
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="demands"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    demand_type = models.CharField("type", max_length=20, choices=DemandType.choices)
    applications = models.ManyToManyField(
        Application, through="DemandApplication", related_name="demands",
        help_text="The applications the demand is articulated on.",
    )
    requester = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="demands", help_text="The stakeholder who asks for it.",
    )
    objectives = models.ManyToManyField(
        Objective, through="DemandObjective", blank=True, related_name="demands"
    )
    business_value = _relative_size("Relative business value.")
    urgency = _relative_size("Time criticality: how fast value decays if it waits.")
    risk_reduction = _relative_size("Risk reduction or opportunity enablement."
    )
    effort = _relative_size("Estimated effort, as a relative job size.")
    status = models.CharField(
        max_length=20, choices=DemandStatus.choices, default=DemandStatus.SUBMITTED,
        editable=False,
    )
    target_date = models.DateField(
        null=True, blank=True, help_text="When the requester needs it, or the scheduled date."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_demands"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Raised by every change: a write based on an older version is refused "
        "(the API's ETag/If-Match, the admin's hidden field), so no change is lost.",
    )

    objects = DemandQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DemandStatus.values), name="demand_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(demand_type__in=DemandType.values),
                name="demand_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(business_value__in=RelativeSize.values)
                & models.Q(urgency__in=RelativeSize.values)
                & models.Q(risk_reduction__in=RelativeSize.values)
                & models.Q(effort__in=RelativeSize.values),
                name="demand_scores_on_fibonacci_scale",
                violation_error_message="Value, urgency, risk reduction and effort use the "
                "scale 1, 2, 3, 5, 8, 13, 20.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def priority(self) -> float:
        return classification.demand_priority(
            self.business_value, self.urgency, self.risk_reduction, self.effort
        )

    def application_warnings(self) -> list[str]:
        """Why work on these applications may be wasted: they are to be tolerated or
        eliminated, or they are sunsetting or retired. Reads ``applications`` (prefetch it)."""
        warnings = []
        for application in self.applications.all():
            time = application.time_class
            if time in DISCOURAGED_TIME_CLASSES:
                warnings.append(
                    f"{application.code} is classified {time.label} in the TIME assessment."
                )
            if application.lifecycle in ENDING_LIFECYCLES:
                warnings.append(
                    f"{application.code} is {application.get_lifecycle_display().lower()}."
                )
        return warnings


class DemandApplication(models.Model):
    """Link: a demand is articulated on an application. Applications in use cannot be deleted."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE)
    application = models.ForeignKey(Application, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "application"], name="demand_application_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} on {self.application}"


class DemandObjective(models.Model):
    """Link: a demand serves an objective. Objectives with demand cannot be deleted."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE)
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "objective"], name="demand_objective_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.demand} serves {self.objective}"


class DemandTransition(models.Model):
    """One status change of a demand: history for flow metrics (time in status, lead time)."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=DemandStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=DemandStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demand_transitions"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_status=DemandStatus.REJECTED) | ~models.Q(note=""),
                name="demand_rejection_has_reason",
                violation_error_message="Rejecting a demand needs a reason.",
            ),
            models.CheckConstraint(
                condition=models.Q(to_status__in=DemandStatus.values),
                name="demand_transition_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["demand", "at"])]

    def __str__(self) -> str:
        return f"{self.demand}: {self.from_status or '—'} → {self.to_status}"

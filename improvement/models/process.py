"""Process maps: a client process drawn as ordered steps, kept in versions."""

from decimal import Decimal

from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet


class ProcessMapQuerySet(TenantQuerySet):
    pass


class ProcessMap(models.Model):
    """One version of a client organization's process, drawn as ordered steps.

    All times of its steps are in HOURS; capacity and demand are items per WEEK. A redesign is
    a new version with the same name that ``replaces`` the previous one, so the analysis of
    both can be compared (lead time and PCE before and after). Versions are never deleted
    while a newer one points at them.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="process_maps"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_process_maps", help_text="Who owns the process at the client.",
    )
    version = models.PositiveIntegerField(default=1)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
        help_text="The earlier version of the same process that this one redesigns.",
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="process_maps",
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, null=True, blank=True,
        related_name="process_maps", help_text="The catalog service this process delivers.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcessMapQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), "version",
                name="process_map_version_unique_ci",
                violation_error_message="This process already has a map with this version.",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="process_map_version_positive",
                violation_error_message="The version starts at 1.",
            ),
            models.CheckConstraint(
                condition=~models.Q(replaces=models.F("id")),
                name="process_map_not_replacing_itself",
                violation_error_message="A process map cannot replace itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


def _non_negative(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__gte": 0}),
        name=f"process_step_{name}_non_negative",
        violation_error_message=f"{name.replace('_', ' ').capitalize()} cannot be negative.",
    )


class ProcessStep(models.Model):
    """One step of a process map, at ``position`` (1 first), with what value-stream mapping
    records of it: times in hours (the wait is BEFORE the step), % complete and accurate,
    capacity and demand per week, people and hand-offs. ``value_added`` says whether its
    process time counts as value-added time in the process cycle efficiency."""

    process_map = models.ForeignKey(ProcessMap, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    performer = models.CharField(
        max_length=200, blank=True, help_text="The role or team that performs the step."
    )
    process_time_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    wait_time_hours = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal(0),
        help_text="Time work waits before the step starts.",
    )
    percent_complete_accurate = models.DecimalField(
        "% complete and accurate", max_digits=5, decimal_places=2, default=Decimal(100),
        help_text="Share of the work the next step can use as received, without rework.",
    )
    capacity_per_week = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    demand_per_week = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    people = models.PositiveIntegerField(default=0)
    handoffs = models.PositiveIntegerField(default=0)
    value_added = models.BooleanField(
        default=True, help_text="Whether the customer would pay for this step's work."
    )

    class Meta:
        ordering = ["process_map", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_map", "position"], name="process_step_position_unique",
                violation_error_message="Another step of this map has this position.",
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="process_step_position_positive",
                violation_error_message="Positions start at 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(percent_complete_accurate__gte=0)
                & models.Q(percent_complete_accurate__lte=100),
                name="process_step_percent_complete_accurate_range",
                violation_error_message="%% complete and accurate is between 0 and 100.",
            ),
            _non_negative("process_time_hours"),
            _non_negative("wait_time_hours"),
            _non_negative("capacity_per_week"),
            _non_negative("demand_per_week"),
            _non_negative("people"),
            _non_negative("handoffs"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

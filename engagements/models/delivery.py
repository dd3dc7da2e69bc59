"""Agile delivery data of an engagement: iterations, deliverables, time, expenses, KPIs.

These are the inputs of the engagement metrics (earned value, delivery, service KPIs), which
the metrics service recomputes in the background whenever one of them changes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from ..choices import DeliverableKind, DeliverableStatus, ExpenseCategory, IterationStatus
from .bench import Consultant
from .common import range_check
from .engagement import Engagement


class DeliveryQuerySet(TenantQuerySet):
    tenant_field = "engagement__organization"


class Iteration(models.Model):
    """A time-boxed iteration (sprint) of an engagement, numbered from 1."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="iterations"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    start_on = models.DateField()
    end_on = models.DateField()
    goal = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=IterationStatus.choices, default=IterationStatus.PLANNED
    )
    review_notes = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["engagement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "number"], name="iteration_number_once",
                violation_error_message="This engagement already has an iteration with this "
                "number.",
            ),
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")),
                name="iteration_dates_in_order",
                violation_error_message="An iteration cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="iteration_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=IterationStatus.values),
                name="iteration_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} · iteration {self.number}"


class Deliverable(models.Model):
    """A backlog item: a documentary deliverable, the launch of a catalog service, or other.

    Its ``budget`` is its planned value, spread linearly between ``planned_start`` and
    ``planned_finish``; earned value is budget x percent complete. Acceptance by the client
    Product Owner is recorded with who and when.
    """

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="deliverables"
    )
    iteration = models.ForeignKey(
        Iteration, on_delete=models.PROTECT, null=True, blank=True,
        related_name="deliverables", help_text="Optional until planned.",
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=DeliverableKind.choices, default=DeliverableKind.DOCUMENT
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The catalog service launched (service launches only).",
    )
    story_points = models.PositiveSmallIntegerField(default=0)
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))], help_text="EUR: its planned value.",
    )
    planned_start = models.DateField()
    planned_finish = models.DateField()
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        max_length=20, choices=DeliverableStatus.choices, default=DeliverableStatus.TODO
    )
    accepted_by = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="accepted_deliverables",
        help_text="The client Product Owner who accepted it.",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["engagement", "planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_finish__gte=models.F("planned_start")),
                name="deliverable_dates_in_order",
                violation_error_message="A deliverable cannot finish before it starts.",
            ),
            range_check("percent_complete", 0, 100, "deliverable"),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="deliverable_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=DeliverableKind.SERVICE_LAUNCH)
                           & models.Q(service__isnull=False))
                | (~models.Q(kind=DeliverableKind.SERVICE_LAUNCH)
                   & models.Q(service__isnull=True)),
                name="deliverable_service_iff_launch",
                violation_error_message="A service launch names its catalog service; other "
                "deliverables name none.",
            ),
            models.CheckConstraint(
                condition=(models.Q(status=DeliverableStatus.ACCEPTED)
                           & models.Q(accepted_by__isnull=False, accepted_at__isnull=False,
                                      percent_complete=100))
                | (~models.Q(status=DeliverableStatus.ACCEPTED)
                   & models.Q(accepted_by__isnull=True, accepted_at__isnull=True)),
                name="deliverable_acceptance_consistent",
                violation_error_message="An accepted deliverable is complete and records who "
                "accepted it and when; others record no acceptance.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliverableStatus.DONE)
                | models.Q(percent_complete=100),
                name="deliverable_done_is_complete",
                violation_error_message="A done deliverable is 100% complete.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DeliverableKind.values)
                & models.Q(status__in=DeliverableStatus.values),
                name="deliverable_kind_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["engagement", "status"])]

    def __str__(self) -> str:
        return self.title


class TimeEntry(models.Model):
    """Hours a consultant worked on an engagement on a day, with their cost.

    ``cost`` is stored: hours x the hourly rate derived from the consultant's day rate in
    force that day (day rate / 8), so later rate changes never rewrite actual cost.
    ``external_id`` lets an integrator push the same batch twice without duplicates.
    """

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="time_entries"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="time_entries"
    )
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, null=True, blank=True,
        related_name="time_entries",
    )
    worked_on = models.DateField()
    hours = models.DecimalField(
        max_digits=4, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("24"))],
    )
    cost = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=300, blank=True)
    external_id = models.CharField(
        max_length=100, blank=True,
        help_text="The integrator's id of the entry: unique per engagement when given.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["engagement", "-worked_on", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "external_id"], condition=~models.Q(external_id=""),
                name="time_entry_external_id_once",
                violation_error_message="An entry with this external id is already recorded.",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="time_entry_hours_in_day",
                violation_error_message="Hours must be more than 0 and at most 24.",
            ),
            models.CheckConstraint(
                condition=models.Q(cost__gte=0), name="time_entry_cost_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["engagement", "worked_on"])]

    def __str__(self) -> str:
        return f"{self.consultant} · {self.worked_on} · {self.hours} h"


class Expense(models.Model):
    """A cost other than time (travel, licences, ...) that counts toward actual cost."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="expenses")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    category = models.CharField(max_length=20, choices=ExpenseCategory.choices)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["engagement", "-spent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="expense_amount_positive",
                violation_error_message="An expense must be more than zero.",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=ExpenseCategory.values),
                name="expense_category_valid",
            ),
        ]
        indexes = [models.Index(fields=["engagement", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} on {self.spent_on}"


class KpiMeasurement(models.Model):
    """A value of one of the catalog indicators of the engagement's services for a period."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="kpi_measurements"
    )
    indicator = models.ForeignKey(
        "catalog.Indicator", on_delete=models.PROTECT, related_name="measurements"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["engagement", "indicator", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "indicator", "period_start"],
                name="kpi_measurement_once_per_period",
                violation_error_message="This indicator already has a value for that period.",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kpi_measurement_period_in_order",
                violation_error_message="The period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period_end})"

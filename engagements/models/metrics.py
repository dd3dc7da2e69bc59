"""Stored engagement metrics: the current figures and one snapshot per day for history."""

from django.db import models

from stakeholders.tenancy import TenantQuerySet

from ..choices import Health
from .engagement import Engagement


class MetricsQuerySet(TenantQuerySet):
    tenant_field = "engagement__organization"


class EngagementMetrics(models.Model):
    """The engagement's metrics as last recomputed (one row per engagement).

    ``figures`` holds every figure by name (``bac``, ``pv``, ``ev``, ``ac``, ``cpi``, ...,
    null with a reason when undefined); the main ones are also columns so dashboards filter
    and sort in SQL. ``as_of`` is when they were computed; ``inputs_changed_at`` is bumped by
    every change to an input, so metrics are stale exactly when it is later than ``as_of``.
    """

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="metrics"
    )
    status_date = models.DateField(help_text="The date the figures are measured at.")
    as_of = models.DateTimeField(null=True, blank=True)
    inputs_changed_at = models.DateTimeField(null=True, blank=True)
    bac = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    pv = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    ev = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    ac = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    cpi = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    spi = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    health = models.CharField(max_length=10, choices=Health.choices, blank=True)
    figures = models.JSONField(default=dict)

    objects = MetricsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "engagement metrics"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(health="") | models.Q(health__in=Health.values),
                name="metrics_health_valid",
            ),
        ]
        indexes = [models.Index(fields=["health"])]

    def __str__(self) -> str:
        return f"Metrics of {self.engagement}"

    @property
    def is_stale(self) -> bool:
        if self.as_of is None:
            return True
        return self.inputs_changed_at is not None and self.inputs_changed_at > self.as_of


class MetricsSnapshot(models.Model):
    """The metrics of one engagement on one day (the last recompute of that day wins)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="metrics_snapshots"
    )
    day = models.DateField()
    as_of = models.DateTimeField()
    pv = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    ev = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    ac = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    cpi = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    spi = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    health = models.CharField(max_length=10, choices=Health.choices, blank=True)
    figures = models.JSONField(default=dict)

    objects = MetricsQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "day"], name="metrics_snapshot_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} on {self.day}"


class EngagementHealth(Engagement):
    """An engagement seen through its metrics: the staff portfolio dashboard lists every
    engagement this way, with its health and main figures (``engagements.admin.dashboard``).

    A proxy: no table of its own; the figures come from the engagement's ``metrics`` row.
    """

    class Meta:
        proxy = True
        verbose_name = "portfolio health"
        verbose_name_plural = "portfolio dashboard"

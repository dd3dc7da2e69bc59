"""The communication plan (what is communicated to whom, how often) and its log."""

from datetime import date

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import FREQUENCY_INTERVAL, Channel, CommunicationFrequency
from ..tenancy import TenantQuerySet
from .register import Stakeholder


def add_interval(start: date, frequency: str) -> date | None:
    """``start`` moved on by one period of ``frequency``; None for ad-hoc communications.

    Months are calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
    """
    if frequency not in FREQUENCY_INTERVAL:
        return None
    days, months = FREQUENCY_INTERVAL[frequency]
    if days:
        return date.fromordinal(start.toordinal() + days)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + month // 12, month % 12 + 1, 1)
    last_day = date.fromordinal(next_month_first.toordinal() - 1).day
    return date(year, month, min(start.day, last_day))


class CommunicationPlanQuerySet(TenantQuerySet):
    def active(self) -> "CommunicationPlanQuerySet":
        return self.filter(is_active=True)

    def overdue(self, today: date) -> "CommunicationPlanQuerySet":
        return self.active().filter(next_due_on__lt=today)

    def due_by(self, day: date) -> "CommunicationPlanQuerySet":
        return self.active().filter(next_due_on__lte=day)


class CommunicationPlan(models.Model):
    """A recurring communication to some stakeholders or a named group.

    ``next_due_on`` is derived: the last logged communication (or ``starts_on`` when none was
    held yet) plus the frequency; ad-hoc entries have none. It is stored so due and overdue
    lists are plain indexed queries; services refresh it whenever the plan or its log changes.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="communication_plans"
    )
    stakeholders = models.ManyToManyField(
        Stakeholder, blank=True, related_name="communication_plans",
        help_text="The people this communication is for.",
    )
    audience = models.CharField(
        max_length=150, blank=True, help_text="A group, e.g. “Steering committee”, “All staff”."
    )
    purpose = models.CharField(max_length=250)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    frequency = models.CharField(max_length=20, choices=CommunicationFrequency.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="communication_plans", help_text="Who makes sure it happens.",
    )
    starts_on = models.DateField(default=date.today, help_text="First due date.")
    next_due_on = models.DateField(null=True, blank=True, editable=False)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunicationPlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[stakeholders])

    class Meta:
        ordering = ["next_due_on", "purpose", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="communication_plan_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=CommunicationFrequency.values),
                name="communication_plan_frequency_valid",
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active", "next_due_on"])]

    def __str__(self) -> str:
        return self.purpose

    def compute_next_due(self, last_held: date | None) -> date | None:
        if self.frequency == CommunicationFrequency.AD_HOC:
            return None
        return add_interval(last_held, self.frequency) if last_held else self.starts_on

    def is_overdue(self, today: date) -> bool:
        return bool(self.is_active and self.next_due_on and self.next_due_on < today)


class CommunicationQuerySet(TenantQuerySet):
    pass


class Communication(models.Model):
    """A communication that was held: the communication log. Entries are history."""

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="communications"
    )
    plan = models.ForeignKey(
        CommunicationPlan, on_delete=models.PROTECT, null=True, blank=True,
        related_name="communications", help_text="Empty for a one-off communication.",
    )
    held_on = models.DateField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    participants = models.ManyToManyField(
        Stakeholder, blank=True, related_name="communications"
    )
    other_participants = models.CharField(
        max_length=250, blank=True, help_text="People not in the register, e.g. the PMO team."
    )
    summary = models.TextField()
    agreed_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="communications"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunicationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="communication_channel_valid",
            ),
        ]
        indexes = [models.Index(fields=["plan", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.held_on}"

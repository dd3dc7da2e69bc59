"""Engagements (a PMO rollout for one client), their staffing needs and the team."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.choices import Typology
from stakeholders.tenancy import TenantQuerySet

from ..choices import EngagementStatus, Language, NeedStatus, Seniority
from .bench import PERCENT_VALIDATORS, Consultant
from .common import range_check


def _dates_in_order(prefix: str, start: str, end: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{end}__gte": models.F(start)}),
        name=f"{prefix}_dates_in_order",
        violation_error_message="The end cannot come before the start.",
    )


class EngagementQuerySet(TenantQuerySet):
    pass


class Engagement(models.Model):
    """A PMO rollout run for one client organization as an agile project.

    The client names a sponsor and a Product Owner (from its stakeholder register); the
    provider a Scrum Master and the delivery team (:class:`Assignment`). It delivers catalog
    services, often starting from an accepted service request.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="engagements"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="engagements",
        help_text="Catalog services the engagement delivers.",
    )
    service_request = models.OneToOneField(
        "catalog.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True,
        related_name="engagement", help_text="The accepted request it was created from.",
    )
    applications = models.ManyToManyField(
        "portfolio.Application", blank=True, related_name="engagements",
        help_text="Applications in scope.",
    )
    status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.PROPOSED
    )
    planned_start = models.DateField()
    planned_end = models.DateField()
    budget_at_completion = models.DecimalField(
        "budget at completion (BAC)", max_digits=12, decimal_places=2, default=0,
        help_text="EUR; the cost factor of matching and the metrics use it.",
    )
    typology = models.CharField(
        "PMI typology", max_length=20, choices=Typology.choices, default=Typology.SUPPORTIVE
    )
    sponsor = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="sponsored_engagements",
    )
    product_owner = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_engagements", verbose_name="client Product Owner",
    )
    scrum_master = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True,
        related_name="engagements_as_scrum_master",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Raised by every change: a write based on an older version is refused "
        "(the API's ETag/If-Match, the admin's hidden field), so no change is lost.",
    )

    objects = EngagementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_start", "title", "id"]
        constraints = [
            _dates_in_order("engagement", "planned_start", "planned_end"),
            models.CheckConstraint(
                condition=models.Q(budget_at_completion__gte=0),
                name="engagement_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EngagementStatus.values),
                name="engagement_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(typology__in=Typology.values),
                name="engagement_typology_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            # The lists' default order (latest start first), for PMO staff and within one
            # client: the page's 25 rows come off the index, and their joins run for those only.
            models.Index(
                fields=["-planned_start", "title", "id"], name="engagement_start_title_id"
            ),
            models.Index(
                fields=["organization", "-planned_start", "title", "id"],
                name="engagement_org_start_title_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EngagementTransition(models.Model):
    """One status change of an engagement, with who made it and why."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, blank=True
    )
    to_status = models.CharField(max_length=20, choices=EngagementStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagement_transitions"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_status=EngagementStatus.CANCELLED) | ~models.Q(note=""),
                name="engagement_cancellation_has_reason",
                violation_error_message="Cancelling an engagement needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engagement}: {self.from_status or '—'} → {self.to_status}"


class StaffingNeedQuerySet(TenantQuerySet):
    tenant_field = "engagement__organization"

    def open(self) -> "StaffingNeedQuerySet":
        return self.filter(status=NeedStatus.OPEN)


class StaffingNeed(models.Model):
    """An open role of an engagement: what the person must bring, for which dates."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="staffing_needs"
    )
    role = models.ForeignKey("catalog.Role", on_delete=models.PROTECT, related_name="+")
    seniority = models.CharField(max_length=20, choices=Seniority.choices)
    language = models.CharField(
        max_length=2, choices=Language.choices, blank=True,
        help_text="Working language the person must speak (blank: any).",
    )
    allocation_percent = models.PositiveSmallIntegerField(
        "allocation (%)", validators=PERCENT_VALIDATORS
    )
    start_on = models.DateField()
    end_on = models.DateField()
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    note = models.TextField(blank=True)
    skills = models.ManyToManyField(
        "catalog.Skill", through="StaffingNeedSkill", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffingNeedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_on", "id"]
        constraints = [
            _dates_in_order("staffing_need", "start_on", "end_on"),
            range_check("allocation_percent", 1, 100, "staffing_need"),
            models.CheckConstraint(
                condition=models.Q(status__in=NeedStatus.values),
                name="staffing_need_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "start_on"])]

    def __str__(self) -> str:
        return f"{self.role} for {self.engagement}"


class StaffingNeedSkill(models.Model):
    """A skill a staffing need requires, with the minimum proficiency (1-5)."""

    need = models.ForeignKey(
        StaffingNeed, on_delete=models.CASCADE, related_name="skill_requirements"
    )
    skill = models.ForeignKey("catalog.Skill", on_delete=models.PROTECT, related_name="+")
    minimum_level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["need", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "skill"], name="staffing_need_skill_once",
                violation_error_message="This skill is already required.",
            ),
            range_check("minimum_level", 1, 5, "staffing_need_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.minimum_level}"


class AssignmentQuerySet(TenantQuerySet):
    tenant_field = "engagement__organization"

    def overlapping(self, start, end) -> "AssignmentQuerySet":
        """Assignments that share at least one day with [start, end]."""
        return self.filter(start_on__lte=end, end_on__gte=start)


class Assignment(models.Model):
    """A consultant on an engagement's team, in a catalog role, at an allocation over dates.

    A consultant's allocations on any day never add up above their capacity: the services
    check it under a row lock on the consultant (see ``assignment_create``).
    """

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="assignments"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.ForeignKey("catalog.Role", on_delete=models.PROTECT, related_name="+")
    allocation_percent = models.PositiveSmallIntegerField(
        "allocation (%)", validators=PERCENT_VALIDATORS
    )
    start_on = models.DateField()
    end_on = models.DateField()
    staffing_need = models.ForeignKey(
        StaffingNeed, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assignments", help_text="The need this assignment filled, if any.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_on", "id"]
        constraints = [
            _dates_in_order("assignment", "start_on", "end_on"),
            range_check("allocation_percent", 1, 100, "assignment"),
        ]
        indexes = [models.Index(fields=["consultant", "start_on", "end_on"])]

    def __str__(self) -> str:
        return f"{self.consultant} on {self.engagement} ({self.allocation_percent}%)"

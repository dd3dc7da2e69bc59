"""The stakeholder register and its engagement assessments (PMBOK), per client organization."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .. import classification
from ..choices import EngagementLevel, Quadrant, Relationship
from ..tenancy import TenantQuerySet

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def _score_between_1_and_5(field: str, prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
        name=f"{prefix}_{field}_1_to_5",
        violation_error_message=f"{field.replace('_', ' ').capitalize()} must be from 1 to 5.",
    )


class StakeholderQuerySet(TenantQuerySet):
    def with_classification(self) -> "StakeholderQuerySet":
        """Annotate ``quadrant`` and ``engagement_gap`` computed in SQL (filterable, sortable)."""
        return self.annotate(
            quadrant_value=classification.quadrant_expression(),
            engagement_gap_value=classification.engagement_gap_expression(),
        )

    def in_quadrant(self, quadrant: str) -> "StakeholderQuerySet":
        return self.filter(classification.quadrant_filter(quadrant))

    def active(self) -> "StakeholderQuerySet":
        return self.filter(is_active=True)


class Stakeholder(models.Model):
    """A person of a client organization whose power, interest and engagement the PMO manages.

    ``current_engagement`` and ``desired_engagement`` mirror the latest
    :class:`EngagementAssessment` (services keep them in step), so lists need no subquery.
    Stakeholders are archived (``is_active``), not deleted: assessments and risks refer to them.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="stakeholders"
    )
    full_name = models.CharField(max_length=150)
    title = models.CharField("job title", max_length=150, blank=True)
    unit = models.CharField("organizational unit", max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.KEY_USER,
        help_text="Their relationship to the work the PMO runs.",
    )
    power = models.PositiveSmallIntegerField(
        validators=SCORE_VALIDATORS, help_text="1 (none) to 5 (decisive) influence on outcomes."
    )
    interest = models.PositiveSmallIntegerField(
        validators=SCORE_VALIDATORS, help_text="1 (indifferent) to 5 (directly affected)."
    )
    current_engagement = models.CharField(
        max_length=20, choices=EngagementLevel.choices, default=EngagementLevel.NEUTRAL
    )
    desired_engagement = models.CharField(
        max_length=20, choices=EngagementLevel.choices, default=EngagementLevel.SUPPORTIVE
    )
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_stakeholders", limit_choices_to={"is_staff": True},
        help_text="The PMO staff member who owns the relationship.",
    )
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Archived stakeholders keep their history."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            _score_between_1_and_5("power", "stakeholder"),
            _score_between_1_and_5("interest", "stakeholder"),
            models.CheckConstraint(
                condition=models.Q(current_engagement__in=EngagementLevel.values)
                & models.Q(desired_engagement__in=EngagementLevel.values),
                name="stakeholder_engagement_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(relationship__in=Relationship.values),
                name="stakeholder_relationship_valid",
            ),
            models.UniqueConstraint(
                "organization", Lower("email"),
                condition=~models.Q(email=""),
                name="stakeholder_email_unique_per_organization",
                violation_error_message="This organization already has a stakeholder with "
                "this e-mail.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "power", "interest"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def quadrant(self) -> Quadrant:
        return classification.power_interest_quadrant(self.power, self.interest)

    @property
    def engagement_gap(self) -> int:
        return classification.engagement_gap(self.current_engagement, self.desired_engagement)


class EngagementAssessmentQuerySet(TenantQuerySet):
    tenant_field = "stakeholder__organization"


class EngagementAssessment(models.Model):
    """One assessment of a stakeholder's current (C) and desired (D) engagement on a date.

    Assessments are history: they are added, never edited away or deleted, so the trend shows.
    """

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField()
    current = models.CharField(max_length=20, choices=EngagementLevel.choices)
    desired = models.CharField(max_length=20, choices=EngagementLevel.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagement_assessments"
    )
    note = models.TextField(blank=True, help_text="Evidence behind the assessment.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        get_latest_by = ["assessed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current__in=EngagementLevel.values)
                & models.Q(desired__in=EngagementLevel.values),
                name="engagement_assessment_levels_valid",
            ),
        ]
        indexes = [models.Index(fields=["stakeholder", "-assessed_on", "-id"])]

    def __str__(self) -> str:
        return f"{self.stakeholder} on {self.assessed_on}: C={self.current}, D={self.desired}"

    @property
    def gap(self) -> int:
        return classification.engagement_gap(self.current, self.desired)

"""The risk register: threats and opportunities, scored probability x impact."""

from datetime import date

from django.db import models
from simple_history.models import HistoricalRecords

from .. import classification
from ..choices import (
    ACTIVE_RISK_STATUSES,
    OPPORTUNITY_RESPONSES,
    THREAT_RESPONSES,
    ResponseStrategy,
    RiskCategory,
    RiskKind,
    RiskRating,
    RiskStatus,
)
from ..tenancy import TenantQuerySet
from .register import SCORE_VALIDATORS, Stakeholder, _score_between_1_and_5


class RiskQuerySet(TenantQuerySet):
    def with_rating(self) -> "RiskQuerySet":
        """Annotate ``score_value`` and ``rating_value`` in SQL (the properties' twins)."""
        return self.annotate(score_value=classification.risk_score_expression()).annotate(
            rating_value=classification.risk_rating_expression("score_value")
        )

    def active(self) -> "RiskQuerySet":
        return self.filter(status__in=ACTIVE_RISK_STATUSES)


class Risk(models.Model):
    """An uncertain event that would affect the client's objectives, for worse or for better."""

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="risks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cause = models.TextField(blank=True, help_text="What could make it happen.")
    effect = models.TextField(blank=True, help_text="What would follow if it happened.")
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    kind = models.CharField(max_length=20, choices=RiskKind.choices, default=RiskKind.THREAT)
    probability = models.PositiveSmallIntegerField(
        validators=SCORE_VALIDATORS, help_text="1 (rare) to 5 (almost certain)."
    )
    impact = models.PositiveSmallIntegerField(
        validators=SCORE_VALIDATORS, help_text="1 (negligible) to 5 (severe)."
    )
    response_strategy = models.CharField(
        max_length=20, choices=ResponseStrategy.choices, blank=True,
        help_text="Threats: avoid, mitigate, transfer, accept, escalate. Opportunities: "
        "exploit, enhance, share, accept, escalate.",
    )
    response_actions = models.TextField(blank=True)
    owner = models.ForeignKey(
        Stakeholder, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_risks",
        help_text="Who is accountable for the response.",
    )
    proximity = models.DateField(
        null=True, blank=True, help_text="When the risk could materialize."
    )
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    identified_on = models.DateField(default=date.today)
    stakeholders = models.ManyToManyField(
        Stakeholder, blank=True, related_name="risks", help_text="Stakeholders concerned."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[stakeholders])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _score_between_1_and_5("probability", "risk"),
            _score_between_1_and_5("impact", "risk"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RiskKind.values), name="risk_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RiskStatus.values), name="risk_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=RiskCategory.values),
                name="risk_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(response_strategy="")
                | models.Q(kind=RiskKind.THREAT, response_strategy__in=THREAT_RESPONSES)
                | models.Q(kind=RiskKind.OPPORTUNITY,
                           response_strategy__in=OPPORTUNITY_RESPONSES),
                name="risk_response_fits_kind",
                violation_error_message="This response strategy does not apply to this kind "
                "of risk (avoid, mitigate and transfer are for threats; exploit, enhance and "
                "share for opportunities).",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "probability", "impact"])]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return classification.risk_score(self.probability, self.impact)

    @property
    def rating(self) -> RiskRating:
        return classification.risk_rating(self.score)

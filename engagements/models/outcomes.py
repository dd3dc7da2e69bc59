"""What happened when an engagement closed: the signal matching learns from."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from .bench import Consultant
from .common import range_check
from .engagement import Engagement

LIKERT_7 = [MinValueValidator(1), MaxValueValidator(7)]


class EngagementOutcomeQuerySet(TenantQuerySet):
    tenant_field = "engagement__organization"


class EngagementOutcome(models.Model):
    """The result of a closed engagement: satisfaction, timeliness and final indices.

    The client's culture at closing time is copied here, so the track record of each
    consultant compares like with like later even if the client's culture changes.
    """

    engagement = models.OneToOneField(
        Engagement, on_delete=models.PROTECT, related_name="outcome"
    )
    client_satisfaction = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (very dissatisfied) to 5 (very satisfied).",
    )
    on_time = models.BooleanField(help_text="Delivered by the planned end.")
    final_cpi = models.DecimalField(
        "final CPI", max_digits=6, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Cost performance index at closing, once metrics provide it.",
    )
    final_spi = models.DecimalField(
        "final SPI", max_digits=6, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Schedule performance index at closing, once metrics provide it.",
    )
    culture_clan = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    culture_adhocracy = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    culture_market = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    culture_hierarchy = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementOutcomeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            range_check("client_satisfaction", 1, 5, "outcome"),
            models.CheckConstraint(
                condition=(models.Q(final_cpi__isnull=True) | models.Q(final_cpi__gte=0))
                & (models.Q(final_spi__isnull=True) | models.Q(final_spi__gte=0)),
                name="outcome_indices_not_negative",
                violation_error_message="Performance indices cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(culture_clan__isnull=True, culture_adhocracy__isnull=True,
                             culture_market__isnull=True, culture_hierarchy__isnull=True)
                    | models.Q(culture_clan__isnull=False, culture_adhocracy__isnull=False,
                               culture_market__isnull=False, culture_hierarchy__isnull=False)
                ),
                name="outcome_culture_all_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome of {self.engagement}"

    @property
    def culture_profile(self):
        if self.culture_clan is None:
            return None
        return (self.culture_clan, self.culture_adhocracy, self.culture_market,
                self.culture_hierarchy)


class FitRatingQuerySet(TenantQuerySet):
    tenant_field = "outcome__engagement__organization"


class ConsultantFitRating(models.Model):
    """The client's perceived person-organization fit of one team member (Cable & DeRue,
    three items on a 1-7 agreement scale); their mean is the fit signal."""

    outcome = models.ForeignKey(
        EngagementOutcome, on_delete=models.PROTECT, related_name="fit_ratings"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="fit_ratings"
    )
    values_match = models.PositiveSmallIntegerField(
        validators=LIKERT_7,
        help_text="Their values are very similar to what our organization values.",
    )
    values_fit = models.PositiveSmallIntegerField(
        validators=LIKERT_7, help_text="Their personal values match our values and culture.",
    )
    culture_fit = models.PositiveSmallIntegerField(
        validators=LIKERT_7,
        help_text="Our values and culture provide a good fit with how they work.",
    )
    comment = models.TextField(blank=True)

    objects = FitRatingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "consultant__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "consultant"], name="fit_rating_once_per_consultant",
                violation_error_message="This consultant is already rated for the engagement.",
            ),
            range_check("values_match", 1, 7, "fit_rating"),
            range_check("values_fit", 1, 7, "fit_rating"),
            range_check("culture_fit", 1, 7, "fit_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} at {self.outcome.engagement}"

    @property
    def perceived_fit(self) -> Decimal:
        """Mean of the three items, 1-7."""
        total = self.values_match + self.values_fit + self.culture_fit
        return (Decimal(total) / 3).quantize(Decimal("0.01"))

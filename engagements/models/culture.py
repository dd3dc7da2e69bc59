"""Client culture (OCAI, Competing Values Framework): current and preferred profiles."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import TenantQuerySet

from ..choices import CultureQuestion, CultureSource
from .common import profile_sums_to_100, range_check

POINTS = [MinValueValidator(0), MaxValueValidator(100)]


def _points_field() -> models.DecimalField:
    return models.DecimalField(
        max_digits=5, decimal_places=2, validators=[
            MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100")),
        ],
    )


class CultureAssessmentQuerySet(TenantQuerySet):
    def latest_per_organization(self) -> "CultureAssessmentQuerySet":
        """The assessment in force for each organization: the newest by date, then id."""
        newest = (
            CultureAssessment.objects.filter(organization=models.OuterRef("organization"))
            .order_by("-assessed_on", "-id").values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class CultureAssessment(models.Model):
    """One OCAI-style assessment of a client organization's culture, current and preferred.

    Profiles are points over the four types adding up to 100 (two decimals: a questionnaire's
    average is rounded by largest remainder so the sum stays exact). Entered directly or
    computed from the six answers (:class:`CultureAnswer`). Every assessment is kept; the
    newest one is the organization's culture.
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="culture_assessments"
    )
    assessed_on = models.DateField()
    source = models.CharField(max_length=20, choices=CultureSource.choices)
    respondents = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)],
        help_text="How many people answered (informative).",
    )
    current_clan = _points_field()
    current_adhocracy = _points_field()
    current_market = _points_field()
    current_hierarchy = _points_field()
    preferred_clan = _points_field()
    preferred_adhocracy = _points_field()
    preferred_market = _points_field()
    preferred_hierarchy = _points_field()
    note = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="culture_assessments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CultureAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "-assessed_on", "-id"]
        constraints = [
            profile_sums_to_100("current", "culture_current_sums_to_100"),
            profile_sums_to_100("preferred", "culture_preferred_sums_to_100"),
            models.CheckConstraint(
                condition=models.Q(source__in=CultureSource.values),
                name="culture_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["organization", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.organization} culture on {self.assessed_on}"

    @property
    def current_profile(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.current_clan, self.current_adhocracy, self.current_market,
                self.current_hierarchy)

    @property
    def preferred_profile(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.preferred_clan, self.preferred_adhocracy, self.preferred_market,
                self.preferred_hierarchy)


class CultureAnswer(models.Model):
    """One OCAI question answered for the current or the preferred culture: 100 points over
    the four types."""

    assessment = models.ForeignKey(
        CultureAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.PositiveSmallIntegerField(choices=CultureQuestion.choices)
    preferred = models.BooleanField(
        default=False, help_text="False: the culture as it is; true: as it should be."
    )
    points_clan = models.PositiveSmallIntegerField(validators=POINTS)
    points_adhocracy = models.PositiveSmallIntegerField(validators=POINTS)
    points_market = models.PositiveSmallIntegerField(validators=POINTS)
    points_hierarchy = models.PositiveSmallIntegerField(validators=POINTS)

    class Meta:
        ordering = ["assessment", "preferred", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "preferred"], name="culture_answer_once",
                violation_error_message="This question is already answered.",
            ),
            range_check("question", 1, 6, "culture_answer"),
            profile_sums_to_100("points", "culture_answer_sums_to_100"),
        ]

    def __str__(self) -> str:
        return f"Q{self.question} ({'preferred' if self.preferred else 'current'})"

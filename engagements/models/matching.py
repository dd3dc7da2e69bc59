"""Matching configuration and staffing proposals (the optimiser's output, kept for review)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import user_sees_everything

from ..choices import ProposalStatus
from .bench import Consultant
from .common import range_check
from .engagement import Assignment, StaffingNeed

WEIGHT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
# Defaults documented in docs/matching.md; staff change them in the admin.
DEFAULT_WEIGHTS = {
    "skills": 30, "culture": 20, "track_record": 15, "availability": 15,
    "seniority": 10, "sector": 5, "cost": 5,
}


def _weight(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=DEFAULT_WEIGHTS[name], validators=WEIGHT_VALIDATORS
    )


class MatchingWeights(models.Model):
    """The one set of factor weights matching uses (a singleton row, id 1).

    Weights are relative: the score is the weighted mean of the factors, so only their
    proportions matter; at least one must be above zero.
    """

    skills = _weight("skills")
    seniority = _weight("seniority")
    sector = _weight("sector")
    culture = _weight("culture")
    availability = _weight("availability")
    track_record = _weight("track_record")
    cost = _weight("cost")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "matching weights"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="matching_weights_singleton"),
            models.CheckConstraint(
                condition=models.Q(skills__gt=0) | models.Q(seniority__gt=0)
                | models.Q(sector__gt=0) | models.Q(culture__gt=0)
                | models.Q(availability__gt=0) | models.Q(track_record__gt=0)
                | models.Q(cost__gt=0),
                name="matching_weights_not_all_zero",
                violation_error_message="At least one weight must be above zero.",
            ),
            *(range_check(name, 0, 100, "matching_weights") for name in DEFAULT_WEIGHTS),
        ]

    def __str__(self) -> str:
        return "Matching weights"

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DEFAULT_WEIGHTS}


class StaffingProposalQuerySet(models.QuerySet):
    """Proposals span organizations and show rates: PMO staff only."""

    def for_user(self, user) -> "StaffingProposalQuerySet":
        return self.all() if user_sees_everything(user) else self.none()


class StaffingProposal(models.Model):
    """A global staffing proposal: the assignment of open needs to consultants that
    maximises the total match score without over-allocating anyone, beside the greedy
    one-need-at-a-time result for comparison."""

    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    total_score = models.DecimalField(max_digits=10, decimal_places=2)
    greedy_total_score = models.DecimalField(max_digits=10, decimal_places=2)
    needs_considered = models.PositiveIntegerField()
    needs_filled = models.PositiveIntegerField()
    greedy_needs_filled = models.PositiveIntegerField()
    weights = models.JSONField(help_text="The weights in force when it was computed.")
    solve_ms = models.PositiveIntegerField(help_text="Time the optimiser took.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffingProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProposalStatus.values),
                name="proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(needs_filled__lte=models.F("needs_considered"))
                & models.Q(greedy_needs_filled__lte=models.F("needs_considered")),
                name="proposal_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Staffing proposal #{self.pk}"


class ProposalLine(models.Model):
    """One need filled by one consultant in a proposal, with the score's breakdown;
    ``assignment`` is set once staff accept the line."""

    proposal = models.ForeignKey(
        StaffingProposal, on_delete=models.CASCADE, related_name="lines"
    )
    need = models.ForeignKey(StaffingNeed, on_delete=models.PROTECT, related_name="+")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    breakdown = models.JSONField(help_text="Factor name to value in [0, 1].")
    greedy_consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Who the greedy fill would have picked.",
    )
    assignment = models.OneToOneField(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["proposal", "need__start_on", "need_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "need"], name="proposal_line_once_per_need"
            ),
            range_check("score", 0, 100, "proposal_line"),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.consultant} ({self.score})"

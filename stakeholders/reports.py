"""Read-side aggregations behind the stakeholder-management pages.

Each function takes querysets that are already scoped to the viewer (the views apply
``for_user``) and returns plain values for templates: where stakeholders sit on Mendelow's
power/interest grid, the PMBOK engagement assessment matrix with its trend, which planned
communications are overdue or due, the 5x5 risk heat map, and the filters of the register and
risk list. Every function runs a fixed number of queries, whatever the number of rows.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from . import classification
from .choices import ENGAGEMENT_ORDER, EngagementLevel, Quadrant, RiskRating
from .models import CommunicationPlan, EngagementAssessment, Risk, Stakeholder

MAX_SEARCH_WORDS = 8


def _matching_every_word(queryset: QuerySet, search: str, fields: Sequence[str]) -> QuerySet:
    """Rows where each word of ``search`` appears (case-insensitively) in one of ``fields``.

    Every word must match somewhere, so adding a word narrows the result like a search box
    is expected to; the number of words is capped so a pasted paragraph cannot build a
    query with hundreds of clauses.
    """
    for word in search.split()[:MAX_SEARCH_WORDS]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


# --- Power/interest grid (Mendelow) -------------------------------------------------------

# Reading order of the grid: power grows upwards, interest to the right.
GRID_LAYOUT = (
    Quadrant.KEEP_SATISFIED, Quadrant.MANAGE_CLOSELY, Quadrant.MONITOR, Quadrant.KEEP_INFORMED,
)

QUADRANT_GUIDANCE = {
    Quadrant.MANAGE_CLOSELY: "Involve them in decisions and engage them fully.",
    Quadrant.KEEP_SATISFIED: "Meet their needs without burdening them with detail.",
    Quadrant.KEEP_INFORMED: "Keep them informed and listen to their concerns.",
    Quadrant.MONITOR: "Watch for changes in their position; keep the effort light.",
}


@dataclass(frozen=True)
class GridQuadrant:
    """One quadrant of the grid: how many stakeholders it holds and the first of them."""

    quadrant: Quadrant
    high_power: bool
    high_interest: bool
    count: int
    stakeholders: list[Stakeholder]

    @property
    def label(self) -> str:
        return self.quadrant.label

    @property
    def guidance(self) -> str:
        return QUADRANT_GUIDANCE[self.quadrant]

    @property
    def more_count(self) -> int:
        """Stakeholders of the quadrant not named on the grid (they are in the register)."""
        return self.count - len(self.stakeholders)


def grid_thresholds() -> dict[str, int]:
    """The first power and interest scores that count as "high" (PMO_THRESHOLDS)."""
    return {
        "power": classification.threshold("POWER_HIGH_FROM"),
        "interest": classification.threshold("INTEREST_HIGH_FROM"),
    }


def power_interest_grid(
    stakeholders: QuerySet[Stakeholder], *, names_per_quadrant: int = 12
) -> list[GridQuadrant]:
    """Place ``stakeholders`` on the grid, in reading order (top-left to bottom-right).

    One query returns, per quadrant, its size and its first ``names_per_quadrant`` people by
    name (window functions partitioned by quadrant), so a large register neither costs more
    queries nor floods the grid; the register table below lists everyone.
    """
    quadrant = classification.quadrant_expression()
    placed = (
        stakeholders.order_by()
        .annotate(
            grid_position=Window(
                RowNumber(), partition_by=[quadrant],
                order_by=[F("full_name").asc(), F("pk").asc()],
            ),
            grid_quadrant_size=Window(Count("pk"), partition_by=[quadrant]),
        )
        .filter(grid_position__lte=names_per_quadrant)
        .order_by("full_name", "pk")
    )
    members: dict[Quadrant, list[Stakeholder]] = {name: [] for name in Quadrant}
    sizes: dict[Quadrant, int] = dict.fromkeys(Quadrant, 0)
    for stakeholder in placed:
        members[stakeholder.quadrant].append(stakeholder)
        sizes[stakeholder.quadrant] = stakeholder.grid_quadrant_size
    return [
        GridQuadrant(
            quadrant=name,
            high_power=name in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_SATISFIED),
            high_interest=name in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_INFORMED),
            count=sizes[name],
            stakeholders=members[name],
        )
        for name in GRID_LAYOUT
    ]


def filter_stakeholders(
    stakeholders: QuerySet[Stakeholder],
    *,
    quadrant: str = "",
    relationship: str = "",
    search: str = "",
    include_archived: bool = False,
) -> QuerySet[Stakeholder]:
    """The register narrowed by the page's filters; archived people only when asked for."""
    if not include_archived:
        stakeholders = stakeholders.active()
    if quadrant:
        stakeholders = stakeholders.in_quadrant(quadrant)
    if relationship:
        stakeholders = stakeholders.filter(relationship=relationship)
    if search:
        stakeholders = _matching_every_word(
            stakeholders, search, ("full_name", "title", "unit", "email")
        )
    return stakeholders


# --- Engagement assessment matrix (PMBOK) -------------------------------------------------


class Trend(models.TextChoices):
    """How a stakeholder's current engagement moved between their two latest assessments."""

    IMPROVING = "improving", "Improving"
    DECLINING = "declining", "Declining"
    STEADY = "steady", "Steady"
    NEW = "new", "New"


TREND_ARROWS = {Trend.IMPROVING: "↑", Trend.DECLINING: "↓", Trend.STEADY: "→", Trend.NEW: "•"}


def engagement_change(newer: str, older: str | None) -> Trend:
    """Trend from ``older`` to ``newer`` current level; NEW when there is nothing to compare.

    Moving up the PMBOK scale (towards supportive and leading) is improving, whatever the
    desired level: a stakeholder who becomes more engaged than needed is not a worry.
    """
    if older is None:
        return Trend.NEW
    step = ENGAGEMENT_ORDER[newer] - ENGAGEMENT_ORDER[older]
    if step > 0:
        return Trend.IMPROVING
    if step < 0:
        return Trend.DECLINING
    return Trend.STEADY


def engagement_trend(latest_first: Sequence[EngagementAssessment]) -> Trend:
    """The trend of a stakeholder from their assessments, newest first (two are enough)."""
    if len(latest_first) < 2:
        return Trend.NEW
    return engagement_change(latest_first[0].current, latest_first[1].current)


def with_latest_assessments(stakeholders: QuerySet[Stakeholder]) -> QuerySet[Stakeholder]:
    """Prefetch each stakeholder's two latest assessments as ``latest_assessments``.

    A sliced prefetch is one query for the whole page (the database ranks assessments per
    stakeholder), so the trend column costs the same for 2 rows as for 200.
    """
    return stakeholders.prefetch_related(
        Prefetch(
            "assessments",
            queryset=EngagementAssessment.objects.order_by("-assessed_on", "-id")[:2],
            to_attr="latest_assessments",
        )
    )


@dataclass(frozen=True)
class MatrixCell:
    """One level column of a matrix row: whether C and/or D sit here, or the gap runs through."""

    level: EngagementLevel
    is_current: bool
    is_desired: bool
    in_gap: bool  # strictly between current and desired: the distance still to cover


@dataclass(frozen=True)
class MatrixRow:
    stakeholder: Stakeholder
    cells: list[MatrixCell]
    gap: int
    trend: Trend

    @property
    def trend_arrow(self) -> str:
        return TREND_ARROWS[self.trend]

    @property
    def gap_text(self) -> str:
        return engagement_gap_text(self.gap)


def engagement_gap_text(gap: int) -> str:
    """The gap in words: what has to happen, not only a signed number."""
    if gap == 0:
        return "No gap"
    levels = f"{abs(gap)} level{'s' if abs(gap) != 1 else ''}"
    return f"Raise by {levels}" if gap > 0 else f"{levels} above desired"


def engagement_matrix_rows(stakeholders: Iterable[Stakeholder]) -> list[MatrixRow]:
    """Matrix rows for stakeholders loaded through :func:`with_latest_assessments`.

    C and D come from the stakeholder's mirrored current and desired levels (the latest
    assessment); the trend from the two latest assessments.
    """
    rows = []
    for stakeholder in stakeholders:
        current = ENGAGEMENT_ORDER[stakeholder.current_engagement]
        desired = ENGAGEMENT_ORDER[stakeholder.desired_engagement]
        low, high = sorted((current, desired))
        cells = [
            MatrixCell(
                level=EngagementLevel(level),
                is_current=order == current,
                is_desired=order == desired,
                in_gap=low < order < high,
            )
            for level, order in ENGAGEMENT_ORDER.items()
        ]
        rows.append(MatrixRow(
            stakeholder=stakeholder,
            cells=cells,
            gap=desired - current,
            trend=engagement_trend(getattr(stakeholder, "latest_assessments", [])),
        ))
    return rows


@dataclass(frozen=True)
class AssessmentHistoryRow:
    assessment: EngagementAssessment
    change: Trend  # compared with the assessment before it

    @property
    def change_arrow(self) -> str:
        return TREND_ARROWS[self.change]

    @property
    def gap_text(self) -> str:
        return engagement_gap_text(self.assessment.gap)


def assessment_history(latest_first: Sequence[EngagementAssessment]) -> list[AssessmentHistoryRow]:
    """A stakeholder's assessments, newest first, each with its move from the previous one."""
    return [
        AssessmentHistoryRow(
            assessment=assessment,
            change=engagement_change(
                assessment.current,
                latest_first[index + 1].current if index + 1 < len(latest_first) else None,
            ),
        )
        for index, assessment in enumerate(latest_first)
    ]


# --- Communications due and overdue -------------------------------------------------------

DUE_SOON_DAYS = 14
RECENT_COMMUNICATIONS = 20


class DueStatus(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", f"Due in the next {DUE_SOON_DAYS} days"
    LATER = "later", "Later or as needed"


def plan_due_status(next_due_on: date | None, *, today: date) -> DueStatus:
    """Overdue before today, due soon from today to ``DUE_SOON_DAYS`` ahead, later after that.

    Ad-hoc plans have no due date and count as later: nothing can be late for them.
    """
    if next_due_on is None:
        return DueStatus.LATER
    if next_due_on < today:
        return DueStatus.OVERDUE
    if next_due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return DueStatus.DUE_SOON
    return DueStatus.LATER


def communication_due_counts(
    plans: QuerySet[CommunicationPlan], *, today: date
) -> dict[str, int]:
    """How many of ``plans`` are overdue, due soon and later, in one aggregate query."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    counts = plans.order_by().aggregate(
        overdue=Count("pk", filter=Q(next_due_on__lt=today)),
        due_soon=Count("pk", filter=Q(next_due_on__gte=today, next_due_on__lte=soon)),
        later=Count("pk", filter=Q(next_due_on__gt=soon) | Q(next_due_on__isnull=True)),
    )
    return {status.value: counts[status.value] for status in DueStatus}


@dataclass(frozen=True)
class ScheduledPlan:
    plan: CommunicationPlan
    status: DueStatus
    days: int | None  # days overdue (OVERDUE) or until due (otherwise); None when ad hoc


@dataclass(frozen=True)
class ScheduleSection:
    status: DueStatus
    plans: list[ScheduledPlan]

    @property
    def title(self) -> str:
        return self.status.label


def scheduled_plans(plans: Iterable[CommunicationPlan], *, today: date) -> list[ScheduledPlan]:
    """Each plan with its due status and how many days late (or until due) it is."""
    rows = []
    for plan in plans:
        status = plan_due_status(plan.next_due_on, today=today)
        if plan.next_due_on is None:
            days = None
        elif status == DueStatus.OVERDUE:
            days = (today - plan.next_due_on).days
        else:
            days = (plan.next_due_on - today).days
        rows.append(ScheduledPlan(plan=plan, status=status, days=days))
    return rows


def communication_schedule(
    plans: Iterable[CommunicationPlan], *, today: date
) -> list[ScheduleSection]:
    """``plans`` grouped overdue, due soon, later; empty groups left out, order kept inside."""
    groups: dict[DueStatus, list[ScheduledPlan]] = {status: [] for status in DueStatus}
    for row in scheduled_plans(plans, today=today):
        groups[row.status].append(row)
    return [ScheduleSection(status, rows) for status, rows in groups.items() if rows]


# --- Risk heat map and list ---------------------------------------------------------------

SCALE = range(classification.SCORE_MIN, classification.SCORE_MAX + 1)
PROBABILITY_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def filter_risks(
    risks: QuerySet[Risk],
    *,
    statuses: Sequence[str] | None = None,
    kind: str = "",
    category: str = "",
    rating: str = "",
    owner_id: int | None = None,
    probability: int | None = None,
    impact: int | None = None,
    search: str = "",
) -> QuerySet[Risk]:
    """The risks matching the list's filters; ``statuses`` None means every status.

    The rating filter is written on the raw probability and impact (through the score
    bounds of the rating), so it works on plain querysets such as the heat map's.
    """
    if statuses is not None:
        risks = risks.filter(status__in=statuses)
    if kind:
        risks = risks.filter(kind=kind)
    if category:
        risks = risks.filter(category=category)
    if rating:
        low, high = classification.risk_rating_score_range(rating)
        risks = risks.alias(rating_score=classification.risk_score_expression()).filter(
            rating_score__gte=low, rating_score__lte=high
        )
    if owner_id is not None:
        risks = risks.filter(owner_id=owner_id)
    if probability is not None:
        risks = risks.filter(probability=probability)
    if impact is not None:
        risks = risks.filter(impact=impact)
    if search:
        risks = _matching_every_word(
            risks, search, ("title", "description", "cause", "effect", "response_actions")
        )
    return risks


@dataclass(frozen=True)
class HeatMapCell:
    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return classification.risk_score(self.probability, self.impact)

    @property
    def rating(self) -> RiskRating:
        return classification.risk_rating(self.score)


@dataclass(frozen=True)
class HeatMapRow:
    probability: int
    cells: list[HeatMapCell]

    @property
    def label(self) -> str:
        return PROBABILITY_LABELS[self.probability]


def risk_heat_map(risks: QuerySet[Risk]) -> list[HeatMapRow]:
    """Counts of ``risks`` per probability and impact: rows 5..1, columns 1..5.

    One GROUP BY query; cells without risks are present with a count of 0 so the grid is
    always complete.
    """
    counts = {
        (row["probability"], row["impact"]): row["count"]
        for row in risks.order_by().values("probability", "impact").annotate(count=Count("pk"))
    }
    return [
        HeatMapRow(
            probability=probability,
            cells=[
                HeatMapCell(probability, impact, counts.get((probability, impact), 0))
                for impact in SCALE
            ],
        )
        for probability in reversed(SCALE)
    ]


def risk_rating_legend() -> list[tuple[RiskRating, int, int]]:
    """Each rating with its inclusive score range under the configured thresholds."""
    return [(rating, *classification.risk_rating_score_range(rating)) for rating in RiskRating]


def impact_columns() -> list[tuple[int, str]]:
    return [(impact, IMPACT_LABELS[impact]) for impact in SCALE]

"""Read-side shapes behind the client portal: engagement rows, the delivery team's public
profiles, the culture chart's geometry and each consultant's culture fit.

Views read the rows (scoped with ``for_user``, in a number of queries that does not grow with
the rows) and these functions arrange them for the templates. Consultants reach a template
only as :class:`PublicProfile`, which holds the public part of a profile and nothing else, so
a template cannot show a rate, a note, an e-mail or a capacity even by mistake. The culture
chart is computed here, not in the template, so the SVG stays declarative and its geometry is
tested without a browser.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .choices import CULTURE_TYPES, OPEN_ENGAGEMENT_STATUSES
from .classification import culture_fit, dominant_type
from .models import (
    Assignment,
    Consultant,
    ConsultantCertification,
    ConsultantSkill,
    CultureAssessment,
    Engagement,
)

CULTURE_LABELS = {
    "clan": "Clan",
    "adhocracy": "Adhocracy",
    "market": "Market",
    "hierarchy": "Hierarchy",
}
# What each Competing Values type stands for (Cameron & Quinn), for the legend and the
# empty state.
CULTURE_MEANINGS = {
    "clan": "Collaborate: a friendly place, mentoring, teamwork and commitment.",
    "adhocracy": "Create: dynamic and entrepreneurial, experiments and innovation.",
    "market": "Compete: results-oriented, goals, targets and winning.",
    "hierarchy": "Control: structured, procedures, efficiency and stability.",
}



def dominant_label(profile: Sequence[float | Decimal]) -> str:
    """The name of the profile's dominant culture type, e.g. "Hierarchy"."""
    return CULTURE_LABELS[dominant_type(profile)]


# The public columns of a consultant: what the portal may load at all.
PUBLIC_CONSULTANT_FIELDS = (
    "id", "full_name", "headline", "seniority", "location", "remote_mode",
    "style_clan", "style_adhocracy", "style_market", "style_hierarchy",
)


# --- Engagement list ---------------------------------------------------------------------


def with_team_size(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotate ``team_size``: how many different consultants have an assignment on it.

    A correlated count, so it neither multiplies rows nor depends on the other joins.
    """
    team = (
        Assignment.objects.filter(engagement=OuterRef("pk")).order_by()
        .values("engagement").annotate(total=Count("consultant", distinct=True))
        .values("total")
    )
    return queryset.annotate(
        team_size=Coalesce(Subquery(team, output_field=IntegerField()), 0)
    )


# --- Public profiles ---------------------------------------------------------------------


def _public_columns() -> QuerySet[Consultant]:
    return Consultant.objects.only(*PUBLIC_CONSULTANT_FIELDS)


def public_consultants() -> QuerySet[Consultant]:
    """Consultants with only their public columns and credentials, ready for profiles."""
    return _public_columns().prefetch_related(
        Prefetch("skills", ConsultantSkill.objects.select_related("skill")
                 .order_by("-proficiency", "skill__name")),
        Prefetch("certifications", ConsultantCertification.objects
                 .select_related("certification").order_by("certification__code")),
        "languages",
        "sectors",
    )


@dataclass(frozen=True)
class SkillLevel:
    name: str
    proficiency: int  # 1 (aware) to 5 (expert)


@dataclass(frozen=True)
class PublicProfile:
    """What a client may know about a consultant: never rates, notes, e-mail or capacity."""

    pk: int
    full_name: str
    headline: str
    seniority: str
    location: str
    remote_mode: str
    style: tuple[int, int, int, int]
    skills: list[SkillLevel] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)

    @property
    def dominant_style(self) -> str:
        return dominant_label(self.style)


def public_profile(consultant: Consultant, *, with_credentials: bool = True) -> PublicProfile:
    """The public part of ``consultant``'s profile. ``with_credentials`` reads the skills,
    certifications, languages and sectors, which must have been prefetched
    (:func:`public_consultants`)."""
    credentials = {}
    if with_credentials:
        credentials = {
            "skills": [
                SkillLevel(row.skill.name, row.proficiency) for row in consultant.skills.all()
            ],
            "certifications": [row.certification.code for row in consultant.certifications.all()],
            "languages": sorted(row.get_language_display() for row in consultant.languages.all()),
            "sectors": [row.get_sector_display() for row in consultant.sectors.all()],
        }
    return PublicProfile(
        pk=consultant.pk,
        full_name=consultant.full_name,
        headline=consultant.headline,
        seniority=consultant.get_seniority_display(),
        location=consultant.location,
        remote_mode=consultant.get_remote_mode_display(),
        style=consultant.style_profile,
        **credentials,
    )


@dataclass(frozen=True)
class TeamMember:
    """One assignment of the delivery team, with the consultant's public profile."""

    pk: int  # the assignment's
    profile: PublicProfile
    role: str
    allocation_percent: int
    start_on: date
    end_on: date
    timing: str  # "current", "upcoming" or "past", relative to today


def team_assignments() -> QuerySet[Assignment]:
    """Assignments with their role and the consultant's public profile (scope it!)."""
    return Assignment.objects.select_related("role").prefetch_related(
        Prefetch("consultant", public_consultants())
    ).order_by("start_on", "consultant__full_name", "id")


def delivery_team(assignments: Iterable[Assignment], *, today: date) -> list[TeamMember]:
    """The team rows of an engagement from :func:`team_assignments` rows."""
    members = []
    for assignment in assignments:
        if assignment.end_on < today:
            timing = "past"
        elif assignment.start_on > today:
            timing = "upcoming"
        else:
            timing = "current"
        members.append(TeamMember(
            pk=assignment.pk, profile=public_profile(assignment.consultant),
            role=assignment.role.name, allocation_percent=assignment.allocation_percent,
            start_on=assignment.start_on, end_on=assignment.end_on, timing=timing,
        ))
    return members


# --- Culture page: the team's fit ---------------------------------------------------------

# Bands of culture fit (1 - L1/200) for reading the page: within 40 points of L1 distance
# (20 points moved between types) reads as close, beyond 80 points as distant.
CLOSE_FIT = 0.8
PARTIAL_FIT = 0.6


@dataclass(frozen=True)
class TeamFit:
    """A consultant working for the client now, where, and how their style fits its culture."""

    profile: PublicProfile
    roles: list[str]  # "Engagement title · role" lines
    fit: float | None  # culture_fit with the client's current culture, in [0, 1]

    @property
    def fit_percent(self) -> int | None:
        return None if self.fit is None else round(self.fit * 100)

    @property
    def fit_band(self) -> str:
        """A reading aid for the page ("close", "partial", "distant"); matching uses the
        number itself."""
        if self.fit is None:
            return ""
        if self.fit >= CLOSE_FIT:
            return "close"
        return "partial" if self.fit >= PARTIAL_FIT else "distant"


def culture_team_assignments(organization_id: int, *, today: date) -> QuerySet[Assignment]:
    """The culture page's team: assignments on an organization's open engagements that have
    not ended by ``today`` (someone who left is no longer working with the client). Scope it!
    """
    return (
        Assignment.objects.for_organization(organization_id)
        .filter(engagement__status__in=OPEN_ENGAGEMENT_STATUSES, end_on__gte=today)
        .select_related("role", "engagement")
        .prefetch_related(Prefetch("consultant", _public_columns()))
        .order_by("consultant__full_name", "consultant_id", "start_on", "id")
    )


def culture_scrum_masters(organization_id: int) -> QuerySet[Engagement]:
    """An organization's open engagements that have a Scrum Master (scope it!)."""
    return (
        Engagement.objects.for_organization(organization_id)
        .filter(status__in=OPEN_ENGAGEMENT_STATUSES, scrum_master__isnull=False)
        .only("id", "title", "organization", "scrum_master")
        .prefetch_related(Prefetch("scrum_master", _public_columns()))
        .order_by("title", "id")
    )


def team_culture_fit(
    assignments: Iterable[Assignment], scrum_masters: Iterable[Engagement],
    assessment: CultureAssessment | None,
) -> list[TeamFit]:
    """Each consultant once, with every role they hold on the open engagements and their
    culture fit with the current culture (None without an assessment), best fit first."""
    consultants: dict[int, Consultant] = {}
    roles: dict[int, list[str]] = {}
    for assignment in assignments:
        consultants.setdefault(assignment.consultant_id, assignment.consultant)
        roles.setdefault(assignment.consultant_id, []).append(
            f"{assignment.engagement.title} · {assignment.role.name}"
        )
    for engagement in scrum_masters:
        consultants.setdefault(engagement.scrum_master_id, engagement.scrum_master)
        roles.setdefault(engagement.scrum_master_id, []).append(
            f"{engagement.title} · Scrum Master"
        )
    current = assessment.current_profile if assessment else None
    rows = [
        TeamFit(
            profile=public_profile(consultant, with_credentials=False),
            roles=roles[pk],
            fit=culture_fit(consultant.style_profile, current) if current else None,
        )
        for pk, consultant in consultants.items()
    ]
    rows.sort(key=lambda row: (-(row.fit or 0), row.profile.full_name, row.profile.pk))
    return rows


# --- Culture chart -----------------------------------------------------------------------

# SVG user units. The four types sit on the diagonals, as on the OCAI's own chart: clan top
# left, adhocracy top right, market bottom right, hierarchy bottom left.
CHART_WIDTH = 480
CHART_HEIGHT = 340
CENTER_X = CHART_WIDTH / 2
CENTER_Y = CHART_HEIGHT / 2
RADIUS = 190  # along a diagonal: 134 units across and 134 down
RING_STEP = 10
RING_LABEL_STEP = 20  # every other ring is numbered, so the numbers do not crowd
MIN_SCALE = 50  # the OCAI chart's customary reach; larger values widen it
DIRECTIONS = {
    "clan": (-1, -1),
    "adhocracy": (1, -1),
    "market": (1, 1),
    "hierarchy": (-1, 1),
}
# Series styles beyond the client's two profiles: colour and dash pattern both differ, so the
# chart does not rely on colour alone.
CONSULTANT_STYLES = 6


@dataclass(frozen=True)
class ChartAxis:
    kind: str
    label: str
    x2: float
    y2: float
    label_x: float
    label_y: float
    anchor: str  # "start" or "end"


@dataclass(frozen=True)
class ChartRing:
    """A square of equal points on the four axes, every RING_STEP points."""

    value: int
    points: str
    labelled: bool
    label_x: float
    label_y: float


@dataclass(frozen=True)
class ChartSeries:
    """One profile drawn as a closed shape over the four types."""

    label: str
    kind: str  # "current", "preferred" or "consultant"
    css_class: str
    values: tuple[float, float, float, float]
    points: str

    @property
    def title(self) -> str:
        """The shape's accessible name: the label and the four points."""
        parts = ", ".join(
            f"{CULTURE_LABELS[kind]} {value:g}" for kind, value in zip(
                CULTURE_TYPES, self.values, strict=True
            )
        )
        return f"{self.label}: {parts}"


@dataclass(frozen=True)
class CultureChart:
    series: list[ChartSeries]
    axes: list[ChartAxis]
    rings: list[ChartRing]
    scale_max: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    center_x: float = CENTER_X
    center_y: float = CENTER_Y


def _scale_max(profiles: Iterable[Sequence[float]]) -> int:
    """The chart's reach: the largest value rounded up to the ring step, 50 to 100."""
    largest = max((float(value) for profile in profiles for value in profile), default=0)
    return int(min(100, max(MIN_SCALE, math.ceil(largest / RING_STEP) * RING_STEP)))


def _point(kind: str, value: float, scale_max: int) -> tuple[float, float]:
    dx, dy = DIRECTIONS[kind]
    reach = RADIUS * value / scale_max / math.sqrt(2)
    return CENTER_X + dx * reach, CENTER_Y + dy * reach


def _points(values: Sequence[float], scale_max: int) -> str:
    return " ".join(
        "{:.2f},{:.2f}".format(*_point(kind, value, scale_max))
        for kind, value in zip(CULTURE_TYPES, values, strict=True)
    )


def culture_chart(
    assessment: CultureAssessment | None, team: Sequence[TeamFit]
) -> CultureChart:
    """The culture radar: the client's current and preferred profiles (when assessed) and
    each team member's working style, one closed shape per profile."""
    profiles: list[tuple[str, str, str, tuple[float, ...]]] = []
    if assessment is not None:
        profiles.append(("Current culture", "current", "eg-series-current",
                         tuple(float(v) for v in assessment.current_profile)))
        profiles.append(("Preferred culture", "preferred", "eg-series-preferred",
                         tuple(float(v) for v in assessment.preferred_profile)))
    for index, member in enumerate(team):
        profiles.append((member.profile.full_name, "consultant",
                         f"eg-series-{index % CONSULTANT_STYLES}",
                         tuple(float(v) for v in member.profile.style)))
    scale_max = _scale_max(values for *_, values in profiles)
    series = [
        ChartSeries(label=label, kind=kind, css_class=css_class, values=values,
                    points=_points(values, scale_max))
        for label, kind, css_class, values in profiles
    ]
    axes = []
    for kind in CULTURE_TYPES:
        x2, y2 = _point(kind, scale_max, scale_max)
        dx, dy = DIRECTIONS[kind]
        axes.append(ChartAxis(
            kind=kind, label=CULTURE_LABELS[kind], x2=round(x2, 2), y2=round(y2, 2),
            label_x=round(x2 + dx * 6, 2), label_y=round(y2 + dy * 14 + (4 if dy > 0 else 0), 2),
            anchor="start" if dx > 0 else "end",
        ))
    rings = []
    for value in range(RING_STEP, scale_max + 1, RING_STEP):
        right_x, _ = _point("adhocracy", value, scale_max)
        rings.append(ChartRing(
            value=value, points=_points((value,) * 4, scale_max),
            labelled=value % RING_LABEL_STEP == 0,
            label_x=round(right_x + 3, 2), label_y=round(CENTER_Y - 3, 2),
        ))
    return CultureChart(series=series, axes=axes, rings=rings, scale_max=scale_max)


@dataclass(frozen=True)
class AssessmentRow:
    """A past or present assessment for the trend table, with what changed since the one
    before it (None for the first)."""

    assessment: CultureAssessment
    current: list[Decimal]
    changes: list[Decimal | None]
    dominant_current: str
    dominant_preferred: str

    @property
    def points(self) -> list[tuple[str, Decimal, Decimal | None]]:
        """(type label, current points, change) per type, in the OCAI's order."""
        labels = [CULTURE_LABELS[kind] for kind in CULTURE_TYPES]
        return list(zip(labels, self.current, self.changes, strict=True))


def assessment_trend(assessments: Sequence[CultureAssessment]) -> list[AssessmentRow]:
    """Assessments newest first, each with its current profile's change since the previous
    (older) one, so a reader sees where the culture is moving."""
    rows = []
    for index, assessment in enumerate(assessments):
        older = assessments[index + 1] if index + 1 < len(assessments) else None
        current = list(assessment.current_profile)
        changes = (
            [now - before for now, before in zip(current, older.current_profile, strict=True)]
            if older else [None] * 4
        )
        rows.append(AssessmentRow(
            assessment=assessment, current=current, changes=changes,
            dominant_current=dominant_label(assessment.current_profile),
            dominant_preferred=dominant_label(assessment.preferred_profile),
        ))
    return rows

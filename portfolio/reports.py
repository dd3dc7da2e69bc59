"""Read-side shapes behind the portfolio pages: the TIME chart and the demand board.

Everything here is pure: views read the rows (scoped with ``for_user``, in a number of
queries that does not grow with the rows) and these functions arrange them for templates.
The chart geometry is computed here, not in the template, so the SVG stays declarative and
the layout rules (quadrants from the configured thresholds, spreading of points that share a
cell) are tested without a browser.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .choices import DemandStatus, TimeClass
from .classification import FIT_MAX, FIT_MIN, threshold
from .models import Application, Demand

# --- TIME chart -------------------------------------------------------------------------

# SVG user units. One fit step is one square cell; the plot is FIT_MAX cells on each side.
CELL = 100
PLOT_LEFT = 64  # room for the functional-fit ticks and axis title
PLOT_TOP = 12
PLOT_SIZE = CELL * (FIT_MAX - FIT_MIN + 1)
CHART_WIDTH = PLOT_LEFT + PLOT_SIZE + 12
CHART_HEIGHT = PLOT_TOP + PLOT_SIZE + 56  # room for the technical-fit ticks and axis title

# Points sharing a cell are laid on a sunflower (Vogel) spiral around its centre: evenly
# packed, deterministic, and the first point stays closest to the centre.
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SPREAD_RADIUS = 38  # the outermost point's distance from the cell centre, at most
MAX_POINT_RADIUS = 7.0
MIN_POINT_RADIUS = 2.5

# A shape per class, so the chart does not rely on colour alone.
TIME_SHAPES = {
    TimeClass.INVEST: "circle",
    TimeClass.MIGRATE: "square",
    TimeClass.TOLERATE: "diamond",
    TimeClass.ELIMINATE: "triangle",
}
# Order of the counts beside the chart: the acronym's.
TIME_ORDER = (TimeClass.TOLERATE, TimeClass.INVEST, TimeClass.MIGRATE, TimeClass.ELIMINATE)
# What each class asks the organization to do, for the legend (DOMAIN.md, Gartner TIME).
TIME_MEANINGS = {
    TimeClass.TOLERATE: "Sound technology, little business value: keep it running as is.",
    TimeClass.INVEST: "Valuable and technically sound: keep investing in it.",
    TimeClass.MIGRATE: "Valuable on weak technology: move it to a better platform.",
    TimeClass.ELIMINATE: "Neither valuable nor sound: plan its retirement.",
}


@dataclass(frozen=True)
class ChartPoint:
    """One assessed application placed by its fits (x technical, y functional)."""

    pk: int
    code: str
    name: str
    time_class: TimeClass  # the final class: what the point's shape and colour show
    computed: TimeClass
    overridden: bool
    functional_fit: int
    technical_fit: int
    x: float
    y: float
    radius: float

    @property
    def shape(self) -> str:
        return TIME_SHAPES[self.time_class]

    @property
    def polygon(self) -> str:
        """SVG ``points`` for square, diamond and triangle markers ("" for a circle)."""
        return shape_polygon(self.shape, self.x, self.y, self.radius)

    @property
    def title(self) -> str:
        """The point's accessible name: “CODE · name · Class”, and the override if any."""
        text = f"{self.code} · {self.name} · {self.time_class.label}"
        if self.overridden:
            text += f" (overridden; the fits give {self.computed.label})"
        return text


@dataclass(frozen=True)
class ChartQuadrant:
    """The rectangle of one TIME class on the chart and where its label sits."""

    time_class: TimeClass
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    label_anchor: str  # "start" or "end": labels sit in the outer corner of their quadrant


@dataclass(frozen=True)
class ChartTick:
    value: int
    position: float


@dataclass(frozen=True)
class ClassCount:
    time_class: TimeClass
    count: int

    @property
    def shape(self) -> str:
        return TIME_SHAPES[self.time_class]

    @property
    def meaning(self) -> str:
        return TIME_MEANINGS[self.time_class]

    @property
    def icon_polygon(self) -> str:
        """The class's marker for a 20x20 legend icon ("" for the circle)."""
        return shape_polygon(self.shape, 10, 10, 6)


@dataclass(frozen=True)
class TimeChart:
    """Everything the TIME chart template draws, in SVG user units, and the class counts."""

    points: list[ChartPoint]
    quadrants: list[ChartQuadrant]
    counts: list[ClassCount]
    unassessed: int  # applications missing a fit: counted, not placed
    unclassified: int  # of those, the ones without an override either: no class at all
    technical_threshold_x: float
    functional_threshold_y: float
    x_ticks: list[ChartTick]
    y_ticks: list[ChartTick]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot_left: int = PLOT_LEFT
    plot_top: int = PLOT_TOP
    plot_size: int = PLOT_SIZE

    @property
    def plot_right(self) -> int:
        return self.plot_left + self.plot_size

    @property
    def plot_bottom(self) -> int:
        return self.plot_top + self.plot_size

    @property
    def x_title(self) -> tuple[float, float]:
        """Where the technical-fit axis title sits: centred under the tick labels."""
        return (self.plot_left + self.plot_size / 2, self.plot_bottom + 44)

    @property
    def y_title(self) -> tuple[float, float]:
        """Where the functional-fit axis title sits (drawn rotated): left of the ticks."""
        return (18, self.plot_top + self.plot_size / 2)

    @property
    def x_tick_y(self) -> float:
        return self.plot_bottom + 20

    @property
    def y_tick_x(self) -> float:
        return self.plot_left - 12

    @property
    def gridlines(self) -> list[float]:
        """Offsets of the borders between fit cells, from the plot's top or left edge."""
        return [CELL * step for step in range(1, FIT_MAX - FIT_MIN + 1)]

    @property
    def total(self) -> int:
        """Every application the chart was given, placed or not."""
        return sum(count.count for count in self.counts) + self.unclassified


def fit_x(technical_fit: float) -> float:
    """Horizontal position of a technical fit's cell centre."""
    return PLOT_LEFT + (technical_fit - FIT_MIN + 0.5) * CELL


def fit_y(functional_fit: float) -> float:
    """Vertical position of a functional fit's cell centre (high fit at the top)."""
    return PLOT_TOP + (FIT_MAX - functional_fit + 0.5) * CELL


def spread_offsets(count: int) -> tuple[list[tuple[float, float]], float]:
    """Offsets from a cell centre for ``count`` points, and the marker radius that fits them.

    One point sits on the centre. More are laid on a Vogel spiral whose spacing shrinks with
    the square root of the count, so any number stays inside the cell without overlapping
    (markers shrink down to ``MIN_POINT_RADIUS``; beyond a few hundred they touch).
    """
    if count <= 1:
        return [(0.0, 0.0)], MAX_POINT_RADIUS
    spacing = min(12.0, SPREAD_RADIUS / math.sqrt(count))
    radius = max(MIN_POINT_RADIUS, min(MAX_POINT_RADIUS, spacing * 0.55))
    offsets = [
        (
            round(spacing * math.sqrt(index + 0.5) * math.cos(index * GOLDEN_ANGLE), 2),
            round(spacing * math.sqrt(index + 0.5) * math.sin(index * GOLDEN_ANGLE), 2),
        )
        for index in range(count)
    ]
    return offsets, round(radius, 2)


def shape_polygon(shape: str, x: float, y: float, radius: float) -> str:
    """SVG polygon points for a marker of about the same area as a circle of ``radius``."""
    if shape == "square":
        half = radius * 0.89
        corners = [(-half, -half), (half, -half), (half, half), (-half, half)]
    elif shape == "diamond":
        reach = radius * 1.25
        corners = [(0, -reach), (reach, 0), (0, reach), (-reach, 0)]
    elif shape == "triangle":
        reach = radius * 1.35
        corners = [(0, -reach), (reach * 0.87, reach * 0.5), (-reach * 0.87, reach * 0.5)]
    else:
        return ""
    return " ".join(f"{x + dx:.2f},{y + dy:.2f}" for dx, dy in corners)


def _quadrants(technical_x: float, functional_y: float) -> list[ChartQuadrant]:
    left, top = PLOT_LEFT, PLOT_TOP
    right, bottom = PLOT_LEFT + PLOT_SIZE, PLOT_TOP + PLOT_SIZE
    inset = 8
    return [
        # High functional fit at the top; high technical fit on the right.
        ChartQuadrant(TimeClass.INVEST, technical_x, top, right - technical_x,
                      functional_y - top, right - inset, top + 18, "end"),
        ChartQuadrant(TimeClass.MIGRATE, left, top, technical_x - left,
                      functional_y - top, left + inset, top + 18, "start"),
        ChartQuadrant(TimeClass.TOLERATE, technical_x, functional_y, right - technical_x,
                      bottom - functional_y, right - inset, bottom - 8, "end"),
        ChartQuadrant(TimeClass.ELIMINATE, left, functional_y, technical_x - left,
                      bottom - functional_y, left + inset, bottom - 8, "start"),
    ]


def time_chart(applications: Iterable[Application]) -> TimeChart:
    """Place ``applications`` on the TIME chart and count them per final class.

    Reads ``pk``, ``code``, ``name``, the fits and ``time_override`` (a queryset with
    ``only()`` of those is enough). Applications missing a fit are counted as not assessed
    and not placed; one overridden without fits still counts in its final class. Thresholds
    are read now (settings.PMO_THRESHOLDS), like the classification itself.
    """
    counts: dict[TimeClass, int] = dict.fromkeys(TimeClass, 0)
    unassessed = 0
    unclassified = 0
    cells: dict[tuple[int, int], list[Application]] = defaultdict(list)
    for application in applications:
        final = application.time_class
        if final is None:
            unclassified += 1
        else:
            counts[final] += 1
        if application.functional_fit is None or application.technical_fit is None:
            unassessed += 1
            continue
        cells[(application.functional_fit, application.technical_fit)].append(application)

    points: list[ChartPoint] = []
    for (functional, technical), members in sorted(cells.items()):
        members.sort(key=lambda app: (app.code.lower(), app.pk))
        offsets, radius = spread_offsets(len(members))
        centre_x, centre_y = fit_x(technical), fit_y(functional)
        for application, (dx, dy) in zip(members, offsets, strict=True):
            points.append(ChartPoint(
                pk=application.pk, code=application.code, name=application.name,
                time_class=application.time_class, computed=application.time_computed,
                overridden=bool(application.time_override),
                functional_fit=functional, technical_fit=technical,
                x=round(centre_x + dx, 2), y=round(centre_y + dy, 2), radius=radius,
            ))

    # The threshold lines sit on the border between the last "low" and the first "high" cell.
    technical_x = PLOT_LEFT + (threshold("TECHNICAL_FIT_HIGH_FROM") - FIT_MIN) * CELL
    functional_y = PLOT_TOP + (FIT_MAX - threshold("FUNCTIONAL_FIT_HIGH_FROM") + 1) * CELL
    fits = range(FIT_MIN, FIT_MAX + 1)
    return TimeChart(
        points=points,
        quadrants=_quadrants(technical_x, functional_y),
        counts=[ClassCount(time, counts[time]) for time in TIME_ORDER],
        unassessed=unassessed,
        technical_threshold_x=technical_x,
        functional_threshold_y=functional_y,
        x_ticks=[ChartTick(fit, fit_x(fit)) for fit in fits],
        y_ticks=[ChartTick(fit, fit_y(fit)) for fit in fits],
        unclassified=unclassified,
    )


# --- Demand board -----------------------------------------------------------------------

# Closed columns show only their most recent cards; "show all" lists the rest.
CLOSED_PREVIEW = 10
OPEN_COLUMNS = (
    DemandStatus.SUBMITTED, DemandStatus.ASSESSED, DemandStatus.APPROVED,
    DemandStatus.SCHEDULED, DemandStatus.IN_PROGRESS,
)
CLOSED_COLUMNS = (DemandStatus.DELIVERED, DemandStatus.REJECTED, DemandStatus.WITHDRAWN)


@dataclass(frozen=True)
class DemandCard:
    demand: Demand
    warnings: list[str]


@dataclass
class BoardColumn:
    """One status of the board: its cards in display order and how many demands it holds."""

    status: DemandStatus
    total: int
    cards: list[DemandCard] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_COLUMNS

    @property
    def truncated(self) -> bool:
        """More demands than cards: the column shows a preview and links to the full list."""
        return self.total > len(self.cards)


def demand_board(
    *,
    demands: Iterable[Demand],
    totals: Mapping[str, int],
    statuses: Sequence[DemandStatus] = OPEN_COLUMNS + CLOSED_COLUMNS,
) -> list[BoardColumn]:
    """Group ``demands`` into one column per status of ``statuses``, in workflow order.

    ``demands`` arrive in display order (open ones by priority, closed ones most recent
    first) with ``applications`` prefetched, which the warnings read. ``totals`` counts every
    demand per status, so a column can say it shows 10 of 37.
    """
    columns = {status: BoardColumn(status=status, total=totals.get(status, 0))
               for status in statuses}
    for demand in demands:
        column = columns.get(demand.status)
        if column is not None:
            column.cards.append(DemandCard(demand, demand.application_warnings()))
    return [columns[status] for status in statuses]


def priority_formula(demand: Demand) -> str:
    """WSJF spelled out with the demand's numbers: “(8 + 5 + 3) / 2 = 8.00”."""
    return (
        f"({demand.business_value} + {demand.urgency} + {demand.risk_reduction}) "
        f"/ {demand.effort} = {demand.priority:.2f}"
    )

"""Flow of demand: time in status, lead time, throughput, WIP and the bottleneck.

Everything is derived from the status-transition history of an organization's demands
(``portfolio.DemandTransition``: every move, including the first submission, is a row).
:func:`compute_flow` is pure (no database); :func:`demand_flow` is the selector that reads
the history in one query and calls it.

Conventions used by every figure:

- The period ``[start, end]`` is made of whole local days in the project's time zone: it
  runs from ``start`` at 00:00 to the day after ``end`` at 00:00 (exclusive).
- Nothing after the observation moment (``now``) has happened yet: the *horizon* is the
  earlier of the period end and ``now``. Stays still open at the horizon are *censored*.
- Durations are in days, as ``Decimal`` rounded half-up to 2 places, computed from exact
  microseconds and rounded only at the end.
- Percentiles use the **nearest-rank** method: the p-th percentile of ``n`` sorted values is
  the value at rank ``ceil(p / 100 * n)`` (1-based), so it is always an observed value. The
  median is the nearest-rank 50th percentile (the lower middle value for an even count).
- Delivered, rejected and withdrawn end the flow (``DEMAND_TRANSITIONS``); time is measured
  only in the other, non-terminal statuses.
"""

import dataclasses
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef
from django.utils import timezone

from portfolio.choices import DEMAND_TRANSITIONS, DemandStatus
from portfolio.models import DemandTransition

TERMINAL_STATUSES = tuple(s for s, targets in DEMAND_TRANSITIONS.items() if not targets)
FLOW_STATUSES = tuple(s for s in DemandStatus.values if s not in TERMINAL_STATUSES)
PERCENTILE = 85
HISTOGRAM_BIN = timedelta(days=7)
_MICROSECONDS_PER_DAY = Decimal(86_400_000_000)
_TWO_PLACES = Decimal("0.01")


class FlowTransition(NamedTuple):
    """One move of a demand: the status it entered, when, and a tie-breaker (the row id)."""

    to_status: str
    at: datetime
    order: int = 0


@dataclasses.dataclass(frozen=True)
class StatusTime:
    """Time spent in one status during the period.

    ``completed_*`` describe stays that ended within the period (clipped to start no earlier
    than the period start). ``still_in_*`` describe censored stays, still open at the
    horizon: their age runs from entering the status to the horizon, unclipped (how long the
    demand has been sitting there), and is *not* mixed into the completed mean or p85.
    """

    status: str
    label: str
    completed_count: int
    completed_mean_days: Decimal | None
    completed_p85_days: Decimal | None
    still_in_count: int
    still_in_mean_age_days: Decimal | None
    still_in_max_age_days: Decimal | None


@dataclasses.dataclass(frozen=True)
class HistogramBin:
    """Delivered demands whose lead time is in ``[lower_days, upper_days)``."""

    lower_days: int
    upper_days: int
    count: int


@dataclasses.dataclass(frozen=True)
class LeadTimes:
    """Lead times (first submission to delivery) of the demands delivered in the period."""

    count: int
    mean_days: Decimal | None
    median_days: Decimal | None
    p85_days: Decimal | None
    max_days: Decimal | None
    histogram: list[HistogramBin]


@dataclasses.dataclass(frozen=True)
class WeekFlow:
    """One ISO week (Monday start) of the period: deliveries in it (within the period) and
    the work in progress at its end (or at the horizon, whichever comes first)."""

    week: str
    week_start: date
    delivered: int
    wip_at: datetime
    wip: int
    wip_by_status: dict[str, int]


@dataclasses.dataclass(frozen=True)
class Bottleneck:
    """The non-terminal status where completed stays last longest on average.

    ``share_of_lead_time`` is the part of the delivered demands' total lead time spent in
    this status (0 to 1), or None when nothing was delivered in the period.
    """

    status: str
    label: str
    mean_days: Decimal
    p85_days: Decimal
    count: int
    share_of_lead_time: Decimal | None
    explanation: str


@dataclasses.dataclass(frozen=True)
class LittlesLaw:
    """Little's law, WIP = throughput x lead time, as a consistency check (not enforced).

    ``average_wip`` is time-weighted over the period up to the horizon; ``throughput_per_day``
    counts deliveries only, so rejected and withdrawn demands (which do occupy WIP) and a
    flow that is not in a steady state both make the two sides differ.
    """

    average_wip: Decimal | None
    throughput_per_day: Decimal | None
    mean_lead_time_days: Decimal | None
    predicted_wip: Decimal | None


@dataclasses.dataclass(frozen=True)
class DemandFlow:
    """The flow of an organization's demand over a period, as of an observation moment.

    ``demand_count`` counts the demands in the flow during the period: submitted before the
    horizon and not ended before the period start.
    """

    start: date
    end: date
    horizon: datetime
    demand_count: int
    time_in_status: list[StatusTime]
    lead_times: LeadTimes
    weeks: list[WeekFlow]
    wip_at_horizon: int
    wip_at_horizon_by_status: dict[str, int]
    bottleneck: Bottleneck | None
    bottleneck_reason: str
    littles_law: LittlesLaw

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form: decimals as strings, dates and datetimes in ISO 8601."""
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


def to_days(duration: timedelta) -> Decimal:
    """A duration in days, rounded half-up to 2 places."""
    microseconds = Decimal(duration // timedelta(microseconds=1))
    return (microseconds / _MICROSECONDS_PER_DAY).quantize(_TWO_PLACES, ROUND_HALF_UP)


def nearest_rank(sorted_values: Sequence[timedelta], percent: int) -> timedelta:
    """The nearest-rank percentile: the value at 1-based rank ceil(percent / 100 * n)."""
    if not sorted_values:
        raise ValueError("A percentile needs at least one value.")
    rank = max(1, math.ceil(percent * len(sorted_values) / 100))
    return sorted_values[rank - 1]


def _mean(values: Sequence[timedelta]) -> timedelta:
    return sum(values, timedelta()) / len(values)


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def period_bounds(start: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The period as aware datetimes ``[start 00:00, day after end 00:00)`` in ``zone``."""
    if start > end:
        raise ValueError(f"The period cannot start ({start}) after it ends ({end}).")
    return _local_midnight(start, zone), _local_midnight(end + timedelta(days=1), zone)


def _label(status: str) -> str:
    return DemandStatus(status).label


def _status_at(history: Sequence[FlowTransition], moment: datetime) -> str | None:
    """The status a demand was in just before ``moment`` (None before its first move)."""
    current = None
    for transition in history:
        if transition.at >= moment:
            break
        current = transition.to_status
    return current


def _wip(histories: Sequence[Sequence[FlowTransition]], moment: datetime) -> dict[str, int]:
    counts = dict.fromkeys(FLOW_STATUSES, 0)
    for history in histories:
        status = _status_at(history, moment)
        if status in counts:
            counts[status] += 1
    return counts


def compute_flow(
    histories: Iterable[Sequence[FlowTransition]],
    *,
    start: date,
    end: date,
    now: datetime,
    zone: tzinfo | None = None,
) -> DemandFlow:
    """The flow of demand over ``[start, end]`` from per-demand transition sequences.

    Each sequence is one demand's moves, in any order: they are sorted by (at, order), and
    moves at or after the horizon are ignored. A demand's lead time runs from its first move
    (the submission) to its delivery; it counts when the delivery falls within the period.
    Raises ValueError when ``start`` is after ``end``.
    """
    zone = zone or timezone.get_default_timezone()
    period_start, period_end = period_bounds(start, end, zone)
    horizon = max(period_start, min(period_end, now))
    ordered = [
        [t for t in sorted(history, key=lambda t: (t.at, t.order)) if t.at < horizon]
        for history in histories
    ]
    # Demands that ended before the period were never in its flow.
    ordered = [
        history for history in ordered
        if history and not any(
            t.to_status in TERMINAL_STATUSES and t.at < period_start for t in history
        )
    ]

    completed: dict[str, list[timedelta]] = {s: [] for s in FLOW_STATUSES}
    censored: dict[str, list[timedelta]] = {s: [] for s in FLOW_STATUSES}
    in_flow_total = timedelta()  # demand-time spent in non-terminal statuses, for Little
    lead_times: list[timedelta] = []
    deliveries: list[datetime] = []
    delivered_time_in: dict[str, timedelta] = dict.fromkeys(FLOW_STATUSES, timedelta())
    for history in ordered:
        stays = []
        for index, transition in enumerate(history):
            if transition.to_status in TERMINAL_STATUSES:
                continue
            left = history[index + 1].at if index + 1 < len(history) else None
            stays.append((transition.to_status, transition.at, left))
            if left is None:
                censored[transition.to_status].append(horizon - transition.at)
            elif left >= period_start:
                completed[transition.to_status].append(left - max(transition.at, period_start))
            in_flow_total += max(
                timedelta(), min(left or horizon, horizon) - max(transition.at, period_start)
            )
        delivered = next(
            (t.at for t in history if t.to_status == DemandStatus.DELIVERED), None
        )
        if delivered is not None and delivered >= period_start:
            deliveries.append(delivered)
            lead_times.append(delivered - history[0].at)
            for status, entered, left in stays:
                if left is not None and left <= delivered:
                    delivered_time_in[status] += left - entered

    time_in_status = [_status_time(s, completed[s], censored[s]) for s in FLOW_STATUSES]
    weeks = _weeks(ordered, deliveries, start, end, period_end, horizon, zone)
    wip_now = _wip(ordered, horizon)
    bottleneck, reason = _bottleneck(time_in_status, delivered_time_in, lead_times)
    return DemandFlow(
        start=start,
        end=end,
        horizon=horizon,
        demand_count=len(ordered),
        time_in_status=time_in_status,
        lead_times=_lead_times(lead_times),
        weeks=weeks,
        wip_at_horizon=sum(wip_now.values()),
        wip_at_horizon_by_status=wip_now,
        bottleneck=bottleneck,
        bottleneck_reason=reason,
        littles_law=_littles_law(in_flow_total, horizon - period_start, lead_times),
    )


def _status_time(
    status: str, completed: list[timedelta], censored: list[timedelta]
) -> StatusTime:
    completed = sorted(completed)
    return StatusTime(
        status=status,
        label=_label(status),
        completed_count=len(completed),
        completed_mean_days=to_days(_mean(completed)) if completed else None,
        completed_p85_days=to_days(nearest_rank(completed, PERCENTILE)) if completed else None,
        still_in_count=len(censored),
        still_in_mean_age_days=to_days(_mean(censored)) if censored else None,
        still_in_max_age_days=to_days(max(censored)) if censored else None,
    )


def _lead_times(values: list[timedelta]) -> LeadTimes:
    if not values:
        return LeadTimes(0, None, None, None, None, [])
    values = sorted(values)
    bins = [0] * (values[-1] // HISTOGRAM_BIN + 1)
    for value in values:
        bins[value // HISTOGRAM_BIN] += 1
    width = HISTOGRAM_BIN.days
    return LeadTimes(
        count=len(values),
        mean_days=to_days(_mean(values)),
        median_days=to_days(nearest_rank(values, 50)),
        p85_days=to_days(nearest_rank(values, PERCENTILE)),
        max_days=to_days(values[-1]),
        histogram=[
            HistogramBin(index * width, (index + 1) * width, count)
            for index, count in enumerate(bins)
        ],
    )


def _weeks(
    histories: Sequence[Sequence[FlowTransition]],
    deliveries: list[datetime],
    start: date,
    end: date,
    period_end: datetime,
    horizon: datetime,
    zone: tzinfo,
) -> list[WeekFlow]:
    """ISO weeks touching the period, zero weeks included; weeks that had not begun at the
    horizon are left out (nothing can be observed in them yet)."""
    delivered_days = [timezone.localtime(moment, zone).date() for moment in deliveries]
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end and _local_midnight(max(monday, start), zone) < horizon:
        sunday = monday + timedelta(days=6)
        first, last = max(monday, start), min(sunday, end)
        moment = min(_local_midnight(sunday + timedelta(days=1), zone), period_end, horizon)
        wip = _wip(histories, moment)
        year, number, _ = monday.isocalendar()
        weeks.append(WeekFlow(
            week=f"{year}-W{number:02d}",
            week_start=monday,
            delivered=sum(1 for day in delivered_days if first <= day <= last),
            wip_at=moment,
            wip=sum(wip.values()),
            wip_by_status=wip,
        ))
        monday += timedelta(days=7)
    return weeks


def _bottleneck(
    time_in_status: list[StatusTime],
    delivered_time_in: dict[str, timedelta],
    lead_times: list[timedelta],
) -> tuple[Bottleneck | None, str]:
    """Highest mean completed stay; ties go to the higher p85, then to the earlier status."""
    candidates = [row for row in time_in_status if row.completed_count]
    if not candidates:
        return None, "No demand left a non-terminal status during the period."
    # max() keeps the first of equal keys, and candidates are in workflow order.
    worst = max(candidates, key=lambda row: (row.completed_mean_days, row.completed_p85_days))
    total_lead = sum(lead_times, timedelta())
    share = None
    if total_lead:
        share = (
            Decimal(delivered_time_in[worst.status] // timedelta(microseconds=1))
            / Decimal(total_lead // timedelta(microseconds=1))
        ).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    explanation = (
        f"Work waits longest in {worst.label}: {worst.completed_count} completed stays lasted "
        f"{worst.completed_mean_days} days on average (85th percentile "
        f"{worst.completed_p85_days} days)."
    )
    if share is not None:
        explanation += (
            f" Delivered demands spent {(share * 100).quantize(Decimal('0.1'))}% of their "
            f"lead time there."
        )
    return Bottleneck(
        status=worst.status,
        label=worst.label,
        mean_days=worst.completed_mean_days,
        p85_days=worst.completed_p85_days,
        count=worst.completed_count,
        share_of_lead_time=share,
        explanation=explanation,
    ), ""


def _littles_law(
    in_flow_total: timedelta, observed: timedelta, lead_times: list[timedelta]
) -> LittlesLaw:
    if not observed:
        return LittlesLaw(None, None, None, None)
    observed_microseconds = Decimal(observed // timedelta(microseconds=1))
    average_wip = (
        Decimal(in_flow_total // timedelta(microseconds=1)) / observed_microseconds
    ).quantize(_TWO_PLACES, ROUND_HALF_UP)
    throughput = Decimal(len(lead_times)) * _MICROSECONDS_PER_DAY / observed_microseconds
    rounded_throughput = throughput.quantize(Decimal("0.0001"), ROUND_HALF_UP)
    if not lead_times:
        return LittlesLaw(average_wip, rounded_throughput, None, None)
    exact_mean_lead = (
        Decimal(_mean(lead_times) // timedelta(microseconds=1)) / _MICROSECONDS_PER_DAY
    )
    return LittlesLaw(
        average_wip=average_wip,
        throughput_per_day=rounded_throughput,
        mean_lead_time_days=to_days(_mean(lead_times)),
        # Rounded only at the end, from the unrounded throughput and mean lead time.
        predicted_wip=(throughput * exact_mean_lead).quantize(_TWO_PLACES, ROUND_HALF_UP),
    )


def demand_flow(
    *, organization_id: int, start: date, end: date, now: datetime | None = None
) -> DemandFlow:
    """The flow of one organization's demand over ``[start, end]`` (see :func:`compute_flow`).

    Reads, in one query whatever the number of demands, the transitions before the period
    end of the organization's demands that had not ended (delivered, rejected, withdrawn)
    before the period start. Callers scope the organization to the user beforehand.
    """
    zone = timezone.get_default_timezone()
    period_start, period_end = period_bounds(start, end, zone)
    ended_before = DemandTransition.objects.filter(
        demand_id=OuterRef("demand_id"), to_status__in=TERMINAL_STATUSES, at__lt=period_start
    )
    rows = (
        DemandTransition.objects.filter(
            demand__organization_id=organization_id, at__lt=period_end
        )
        .exclude(Exists(ended_before))
        .order_by("demand_id", "at", "id")
        .values_list("demand_id", "to_status", "at", "id")
    )
    histories = [
        [FlowTransition(status, at, row_id) for _, status, at, row_id in group]
        for _, group in groupby(rows.iterator(), key=lambda row: row[0])
    ]
    return compute_flow(
        histories, start=start, end=end, now=now or timezone.now(), zone=zone
    )

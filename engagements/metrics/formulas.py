"""The metric formulas of an engagement: pure functions of plain values, no database.

Earned value management (PMI), AgileEVM (Sulaiman et al.), delivery figures, KPI status,
stakeholder health, risk exposure and the overall health. Every figure is a ``Figure``: a
``Decimal`` value, or ``None`` with the reason it is undefined (a zero denominator, a missing
input). Nothing here raises for a zero denominator. Arithmetic is done at full ``Decimal``
precision and rounded once, at the end, half up: money to 2 decimals, ratios to 4,
percentages and story points to 2 (see docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from catalog.models import Indicator

from ..choices import Health

__all__ = [
    "AMBER_CPI",
    "AMBER_RED_RISKS",
    "AMBER_SAY_DO",
    "AMBER_SPI",
    "AMBER_STAKEHOLDERS_AT_DESIRED_PERCENT",
    "RED_CPI",
    "RED_KPIS",
    "RED_RED_RISKS",
    "RED_SPI",
    "VELOCITY_WINDOW",
    "DeliverableInput",
    "Figure",
    "agile_evm_figures",
    "delivery_figures",
    "earned_value",
    "evm_figures",
    "kpi_status",
    "overall_health",
    "planned_value",
    "risk_exposure_figures",
    "stakeholder_health_figures",
]

MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")
PERCENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Overall-health thresholds (documented in docs/metrics.md). A figure strictly below an amber
# threshold makes the engagement at least amber; strictly below a red one, red.
AMBER_CPI = Decimal("0.90")
RED_CPI = Decimal("0.80")
AMBER_SPI = Decimal("0.90")
RED_SPI = Decimal("0.80")
AMBER_SAY_DO = Decimal("0.80")
AMBER_STAKEHOLDERS_AT_DESIRED_PERCENT = Decimal("50")
# Any red KPI makes the engagement amber; this many red KPIs make it red.
RED_KPIS = 2
# Any red risk makes the engagement amber; this many make it red.
AMBER_RED_RISKS = 1
RED_RED_RISKS = 3
# Velocity and say/do look at this many most recent finished iterations.
VELOCITY_WINDOW = 3


@dataclass(frozen=True)
class Figure:
    """One metric value, or ``None`` with the reason it is undefined (reason set iff None)."""

    value: Decimal | None
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.value is None) != bool(self.reason):
            raise ValueError("A figure has a reason exactly when its value is None.")


@dataclass(frozen=True)
class DeliverableInput:
    """What the formulas need of one deliverable (a backlog item with a budget)."""

    budget: Decimal
    planned_start: date
    planned_finish: date
    percent_complete: int
    story_points: int
    status: str
    kind: str
    iteration_id: int | None


def _money(value: Decimal) -> Figure:
    return Figure(Decimal(value).quantize(MONEY, rounding=ROUND_HALF_UP))


def _ratio(value: Decimal) -> Figure:
    return Figure(Decimal(value).quantize(RATIO, rounding=ROUND_HALF_UP))


def _percent(value: Decimal) -> Figure:
    return Figure(Decimal(value).quantize(PERCENT, rounding=ROUND_HALF_UP))


def _count(value: int) -> Figure:
    return Figure(Decimal(value))


def _null(reason: str) -> Figure:
    return Figure(None, reason)


# --- Earned value management ---------------------------------------------------------------

def planned_value(deliverables: Iterable[DeliverableInput], status_date: date) -> Decimal:
    """PV at the end of ``status_date``: each budget spread evenly over its planned days.

    Planned days count inclusively (a deliverable planned from Monday to Monday is one day);
    nothing is planned before the start, the whole budget after the finish.
    """
    total = ZERO
    for item in deliverables:
        days = max((item.planned_finish - item.planned_start).days + 1, 1)
        elapsed = min(max((status_date - item.planned_start).days + 1, 0), days)
        total += Decimal(item.budget) * elapsed / days
    return total.quantize(MONEY, rounding=ROUND_HALF_UP)


def earned_value(deliverables: Iterable[DeliverableInput]) -> Decimal:
    """EV: the sum of each deliverable's budget times its percent complete."""
    total = sum(
        (Decimal(item.budget) * item.percent_complete / HUNDRED for item in deliverables), ZERO
    )
    return total.quantize(MONEY, rounding=ROUND_HALF_UP)


def evm_figures(
    *, bac: Decimal, pv: Decimal, ev: Decimal, ac: Decimal,
    etc_bottom_up: Decimal | None = None,
) -> dict[str, Figure]:
    """Every EVM figure at a status date (PMI definitions; DOMAIN.md, "Earned value").

    ``eac`` is ``eac_cpi`` (BAC / CPI, variances assumed typical), and ``etc``, ``vac`` and
    ``tcpi_eac`` derive from it; ``tcpi`` is ``tcpi_bac``. Ratios are computed from the exact
    quotients, not from rounded CPI/SPI, so the published figures reproduce to the cent.
    """
    bac, pv, ev, ac = (Decimal(x) for x in (bac, pv, ev, ac))
    figures: dict[str, Figure] = {
        "bac": _money(bac), "pv": _money(pv), "ev": _money(ev), "ac": _money(ac),
        "cv": _money(ev - ac), "sv": _money(ev - pv),
    }
    cpi = ev / ac if ac else None
    spi = ev / pv if pv else None
    figures["cpi"] = _ratio(cpi) if cpi is not None else _null(
        "Undefined: nothing has been spent yet (AC = 0)."
    )
    figures["spi"] = _ratio(spi) if spi is not None else _null(
        "Undefined: nothing is planned by the status date yet (PV = 0)."
    )

    if cpi is None:
        eac_cpi = None
        figures["eac_cpi"] = _null("Undefined: CPI is undefined (AC = 0).")
    elif not cpi:
        eac_cpi = None
        figures["eac_cpi"] = _null("Undefined: no value earned yet (EV = 0, so CPI = 0).")
    else:
        eac_cpi = bac / cpi
        figures["eac_cpi"] = _money(eac_cpi)

    figures["eac_atypical"] = _money(ac + (bac - ev))

    if cpi is None or spi is None:
        figures["eac_cpi_spi"] = _null("Undefined: CPI or SPI is undefined (AC = 0 or PV = 0).")
    elif not cpi * spi:
        figures["eac_cpi_spi"] = _null("Undefined: no value earned yet (EV = 0, CPI x SPI = 0).")
    else:
        figures["eac_cpi_spi"] = _money(ac + (bac - ev) / (cpi * spi))

    if etc_bottom_up is None:
        figures["eac_bottom_up"] = _null("Undefined: no bottom-up estimate to complete given.")
    else:
        figures["eac_bottom_up"] = _money(ac + Decimal(etc_bottom_up))

    figures["eac"] = figures["eac_cpi"]
    if eac_cpi is None:
        reason = "Undefined: EAC (BAC / CPI) is undefined."
        figures["etc"] = _null(reason)
        figures["vac"] = _null(reason)
    else:
        figures["etc"] = _money(eac_cpi - ac)
        figures["vac"] = _money(bac - eac_cpi)

    figures["tcpi_bac"] = _tcpi_bac(bac=bac, ev=ev, ac=ac)
    figures["tcpi"] = figures["tcpi_bac"]
    if eac_cpi is None:
        figures["tcpi_eac"] = _null("Undefined: EAC (BAC / CPI) is undefined.")
    elif eac_cpi == ac:
        figures["tcpi_eac"] = _null("Undefined: no work remains (EV = BAC), so EAC = AC.")
    else:
        figures["tcpi_eac"] = _ratio((bac - ev) / (eac_cpi - ac))
    return figures


def _tcpi_bac(*, bac: Decimal, ev: Decimal, ac: Decimal) -> Figure:
    """TCPI(BAC) = (BAC - EV) / (BAC - AC): the efficiency the remaining work needs.

    No work left with budget left is 0 (no efficiency needed). Budget exactly spent, or
    exceeded (AC > BAC, a negative denominator), means BAC can no longer be met at any
    efficiency: null with that reason rather than a meaningless zero or negative ratio.
    """
    remaining_work, remaining_budget = bac - ev, bac - ac
    if remaining_budget < 0:
        return _null(
            "Undefined: over budget (AC > BAC); BAC can no longer be met at any "
            "efficiency; see TCPI(EAC)."
        )
    if remaining_budget == 0:
        if remaining_work == 0:
            return _null("Undefined: work complete and budget exactly spent (0 / 0).")
        return _null("Undefined: budget fully spent (AC = BAC) with work remaining.")
    return _ratio(remaining_work / remaining_budget)


# --- AgileEVM ------------------------------------------------------------------------------

def agile_evm_figures(
    *, bac: Decimal, iterations_planned: int, iterations_completed: int,
    points_planned: int, points_accepted: int, ac: Decimal,
) -> dict[str, Figure]:
    """Release-level AgileEVM (Sulaiman et al.): PV and EV from iterations and points.

    planned % complete = iterations completed / planned; actual % complete = points accepted
    / planned; APV and AEV are those fractions of BAC; ACPI = AEV / AC, ASPI = AEV / APV.
    ``expected_iterations`` = iterations planned / ASPI (the release length at this pace).
    """
    bac, ac = Decimal(bac), Decimal(ac)
    figures: dict[str, Figure] = {"aac": _money(ac)}
    planned = Decimal(iterations_completed) / iterations_planned if iterations_planned else None
    actual = Decimal(points_accepted) / points_planned if points_planned else None
    no_iterations = "Undefined: no iterations planned for the release."
    no_points = "Undefined: no story points planned for the release."
    if planned is None:
        figures["planned_percent_complete"] = _null(no_iterations)
        figures["apv"] = _null(no_iterations)
    else:
        figures["planned_percent_complete"] = _percent(planned * HUNDRED)
        figures["apv"] = _money(planned * bac)
    if actual is None:
        figures["actual_percent_complete"] = _null(no_points)
        figures["aev"] = _null(no_points)
    else:
        figures["actual_percent_complete"] = _percent(actual * HUNDRED)
        figures["aev"] = _money(actual * bac)
    apv = planned * bac if planned is not None else None
    aev = actual * bac if actual is not None else None

    if aev is None:
        figures["acpi"] = _null(no_points)
    elif not ac:
        figures["acpi"] = _null("Undefined: nothing has been spent yet (AC = 0).")
    else:
        figures["acpi"] = _ratio(aev / ac)
    if aev is None or apv is None:
        figures["aspi"] = _null(no_points if aev is None else no_iterations)
    elif not apv:
        figures["aspi"] = _null("Undefined: no iteration completed yet (APV = 0).")
    else:
        figures["aspi"] = _ratio(aev / apv)

    aspi = aev / apv if aev is not None and apv else None
    if aspi is None:
        figures["expected_iterations"] = _null("Undefined: ASPI is undefined.")
    elif not aspi:
        figures["expected_iterations"] = _null("Undefined: no points accepted yet (ASPI = 0).")
    else:
        figures["expected_iterations"] = _percent(Decimal(iterations_planned) / aspi)
    return figures


# --- Delivery ------------------------------------------------------------------------------

def delivery_figures(
    *, accepted_points_last_iterations: Sequence[int],
    committed_points_last_iterations: Sequence[int],
    deliverables_total: int, deliverables_accepted: int,
    launches_planned: int, launches_done: int,
) -> dict[str, Figure]:
    """Velocity, say/do, deliverables accepted and service launches.

    The two point sequences are per finished iteration, oldest first; only the last
    ``VELOCITY_WINDOW`` (3) count. With fewer finished iterations, the ones there are count
    (``velocity_iterations`` says how many); with none, velocity is null. Say/do = points
    accepted / points committed over the same iterations.
    """
    accepted = list(accepted_points_last_iterations)[-VELOCITY_WINDOW:]
    committed = list(committed_points_last_iterations)[-VELOCITY_WINDOW:]
    figures: dict[str, Figure] = {"velocity_iterations": _count(len(accepted))}
    if accepted:
        figures["velocity"] = _percent(Decimal(sum(accepted)) / len(accepted))
    else:
        figures["velocity"] = _null("Undefined: no finished iteration yet.")
    if not committed:
        figures["say_do_ratio"] = _null("Undefined: no finished iteration yet.")
    elif not sum(committed):
        figures["say_do_ratio"] = _null("Undefined: no points committed (0 committed).")
    else:
        figures["say_do_ratio"] = _ratio(Decimal(sum(accepted)) / sum(committed))

    figures["deliverables_total"] = _count(deliverables_total)
    figures["deliverables_accepted"] = _count(deliverables_accepted)
    figures["deliverables_accepted_percent"] = (
        _percent(Decimal(deliverables_accepted) * HUNDRED / deliverables_total)
        if deliverables_total else _null("Undefined: no deliverables yet.")
    )
    figures["launches_planned"] = _count(launches_planned)
    figures["launches_done"] = _count(launches_done)
    figures["launches_done_percent"] = (
        _percent(Decimal(launches_done) * HUNDRED / launches_planned)
        if launches_planned else _null("Undefined: no service launches planned.")
    )
    return figures


# --- KPIs, stakeholders, risks -------------------------------------------------------------

def kpi_status(
    *, value: Decimal, target, green_threshold, red_threshold, direction: str,
) -> str:
    """Green, amber or red for a KPI value: the catalog's own rule (``Indicator.rating``).

    An unsaved ``Indicator`` carries the thresholds, so the rule has one home. ``target`` is
    what the dashboard shows alongside; the colour depends only on the thresholds: reaching the
    green threshold (at or above when higher is better, at or below when lower is) is green,
    passing the red one (strictly) is red, anything between is amber.
    """
    indicator = Indicator(
        direction=direction, target=Decimal(target),
        green_threshold=Decimal(green_threshold), red_threshold=Decimal(red_threshold),
    )
    return str(indicator.rating(Decimal(value)).value)


def stakeholder_health_figures(
    *, key_stakeholders: int, key_at_or_above_desired: int, communications_overdue: int,
) -> dict[str, Figure]:
    """Share of key stakeholders at or above their desired engagement; overdue communications."""
    return {
        "key_stakeholders": _count(key_stakeholders),
        "key_stakeholders_at_desired": _count(key_at_or_above_desired),
        "key_stakeholders_at_desired_percent": (
            _percent(Decimal(key_at_or_above_desired) * HUNDRED / key_stakeholders)
            if key_stakeholders else _null("Undefined: no key stakeholders identified.")
        ),
        "communications_overdue": _count(communications_overdue),
    }


def risk_exposure_figures(*, open_scores: Sequence[int], red_count: int) -> dict[str, Figure]:
    """Risk exposure: the sum of probability x impact of the open risks, and the red ones."""
    return {
        "risk_exposure": _count(sum(open_scores)),
        "risks_open": _count(len(open_scores)),
        "risks_red": _count(red_count),
    }


# --- Overall health ------------------------------------------------------------------------

_RANK = {Health.GREEN: 0, Health.AMBER: 1, Health.RED: 2}


def overall_health(
    figures: Mapping[str, Figure], kpi_statuses: Sequence[str],
) -> tuple[str, list[str]]:
    """Green, amber or red: the worst colour any rule gives, with one reason per rule hit.

    Rules (module constants): CPI or SPI below 0.90 amber, below 0.80 red; over budget
    (AC > BAC) red; say/do below 0.80 amber; any red KPI amber, ``RED_KPIS`` or more red;
    any red risk amber, ``RED_RED_RISKS`` or more red; under half of the key stakeholders at
    their desired engagement amber; any overdue communication amber. A null or missing figure
    triggers nothing. Green has no reasons.
    """
    hits: list[tuple[str, str]] = []

    def value(name: str) -> Decimal | None:
        figure = figures.get(name)
        return figure.value if figure is not None else None

    for name, label, amber, red in (
        ("cpi", "CPI", AMBER_CPI, RED_CPI), ("spi", "SPI", AMBER_SPI, RED_SPI),
    ):
        ratio = value(name)
        if ratio is not None and ratio < red:
            hits.append((Health.RED, f"{label} {ratio} is below {red}."))
        elif ratio is not None and ratio < amber:
            hits.append((Health.AMBER, f"{label} {ratio} is below {amber}."))

    bac, ac = value("bac"), value("ac")
    if bac is not None and ac is not None and ac > bac:
        hits.append((Health.RED, f"Over budget: actual cost {ac} exceeds the budget {bac}."))

    say_do = value("say_do_ratio")
    if say_do is not None and say_do < AMBER_SAY_DO:
        hits.append((Health.AMBER, f"Say/do ratio {say_do} is below {AMBER_SAY_DO}."))

    red_kpis = sum(1 for status in kpi_statuses if status == Health.RED)
    if red_kpis:
        colour = Health.RED if red_kpis >= RED_KPIS else Health.AMBER
        hits.append((colour, f"{red_kpis} service KPI(s) red."))

    red_risks = value("risks_red")
    if red_risks is not None and red_risks >= AMBER_RED_RISKS:
        colour = Health.RED if red_risks >= RED_RED_RISKS else Health.AMBER
        hits.append((colour, f"{red_risks} red risk(s) open."))

    at_desired = value("key_stakeholders_at_desired_percent")
    if at_desired is not None and at_desired < AMBER_STAKEHOLDERS_AT_DESIRED_PERCENT:
        hits.append((Health.AMBER, (
            f"Only {at_desired}% of key stakeholders are at their desired engagement "
            f"(below {AMBER_STAKEHOLDERS_AT_DESIRED_PERCENT}%)."
        )))

    overdue = value("communications_overdue")
    if overdue:
        hits.append((Health.AMBER, f"{overdue} communication(s) overdue."))

    if not hits:
        return str(Health.GREEN.value), []
    worst = max((colour for colour, _ in hits), key=_RANK.__getitem__)
    return str(Health(worst).value), [reason for _, reason in hits]

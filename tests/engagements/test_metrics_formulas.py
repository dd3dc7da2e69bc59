"""The metric formulas against DOMAIN.md's worked example and their edge cases (no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from engagements.metrics.formulas import (
    DeliverableInput,
    Figure,
    agile_evm_figures,
    delivery_figures,
    earned_value,
    evm_figures,
    kpi_status,
    overall_health,
    planned_value,
    risk_exposure_figures,
    stakeholder_health_figures,
)

D = Decimal
DAY_1 = date(2026, 3, 2)

EVM_KEYS = {
    "bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "eac_cpi", "eac_atypical",
    "eac_cpi_spi", "eac_bottom_up", "etc", "vac", "tcpi", "tcpi_bac", "tcpi_eac",
}


def side(number: int, percent: int) -> DeliverableInput:
    """One side of the fence: $1,000 and one day, built in sequence from DAY_1."""
    day = DAY_1 + timedelta(days=number - 1)
    return DeliverableInput(
        budget=D("1000"), planned_start=day, planned_finish=day, percent_complete=percent,
        story_points=3, status="in_progress", kind="other", iteration_id=None,
    )


FENCE = [side(1, 100), side(2, 100), side(3, 50), side(4, 0)]
END_OF_DAY_3 = DAY_1 + timedelta(days=2)


def values(figures: dict[str, Figure]) -> dict[str, Decimal | None]:
    return {name: figure.value for name, figure in figures.items()}


def fence_figures(**overrides) -> dict[str, Figure]:
    inputs = {
        "bac": D("4000"), "pv": planned_value(FENCE, END_OF_DAY_3),
        "ev": earned_value(FENCE), "ac": D("1000") + D("1200") + D("600"),
    }
    inputs.update(overrides)
    return evm_figures(**inputs)


# --- The worked example ----------------------------------------------------------------------

def test_fence_planned_and_earned_value_from_deliverables():
    assert planned_value(FENCE, END_OF_DAY_3) == D("3000.00")
    assert earned_value(FENCE) == D("2500.00")


def test_fence_reproduces_every_published_figure():
    figures = values(fence_figures())
    assert set(figures) == EVM_KEYS
    expected = {
        "bac": "4000", "pv": "3000", "ev": "2500", "ac": "2800", "cv": "-300", "sv": "-500",
        "cpi": "0.8929", "spi": "0.8333", "eac": "4480", "eac_cpi": "4480", "etc": "1680",
        "vac": "-480", "eac_atypical": "4300", "eac_cpi_spi": "4816", "tcpi_bac": "1.25",
        "tcpi": "1.25",
    }
    for name, published in expected.items():
        assert figures[name] == D(published), name
    # TCPI(EAC) equals CPI when EAC = BAC / CPI.
    assert figures["tcpi_eac"] == D("0.8929")


def test_rounding_money_two_places_ratios_four():
    figures = fence_figures()
    assert figures["eac_cpi_spi"].value.as_tuple().exponent == -2
    assert figures["cpi"].value.as_tuple().exponent == -4
    # 0.8928571... rounds half up to 0.8929; 0.83333... to 0.8333.
    assert str(figures["cpi"].value) == "0.8929"
    assert str(figures["spi"].value) == "0.8333"


def test_bottom_up_eac_when_given_and_null_otherwise():
    assert fence_figures(etc_bottom_up=D("1500"))["eac_bottom_up"].value == D("4300.00")
    missing = fence_figures()["eac_bottom_up"]
    assert missing.value is None
    assert "bottom-up" in missing.reason


# --- Planned value ---------------------------------------------------------------------------

def test_planned_value_spreads_linearly_inclusive_of_both_days():
    ten_days = DeliverableInput(
        budget=D("1000"), planned_start=DAY_1, planned_finish=DAY_1 + timedelta(days=9),
        percent_complete=0, story_points=0, status="todo", kind="document", iteration_id=1,
    )
    assert planned_value([ten_days], DAY_1 - timedelta(days=1)) == D("0.00")
    assert planned_value([ten_days], DAY_1) == D("100.00")
    assert planned_value([ten_days], DAY_1 + timedelta(days=4)) == D("500.00")
    assert planned_value([ten_days], DAY_1 + timedelta(days=9)) == D("1000.00")
    assert planned_value([ten_days], DAY_1 + timedelta(days=400)) == D("1000.00")


def test_planned_value_rounds_the_total_once():
    three_days = DeliverableInput(
        budget=D("100"), planned_start=DAY_1, planned_finish=DAY_1 + timedelta(days=2),
        percent_complete=0, story_points=0, status="todo", kind="other", iteration_id=None,
    )
    # 33.333... each; three of them on day 1 sum to 100.00, not 99.99.
    assert planned_value([three_days] * 3, DAY_1) == D("100.00")


def test_empty_inputs_are_zero():
    assert planned_value([], DAY_1) == D("0.00")
    assert earned_value([]) == D("0.00")


# --- EVM edge cases --------------------------------------------------------------------------

def test_nothing_spent_cpi_and_cost_based_figures_are_null_with_reasons():
    figures = evm_figures(bac=D("4000"), pv=D("1000"), ev=D("500"), ac=D("0"))
    assert figures["cpi"].value is None
    assert "AC = 0" in figures["cpi"].reason
    for name in ("eac", "eac_cpi", "etc", "vac", "eac_cpi_spi", "tcpi_eac"):
        assert figures[name].value is None, name
        assert figures[name].reason, name
    assert figures["spi"].value == D("0.5000")
    assert figures["cv"].value == D("500.00")
    assert figures["eac_atypical"].value == D("3500.00")
    assert figures["tcpi_bac"].value == D("0.8750")


def test_nothing_planned_yet_spi_is_null_with_reason():
    figures = evm_figures(bac=D("4000"), pv=D("0"), ev=D("0"), ac=D("0"))
    assert figures["spi"].value is None
    assert "PV = 0" in figures["spi"].reason
    assert figures["cpi"].value is None
    assert figures["sv"].value == D("0.00")
    assert figures["tcpi_bac"].value == D("1.0000")


def test_spent_but_nothing_earned_cpi_zero_and_eac_null():
    figures = evm_figures(bac=D("4000"), pv=D("1000"), ev=D("0"), ac=D("300"))
    assert figures["cpi"].value == D("0.0000")
    assert figures["spi"].value == D("0.0000")
    assert figures["eac"].value is None
    assert "EV = 0" in figures["eac"].reason
    assert figures["eac_cpi_spi"].value is None
    assert figures["eac_atypical"].value == D("4300.00")


def test_finished_on_budget_tcpi_bac_null_as_zero_over_zero():
    figures = evm_figures(bac=D("4000"), pv=D("4000"), ev=D("4000"), ac=D("4000"))
    assert figures["cpi"].value == D("1.0000")
    assert figures["eac"].value == D("4000.00")
    assert figures["etc"].value == D("0.00")
    assert figures["vac"].value == D("0.00")
    assert figures["tcpi_bac"].value is None
    assert "0 / 0" in figures["tcpi_bac"].reason
    assert figures["tcpi_eac"].value is None
    assert "no work remains" in figures["tcpi_eac"].reason


def test_finished_under_budget_tcpi_bac_zero():
    figures = evm_figures(bac=D("4000"), pv=D("4000"), ev=D("4000"), ac=D("3600"))
    assert figures["tcpi_bac"].value == D("0.0000")
    assert figures["vac"].value == D("400.00")


def test_budget_spent_with_work_remaining_tcpi_bac_null():
    figures = evm_figures(bac=D("4000"), pv=D("4000"), ev=D("3000"), ac=D("4000"))
    assert figures["tcpi_bac"].value is None
    assert "AC = BAC" in figures["tcpi_bac"].reason
    assert figures["tcpi_eac"].value == D("0.7500")


def test_over_budget_tcpi_bac_null_meaning_bac_unattainable():
    figures = evm_figures(bac=D("4000"), pv=D("4000"), ev=D("3000"), ac=D("4500"))
    assert figures["tcpi_bac"].value is None
    assert "over budget" in figures["tcpi_bac"].reason
    assert figures["tcpi"] == figures["tcpi_bac"]
    # TCPI(EAC) stays defined: the efficiency needed to finish at the current EAC.
    assert figures["eac"].value == D("6000.00")
    assert figures["tcpi_eac"].value == D("0.6667")
    assert figures["cv"].value == D("-1500.00")


def test_figure_reason_is_set_exactly_when_value_is_null():
    with pytest.raises(ValueError, match="reason"):
        Figure(None)
    with pytest.raises(ValueError, match="reason"):
        Figure(D("1"), "why")
    for figure in fence_figures().values():
        assert (figure.value is None) == bool(figure.reason)


# --- AgileEVM --------------------------------------------------------------------------------

def test_agile_evm_release_figures():
    figures = values(agile_evm_figures(
        bac=D("10000"), iterations_planned=10, iterations_completed=4,
        points_planned=200, points_accepted=70, ac=D("4000"),
    ))
    assert figures["planned_percent_complete"] == D("40.00")
    assert figures["actual_percent_complete"] == D("35.00")
    assert figures["apv"] == D("4000.00")
    assert figures["aev"] == D("3500.00")
    assert figures["aac"] == D("4000.00")
    assert figures["acpi"] == D("0.8750")
    assert figures["aspi"] == D("0.8750")
    # 10 / 0.875 = 11.43 iterations at this pace.
    assert figures["expected_iterations"] == D("11.43")


def test_agile_evm_zero_iterations_and_points_are_null():
    figures = agile_evm_figures(
        bac=D("10000"), iterations_planned=0, iterations_completed=0,
        points_planned=0, points_accepted=0, ac=D("0"),
    )
    for name in ("planned_percent_complete", "actual_percent_complete", "apv", "aev",
                 "acpi", "aspi", "expected_iterations"):
        assert figures[name].value is None, name
        assert figures[name].reason, name
    assert "iterations" in figures["apv"].reason
    assert "story points" in figures["aev"].reason


def test_agile_evm_no_iteration_completed_yet_aspi_null():
    figures = agile_evm_figures(
        bac=D("10000"), iterations_planned=5, iterations_completed=0,
        points_planned=100, points_accepted=10, ac=D("0"),
    )
    assert figures["apv"].value == D("0.00")
    assert figures["aev"].value == D("1000.00")
    assert figures["aspi"].value is None
    assert "APV = 0" in figures["aspi"].reason
    assert figures["acpi"].value is None
    assert "AC = 0" in figures["acpi"].reason


def test_agile_evm_nothing_accepted_expected_iterations_null():
    figures = agile_evm_figures(
        bac=D("1000"), iterations_planned=5, iterations_completed=2,
        points_planned=100, points_accepted=0, ac=D("200"),
    )
    assert figures["aspi"].value == D("0.0000")
    assert figures["expected_iterations"].value is None


# --- Delivery --------------------------------------------------------------------------------

def test_velocity_uses_the_last_three_finished_iterations():
    figures = delivery_figures(
        accepted_points_last_iterations=[100, 20, 25, 30],
        committed_points_last_iterations=[100, 25, 25, 40],
        deliverables_total=8, deliverables_accepted=3, launches_planned=4, launches_done=1,
    )
    assert figures["velocity"].value == D("25.00")
    assert figures["velocity_iterations"].value == 3
    assert figures["say_do_ratio"].value == D("0.8333")
    assert figures["deliverables_accepted_percent"].value == D("37.50")
    assert figures["launches_planned"].value == 4
    assert figures["launches_done"].value == 1
    assert figures["launches_done_percent"].value == D("25.00")


def test_velocity_with_fewer_than_three_finished_iterations_uses_those_there_are():
    figures = delivery_figures(
        accepted_points_last_iterations=[10, 15], committed_points_last_iterations=[12, 18],
        deliverables_total=0, deliverables_accepted=0, launches_planned=0, launches_done=0,
    )
    assert figures["velocity"].value == D("12.50")
    assert figures["velocity_iterations"].value == 2
    assert figures["deliverables_accepted_percent"].value is None
    assert figures["launches_done_percent"].value is None


def test_no_finished_iteration_velocity_and_say_do_null():
    figures = delivery_figures(
        accepted_points_last_iterations=[], committed_points_last_iterations=[],
        deliverables_total=2, deliverables_accepted=2, launches_planned=1, launches_done=1,
    )
    assert figures["velocity"].value is None
    assert figures["velocity"].reason
    assert figures["say_do_ratio"].value is None
    assert figures["deliverables_accepted_percent"].value == D("100.00")


def test_say_do_with_zero_committed_is_null_with_reason():
    figures = delivery_figures(
        accepted_points_last_iterations=[0, 0], committed_points_last_iterations=[0, 0],
        deliverables_total=1, deliverables_accepted=0, launches_planned=0, launches_done=0,
    )
    assert figures["velocity"].value == D("0.00")
    assert figures["say_do_ratio"].value is None
    assert "0 committed" in figures["say_do_ratio"].reason


# --- KPI status ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [("95", "green"), ("90", "green"), ("85", "amber"), ("80", "amber"), ("79.99", "red")],
)
def test_kpi_status_higher_is_better_including_the_thresholds(value, expected):
    assert kpi_status(
        value=D(value), target=D("95"), green_threshold=D("90"), red_threshold=D("80"),
        direction="higher",
    ) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "green"), ("2", "green"), ("3", "amber"), ("5", "amber"), ("5.01", "red")],
)
def test_kpi_status_lower_is_better_including_the_thresholds(value, expected):
    assert kpi_status(
        value=D(value), target=D("1"), green_threshold=D("2"), red_threshold=D("5"),
        direction="lower",
    ) == expected


def test_kpi_status_accepts_plain_numbers():
    assert kpi_status(value=D("3"), target=4, green_threshold=4, red_threshold="2",
                      direction="higher") == "amber"


# --- Stakeholders and risks ------------------------------------------------------------------

def test_stakeholder_health_figures():
    figures = stakeholder_health_figures(
        key_stakeholders=4, key_at_or_above_desired=3, communications_overdue=2,
    )
    assert figures["key_stakeholders_at_desired_percent"].value == D("75.00")
    assert figures["communications_overdue"].value == 2
    none = stakeholder_health_figures(
        key_stakeholders=0, key_at_or_above_desired=0, communications_overdue=0,
    )
    assert none["key_stakeholders_at_desired_percent"].value is None
    assert "key stakeholders" in none["key_stakeholders_at_desired_percent"].reason


def test_risk_exposure_figures():
    figures = risk_exposure_figures(open_scores=[6, 12, 20], red_count=1)
    assert figures["risk_exposure"].value == 38
    assert figures["risks_open"].value == 3
    assert figures["risks_red"].value == 1
    empty = risk_exposure_figures(open_scores=[], red_count=0)
    assert empty["risk_exposure"].value == 0


# --- Overall health --------------------------------------------------------------------------

def test_overall_health_green_without_reasons():
    figures = {"cpi": Figure(D("1.0")), "spi": Figure(D("0.95")),
               "bac": Figure(D("100")), "ac": Figure(D("50"))}
    assert overall_health(figures, ["green", "amber"]) == ("green", [])


def test_overall_health_null_figures_trigger_nothing():
    figures = {"cpi": Figure(None, "AC = 0"), "spi": Figure(None, "PV = 0")}
    assert overall_health(figures, []) == ("green", [])


@pytest.mark.parametrize(
    ("cpi", "expected"),
    [("0.9000", "green"), ("0.8999", "amber"), ("0.8000", "amber"), ("0.7999", "red")],
)
def test_overall_health_cpi_thresholds(cpi, expected):
    health, reasons = overall_health({"cpi": Figure(D(cpi))}, [])
    assert health == expected
    assert bool(reasons) == (expected != "green")


def test_overall_health_fence_is_amber_with_cpi_and_spi_reasons():
    health, reasons = overall_health(fence_figures(), [])
    assert health == "amber"
    assert any("CPI 0.8929" in reason for reason in reasons)
    assert any("SPI 0.8333" in reason for reason in reasons)


def test_overall_health_red_is_worst_and_lists_every_reason():
    figures = {
        "cpi": Figure(D("0.95")), "spi": Figure(D("0.7")),
        "bac": Figure(D("100")), "ac": Figure(D("120")),
        "say_do_ratio": Figure(D("0.5")), "risks_red": Figure(D("1")),
        "key_stakeholders_at_desired_percent": Figure(D("25")),
        "communications_overdue": Figure(D("2")),
    }
    health, reasons = overall_health(figures, ["red"])
    assert health == "red"
    assert len(reasons) == 7
    assert any("Over budget" in reason for reason in reasons)
    assert any("SPI 0.7" in reason for reason in reasons)


def test_overall_health_kpis_and_risks_escalate():
    assert overall_health({}, ["red"])[0] == "amber"
    assert overall_health({}, ["red", "red"])[0] == "red"
    assert overall_health({}, ["amber", "amber"])[0] == "green"
    assert overall_health({"risks_red": Figure(D("2"))}, [])[0] == "amber"
    assert overall_health({"risks_red": Figure(D("3"))}, [])[0] == "red"
    assert overall_health({"risks_red": Figure(D("0"))}, [])[0] == "green"

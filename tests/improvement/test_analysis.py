"""The value-stream formulas and WSJF, checked against figures computed by hand."""

from decimal import Decimal

import pytest

from improvement.analysis import (
    IDLE,
    NO_CAPACITY,
    NO_STEPS,
    StepInput,
    analyse_process,
    compare_versions,
    cost_of_delay,
    wsjf,
)

D = Decimal


def step(position, name="", *, process="0", wait="0", accurate="100", capacity="0",
         demand="0", value_added=True):
    return StepInput(
        position=position, name=name or f"Step {position}", process_time_hours=D(process),
        wait_time_hours=D(wait), percent_complete_accurate=D(accurate),
        capacity_per_week=D(capacity), demand_per_week=D(demand), value_added=value_added,
    )


# A permit process drawn by hand: 4 steps, 40 requests a week arrive.
PERMIT = [
    step(1, "Receive", process="1", wait="0", accurate="90", capacity="50", demand="40",
         value_added=False),
    step(2, "Review", process="2", wait="24", accurate="80", capacity="30", demand="40"),
    step(3, "Approve", process="0.5", wait="48", accurate="95", capacity="60", demand="40"),
    step(4, "Send", process="0.5", wait="4", accurate="100", capacity="100", demand="40"),
]


def test_worked_example():
    # Process 1 + 2 + 0.5 + 0.5 = 4 h; waits 0 + 24 + 48 + 4 = 76 h; lead time 80 h.
    # Value-added: steps 2-4 = 3 h, PCE 3 / 80 = 0.0375. RTY 0.9 x 0.8 x 0.95 x 1 = 0.684.
    result = analyse_process(list(reversed(PERMIT)))  # order of input does not matter
    assert result.step_count == 4
    assert result.total_process_time.value == D("4.00")
    assert result.total_wait_time.value == D("76.00")
    assert result.lead_time.value == D("80.00")
    assert result.value_added_time.value == D("3.00")
    assert result.pce.value == D("0.0375")
    assert result.rty.value == D("0.6840")
    # Utilization 40/50, 40/30, 40/60, 40/100.
    assert [s.utilization.value for s in result.steps] == [
        D("0.8000"), D("1.3333"), D("0.6667"), D("0.4000")
    ]
    assert result.constraint_position == 2
    assert result.tied_positions == (2,)
    assert result.constraint.name == "Review"
    assert "Step 2 (Review) has the highest utilization (1.3333)" in (
        result.constraint_explanation
    )
    # The lowest of 50, 30, 60, 100 and the 40 arriving: 30, set by Review.
    assert result.throughput_per_week.value == D("30.00")
    assert "capacity of step 2 (Review)" in result.throughput_explanation


def test_throughput_limited_by_demand_arriving():
    result = analyse_process([step(1, capacity="50", demand="10"), step(2, capacity="20")])
    assert result.throughput_per_week.value == D("10.00")
    assert "demand arriving at the first step" in result.throughput_explanation


def test_ties_name_every_tied_step_and_the_first_as_constraint():
    result = analyse_process([
        step(1, "A", capacity="40", demand="20"),
        step(2, "B", capacity="20", demand="20"),
        step(3, "C", capacity="10", demand="10"),
    ])
    assert result.tied_positions == (2, 3)
    assert result.constraint_position == 2
    assert "Steps 2, 3 tie on the highest utilization (1.0000)" in (
        result.constraint_explanation
    )
    assert "step 2 (B), the first, is named the constraint" in result.constraint_explanation


def test_rounding_does_not_make_ties():
    # 1/3 and 3333/10000 both show 0.3333, but only the first is the higher load.
    result = analyse_process([
        step(1, capacity="10000", demand="3333"), step(2, capacity="3", demand="1"),
    ])
    assert [s.utilization.value for s in result.steps] == [D("0.3333"), D("0.3333")]
    assert result.tied_positions == (2,)


def test_zero_capacity_with_demand_is_the_constraint_and_stops_throughput():
    result = analyse_process([
        step(1, "Intake", capacity="50", demand="10"),
        step(2, "Legal check", capacity="0", demand="10"),
        step(3, "Filing", capacity="0", demand="0"),
    ])
    assert result.steps[1].utilization.value is None
    assert result.steps[1].utilization.reason == NO_CAPACITY
    assert result.steps[1].has_no_capacity
    assert result.steps[2].utilization.reason == IDLE
    assert result.constraint_position == 2
    assert result.constraint_explanation == "Step 2 (Legal check) has demand but no capacity."
    assert result.throughput_per_week.value == D("0.00")


def test_several_steps_without_capacity_tie():
    result = analyse_process([
        step(1, "A", capacity="0", demand="5"), step(2, "B", capacity="0", demand="5"),
    ])
    assert result.tied_positions == (1, 2)
    assert "the first, is the constraint" in result.constraint_explanation


def test_idle_steps_only_have_no_constraint_nor_throughput():
    result = analyse_process([step(1, process="2", wait="2"), step(2, process="1")])
    assert result.constraint_position is None
    assert result.tied_positions == ()
    assert result.throughput_per_week.value is None
    assert result.throughput_per_week.reason == "No step has capacity or demand recorded."
    assert result.lead_time.value == D("5.00")


def test_without_demand_the_lowest_capacity_is_the_constraint():
    result = analyse_process([step(1, capacity="50"), step(2, capacity="20"),
                              step(3, capacity="35")])
    assert [s.utilization.value for s in result.steps] == [D("0.0000")] * 3
    assert result.constraint_position == 2
    assert "lowest capacity (20 per week)" in result.constraint_explanation


def test_zero_lead_time_leaves_pce_undefined():
    result = analyse_process([step(1, capacity="5", demand="1")])
    assert result.lead_time.value == D("0.00")
    assert result.pce.value is None
    assert "Lead time is zero" in result.pce.reason


def test_rty_multiplies_every_step_and_zero_accuracy_gives_zero():
    assert analyse_process([step(1, accurate="50"), step(2, accurate="50")]).rty.value == (
        D("0.2500")
    )
    assert analyse_process([step(1, accurate="0"), step(2)]).rty.value == D("0.0000")


def test_no_steps_is_an_empty_analysis_with_the_reason():
    result = analyse_process([])
    assert result.step_count == 0
    for figure in (result.lead_time, result.pce, result.rty, result.throughput_per_week):
        assert figure.value is None
        assert figure.reason == NO_STEPS
    assert result.constraint is None


def test_compare_versions_before_and_after():
    before = analyse_process(PERMIT)
    # The redesign removes the 24 h and 12 of the 48 h waits: lead 80 -> 44 h.
    after = analyse_process([
        PERMIT[0], step(2, "Review", process="2", wait="0", accurate="80", capacity="30"),
        step(3, "Approve", process="0.5", wait="36"), PERMIT[3],
    ])
    comparison = compare_versions(before, after)
    assert comparison.lead_time_before.value == D("80.00")
    assert comparison.lead_time_after.value == D("44.00")
    assert comparison.lead_time_delta.value == D("-36.00")
    assert comparison.lead_time_change_percent.value == D("-45.00")
    # PCE 3/80 = 0.0375 -> 3/44 = 0.0682 (0.06818...): delta 0.0307, +81.87 %.
    assert comparison.pce_after.value == D("0.0682")
    assert comparison.pce_delta.value == D("0.0307")
    assert comparison.pce_change_percent.value == D("81.87")
    assert comparison.reasons == []


def test_compare_versions_with_zero_or_undefined_before():
    zero = analyse_process([step(1)])
    after = analyse_process(PERMIT)
    comparison = compare_versions(zero, after)
    assert comparison.lead_time_delta.value == D("80.00")
    assert comparison.lead_time_change_percent.value is None
    assert "previous lead time is zero" in comparison.lead_time_change_percent.reason
    assert comparison.pce_delta.value is None
    assert comparison.pce_delta.reason == "The PCE of one version is undefined."
    assert compare_versions(analyse_process([]), after).lead_time_delta.value is None


@pytest.mark.parametrize(
    ("scores", "delay", "expected"),
    [
        ((8, 5, 3, 5), 16, D("3.20")),
        ((13, 8, 8, 8), 29, D("3.63")),  # 3.625 rounds half up
        ((1, 1, 1, 20), 3, D("0.15")),
        ((1, 1, 1, 8), 3, D("0.38")),  # 0.375 rounds half up
        ((20, 20, 20, 1), 60, D("60.00")),
        ((5, 5, 1, 3), 11, D("3.67")),
    ],
)
def test_cost_of_delay_and_wsjf(scores, delay, expected):
    assert cost_of_delay(*scores[:3]) == delay
    assert wsjf(*scores) == expected

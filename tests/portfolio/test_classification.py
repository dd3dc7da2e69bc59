"""Gartner TIME and WSJF: the Python formulas at every input, and their SQL twins agreeing."""

import itertools

import pytest
from django.test import override_settings

from portfolio import classification
from portfolio.choices import RelativeSize, TimeClass
from portfolio.models import Application, Demand
from tests.factories import ApplicationFactory, DemandFactory, OrganizationFactory

FITS = (1, 2, 3, 4)
DEFAULT_TIME = {
    # (functional, technical): class, under the default thresholds (high from 3).
    (1, 1): TimeClass.ELIMINATE, (1, 2): TimeClass.ELIMINATE,
    (2, 1): TimeClass.ELIMINATE, (2, 2): TimeClass.ELIMINATE,
    (1, 3): TimeClass.TOLERATE, (1, 4): TimeClass.TOLERATE,
    (2, 3): TimeClass.TOLERATE, (2, 4): TimeClass.TOLERATE,
    (3, 1): TimeClass.MIGRATE, (3, 2): TimeClass.MIGRATE,
    (4, 1): TimeClass.MIGRATE, (4, 2): TimeClass.MIGRATE,
    (3, 3): TimeClass.INVEST, (3, 4): TimeClass.INVEST,
    (4, 3): TimeClass.INVEST, (4, 4): TimeClass.INVEST,
}
THRESHOLDS = {
    "POWER_HIGH_FROM": 3, "INTEREST_HIGH_FROM": 3, "RISK_MEDIUM_FROM": 5,
    "RISK_HIGH_FROM": 10, "RISK_CRITICAL_FROM": 15,
    "FUNCTIONAL_FIT_HIGH_FROM": 3, "TECHNICAL_FIT_HIGH_FROM": 3,
}


def test_the_table_covers_all_sixteen_fit_pairs():
    assert set(DEFAULT_TIME) == set(itertools.product(FITS, FITS))
    classes = list(DEFAULT_TIME.values())
    assert {time: classes.count(time) for time in TimeClass} == dict.fromkeys(TimeClass, 4)


@pytest.mark.parametrize(("functional", "technical"), sorted(DEFAULT_TIME))
def test_time_class_with_default_thresholds(functional, technical):
    assert classification.time_class(functional, technical) == DEFAULT_TIME[
        (functional, technical)
    ]


@pytest.mark.parametrize(("functional", "technical"), [(None, 3), (3, None), (None, None)])
def test_unassessed_applications_have_no_class(functional, technical):
    assert classification.time_class(functional, technical) is None


def test_thresholds_are_read_at_call_time():
    strict = {**THRESHOLDS, "FUNCTIONAL_FIT_HIGH_FROM": 4, "TECHNICAL_FIT_HIGH_FROM": 2}
    with override_settings(PMO_THRESHOLDS=strict):
        assert classification.time_class(3, 2) == TimeClass.TOLERATE  # 3 is now low
        assert classification.time_class(4, 2) == TimeClass.INVEST  # 2 is now high
        assert classification.time_class(4, 1) == TimeClass.MIGRATE
        assert classification.time_class(3, 1) == TimeClass.ELIMINATE
    assert classification.time_class(3, 2) == TimeClass.MIGRATE  # back to the defaults


def test_final_class_is_the_override_when_there_is_one():
    assert classification.final_time_class("", TimeClass.MIGRATE) == TimeClass.MIGRATE
    assert classification.final_time_class("", None) is None
    assert classification.final_time_class("invest", TimeClass.ELIMINATE) == TimeClass.INVEST
    assert classification.final_time_class("tolerate", None) == TimeClass.TOLERATE
    application = Application(functional_fit=1, technical_fit=1)
    assert (application.time_computed, application.time_class) == (
        TimeClass.ELIMINATE, TimeClass.ELIMINATE
    )
    application.time_override = TimeClass.INVEST
    assert (application.time_computed, application.time_class) == (
        TimeClass.ELIMINATE, TimeClass.INVEST
    )


def _portfolio():
    """Every fit pair, the unassessed cases, and overridden rows (one per class)."""
    organization = OrganizationFactory()
    rows = [
        ApplicationFactory(organization=organization, functional_fit=f, technical_fit=t)
        for f, t in sorted(DEFAULT_TIME)
    ]
    rows += [
        ApplicationFactory(organization=organization, functional_fit=f, technical_fit=t)
        for f, t in ((None, 2), (4, None), (None, None))
    ]
    rows += [
        ApplicationFactory(
            organization=organization, functional_fit=f, technical_fit=t, time_override=o,
            time_override_rationale="Decided by the architecture board.",
        )
        for f, t, o in ((1, 1, "invest"), (4, 4, "eliminate"), (None, None, "tolerate"),
                        (3, 1, "migrate"))
    ]
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("thresholds", [
    {}, {"FUNCTIONAL_FIT_HIGH_FROM": 2, "TECHNICAL_FIT_HIGH_FROM": 4},
], ids=["default", "overridden"])
def test_sql_annotations_agree_with_python(thresholds):
    _portfolio()
    with override_settings(PMO_THRESHOLDS={**THRESHOLDS, **thresholds}):
        annotated = list(Application.objects.with_classification())
        assert len(annotated) == 23
        for row in annotated:
            assert row.time_computed_value == row.time_computed, row
            assert row.time_class_value == row.time_class, row
        for time in TimeClass:
            expected = {row.pk for row in annotated if row.time_class == time}
            filtered = set(Application.objects.in_time_class(time).values_list("pk", flat=True))
            assert filtered == expected, time
            computed = {row.pk for row in annotated if row.time_computed == time}
            assert set(
                Application.objects.filter(classification.time_class_filter(time))
                .values_list("pk", flat=True)
            ) == computed, time
            assert expected  # every class is represented, so no check is vacuous


@pytest.mark.django_db
def test_in_time_class_uses_the_override_not_the_fits():
    organization = OrganizationFactory()
    computed_invest = ApplicationFactory(organization=organization, functional_fit=4,
                                         technical_fit=4)
    overridden = ApplicationFactory(
        organization=organization, functional_fit=4, technical_fit=4, time_override="eliminate",
        time_override_rationale="Replaced by the regional platform next year.",
    )
    invest = set(Application.objects.in_time_class("invest"))
    eliminate = set(Application.objects.in_time_class("eliminate"))
    assert invest == {computed_invest}
    assert eliminate == {overridden}


# --- WSJF ---


@pytest.mark.parametrize(
    ("value", "urgency", "risk", "effort", "priority"),
    [
        (8, 5, 3, 2, 8.0),  # (8+5+3)/2
        (1, 1, 1, 20, 0.15),  # the lowest possible
        (20, 20, 20, 1, 60.0),  # the highest possible
        (1, 0, 0, 20, 0.05),  # 1/20
        (2, 2, 3, 3, 2.33),  # 7/3 rounds down
        (2, 3, 3, 3, 2.67),  # 8/3 rounds up
        (13, 8, 5, 13, 2.0),
    ],
)
def test_demand_priority_is_wsjf_to_two_decimals(value, urgency, risk, effort, priority):
    assert classification.demand_priority(value, urgency, risk, effort) == priority


def _is_exact_tie(cost_of_delay: int, effort: int) -> bool:
    """Whether the score ends in exactly 5 at the third decimal (only eighths do here)."""
    return (cost_of_delay * 1000) % effort == 0 and (cost_of_delay * 1000 // effort) % 10 == 5


@pytest.mark.django_db
def test_sql_priority_agrees_with_python_over_the_scale():
    organization = OrganizationFactory()
    sizes = RelativeSize.values
    combinations = [
        (v, u, r, e) for v in sizes[::2] for u in sizes[1::3] for r in (1, 20) for e in sizes
    ]
    for value, urgency, risk, effort in combinations:
        DemandFactory(organization=organization, business_value=value, urgency=urgency,
                      risk_reduction=risk, effort=effort)
    rows = list(Demand.objects.with_priority())
    assert len(rows) == len(combinations)
    for row in rows:
        assert row.priority_value == pytest.approx(row.priority, abs=1e-9), row
        assert row.priority_value == round(row.priority_value, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "urgency", "risk", "effort", "priority"), [
    (13, 8, 8, 8, 3.63),  # 29/8 = 3.625
    (1, 2, 2, 8, 0.63),  # 5/8 = 0.625
])
def test_priority_ties_round_half_up_in_python_as_in_sql(value, urgency, risk, effort, priority):
    assert _is_exact_tie(value + urgency + risk, effort)
    DemandFactory(business_value=value, urgency=urgency, risk_reduction=risk, effort=effort)
    row = Demand.objects.with_priority().get()
    assert row.priority_value == priority
    assert classification.demand_priority(value, urgency, risk, effort) == priority


# --- Threshold checks ---


@pytest.mark.parametrize(("functional", "technical", "bad"), [
    (3, 3, []),
    (2, 4, []),
    (1, 3, ["FUNCTIONAL_FIT_HIGH_FROM"]),
    (3, 5, ["TECHNICAL_FIT_HIGH_FROM"]),
    (0, 7, ["FUNCTIONAL_FIT_HIGH_FROM", "TECHNICAL_FIT_HIGH_FROM"]),
])
def test_threshold_check_messages(functional, technical, bad):
    settings = {**THRESHOLDS, "FUNCTIONAL_FIT_HIGH_FROM": functional,
                "TECHNICAL_FIT_HIGH_FROM": technical}
    with override_settings(PMO_THRESHOLDS=settings):
        errors = classification.check_thresholds()
    assert [error.id for error in errors] == ["portfolio.E001"] * len(bad)
    for error, name in zip(errors, bad, strict=True):
        value = settings[name]
        assert error.msg == (
            f"PMO_THRESHOLDS['{name}'] is {value}; it must be 2, 3 or 4 so both halves "
            "of the TIME chart exist."
        )

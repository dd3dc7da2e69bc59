"""Staffing services: needs, assignments under the capacity rule, one-click assignment from a
match, and the load selectors behind them (daily load, the bench's weekly allocation)."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements import selectors, services
from engagements.choices import EngagementStatus, NeedStatus
from engagements.models import Assignment, StaffingNeed
from pmo_service.exceptions import ConflictError
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    EngagementFactory,
    RoleFactory,
    SkillFactory,
    StaffingNeedFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def engagement():
    return EngagementFactory(planned_start=D(2030, 1, 1), planned_end=D(2030, 12, 31))


def _assign(actor, engagement, consultant, allocation, start, end, **extra) -> Assignment:
    return services.assignment_create(
        actor=actor, engagement=engagement, consultant=consultant, role=RoleFactory(),
        allocation_percent=allocation, start_on=start, end_on=end, **extra,
    )


# --- Staffing needs ----------------------------------------------------------------------------


def test_staff_open_a_need_with_required_skills(staff_user, engagement):
    agile, risk = SkillFactory(), SkillFactory()
    need = services.staffing_need_create(
        engagement=engagement, actor=staff_user, role=RoleFactory(), seniority="senior",
        allocation_percent=50, start_on=D(2030, 2, 1), end_on=D(2030, 5, 31), language="es",
        skills={agile: 4, risk: 2}, note="Bilingual",
    )
    assert need.status == NeedStatus.OPEN
    assert dict(need.skill_requirements.values_list("skill_id", "minimum_level")) == {
        agile.pk: 4, risk.pk: 2
    }
    services.staffing_need_update(need=need, actor=staff_user, skills={risk: 5},
                                  allocation_percent=80)
    need.refresh_from_db()
    assert need.allocation_percent == 80
    assert dict(need.skill_requirements.values_list("skill_id", "minimum_level")) == {
        risk.pk: 5
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"allocation_percent": 0}, "allocation_percent"),
        ({"allocation_percent": 101}, "allocation_percent"),
        ({"allocation_percent": "50"}, "allocation_percent"),
        ({"start_on": D(2029, 12, 31)}, "start_on"),
        ({"end_on": D(2031, 1, 1)}, "end_on"),
        ({"start_on": D(2030, 3, 1), "end_on": D(2030, 2, 1)}, "end_on"),
        ({"start_on": "2030-03-01"}, "start_on"),
        ({"seniority": "guru"}, "seniority"),
        ({"language": "xx"}, "language"),
        ({"skills": {"not": 0}}, "skills"),
        ({"skills": {"s": 6}}, "skills"),
    ],
)
def test_need_input_is_refused_on_its_field(staff_user, engagement, fields, field):
    values = {"role": RoleFactory(), "seniority": "mid", "allocation_percent": 50,
              "start_on": D(2030, 2, 1), "end_on": D(2030, 3, 1), **fields}
    with pytest.raises(ValidationError) as error:
        services.staffing_need_create(engagement=engagement, actor=staff_user, **values)
    assert field in error.value.message_dict
    assert not StaffingNeed.objects.exists()


@pytest.mark.parametrize("status", [EngagementStatus.CLOSING, EngagementStatus.CLOSED,
                                    EngagementStatus.CANCELLED])
def test_winding_down_engagements_take_no_needs_or_team(staff_user, status):
    engagement = EngagementFactory(status=status)
    with pytest.raises(ConflictError, match="takes no more staffing needs"):
        services.staffing_need_create(
            engagement=engagement, actor=staff_user, role=RoleFactory(), seniority="mid",
            allocation_percent=50, start_on=engagement.planned_start,
            end_on=engagement.planned_end,
        )
    with pytest.raises(ConflictError, match="takes no more team members"):
        _assign(staff_user, engagement, ConsultantFactory(), 50, engagement.planned_start,
                engagement.planned_end)


def test_only_open_needs_change_or_cancel(staff_user, engagement):
    need = StaffingNeedFactory(engagement=engagement)
    services.staffing_need_cancel(need=need, actor=staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.CANCELLED
    with pytest.raises(ConflictError, match="cancelled"):
        services.staffing_need_cancel(need=need, actor=staff_user)
    with pytest.raises(ConflictError):
        services.staffing_need_update(need=need, actor=staff_user, note="again")
    filled = StaffingNeedFactory(engagement=engagement, status=NeedStatus.FILLED)
    with pytest.raises(ConflictError, match="filled"):
        services.staffing_need_update(need=filled, actor=staff_user, allocation_percent=20)


def test_clients_cannot_touch_staffing(user_a, org_a):
    engagement = EngagementFactory(organization=org_a)
    need = StaffingNeedFactory(engagement=engagement)
    consultant = ConsultantFactory()
    calls = [
        lambda: services.staffing_need_create(
            engagement=engagement, actor=user_a, role=RoleFactory(), seniority="mid",
            allocation_percent=50, start_on=need.start_on, end_on=need.end_on),
        lambda: services.staffing_need_update(need=need, actor=user_a, note="x"),
        lambda: services.staffing_need_cancel(need=need, actor=user_a),
        lambda: services.assign_from_match(need=need, consultant=consultant, actor=user_a),
        lambda: _assign(user_a, engagement, consultant, 10, need.start_on, need.end_on),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not Assignment.objects.exists()
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


# --- Assignments and capacity --------------------------------------------------------------------


def test_assignments_add_up_to_capacity_and_not_a_point_more(staff_user, engagement):
    consultant = ConsultantFactory(full_name="Marta Gil", capacity_percent=80)
    other = EngagementFactory(planned_start=D(2030, 1, 1), planned_end=D(2030, 12, 31))
    _assign(staff_user, engagement, consultant, 50, D(2030, 3, 1), D(2030, 3, 31))
    _assign(staff_user, other, consultant, 30, D(2030, 3, 15), D(2030, 4, 30))
    with pytest.raises(ConflictError) as error:
        _assign(staff_user, EngagementFactory(planned_start=D(2030, 1, 1),
                                              planned_end=D(2030, 12, 31)),
                consultant, 10, D(2030, 2, 1), D(2030, 3, 20))
    assert str(error.value) == (
        "Marta Gil would be at 90% on 2030-03-15, above their capacity of 80%."
    )
    # Outside the busy fortnight there is room; the last busy day still counts.
    third = EngagementFactory(planned_start=D(2030, 1, 1), planned_end=D(2030, 12, 31))
    _assign(staff_user, third, consultant, 20, D(2030, 4, 1), D(2030, 4, 30))
    with pytest.raises(ConflictError, match="on 2030-03-31"):
        services.assignment_update(assignment=third.assignments.get(), actor=staff_user,
                                   start_on=D(2030, 3, 31))
    assert max(selectors.consultant_daily_load(
        consultant_id=consultant.pk, start=D(2030, 1, 1), end=D(2030, 12, 31)
    )) == 80


def test_assignment_rules_refuse_bad_input(staff_user, engagement):
    consultant = ConsultantFactory()
    cases = [
        ({"allocation": 0}, "allocation_percent"),
        ({"allocation": 101}, "allocation_percent"),
        ({"start": D(2029, 12, 1)}, "start_on"),
        ({"end": D(2031, 1, 31)}, "end_on"),
        ({"start": D(2030, 5, 1), "end": D(2030, 4, 1)}, "end_on"),
        ({"consultant": ConsultantFactory(is_active=False)}, "consultant"),
    ]
    for overrides, field in cases:
        values = {"consultant": consultant, "allocation": 50, "start": D(2030, 2, 1),
                  "end": D(2030, 2, 28), **overrides}
        with pytest.raises(ValidationError) as error:
            _assign(staff_user, engagement, values["consultant"], values["allocation"],
                    values["start"], values["end"])
        assert field in error.value.message_dict, overrides
    assert not Assignment.objects.exists()


def test_one_assignment_at_a_time_per_engagement(staff_user, engagement):
    consultant = ConsultantFactory()
    _assign(staff_user, engagement, consultant, 20, D(2030, 1, 1), D(2030, 3, 31))
    with pytest.raises(ValidationError) as error:
        _assign(staff_user, engagement, consultant, 20, D(2030, 3, 31), D(2030, 6, 30))
    assert "already on this engagement" in " ".join(error.value.message_dict["consultant"])
    _assign(staff_user, engagement, consultant, 40, D(2030, 4, 1), D(2030, 6, 30))
    assert engagement.assignments.count() == 2


def test_update_counts_load_without_the_assignment_itself(staff_user, engagement):
    consultant = ConsultantFactory()
    assignment = _assign(staff_user, engagement, consultant, 70, D(2030, 2, 1), D(2030, 2, 28))
    services.assignment_update(assignment=assignment, actor=staff_user, allocation_percent=100,
                               end_on=D(2030, 3, 15))
    assignment.refresh_from_db()
    assert (assignment.allocation_percent, assignment.end_on) == (100, D(2030, 3, 15))
    with pytest.raises(TypeError, match="consultant"):
        services.assignment_update(assignment=assignment, actor=staff_user,
                                   consultant=ConsultantFactory())


def test_a_need_is_filled_by_an_assignment_and_reopened_by_its_removal(staff_user, engagement):
    need = StaffingNeedFactory(engagement=engagement, allocation_percent=60,
                               start_on=D(2030, 2, 1), end_on=D(2030, 4, 30))
    assignment = services.assign_from_match(need=need, consultant=ConsultantFactory(),
                                            actor=staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    assert (assignment.staffing_need, assignment.role, assignment.allocation_percent) == (
        need, need.role, 60
    )
    assert (assignment.start_on, assignment.end_on) == (need.start_on, need.end_on)
    with pytest.raises(ConflictError, match="filled"):
        services.assign_from_match(need=need, consultant=ConsultantFactory(), actor=staff_user)
    services.assignment_delete(assignment=assignment, actor=staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN
    assert not Assignment.objects.exists()


def test_a_need_of_another_engagement_cannot_be_filled_here(staff_user, engagement):
    foreign = StaffingNeedFactory()
    with pytest.raises(ValidationError) as error:
        _assign(staff_user, engagement, ConsultantFactory(), 10, D(2030, 2, 1), D(2030, 2, 2),
                staffing_need=foreign)
    assert "staffing_need" in error.value.message_dict
    foreign.refresh_from_db()
    assert foreign.status == NeedStatus.OPEN


def test_a_capacity_refusal_leaves_the_need_open(staff_user, engagement):
    consultant = ConsultantFactory(capacity_percent=50)
    need = StaffingNeedFactory(engagement=engagement, allocation_percent=60)
    with pytest.raises(ConflictError, match="above their capacity of 50%"):
        services.assign_from_match(need=need, consultant=consultant, actor=staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_started_assignments_are_history(staff_user):
    today = timezone.localdate()
    engagement = EngagementFactory(planned_start=today - timedelta(days=30),
                                   planned_end=today + timedelta(days=90))
    started = _assign(staff_user, engagement, ConsultantFactory(), 50, today, today)
    with pytest.raises(ConflictError, match="history"):
        services.assignment_delete(assignment=started, actor=staff_user)
    assert Assignment.objects.filter(pk=started.pk).exists()


# --- Load and the bench ------------------------------------------------------------------------


def test_daily_load_sums_overlapping_assignments_day_by_day():
    consultant = ConsultantFactory()
    AssignmentFactory(consultant=consultant, allocation_percent=30,
                      start_on=D(2030, 1, 2), end_on=D(2030, 1, 4))
    second = AssignmentFactory(consultant=consultant, allocation_percent=50,
                               start_on=D(2030, 1, 4), end_on=D(2030, 1, 10))
    AssignmentFactory(allocation_percent=100, start_on=D(2030, 1, 1), end_on=D(2030, 1, 31))
    load = selectors.consultant_daily_load(consultant_id=consultant.pk, start=D(2030, 1, 1),
                                           end=D(2030, 1, 5))
    assert load == [0, 30, 30, 80, 50]
    assert selectors.consultant_daily_load(
        consultant_id=consultant.pk, start=D(2030, 1, 1), end=D(2030, 1, 5),
        exclude_assignment_id=second.pk,
    ) == [0, 30, 30, 30, 0]
    assert selectors.consultant_daily_load(consultant_id=consultant.pk, start=D(2030, 1, 5),
                                           end=D(2030, 1, 4)) == []


def test_bench_shows_weekly_peaks_with_over_and_under_use():
    monday = D(2030, 1, 7)
    busy = ConsultantFactory(full_name="A busy", capacity_percent=80)
    AssignmentFactory(consultant=busy, allocation_percent=60, start_on=monday,
                      end_on=monday + timedelta(days=20))
    AssignmentFactory(consultant=busy, allocation_percent=30, start_on=monday + timedelta(days=9),
                      end_on=monday + timedelta(days=9))  # one day over: imported data
    idle = ConsultantFactory(full_name="B idle")
    ConsultantFactory(full_name="C gone", is_active=False)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.bench_allocation(start=monday, weeks=4)
    assert len(queries) == 2
    assert [row.consultant for row in rows] == [busy, idle]
    weeks = rows[0].weeks
    assert [week.starts_on for week in weeks] == [monday + timedelta(days=7 * i)
                                                  for i in range(4)]
    assert [week.allocation_percent for week in weeks] == [60, 90, 60, 0]
    assert [week.over for week in weeks] == [False, True, False, False]
    assert [week.under for week in weeks] == [False, False, False, True]  # < 40%
    assert rows[0].peak_percent == 90
    assert all(week.under and week.allocation_percent == 0 for week in rows[1].weeks)


def test_bench_costs_two_queries_whatever_its_size():
    for _ in range(5):
        AssignmentFactory(start_on=D(2030, 1, 7), end_on=D(2030, 2, 7))
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.bench_allocation(start=D(2030, 1, 7))
    assert len(rows) == 5
    assert len(rows[0].weeks) == 12
    assert len(queries) == 2


def test_assignment_and_need_lists_cost_the_same_for_2_or_6_rows():
    def queries(selector, touch) -> int:
        with CaptureQueriesContext(connection) as captured:
            for row in selector():
                touch(row)
        return len(captured)

    def touch_assignment(row):
        return (row.engagement.organization.name, row.consultant.full_name, row.role.name)

    def touch_need(row):
        return (row.engagement.organization.name, row.role.name,
                [requirement.skill.name for requirement in row.skill_requirements.all()])

    def add(count):
        for _ in range(count):
            AssignmentFactory()
            need = StaffingNeedFactory()
            need.skill_requirements.create(skill=SkillFactory(), minimum_level=3)

    add(2)
    few = (queries(selectors.assignment_list, touch_assignment),
           queries(selectors.staffing_need_list, touch_need))
    add(4)
    assert (queries(selectors.assignment_list, touch_assignment),
            queries(selectors.staffing_need_list, touch_need)) == few

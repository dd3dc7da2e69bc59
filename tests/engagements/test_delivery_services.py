"""Delivery services: iterations, deliverables and acceptance, time entries (one, pushed in
batches, and corrected), expenses and KPI measurements; who may write, the rules, and the
metrics signal."""

import math
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements import services
from engagements.choices import (
    DeliverableKind,
    DeliverableStatus,
    EngagementStatus,
    ExpenseCategory,
    IterationStatus,
)
from engagements.models import (
    Deliverable,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    TimeEntry,
)
from engagements.tasks import recompute_engagement_metrics
from pmo_service.exceptions import ConflictError
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
    IndicatorFactory,
    ServiceFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 6), date(2025, 6, 27)
MONDAY = date(2025, 3, 3)


@pytest.fixture
def engagement(org_a):
    return EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE,
                             planned_start=START, planned_end=END)


@pytest.fixture
def consultant(engagement):
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount=Decimal("600.00"), valid_from=date(2024, 1, 1))
    AssignmentFactory(engagement=engagement, consultant=consultant)
    return consultant


@pytest.fixture
def marked():
    with mock.patch("engagements.metrics.compute.mark_inputs_changed") as marked:
        yield marked


def _deliverable(actor, engagement, **fields):
    values = {"title": "Charter", "planned_start": START, "planned_finish": START +
              timedelta(days=30), "budget": Decimal("1000.00"), **fields}
    return services.deliverable_create(actor=actor, engagement=engagement, **values)


def _entry(engagement, consultant, **fields):
    return {"engagement": engagement, "consultant": consultant, "worked_on": MONDAY,
            "hours": Decimal("8"), **fields}


# --- Who may write, and history ------------------------------------------------------------------


def test_only_staff_write_delivery(user_a, engagement, consultant):
    calls = [
        lambda: services.iteration_create(actor=user_a, engagement=engagement, number=1,
                                          start_on=START, end_on=START + timedelta(days=13)),
        lambda: _deliverable(user_a, engagement),
        lambda: services.time_entry_create(actor=user_a, **_entry(engagement, consultant)),
        lambda: services.time_entries_bulk(actor=user_a, entries=[]),
        lambda: services.expense_create(actor=user_a, engagement=engagement, spent_on=MONDAY,
                                        amount=Decimal("10"), category=ExpenseCategory.TRAVEL),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Only PMO staff"):
            call()
    assert not Iteration.objects.exists()
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("status", [EngagementStatus.CLOSED, EngagementStatus.CANCELLED])
def test_closed_and_cancelled_engagements_take_no_delivery_changes(staff_user, consultant,
                                                                  engagement, status):
    deliverable = _deliverable(staff_user, engagement)
    engagement.status = status
    engagement.save()
    with pytest.raises(ConflictError, match="no more delivery changes"):
        _deliverable(staff_user, engagement)
    with pytest.raises(ConflictError):
        services.deliverable_update(deliverable=deliverable, actor=staff_user,
                                    percent_complete=50)
    with pytest.raises(ConflictError):
        services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    with pytest.raises(ConflictError):
        services.time_entries_bulk(actor=staff_user, entries=[_entry(engagement.pk,
                                                                      consultant.pk)])
    with pytest.raises(ConflictError):
        services.expense_create(actor=staff_user, engagement=engagement, spent_on=MONDAY,
                                amount=Decimal("10"), category=ExpenseCategory.TRAVEL)
    assert not TimeEntry.objects.exists()


def test_every_write_marks_the_metrics_inputs_changed(staff_user, engagement, consultant,
                                                      marked):
    iteration = services.iteration_create(actor=staff_user, engagement=engagement, number=1,
                                          start_on=START, end_on=START + timedelta(days=13))
    services.iteration_update(iteration=iteration, actor=staff_user, goal="Charter signed")
    deliverable = _deliverable(staff_user, engagement, iteration=iteration)
    services.deliverable_update(deliverable=deliverable, actor=staff_user,
                                status=DeliverableStatus.DONE)
    services.deliverable_accept(deliverable=deliverable, actor=staff_user,
                                accepted_by=StakeholderFactory(organization=engagement.organization))
    services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    services.time_entries_bulk(actor=staff_user, entries=[
        _entry(engagement, consultant, worked_on=MONDAY + timedelta(days=1))])
    expense = services.expense_create(actor=staff_user, engagement=engagement,
                                      spent_on=MONDAY, amount=Decimal("99.90"),
                                      category=ExpenseCategory.TRAVEL)
    services.expense_update(expense=expense, actor=staff_user, amount=Decimal("89.90"))
    service = ServiceFactory()
    engagement.services.add(service)
    services.kpi_measurement_record(
        actor=staff_user, engagement=engagement, indicator=IndicatorFactory(service=service),
        period_start=START, period_end=START + timedelta(days=30), value=Decimal("92.5"))
    assert marked.call_count == 10
    assert all(call.args == ([engagement.pk],) for call in marked.call_args_list)


def test_the_metrics_become_stale_for_real(staff_user, engagement, consultant):
    services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert metrics.inputs_changed_at is not None
    assert metrics.is_stale


# --- Iterations ----------------------------------------------------------------------------------


def test_iterations_are_numbered_once_inside_the_engagement(staff_user, engagement):
    first = services.iteration_create(actor=staff_user, engagement=engagement, number=1,
                                      start_on=START, end_on=START + timedelta(days=13),
                                      goal="Kick-off")
    assert (first.status, first.goal) == (IterationStatus.PLANNED, "Kick-off")
    with pytest.raises(ValidationError) as error:
        services.iteration_create(actor=staff_user, engagement=engagement, number=1,
                                  start_on=START + timedelta(days=14),
                                  end_on=START + timedelta(days=27))
    assert "number" in error.value.message_dict
    other = EngagementFactory(planned_start=START, planned_end=END)
    services.iteration_create(actor=staff_user, engagement=other, number=1, start_on=START,
                              end_on=START + timedelta(days=13))
    second = services.iteration_create(actor=staff_user, engagement=engagement, number=2,
                                       start_on=START + timedelta(days=14),
                                       end_on=START + timedelta(days=27))
    with pytest.raises(ValidationError) as error:
        services.iteration_update(iteration=second, actor=staff_user, number=1)
    assert "number" in error.value.message_dict
    updated = services.iteration_update(iteration=second, actor=staff_user,
                                        status=IterationStatus.FINISHED, review_notes="Demo ok")
    assert updated.status == IterationStatus.FINISHED


@pytest.mark.parametrize(("start_on", "end_on", "field"), [
    (START - timedelta(days=1), START + timedelta(days=13), "start_on"),
    (END - timedelta(days=5), END + timedelta(days=1), "end_on"),
    (START + timedelta(days=10), START + timedelta(days=2), "end_on"),
    ("2025-01-06", START + timedelta(days=2), "start_on"),
])
def test_iteration_dates_are_in_order_and_inside_the_engagement(staff_user, engagement,
                                                                start_on, end_on, field):
    with pytest.raises(ValidationError) as error:
        services.iteration_create(actor=staff_user, engagement=engagement, number=1,
                                  start_on=start_on, end_on=end_on)
    assert field in error.value.message_dict


@pytest.mark.parametrize(("fields", "field"), [
    ({"number": 0}, "number"), ({"number": True}, "number"), ({"status": "late"}, "status"),
])
def test_iteration_numbers_and_statuses_are_checked(staff_user, engagement, fields, field):
    values = {"number": 1, "start_on": START, "end_on": START + timedelta(days=13), **fields}
    with pytest.raises(ValidationError) as error:
        services.iteration_create(actor=staff_user, engagement=engagement, **values)
    assert field in error.value.message_dict


def test_iteration_update_refuses_unknown_fields(staff_user, engagement):
    iteration = services.iteration_create(actor=staff_user, engagement=engagement, number=1,
                                          start_on=START, end_on=START + timedelta(days=13))
    with pytest.raises(TypeError):
        services.iteration_update(iteration=iteration, actor=staff_user, engagement=None)


# --- Deliverables and acceptance -----------------------------------------------------------------


def test_a_service_launch_names_one_of_the_engagements_services(staff_user, engagement):
    service = ServiceFactory()
    with pytest.raises(ValidationError) as error:
        _deliverable(staff_user, engagement, kind=DeliverableKind.SERVICE_LAUNCH)
    assert "service" in error.value.message_dict
    with pytest.raises(ValidationError, match="not one of the services"):
        _deliverable(staff_user, engagement, kind=DeliverableKind.SERVICE_LAUNCH,
                     service=service)
    engagement.services.add(service)
    launch = _deliverable(staff_user, engagement, kind=DeliverableKind.SERVICE_LAUNCH,
                          service=service, story_points=8)
    assert launch.service == service
    with pytest.raises(ValidationError) as error:
        _deliverable(staff_user, engagement, kind=DeliverableKind.DOCUMENT, service=service)
    assert "service" in error.value.message_dict


def test_a_deliverables_iteration_belongs_to_its_engagement(staff_user, engagement):
    other = EngagementFactory(planned_start=START, planned_end=END)
    foreign = services.iteration_create(actor=staff_user, engagement=other, number=1,
                                        start_on=START, end_on=START + timedelta(days=13))
    with pytest.raises(ValidationError) as error:
        _deliverable(staff_user, engagement, iteration=foreign)
    assert "iteration" in error.value.message_dict
    deliverable = _deliverable(staff_user, engagement)
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(deliverable=deliverable, actor=staff_user,
                                    iteration=foreign)
    assert "iteration" in error.value.message_dict


@pytest.mark.parametrize(("fields", "field"), [
    ({"percent_complete": 101}, "percent_complete"),
    ({"percent_complete": -1}, "percent_complete"),
    ({"status": DeliverableStatus.DONE, "percent_complete": 80}, "percent_complete"),
    ({"status": DeliverableStatus.ACCEPTED}, "status"),
    ({"status": "lost"}, "status"),
    ({"kind": "poem"}, "kind"),
    ({"budget": Decimal("-1")}, "budget"),
    ({"budget": Decimal("1.001")}, "budget"),
    ({"budget": 1.5}, "budget"),
    ({"story_points": -3}, "story_points"),
    ({"title": "  "}, "title"),
    ({"planned_finish": START - timedelta(days=1)}, "planned_finish"),
])
def test_deliverable_input_is_checked_by_field(staff_user, engagement, fields, field):
    with pytest.raises(ValidationError) as error:
        _deliverable(staff_user, engagement, **fields)
    assert field in error.value.message_dict
    assert not Deliverable.objects.exists()


def test_done_means_complete(staff_user, engagement):
    done = _deliverable(staff_user, engagement, status=DeliverableStatus.DONE)
    assert done.percent_complete == 100
    item = _deliverable(staff_user, engagement, percent_complete=40,
                        status=DeliverableStatus.IN_PROGRESS)
    item = services.deliverable_update(deliverable=item, actor=staff_user,
                                       status=DeliverableStatus.DONE)
    assert (item.status, item.percent_complete) == (DeliverableStatus.DONE, 100)
    with pytest.raises(ValidationError) as error:
        services.deliverable_update(deliverable=item, actor=staff_user, percent_complete=90)
    assert "percent_complete" in error.value.message_dict


def test_the_product_owner_accepts_a_done_deliverable(staff_user, engagement):
    owner = StakeholderFactory(organization=engagement.organization)
    engagement.product_owner = owner
    engagement.save()
    deliverable = _deliverable(staff_user, engagement, percent_complete=60)
    with pytest.raises(ConflictError, match="only a done deliverable"):
        services.deliverable_accept(deliverable=deliverable, actor=staff_user,
                                    accepted_by=owner)
    deliverable = services.deliverable_update(deliverable=deliverable, actor=staff_user,
                                              status=DeliverableStatus.DONE)
    colleague = StakeholderFactory(organization=engagement.organization)
    with pytest.raises(ValidationError, match=f"Product Owner, {owner.full_name}"):
        services.deliverable_accept(deliverable=deliverable, actor=staff_user,
                                    accepted_by=colleague)
    accepted = services.deliverable_accept(deliverable=deliverable, actor=staff_user,
                                           accepted_by=owner)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.accepted_by, accepted.percent_complete) == (
        DeliverableStatus.ACCEPTED, owner, 100)
    assert accepted.accepted_at is not None
    with pytest.raises(ConflictError, match="already accepted"):
        services.deliverable_accept(deliverable=accepted, actor=staff_user, accepted_by=owner)
    with pytest.raises(ConflictError, match="no longer changes"):
        services.deliverable_update(deliverable=accepted, actor=staff_user, title="New")


def test_without_a_product_owner_a_client_stakeholder_accepts(staff_user, engagement, user_a):
    deliverable = _deliverable(staff_user, engagement, status=DeliverableStatus.DONE)
    with pytest.raises(ValidationError, match="stakeholder of the client"):
        services.deliverable_accept(deliverable=deliverable, actor=staff_user,
                                    accepted_by=StakeholderFactory())
    with pytest.raises(PermissionDenied):
        services.deliverable_accept(
            deliverable=deliverable, actor=user_a,
            accepted_by=StakeholderFactory(organization=engagement.organization))
    accepted = services.deliverable_accept(
        deliverable=deliverable, actor=staff_user,
        accepted_by=StakeholderFactory(organization=engagement.organization))
    assert accepted.status == DeliverableStatus.ACCEPTED


# --- Time entries --------------------------------------------------------------------------------


def test_time_cost_uses_the_day_rate_in_force_that_day(staff_user, engagement, consultant):
    DayRateFactory(consultant=consultant, amount=Decimal("777.77"), valid_from=MONDAY)
    before = services.time_entry_create(actor=staff_user, **_entry(
        engagement, consultant, worked_on=MONDAY - timedelta(days=1), hours=Decimal("7.5")))
    after = services.time_entry_create(actor=staff_user, **_entry(
        engagement, consultant, hours=Decimal("3.25"), description="Workshop"))
    assert before.cost == Decimal("562.50")  # 7.5 x 600 / 8
    assert after.cost == Decimal("315.97")  # 3.25 x 777.77 / 8 = 315.9690...
    # A rate entered later for those days never rewrites the stored cost.
    DayRateFactory(consultant=consultant, amount=Decimal("900"), valid_from=START)
    before.refresh_from_db()
    assert before.cost == Decimal("562.50")
    assert after.description == "Workshop"


def test_the_consultant_must_be_on_the_team_that_day(staff_user, engagement, consultant):
    outsider = ConsultantFactory()
    DayRateFactory(consultant=outsider)
    with pytest.raises(ValidationError, match="not on this engagement's team") as error:
        services.time_entry_create(actor=staff_user, **_entry(engagement, outsider))
    assert "consultant" in error.value.message_dict
    with pytest.raises(ValidationError, match="not on this engagement's team"):
        services.time_entry_create(actor=staff_user, **_entry(
            engagement, consultant, worked_on=END + timedelta(days=1)))


def test_no_rate_in_force_is_refused_on_the_consultant(staff_user, engagement):
    consultant = ConsultantFactory()
    AssignmentFactory(engagement=engagement, consultant=consultant)
    DayRateFactory(consultant=consultant, valid_from=MONDAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="no day rate") as error:
        services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    assert list(error.value.message_dict) == ["consultant"]


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1"), Decimal("24.25"),
                                   Decimal("1.005"), 2.5, "abc", None, True])
def test_hours_are_more_than_zero_and_at_most_a_day(staff_user, engagement, consultant, hours):
    with pytest.raises(ValidationError) as error:
        services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                              hours=hours))
    assert "hours" in error.value.message_dict


def test_a_consultant_works_at_most_24_hours_a_day_across_engagements(staff_user, engagement,
                                                                      consultant):
    other = EngagementFactory(status=EngagementStatus.ACTIVE, planned_start=START,
                              planned_end=END)
    AssignmentFactory(engagement=other, consultant=consultant)
    services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                          hours=Decimal("20")))
    services.time_entry_create(actor=staff_user, **_entry(other, consultant,
                                                          hours=Decimal("4")))
    with pytest.raises(ValidationError, match="at most 24") as error:
        services.time_entry_create(actor=staff_user, **_entry(other, consultant,
                                                              hours=Decimal("0.25")))
    assert "hours" in error.value.message_dict


def test_a_deliverable_of_another_engagement_is_refused(staff_user, engagement, consultant):
    foreign = _deliverable(staff_user, EngagementFactory(planned_start=START, planned_end=END))
    with pytest.raises(ValidationError) as error:
        services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                              deliverable=foreign))
    assert "deliverable" in error.value.message_dict
    own = _deliverable(staff_user, engagement)
    entry = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                                  deliverable=own))
    assert entry.deliverable == own


def test_the_same_external_id_is_idempotent_or_refused(staff_user, engagement, consultant):
    first = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                                  external_id="jira-1"))
    again = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                                  external_id="jira-1"))
    assert again.pk == first.pk
    assert TimeEntry.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        services.time_entry_create(actor=staff_user, **_entry(
            engagement, consultant, external_id="jira-1", hours=Decimal("2")))
    assert "external_id" in error.value.message_dict


# --- Pushed batches ------------------------------------------------------------------------------


def test_a_batch_is_created_and_can_be_pushed_again(staff_user, engagement, consultant):
    entries = [_entry(engagement.pk, consultant.pk, worked_on=MONDAY + timedelta(days=day),
                      external_id=f"tt-{day}") for day in range(5)]
    result = services.time_entries_bulk(actor=staff_user, entries=entries)
    assert isinstance(result, services.BulkResult)
    assert (len(result.created), result.duplicates) == (5, 0)
    assert all(entry.pk and entry.cost == Decimal("600.00") for entry in result.created)
    later = _entry(engagement, consultant, worked_on=MONDAY + timedelta(days=7))
    again = services.time_entries_bulk(actor=staff_user, entries=[*entries, later])
    assert (len(again.created), again.duplicates) == (1, 5)
    assert TimeEntry.objects.count() == 6


def test_a_bad_row_fails_the_whole_batch_with_errors_by_row(staff_user, engagement,
                                                           consultant, marked):
    outsider = ConsultantFactory()
    services.time_entry_create(actor=staff_user, **_entry(engagement, consultant,
                                                          external_id="x-1"))
    marked.reset_mock()
    entries = [
        _entry(engagement, consultant, worked_on=MONDAY + timedelta(days=1)),
        _entry(engagement, consultant, worked_on=MONDAY + timedelta(days=2), hours="0"),
        "not a mapping",
        _entry(engagement, outsider, worked_on=MONDAY + timedelta(days=1)),
        _entry(engagement, consultant, external_id="x-1", hours=Decimal("3")),
        {"engagement": engagement.pk, "hours": 1, "colour": "red"},
        _entry(999999, consultant),
        _entry(engagement, consultant, worked_on=MONDAY + timedelta(days=1),
               hours=Decimal("16.5")),
    ]
    with pytest.raises(services.TimeEntryRowsError) as error:
        services.time_entries_bulk(actor=staff_user, entries=entries)
    rows = error.value.row_errors
    assert sorted(rows) == [1, 2, 3, 4, 5, 6, 7]
    assert list(rows[1]) == ["hours"]
    assert "__all__" in rows[2]
    assert list(rows[3]) == ["consultant"]
    assert list(rows[4]) == ["external_id"]
    assert set(rows[5]) == {"colour", "consultant", "worked_on"}
    assert list(rows[6]) == ["engagement"]
    assert list(rows[7]) == ["hours"]  # 8 + 16.5 on the same day in the batch
    assert isinstance(error.value, ValidationError)
    assert error.value.message_dict[1] == ["hours: Hours must be more than 0 and at most 24."]
    assert TimeEntry.objects.count() == 1
    marked.assert_not_called()


def test_identical_rows_in_one_batch_count_once(staff_user, engagement, consultant):
    entry = _entry(engagement, consultant, external_id="dup")
    result = services.time_entries_bulk(actor=staff_user, entries=[entry, dict(entry)])
    assert (len(result.created), result.duplicates) == (1, 1)
    with pytest.raises(services.TimeEntryRowsError) as error:
        services.time_entries_bulk(actor=staff_user, entries=[
            _entry(engagement, consultant, external_id="d2", worked_on=MONDAY + timedelta(1)),
            _entry(engagement, consultant, external_id="d2", worked_on=MONDAY + timedelta(2)),
        ])
    assert list(error.value.row_errors) == [1]


@pytest.mark.parametrize("entries", ["text", {"engagement": 1}, 7])
def test_a_batch_is_a_list(staff_user, entries):
    with pytest.raises(ValidationError) as error:
        services.time_entries_bulk(actor=staff_user, entries=entries)
    assert "entries" in error.value.message_dict


def test_a_batch_holds_at_most_a_thousand_entries(staff_user, engagement, consultant):
    entry = _entry(engagement, consultant, hours=Decimal("0.01"))
    with pytest.raises(ValidationError, match="At most 1,000") as error:
        services.time_entries_bulk(actor=staff_user, entries=[entry] * 1001)
    assert list(error.value.message_dict) == ["entries"]
    assert services.time_entries_bulk(actor=staff_user, entries=[]).created == []


def _batch(engagements, consultants, size):
    return [
        _entry(engagements[i % len(engagements)].pk, consultants[i % len(consultants)],
               worked_on=START + timedelta(days=i // len(consultants)),
               hours=Decimal("1.5"), external_id=f"b{size}-{i}")
        for i in range(size)
    ]


INSERT_ENTRIES = 'INSERT INTO "engagements_timeentry"'


def test_a_batch_costs_the_same_queries_whatever_its_size(staff_user):
    engagements = [EngagementFactory(status=EngagementStatus.ACTIVE, planned_start=START,
                                     planned_end=END) for _ in range(3)]
    consultants = [ConsultantFactory() for _ in range(4)]
    for consultant in consultants:
        DayRateFactory(consultant=consultant, valid_from=date(2024, 1, 1))
        DayRateFactory(consultant=consultant, amount=Decimal("640"), valid_from=MONDAY)
        for engagement in engagements:
            AssignmentFactory(engagement=engagement, consultant=consultant)
    lookups, inserts = {}, {}
    for size in (10, 200):
        with CaptureQueriesContext(connection) as queries:
            result = services.time_entries_bulk(
                actor=staff_user, entries=_batch(engagements, consultants, size))
        assert len(result.created) == size
        statements = [query["sql"] for query in queries.captured_queries]
        inserts[size] = sum(sql.startswith(INSERT_ENTRIES) for sql in statements)
        lookups[size] = len(statements) - inserts[size]
    assert lookups[10] == lookups[200], lookups
    # One INSERT, split only where the backend caps parameters per statement (SQLite).
    fields = [f for f in TimeEntry._meta.concrete_fields if not f.primary_key]
    per_statement = connection.ops.bulk_batch_size(fields, [None] * 200)
    assert inserts == {10: 1, 200: math.ceil(200 / per_statement)}
    assert TimeEntry.objects.filter(worked_on__gte=MONDAY).exclude(
        cost=Decimal("120.00")).count() == 0  # 1.5 x 640 / 8



# --- Correcting a time entry ---------------------------------------------------------------------


def test_a_correction_recomputes_the_cost_with_the_new_days_rate(staff_user, engagement,
                                                                  consultant):
    DayRateFactory(consultant=consultant, amount=Decimal("800.00"), valid_from=MONDAY)
    entry = services.time_entry_create(actor=staff_user, **_entry(
        engagement, consultant, worked_on=MONDAY - timedelta(days=1), hours=Decimal("4")))
    assert entry.cost == Decimal("300.00")  # 4 x 600 / 8
    deliverable = _deliverable(staff_user, engagement)
    corrected = services.time_entry_update(
        entry=entry, actor=staff_user, worked_on=MONDAY, hours=Decimal("5.5"),
        deliverable=deliverable, description="  Steering committee  ")
    stored = TimeEntry.objects.get(pk=entry.pk)
    assert (stored.worked_on, stored.hours, stored.cost) == (
        MONDAY, Decimal("5.50"), Decimal("550.00"))  # 5.5 x 800 / 8
    assert stored.deliverable == deliverable
    assert stored.description == "Steering committee"
    assert corrected.cost == stored.cost
    # Only the hours: the day and its rate stay.
    services.time_entry_update(entry=stored, actor=staff_user, hours=Decimal("1"))
    stored.refresh_from_db()
    assert (stored.worked_on, stored.cost, stored.deliverable) == (
        MONDAY, Decimal("100.00"), deliverable)


def test_a_correction_does_not_count_the_entrys_own_hours_toward_the_day(staff_user,
                                                                         engagement,
                                                                         consultant):
    entry = services.time_entry_create(actor=staff_user, **_entry(
        engagement, consultant, hours=Decimal("20")))
    other = services.time_entry_create(actor=staff_user, **_entry(
        engagement, consultant, hours=Decimal("2")))
    # 22 on the day, this entry's 20 replaced by 22: 24 in all, allowed.
    services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("22"))
    with pytest.raises(ValidationError, match=r"24\.25 hours") as error:
        services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("22.25"))
    assert list(error.value.message_dict) == ["hours"]
    # Moving the other entry onto a full day counts all of that day's hours.
    services.time_entry_update(entry=other, actor=staff_user,
                               worked_on=MONDAY + timedelta(days=1))
    services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("24"))
    with pytest.raises(ValidationError, match="at most 24"):
        services.time_entry_update(entry=other, actor=staff_user, worked_on=MONDAY)
    assert TimeEntry.objects.get(pk=other.pk).worked_on == MONDAY + timedelta(days=1)


@pytest.mark.parametrize("name", ["engagement", "consultant", "external_id"])
def test_who_and_where_of_an_entry_are_not_corrected(staff_user, engagement, consultant,
                                                     name):
    entry = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    value = {"engagement": EngagementFactory(), "consultant": ConsultantFactory(),
             "external_id": "X-1"}[name]
    with pytest.raises(ValidationError, match="log a new entry") as error:
        services.time_entry_update(entry=entry, actor=staff_user, **{name: value})
    assert list(error.value.message_dict) == [name]
    with pytest.raises(TypeError, match="cost"):
        services.time_entry_update(entry=entry, actor=staff_user, cost=Decimal("1"))


def test_a_correction_follows_the_rules_of_a_new_entry(staff_user, engagement, consultant,
                                                       user_a):
    entry = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    foreign = _deliverable(staff_user, EngagementFactory(planned_start=START, planned_end=END))
    refusals = [
        ({"worked_on": END + timedelta(days=1)}, "consultant"),  # off the team that day
        ({"worked_on": date(2023, 12, 31)}, "consultant"),  # no rate in force
        ({"deliverable": foreign}, "deliverable"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": "a lot"}, "hours"),
        ({"worked_on": "2025-03-04"}, "worked_on"),
        ({"description": "x" * 301}, "description"),
    ]
    for fields, field_name in refusals:
        with pytest.raises(ValidationError) as error:
            services.time_entry_update(entry=entry, actor=staff_user, **fields)
        assert field_name in error.value.message_dict, fields
    with pytest.raises(PermissionDenied, match="Only PMO staff"):
        services.time_entry_update(entry=entry, actor=user_a, hours=Decimal("1"))
    stored = TimeEntry.objects.get(pk=entry.pk)
    assert (stored.worked_on, stored.hours, stored.deliverable) == (MONDAY, Decimal("8"), None)


@pytest.mark.parametrize("status", [EngagementStatus.CLOSED, EngagementStatus.CANCELLED])
def test_entries_of_a_closed_engagement_are_not_corrected(staff_user, engagement, consultant,
                                                          status):
    entry = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    engagement.status = status
    engagement.save()
    with pytest.raises(ConflictError, match="no more delivery changes"):
        services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("1"))
    assert TimeEntry.objects.get(pk=entry.pk).hours == Decimal("8")


def test_a_correction_is_in_the_entrys_history_with_who_made_it(staff_user, engagement,
                                                                 consultant):
    entry = services.time_entry_create(actor=staff_user, **_entry(engagement, consultant))
    services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("6"),
                               description="Was 8: typo")
    versions = list(TimeEntry.history.filter(id=entry.pk).order_by("history_date"))
    assert [(version.history_type, version.hours) for version in versions][-1] == (
        "~", Decimal("6.00"))
    assert versions[-1].history_user == staff_user
    assert versions[-1].cost == Decimal("450.00")
    assert versions[-1].description == "Was 8: typo"


def test_a_correction_makes_the_metrics_stale_and_enqueues_after_commit(
    staff_user, engagement, consultant, django_capture_on_commit_callbacks
):
    entry = TimeEntry.objects.create(engagement=engagement, consultant=consultant,
                                     worked_on=MONDAY, hours=Decimal("8"),
                                     cost=Decimal("600.00"))
    cache.clear()
    with mock.patch.object(recompute_engagement_metrics, "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.time_entry_update(entry=entry, actor=staff_user, hours=Decimal("4"))
        # Nothing is sent before the commit; the metrics are already marked stale.
        send.assert_not_called()
        assert EngagementMetrics.objects.get(engagement=engagement).is_stale
        assert len(callbacks) == 1
        callbacks[0]()
    send.assert_called_once_with(args=(engagement.pk,))


# --- Expenses and KPI measurements ---------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"amount": Decimal("0")}, "amount"), ({"amount": Decimal("1.234")}, "amount"),
    ({"amount": "x"}, "amount"), ({"category": "food"}, "category"),
    ({"spent_on": "yesterday"}, "spent_on"),
])
def test_expenses_are_checked(staff_user, engagement, fields, field):
    values = {"spent_on": MONDAY, "amount": Decimal("120.50"),
              "category": ExpenseCategory.LICENCES, **fields}
    with pytest.raises(ValidationError) as error:
        services.expense_create(actor=staff_user, engagement=engagement, **values)
    assert field in error.value.message_dict
    assert not Expense.objects.exists()


def test_expenses_are_recorded_and_corrected(staff_user, engagement):
    expense = services.expense_create(actor=staff_user, engagement=engagement,
                                      spent_on=MONDAY, amount="120.50",
                                      category=ExpenseCategory.LICENCES)
    expense = services.expense_update(expense=expense, actor=staff_user,
                                      amount=Decimal("99"), description="Miro")
    expense.refresh_from_db()
    assert (expense.amount, expense.description) == (Decimal("99.00"), "Miro")
    with pytest.raises(ValidationError):
        services.expense_update(expense=expense, actor=staff_user, amount=Decimal("-5"))


def test_kpi_measurements_are_for_the_engagements_services(staff_user, engagement):
    service = ServiceFactory()
    indicator = IndicatorFactory(service=service)
    values = {"period_start": START, "period_end": START + timedelta(days=30),
              "value": Decimal("91.25")}
    with pytest.raises(ValidationError) as error:
        services.kpi_measurement_record(actor=staff_user, engagement=engagement,
                                        indicator=indicator, **values)
    assert "indicator" in error.value.message_dict
    engagement.services.add(service)
    first = services.kpi_measurement_record(actor=staff_user, engagement=engagement,
                                            indicator=indicator, **values)
    again = services.kpi_measurement_record(actor=staff_user, engagement=engagement,
                                            indicator=indicator, note="corrected",
                                            **{**values, "value": Decimal("93")})
    assert again.pk == first.pk
    assert KpiMeasurement.objects.count() == 1
    assert (again.value, again.note, again.recorded_by) == (Decimal("93"), "corrected",
                                                            staff_user)
    with pytest.raises(ValidationError) as error:
        services.kpi_measurement_record(actor=staff_user, engagement=engagement,
                                        indicator=indicator, period_start=START,
                                        period_end=START - timedelta(days=1), value=1)
    assert "period_end" in error.value.message_dict

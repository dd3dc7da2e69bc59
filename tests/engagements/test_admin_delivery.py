"""Admin of agile delivery and metrics: the lists, filters, search and forms of iterations,
deliverables, time entries, expenses and KPI measurements (written through the delivery
services: the time cost is the service's, entries are corrected through it, refusals show on
the page), the "Accept" action, the engagement page's iterations, deliverables and metrics
panel, the "Recompute metrics" action, the read-only metrics admin, query counts that do not
grow with rows, and staff only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from engagements import services
from engagements.choices import DeliverableStatus, EngagementStatus, Health, IterationStatus
from engagements.metrics import compute
from engagements.models import (
    Deliverable,
    EngagementMetrics,
    Expense,
    Iteration,
    KpiMeasurement,
    MetricsSnapshot,
    TimeEntry,
)
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    DayRateFactory,
    EngagementFactory,
    IndicatorFactory,
    StakeholderFactory,
)
from tests.stakeholders.test_register_admin import form_data, messages_of, results, run_action

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 6), date(2025, 6, 27)
MONDAY = date(2025, 3, 3)
DELIVERY_MODELS = ("iteration", "deliverable", "timeentry", "expense", "kpimeasurement")
METRICS_MODELS = ("engagementmetrics", "metricssnapshot")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


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


def _iteration(actor, engagement, number=1):
    start = START + timedelta(days=14 * (number - 1))
    return services.iteration_create(actor=actor, engagement=engagement, number=number,
                                     start_on=start, end_on=start + timedelta(days=13))


def _deliverable(actor, engagement, **fields):
    values = {"title": "Charter", "planned_start": START,
              "planned_finish": START + timedelta(days=30), "budget": Decimal("1000.00"),
              **fields}
    return services.deliverable_create(actor=actor, engagement=engagement, **values)


def _delivery(actor, engagement, consultant, rows: int = 1) -> None:
    """``rows`` of every delivery model (and metrics) on ``engagement``."""
    indicator = IndicatorFactory()
    engagement.services.add(indicator.service)
    first = Iteration.objects.filter(engagement=engagement).count() + 1
    for number in range(first, first + rows):
        iteration = _iteration(actor, engagement, number)
        _deliverable(actor, engagement, title=f"Item {number}", iteration=iteration,
                     story_points=3)
        services.time_entry_create(actor=actor, engagement=engagement, consultant=consultant,
                                   worked_on=START + timedelta(days=number), hours=Decimal("2"))
        services.expense_create(actor=actor, engagement=engagement, spent_on=MONDAY,
                                amount=Decimal("10.00"), category="travel")
        services.kpi_measurement_record(
            actor=actor, engagement=engagement, indicator=indicator,
            period_start=START + timedelta(days=number), period_end=END, value=Decimal("90"),
        )
    compute.recompute_engagement(engagement.pk, status_date=MONDAY)


def changelist(client, model: str, **params):
    response = client.get(reverse(f"admin:engagements_{model}_changelist"), params)
    assert response.status_code == 200, response.content[:300]
    return response


# --- Lists, filters, search, forms; staff only --------------------------------------------------


@pytest.mark.parametrize("model", DELIVERY_MODELS + METRICS_MODELS)
def test_every_list_filters_searches_and_opens_its_rows(staff_client, staff_user, engagement,
                                                        consultant, model):
    _delivery(staff_user, engagement, consultant, rows=2)
    other = EngagementFactory(organization=engagement.organization,
                              status=EngagementStatus.ACTIVE, planned_start=START,
                              planned_end=END, title="Elsewhere")
    compute.recompute_engagement(other.pk, status_date=MONDAY)
    everything = results(changelist(staff_client, model))
    assert everything
    filtered = results(changelist(staff_client, model, engagement__id__exact=engagement.pk)) \
        if model != "engagementmetrics" else results(changelist(staff_client, model, q="Else"))
    assert filtered
    assert all(row.engagement_id == filtered[0].engagement_id for row in filtered)
    assert results(changelist(staff_client, model, q="no such thing at all")) == []
    row = everything[0]
    page = staff_client.get(reverse(f"admin:engagements_{model}_change", args=[row.pk]))
    assert page.status_code == 200
    if model in DELIVERY_MODELS:
        assert staff_client.get(reverse(f"admin:engagements_{model}_add")).status_code == 200


def test_lists_filter_by_status_kind_consultant_date_and_health(staff_client, staff_user,
                                                                engagement, consultant):
    _delivery(staff_user, engagement, consultant, rows=2)
    Iteration.objects.filter(number=2).update(status=IterationStatus.ACTIVE)
    assert [i.number for i in results(changelist(staff_client, "iteration",
                                                 status=IterationStatus.ACTIVE))] == [2]
    assert len(results(changelist(staff_client, "deliverable", kind="document",
                                  status=DeliverableStatus.TODO))) == 2
    assert results(changelist(staff_client, "deliverable", status="done")) == []
    assert len(results(changelist(staff_client, "timeentry",
                                  consultant__id__exact=consultant.pk))) == 2
    day = (START + timedelta(days=1)).isoformat()
    assert len(results(changelist(staff_client, "timeentry", worked_on__gte=day,
                                  worked_on__lt=(START + timedelta(days=2)).isoformat()))) == 1
    assert len(results(changelist(staff_client, "timeentry", q=consultant.full_name))) == 2
    health = EngagementMetrics.objects.get(engagement=engagement).health
    assert len(results(changelist(staff_client, "engagementmetrics", health=health))) == 1
    other = next(value for value in Health.values if value != health)
    assert results(changelist(staff_client, "engagementmetrics", health=other)) == []


@pytest.mark.parametrize("model", DELIVERY_MODELS + METRICS_MODELS)
def test_non_staff_are_refused(client, user_a, model):
    client.force_login(user_a)
    response = client.get(reverse(f"admin:engagements_{model}_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Writes through the services ----------------------------------------------------------------


def test_a_time_entry_added_in_the_admin_stores_the_services_cost(staff_client, engagement,
                                                                  consultant):
    url = reverse("admin:engagements_timeentry_add")
    response = staff_client.post(url, {
        "engagement": engagement.pk, "consultant": consultant.pk, "worked_on": MONDAY,
        "hours": "4", "cost": "1", "description": "Workshop",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = TimeEntry.objects.get()
    assert entry.cost == Decimal("300.00")  # 4 h x 600 / 8, whatever the page sent


def test_staff_correct_a_time_entry_in_the_admin_through_the_service(
        staff_client, staff_user, engagement, consultant):
    DayRateFactory(consultant=consultant, amount=Decimal("800.00"), valid_from=MONDAY)
    entry = services.time_entry_create(
        actor=staff_user, engagement=engagement, consultant=consultant,
        worked_on=MONDAY - timedelta(days=1), hours=Decimal("4"), external_id="TS-1")
    deliverable = _deliverable(staff_user, engagement)
    change = reverse("admin:engagements_timeentry_change", args=[entry.pk])
    page = staff_client.get(change)
    assert page.context["has_change_permission"] is True
    form = page.context["adminform"].form
    assert set(form.fields) == {"deliverable", "worked_on", "hours", "description"}
    other = ConsultantFactory()
    response = staff_client.post(change, form_data(
        page, worked_on=MONDAY.isoformat(), hours="6", deliverable=deliverable.pk,
        description="Workshop", cost="1", consultant=other.pk, external_id="TS-2"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.worked_on, entry.hours, entry.deliverable, entry.description) == (
        MONDAY, Decimal("6"), deliverable, "Workshop")
    # The cost is the service's (6 h x 800 / 8); read-only fields ignore what was sent.
    assert (entry.cost, entry.consultant, entry.external_id) == (
        Decimal("600.00"), consultant, "TS-1")
    assert entry.history.first().history_user == staff_user


def test_a_refused_time_entry_correction_shows_on_the_page(staff_client, staff_user,
                                                            engagement, consultant):
    entry = services.time_entry_create(actor=staff_user, engagement=engagement,
                                       consultant=consultant, worked_on=MONDAY,
                                       hours=Decimal("4"))
    change = reverse("admin:engagements_timeentry_change", args=[entry.pk])
    response = staff_client.post(change, form_data(
        staff_client.get(change), worked_on=(END + timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    assert "team" in str(response.context["adminform"].form.errors)
    foreign = _deliverable(staff_user, EngagementFactory(planned_start=START,
                                                         planned_end=END))
    response = staff_client.post(change, form_data(staff_client.get(change),
                                                   deliverable=foreign.pk))
    assert response.status_code == 200
    assert "another engagement" in str(response.context["adminform"].form.errors)
    entry.refresh_from_db()
    assert (entry.worked_on, entry.deliverable, entry.cost) == (MONDAY, None,
                                                                Decimal("300.00"))


def test_a_refused_time_entry_shows_the_services_error(staff_client, engagement):
    outsider = ConsultantFactory()
    DayRateFactory(consultant=outsider, amount=Decimal("600.00"), valid_from=date(2024, 1, 1))
    response = staff_client.post(reverse("admin:engagements_timeentry_add"), {
        "engagement": engagement.pk, "consultant": outsider.pk, "worked_on": MONDAY,
        "hours": "4",
    })
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "consultant" in form.errors or form.non_field_errors()
    assert "team" in str(form.errors)
    assert not TimeEntry.objects.exists()


def test_iterations_deliverables_expenses_and_kpis_are_saved_through_the_services(
        staff_client, staff_user, engagement):
    indicator, foreign = IndicatorFactory(), IndicatorFactory()
    engagement.services.add(indicator.service)
    response = staff_client.post(reverse("admin:engagements_iteration_add"), {
        "engagement": engagement.pk, "number": 1, "start_on": START,
        "end_on": START + timedelta(days=13), "status": IterationStatus.PLANNED,
    })
    assert response.status_code == 302
    outside = staff_client.post(reverse("admin:engagements_iteration_add"), {
        "engagement": engagement.pk, "number": 2, "start_on": END,
        "end_on": END + timedelta(days=13), "status": IterationStatus.PLANNED,
    })
    assert outside.status_code == 200
    assert outside.context["adminform"].form.errors
    assert Iteration.objects.count() == 1

    expense = staff_client.post(reverse("admin:engagements_expense_add"), {
        "engagement": engagement.pk, "spent_on": MONDAY, "amount": "-5", "category": "travel",
    })
    assert expense.status_code == 200
    assert not Expense.objects.exists()

    add_kpi = reverse("admin:engagements_kpimeasurement_add")
    offered = staff_client.get(add_kpi, {"engagement": engagement.pk})
    assert list(offered.context["adminform"].form.fields["indicator"].queryset) == [indicator]
    refused = staff_client.post(add_kpi, {
        "engagement": engagement.pk, "indicator": foreign.pk, "period_start": START,
        "period_end": END, "value": "80",
    })
    assert refused.status_code == 200
    assert "indicator" in refused.context["adminform"].form.errors
    recorded = staff_client.post(add_kpi, {
        "engagement": engagement.pk, "indicator": indicator.pk, "period_start": START,
        "period_end": END, "value": "80",
    })
    assert recorded.status_code == 302
    measurement = KpiMeasurement.objects.get()
    assert measurement.recorded_by == staff_user
    change = reverse("admin:engagements_kpimeasurement_change", args=[measurement.pk])
    corrected = staff_client.post(change, form_data(staff_client.get(change), value="85"))
    assert corrected.status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == Decimal("85")


def test_a_closed_engagements_delivery_is_read_only(staff_client, staff_user, engagement):
    iteration = _iteration(staff_user, engagement)
    engagement.status = EngagementStatus.CLOSED
    engagement.save()
    page = staff_client.get(reverse("admin:engagements_iteration_change", args=[iteration.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


# --- Accepting deliverables -----------------------------------------------------------------------


def test_the_accept_action_records_the_product_owner_and_reports_refusals(
        staff_client, staff_user, engagement):
    owner = StakeholderFactory(organization=engagement.organization)
    engagement.product_owner = owner
    engagement.save()
    done = _deliverable(staff_user, engagement, title="Done", status=DeliverableStatus.DONE)
    todo = _deliverable(staff_user, engagement, title="Todo")
    other = EngagementFactory(organization=engagement.organization,
                              status=EngagementStatus.ACTIVE, planned_start=START,
                              planned_end=END)
    orphan = _deliverable(staff_user, other, title="Orphan", status=DeliverableStatus.DONE)
    url = reverse("admin:engagements_deliverable_changelist")
    response = run_action(staff_client, url, "accept", [done, todo, orphan])
    assert response.status_code == 302
    notes = messages_of(response)
    assert "1 deliverable(s) accepted." in notes
    assert any(note.startswith("“Todo”") and "only a done deliverable" in note
               for note in notes)
    assert any(note.startswith("“Orphan”") and "no Product Owner" in note for note in notes)
    done.refresh_from_db()
    todo.refresh_from_db()
    assert (done.status, done.accepted_by) == (DeliverableStatus.ACCEPTED, owner)
    assert todo.status == DeliverableStatus.TODO


# --- The engagement page and the metrics ------------------------------------------------------


def test_the_engagement_page_shows_iterations_deliverables_and_the_metrics_panel(
        staff_client, staff_user, engagement, consultant):
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    before = staff_client.get(url)
    assert before.status_code == 200
    assert "No metrics computed yet" in before.content.decode()
    _delivery(staff_user, engagement, consultant, rows=2)
    page = staff_client.get(url)
    html = page.content.decode()
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert f"Health: {metrics.get_health_display()}" in html
    assert "as of" in html
    assert "CPI" in html
    assert "Item 2" in html
    for reason in metrics.figures["reasons"]:
        assert escape(reason) in html
    models = {inline.formset.model for inline in page.context["inline_admin_formsets"]}
    assert {Iteration, Deliverable} <= models


def test_iterations_are_added_from_the_engagement_page(staff_client, engagement):
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    data = form_data(staff_client.get(url))
    prefix = "iterations"
    data.update({f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-0-number": 1,
                 f"{prefix}-0-start_on": START, f"{prefix}-0-end_on": START + timedelta(days=13),
                 f"{prefix}-0-status": IterationStatus.PLANNED, f"{prefix}-0-goal": "Kick-off"})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert Iteration.objects.get().goal == "Kick-off"
    data[f"{prefix}-0-start_on"] = END + timedelta(days=1)
    data[f"{prefix}-0-end_on"] = END + timedelta(days=10)
    data[f"{prefix}-0-number"] = 2
    refused = staff_client.post(url, data)
    assert refused.status_code == 200
    assert Iteration.objects.count() == 1


def test_the_recompute_action_updates_the_metrics(staff_client, staff_user, engagement,
                                                  consultant):
    _delivery(staff_user, engagement, consultant)
    EngagementMetrics.objects.filter(engagement=engagement).update(health="", as_of=None)
    other = EngagementFactory(organization=engagement.organization)
    url = reverse("admin:engagements_engagement_changelist")
    response = run_action(staff_client, url, "recompute_metrics", [engagement, other])
    assert response.status_code == 302
    assert "Metrics recomputed for 2 engagement(s)." in messages_of(response)
    metrics = EngagementMetrics.objects.get(engagement=engagement)
    assert metrics.as_of is not None
    assert metrics.health in Health.values
    assert not metrics.is_stale
    assert EngagementMetrics.objects.filter(engagement=other).exists()
    assert MetricsSnapshot.objects.filter(engagement=engagement).exists()


@pytest.mark.parametrize("model", METRICS_MODELS)
def test_metrics_admin_is_read_only(staff_client, staff_user, engagement, consultant, model):
    _delivery(staff_user, engagement, consultant)
    row = results(changelist(staff_client, model))[0]
    assert staff_client.get(reverse(f"admin:engagements_{model}_add")).status_code == 403
    change = reverse(f"admin:engagements_{model}_change", args=[row.pk])
    page = staff_client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "cpi" in page.content.decode()
    assert staff_client.post(change, {"health": "red"}).status_code == 403
    delete = reverse(f"admin:engagements_{model}_delete", args=[row.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


# --- Query counts (the shared guard lists these routes too) -------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", DELIVERY_MODELS + METRICS_MODELS)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, staff_user, org_a,
                                                        model):
    def build(count: int) -> None:
        for _ in range(count):
            engagement = EngagementFactory(organization=org_a, status=EngagementStatus.ACTIVE,
                                           planned_start=START, planned_end=END,
                                           product_owner=StakeholderFactory(organization=org_a))
            consultant = ConsultantFactory()
            DayRateFactory(consultant=consultant, amount=Decimal("600"),
                           valid_from=date(2024, 1, 1))
            AssignmentFactory(engagement=engagement, consultant=consultant)
            _delivery(staff_user, engagement, consultant)
            Deliverable.objects.filter(engagement=engagement).update(
                status=DeliverableStatus.DONE, percent_complete=100)

    url = reverse(f"admin:engagements_{model}_changelist")
    build(2)
    small = _count(staff_client, url)
    build(8)
    assert _count(staff_client, url) == small


def test_engagement_page_query_count_does_not_grow_with_delivery_rows(staff_client, staff_user,
                                                                       engagement, consultant):
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    _delivery(staff_user, engagement, consultant, rows=2)
    small = _count(staff_client, url)
    _delivery(staff_user, engagement, consultant, rows=6)
    assert _count(staff_client, url) == small

"""Admin of the portfolio: TIME columns and filters, dependencies both ways, objectives,
demand submitted through the service and moved by the workflow actions, history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.choices import DemandStatus, DependencyKind, Lifecycle, TimeClass
from portfolio.models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandApplication,
    DemandTransition,
    Objective,
)
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    DemandFactory,
    ObjectiveFactory,
    OrganizationFactory,
    StakeholderFactory,
    TechnologyFactory,
)
from tests.stakeholders.test_register_admin import (
    changelist,
    form_data,
    messages_of,
    results,
    run_action,
)

pytestmark = pytest.mark.django_db

DEMANDS_URL = "/admin/portfolio/demand/"


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def portfolio(org_a):
    """One application per TIME class, one overridden, dependencies, an objective, demand."""
    invest = ApplicationFactory(organization=org_a, code="INV", name="Invest app",
                                functional_fit=4, technical_fit=4)
    tolerate = ApplicationFactory(organization=org_a, code="TOL", name="Tolerate app",
                                  functional_fit=1, technical_fit=4)
    migrate = ApplicationFactory(organization=org_a, code="MIG", name="Migrate app",
                                 functional_fit=4, technical_fit=1)
    eliminate = ApplicationFactory(organization=org_a, code="ELI", name="Eliminate app",
                                   functional_fit=1, technical_fit=1)
    overridden = ApplicationFactory(
        organization=org_a, code="OVR", name="Overridden app", functional_fit=4,
        technical_fit=4, time_override=TimeClass.ELIMINATE,
        time_override_rationale="Replaced by the regional platform next year.",
    )
    unassessed = ApplicationFactory(organization=org_a, code="NEW", name="Unassessed app",
                                    functional_fit=None, technical_fit=None)
    for source in (tolerate, migrate, eliminate):
        ApplicationDependencyFactory(source=source, target=invest)
    objective = ObjectiveFactory(organization=org_a, title="Digital permits")
    objective.applications.add(invest)
    demand = DemandFactory(organization=org_a, applications=[tolerate])
    return {"invest": invest, "tolerate": tolerate, "migrate": migrate,
            "eliminate": eliminate, "overridden": overridden, "unassessed": unassessed,
            "objective": objective, "demand": demand}


# --- Lists, filters, search, forms -----------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["application", "applicationdependency", "technology", "objective", "demand"]
)
def test_every_portfolio_changelist_add_and_change_page_renders(staff_client, portfolio, model):
    portfolio["invest"].technologies.add(TechnologyFactory(name="PostgreSQL"))
    response = changelist(staff_client, model)
    assert response.context["cl"].result_count >= 1
    obj = response.context["cl"].result_list[0]
    assert staff_client.get(reverse(f"admin:portfolio_{model}_add")).status_code == 200
    change = staff_client.get(reverse(f"admin:portfolio_{model}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_application_list_shows_computed_and_final_class_and_fan_in(staff_client, portfolio):
    response = changelist(staff_client, "application")
    by_code = {row.code: row for row in results(response)}
    assert by_code["INV"].fan_in_value == 3
    assert (by_code["OVR"].time_computed_value, by_code["OVR"].time_class_value) == (
        "invest", "eliminate"
    )
    assert "Eliminate (override)" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"time": "invest"}, ["INV"]),
        ({"time": "tolerate"}, ["TOL"]),
        ({"time": "migrate"}, ["MIG"]),
        ({"time": "eliminate"}, ["ELI", "OVR"]),
        ({"time": "not_assessed"}, ["NEW"]),
        ({"time_computed": "invest"}, ["INV", "OVR"]),
        ({"overridden": "yes"}, ["OVR"]),
        ({"q": "migrate"}, ["MIG"]),
    ],
)
def test_application_filters_and_search(staff_client, portfolio, params, codes):
    found = sorted(row.code for row in results(changelist(staff_client, "application",
                                                            **params)))
    assert found == codes


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("application", lambda org: ApplicationDependencyFactory(
            source__organization=org, source__business_owner=StakeholderFactory(
                organization=org)).target),
        ("applicationdependency", lambda org: ApplicationDependencyFactory(
            source__organization=org)),
        ("objective", lambda org: ObjectiveFactory(organization=org, owner=StakeholderFactory(
            organization=org))),
        ("demand", lambda org: DemandFactory(organization=org, requester=StakeholderFactory(
            organization=org))),
        ("technology", lambda org: ApplicationFactory(organization=org).technologies.add(
            TechnologyFactory())),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, model, factory):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            changelist(staff_client, model)
        return len(queries)

    factory(OrganizationFactory())
    few = count()
    for _ in range(4):
        factory(OrganizationFactory())
    assert count() == few


def test_autocomplete_answers_for_applications(staff_client, portfolio, org_b):
    ApplicationFactory(organization=org_b, code="INV-B", name="Invest elsewhere")
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "portfolio", "model_name": "demandapplication",
        "field_name": "application", "term": "invest",
    })
    assert response.status_code == 200
    assert sorted(item["text"] for item in response.json()["results"]) == [
        "INV · Invest app", "INV-B · Invest elsewhere",
    ]


# --- Applications and dependencies -----------------------------------------------------------


def test_setting_and_clearing_the_override_records_its_author(
    staff_client, staff_user, portfolio
):
    application = portfolio["invest"]
    url = reverse("admin:portfolio_application_change", args=[application.pk])
    response = staff_client.post(url, form_data(staff_client.get(url),
                                                time_override="tolerate"))
    assert response.status_code == 200
    assert "A TIME override needs a written rationale." in str(
        response.context["adminform"].form.errors
    )

    response = staff_client.post(url, form_data(
        staff_client.get(url), time_override="tolerate",
        time_override_rationale="Frozen until the merger.",
    ))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.time_class, application.time_overridden_by) == (
        TimeClass.TOLERATE, staff_user
    )
    assert application.time_overridden_at is not None

    response = staff_client.post(url, form_data(staff_client.get(url), time_override="",
                                                time_override_rationale=""))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.time_override, application.time_overridden_by) == ("", None)
    assert application.time_class == TimeClass.INVEST

    history = staff_client.get(reverse("admin:portfolio_application_history",
                                       args=[application.pk]))
    versions = history.context["page_obj"].object_list
    assert {version.history_user for version in versions[:2]} == {staff_user}
    assert "Frozen until the merger." in history.content.decode()


def test_adding_an_application_with_technologies_and_a_dependency(staff_client, org_a,
                                                                  portfolio):
    postgres = TechnologyFactory(name="PostgreSQL")
    owner = StakeholderFactory(organization=org_a)
    url = reverse("admin:portfolio_application_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, code="PAY", name="Payroll",
        business_owner=owner.pk, technologies=[postgres.pk], lifecycle="in_production",
        criticality="high", functional_fit=3, technical_fit=2,
        **{"dependencies-TOTAL_FORMS": 1, "dependencies-0-target": portfolio["invest"].pk,
           "dependencies-0-kind": DependencyKind.API},
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    payroll = Application.objects.get(code="PAY")
    assert list(payroll.technologies.all()) == [postgres]
    assert payroll.time_class == TimeClass.MIGRATE
    [dependency] = payroll.dependencies.all()
    assert dependency.target == portfolio["invest"]


def test_dependency_inlines_show_both_ways_and_refuse_bad_rows(staff_client, portfolio, org_b):
    invest = portfolio["invest"]
    url = reverse("admin:portfolio_application_change", args=[invest.pk])
    page = staff_client.get(url)
    inlines = {inline.formset.prefix: inline for inline in
               page.context["inline_admin_formsets"]}
    assert len(inlines["dependencies"].formset.forms) == 0
    assert {form.instance.source.code for form in inlines["dependents"].formset.forms} == {
        "TOL", "MIG", "ELI"
    }

    foreign = ApplicationFactory(organization=org_b, code="FOREIGN")
    for target, message in ((foreign, f"Not of {invest.organization}"),
                            (invest, "An application cannot depend on itself.")):
        data = form_data(page, **{"dependencies-TOTAL_FORMS": 1,
                                  "dependencies-0-target": target.pk,
                                  "dependencies-0-kind": DependencyKind.BATCH})
        response = staff_client.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not invest.dependencies.exists()


def test_dependency_admin_refuses_two_organizations(staff_client, portfolio, org_b):
    foreign = ApplicationFactory(organization=org_b)
    url = reverse("admin:portfolio_applicationdependency_add")
    data = form_data(staff_client.get(url), source=portfolio["invest"].pk, target=foreign.pk,
                     kind=DependencyKind.DATA_FLOW)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["target"] == [
        "Both applications of a dependency belong to the same organization."
    ]
    response = staff_client.post(url, data | {"target": portfolio["migrate"].pk})
    assert response.status_code == 302
    assert ApplicationDependency.objects.filter(source=portfolio["invest"]).exists()


def test_applications_in_use_cannot_be_deleted_but_others_can(staff_client, portfolio):
    in_use = portfolio["invest"]
    response = staff_client.get(reverse("admin:portfolio_application_delete", args=[in_use.pk]))
    assert response.status_code == 200
    assert response.context["protected"]  # Django's "cannot delete" page lists them
    response = staff_client.post(reverse("admin:portfolio_application_delete",
                                         args=[in_use.pk]), {"post": "yes"})
    assert Application.objects.filter(pk=in_use.pk).exists()

    spare = ApplicationFactory(organization=in_use.organization)
    response = staff_client.post(reverse("admin:portfolio_application_delete",
                                         args=[spare.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=spare.pk).exists()


# --- Objectives ------------------------------------------------------------------------------


def test_objective_links_applications_of_its_organization_only(staff_client, portfolio, org_b):
    objective = portfolio["objective"]
    url = reverse("admin:portfolio_objective_change", args=[objective.pk])
    page = staff_client.get(url)
    foreign = ApplicationFactory(organization=org_b)
    response = staff_client.post(url, form_data(page, **{
        "objectiveapplication_set-TOTAL_FORMS": 2,
        "objectiveapplication_set-1-application": foreign.pk,
    }))
    assert response.status_code == 200
    assert f"Not of {objective.organization}" in response.content.decode()

    response = staff_client.post(url, form_data(page, title="Digital permits in 2 days", **{
        "objectiveapplication_set-TOTAL_FORMS": 2,
        "objectiveapplication_set-1-application": portfolio["migrate"].pk,
    }))
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Digital permits in 2 days"
    assert set(objective.applications.values_list("code", flat=True)) == {"INV", "MIG"}


def test_objectives_served_by_demand_are_protected(staff_client, portfolio):
    objective = portfolio["objective"]
    portfolio["demand"].objectives.add(objective)
    response = staff_client.post(reverse("admin:portfolio_objective_delete",
                                         args=[objective.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- Demand ----------------------------------------------------------------------------------


def test_adding_a_demand_submits_it_with_its_first_transition(
    staff_client, staff_user, org_a, portfolio
):
    requester = StakeholderFactory(organization=org_a)
    url = reverse("admin:portfolio_demand_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, title="Online permits",
        description="Citizens apply online.", demand_type="evolution",
        requester=requester.pk, applications=[portfolio["eliminate"].pk],
        objectives=[portfolio["objective"].pk], business_value=8, urgency=5,
        risk_reduction=3, effort=2,
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demand = Demand.objects.get(title="Online permits")
    assert (demand.status, demand.submitted_by, demand.priority) == (
        DemandStatus.SUBMITTED, staff_user, 8.0
    )
    assert list(demand.applications.all()) == [portfolio["eliminate"]]
    [transition] = demand.transitions.all()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "", DemandStatus.SUBMITTED, staff_user
    )
    page = staff_client.get(reverse("admin:portfolio_demand_change", args=[demand.pk]))
    assert "ELI is classified Eliminate in the TIME assessment." in page.content.decode()


def test_demand_add_checks_the_organization_of_what_it_names(staff_client, org_a, org_b,
                                                            portfolio):
    foreign = ApplicationFactory(organization=org_b, code="B-APP")
    url = reverse("admin:portfolio_demand_add")
    data = form_data(staff_client.get(url), organization=org_a.pk, title="Mixed",
                     description="Two tenants.", demand_type="evolution",
                     applications=[foreign.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "applications" in response.context["adminform"].form.errors
    assert not Demand.objects.filter(title="Mixed").exists()


def test_demand_status_is_read_only_and_links_follow_the_editable_rule(staff_client,
                                                                       portfolio):
    demand = portfolio["demand"]
    url = reverse("admin:portfolio_demand_change", args=[demand.pk])
    page = staff_client.get(url)
    assert "status" in page.context["adminform"].readonly_fields
    response = staff_client.post(url, form_data(page, title="Renamed", status="approved", **{
        "demandapplication_set-TOTAL_FORMS": 2,
        "demandapplication_set-1-application": portfolio["migrate"].pk,
    }))
    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.title, demand.status) == ("Renamed", DemandStatus.SUBMITTED)
    assert set(demand.applications.values_list("code", flat=True)) == {"TOL", "MIG"}

    # Removing every application is refused: a demand is articulated on at least one.
    page = staff_client.get(url)
    data = form_data(page)
    for index in range(2):
        data[f"demandapplication_set-{index}-DELETE"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert DemandApplication.objects.filter(demand=demand).count() == 2

    # Once approved the page is read-only.
    for status in (DemandStatus.ASSESSED, DemandStatus.APPROVED):
        DemandTransition.objects.create(demand=demand, from_status=demand.status,
                                        to_status=status, actor=demand.submitted_by)
        demand.status = status
    demand.save()
    page = staff_client.get(url)
    assert 'name="_save"' not in page.content.decode()
    assert staff_client.post(url, form_data(page)).status_code == 403


def test_workflow_actions_move_valid_demands_and_report_the_others(
    staff_client, staff_user, portfolio
):
    submitted = portfolio["demand"]
    other = DemandFactory(organization=submitted.organization, title="Second demand")
    response = run_action(staff_client, DEMANDS_URL, "mark_assessed", [submitted])
    assert messages_of(response) == ["1 demand(s) assessed."]

    staff_client.get(DEMANDS_URL)
    response = run_action(staff_client, DEMANDS_URL, "approve", [submitted, other])
    messages = messages_of(response)
    assert "1 demand(s) approved." in messages
    [refusal] = [message for message in messages if message.startswith("“Second demand”")]
    assert "A submitted demand cannot become approved" in refusal

    staff_client.get(DEMANDS_URL)
    for action in ("schedule", "start", "mark_delivered"):
        run_action(staff_client, DEMANDS_URL, action, [submitted])
    submitted.refresh_from_db()
    assert submitted.status == DemandStatus.DELIVERED
    assert list(submitted.transitions.values_list("to_status", "actor")) == [
        (DemandStatus.SUBMITTED, submitted.submitted_by_id),
        *[(status, staff_user.pk) for status in (
            DemandStatus.ASSESSED, DemandStatus.APPROVED, DemandStatus.SCHEDULED,
            DemandStatus.IN_PROGRESS, DemandStatus.DELIVERED)],
    ]

    staff_client.get(DEMANDS_URL)
    response = run_action(staff_client, DEMANDS_URL, "withdraw", [other, submitted])
    messages = messages_of(response)
    assert "1 demand(s) withdrawn." in messages
    assert any("delivered demand cannot become withdrawn" in message for message in messages)
    history = staff_client.get(reverse("admin:portfolio_demand_history", args=[other.pk]))
    latest = history.context["page_obj"].object_list[0]
    assert (latest.status, latest.history_user) == (DemandStatus.WITHDRAWN, staff_user)


def test_reject_asks_for_the_reason_first(staff_client, portfolio):
    first = portfolio["demand"]
    second = DemandFactory(organization=first.organization)
    response = run_action(staff_client, DEMANDS_URL, "reject", [first, second])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/portfolio/demand/reject_confirmation.html"
    content = response.content.decode()
    for hidden in (f'name="_selected_action" value="{first.pk}"',
                   'name="action" value="reject"', 'name="post" value="yes"'):
        assert hidden in content
    assert '<textarea name="reason"' in content

    response = run_action(staff_client, DEMANDS_URL, "reject", [first, second], post="yes",
                          reason="   ")
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    first.refresh_from_db()
    assert first.status == DemandStatus.SUBMITTED

    response = run_action(staff_client, DEMANDS_URL, "reject", [first, second], post="yes",
                          reason="Covered by the regional platform.")
    assert response.status_code == 302
    assert messages_of(response) == ["2 demand(s) rejected."]
    for demand in (first, second):
        demand.refresh_from_db()
        assert demand.status == DemandStatus.REJECTED
        assert demand.transitions.last().note == "Covered by the regional platform."


def test_demands_cannot_be_deleted(staff_client, portfolio):
    demand = portfolio["demand"]
    url = reverse("admin:portfolio_demand_delete", args=[demand.pk])
    assert staff_client.get(url).status_code == 403
    run_action(staff_client, DEMANDS_URL, "delete_selected", [demand])
    assert Demand.objects.filter(pk=demand.pk).exists()


def test_sunsetting_application_warning_on_the_demand_page(staff_client, portfolio):
    application = portfolio["invest"]
    application.lifecycle = Lifecycle.SUNSETTING
    application.save()
    demand = DemandFactory(organization=application.organization, applications=[application])
    page = staff_client.get(reverse("admin:portfolio_demand_change", args=[demand.pk]))
    assert "INV is sunsetting." in page.content.decode()

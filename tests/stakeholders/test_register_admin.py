"""Admin of the register, engagement assessments, the communication plan and log, and risks:
lists with computed columns and filters, saves through the services, history, actions."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stakeholders.choices import EngagementLevel, RiskStatus
from stakeholders.models import Communication, EngagementAssessment, Stakeholder
from tests.factories import (
    CommunicationFactory,
    CommunicationPlanFactory,
    EngagementAssessmentFactory,
    OrganizationFactory,
    RiskFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def messages_of(response) -> list[str]:
    """The messages waiting for the next page (earlier unread ones included)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, url, action, objects, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    )


def changelist(client, model: str, **params):
    app = "portfolio" if model in PORTFOLIO_MODELS else "stakeholders"
    response = client.get(reverse(f"admin:{app}_{model}_changelist"), params)
    assert response.status_code == 200
    return response


PORTFOLIO_MODELS = {
    "application", "applicationdependency", "technology", "objective", "demand",
}


def results(response) -> list:
    return list(response.context["cl"].result_list)


def form_data(response, **overrides) -> dict:
    """The POST data of an admin add/change page as it was rendered, with ``overrides``.

    Inline formsets contribute their management forms and their rows' current values, so a
    test changes what it names and leaves the rest as a person submitting the page would.
    """
    data = {}

    def add(form, prefix: str | None = None) -> None:
        for name, field in form.fields.items():
            key = form.add_prefix(name) if prefix is None else f"{prefix}-{name}"
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, (list, tuple)):
                value = [getattr(item, "pk", item) for item in value]
            elif isinstance(value, (datetime.date, datetime.datetime)):
                value = value.isoformat()
            else:
                value = getattr(value, "pk", value)
            data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
        for form in formset.initial_forms:
            add(form)
    data.update(overrides)
    return data


# --- Lists, filters, search ------------------------------------------------------------------


@pytest.fixture
def register(org_a):
    """A small register: two stakeholders at opposite corners, plans, a log, risks."""
    closely = StakeholderFactory(
        organization=org_a, full_name="Clara Closely", power=5, interest=5,
        current_engagement=EngagementLevel.RESISTANT,
        desired_engagement=EngagementLevel.LEADING,
    )
    monitor = StakeholderFactory(
        organization=org_a, full_name="Mo Monitor", power=1, interest=1,
        current_engagement=EngagementLevel.SUPPORTIVE,
        desired_engagement=EngagementLevel.SUPPORTIVE,
    )
    EngagementAssessmentFactory(stakeholder=closely)
    overdue = CommunicationPlanFactory(
        organization=org_a, purpose="Steering review",
        next_due_on=TODAY() - datetime.timedelta(days=3),
    )
    later = CommunicationPlanFactory(
        organization=org_a, purpose="Quarterly newsletter",
        next_due_on=TODAY() + datetime.timedelta(days=60),
    )
    CommunicationFactory(organization=org_a, plan=overdue)
    critical = RiskFactory(organization=org_a, title="Data centre flood", probability=5,
                           impact=5)
    low = RiskFactory(organization=org_a, title="Printer shortage", probability=1, impact=1)
    return {"closely": closely, "monitor": monitor, "overdue": overdue, "later": later,
            "critical": critical, "low": low}


@pytest.mark.parametrize(
    "model", ["stakeholder", "engagementassessment", "communicationplan", "communication",
              "risk"],
)
def test_every_register_changelist_add_and_change_page_renders(staff_client, register, model):
    response = changelist(staff_client, model)
    assert response.context["cl"].result_count >= 1
    obj = response.context["cl"].result_list[0]
    assert staff_client.get(reverse(f"admin:stakeholders_{model}_add")).status_code == 200
    change = staff_client.get(reverse(f"admin:stakeholders_{model}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_stakeholder_list_shows_quadrant_and_gap_and_filters_by_them(staff_client, register):
    response = changelist(staff_client, "stakeholder")
    content = response.content.decode()
    assert "Manage closely" in content
    assert "Monitor" in content
    by_name = {row.full_name: row for row in results(response)}
    assert by_name["Clara Closely"].engagement_gap_value == 3  # resistant -> leading

    assert results(changelist(staff_client, "stakeholder", quadrant="manage_closely")) == [
        register["closely"]
    ]
    assert results(changelist(staff_client, "stakeholder", quadrant="monitor")) == [
        register["monitor"]
    ]
    assert results(changelist(staff_client, "stakeholder", gap="grow")) == [register["closely"]]
    assert results(changelist(staff_client, "stakeholder", gap="none")) == [register["monitor"]]
    assert results(changelist(staff_client, "stakeholder", q="clara")) == [register["closely"]]


def test_quadrant_filter_follows_the_configured_thresholds(staff_client, register, settings):
    settings.PMO_THRESHOLDS = {**settings.PMO_THRESHOLDS, "POWER_HIGH_FROM": 2,
                               "INTEREST_HIGH_FROM": 2}
    StakeholderFactory(organization=register["closely"].organization, full_name="Twos",
                       power=2, interest=2)
    names = [row.full_name for row in
             results(changelist(staff_client, "stakeholder", quadrant="manage_closely"))]
    assert names == ["Clara Closely", "Twos"]


def test_overdue_filter_and_flag_of_communication_plans(staff_client, register):
    response = changelist(staff_client, "communicationplan", due="overdue")
    assert results(response) == [register["overdue"]]
    assert 'alt="True"' in response.content.decode()  # the overdue column's icon
    assert results(changelist(staff_client, "communicationplan", due="later")) == [
        register["later"]
    ]


def test_risk_list_shows_score_and_rating_and_filters_by_rating(staff_client, register):
    response = changelist(staff_client, "risk")
    by_title = {row.title: row for row in results(response)}
    assert (by_title["Data centre flood"].score_value,
            by_title["Data centre flood"].rating_value) == (25, "critical")
    assert "Critical" in response.content.decode()
    assert results(changelist(staff_client, "risk", rating="critical")) == [register["critical"]]
    assert results(changelist(staff_client, "risk", rating="low")) == [register["low"]]
    assert results(changelist(staff_client, "risk", q="flood")) == [register["critical"]]


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("stakeholder", lambda org: StakeholderFactory(organization=org)),
        ("engagementassessment",
         lambda org: EngagementAssessmentFactory(stakeholder__organization=org)),
        ("communicationplan", lambda org: CommunicationPlanFactory(organization=org)),
        ("communication", lambda org: CommunicationFactory(
            organization=org, plan=CommunicationPlanFactory(organization=org))),
        ("risk", lambda org: RiskFactory(organization=org, owner=StakeholderFactory(
            organization=org))),
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


def test_autocomplete_answers_for_stakeholders(staff_client, register):
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "stakeholders", "model_name": "risk", "field_name": "owner",
        "term": "clara",
    })
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Clara Closely"]


# --- Saves through the services --------------------------------------------------------------


def test_adding_a_stakeholder_records_the_initial_assessment(staff_client, staff_user, org_a):
    url = reverse("admin:stakeholders_stakeholder_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, full_name="Nora New", power=4,
        interest=2, relationship="sponsor", current_engagement="neutral",
        desired_engagement="leading", relationship_owner=staff_user.pk,
        email="nora@client.example",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stakeholder = Stakeholder.objects.get(full_name="Nora New")
    [assessment] = stakeholder.assessments.all()
    assert (assessment.current, assessment.desired, assessment.assessed_by) == (
        "neutral", "leading", staff_user
    )


def test_changing_engagement_records_an_assessment_and_history_names_the_user(
    staff_client, staff_user, register
):
    stakeholder = register["monitor"]
    url = reverse("admin:stakeholders_stakeholder_change", args=[stakeholder.pk])
    response = staff_client.post(url, form_data(staff_client.get(url), title="Head of unit"))
    assert response.status_code == 302
    assert not stakeholder.assessments.exists()  # no engagement change, no assessment

    response = staff_client.post(
        url, form_data(staff_client.get(url), current_engagement="leading")
    )
    assert response.status_code == 302
    [assessment] = stakeholder.assessments.all()
    assert (assessment.current, assessment.desired, assessment.assessed_by) == (
        "leading", "supportive", staff_user
    )

    history = staff_client.get(
        reverse("admin:stakeholders_stakeholder_history", args=[stakeholder.pk])
    )
    latest = history.context["page_obj"].object_list[0]
    assert (latest.current_engagement, latest.history_type, latest.history_user) == (
        "leading", "~", staff_user
    )
    assert "Head of unit" in history.content.decode()


def test_stakeholder_changes_keep_the_service_rules(staff_client, register):
    stakeholder = register["monitor"]
    url = reverse("admin:stakeholders_stakeholder_change", args=[stakeholder.pk])
    response = staff_client.post(url, form_data(staff_client.get(url), power=9))
    assert response.status_code == 200
    assert "power" in response.context["adminform"].form.errors
    # The organization is read-only once the stakeholder exists.
    assert "organization" in response.context["adminform"].readonly_fields


def test_history_rows_cannot_be_deleted_or_reverted(staff_client, register):
    stakeholder = register["closely"]
    for model, obj in (("stakeholder", stakeholder), ("risk", register["critical"]),
                       ("engagementassessment", stakeholder.assessments.get()),
                       ("communication", Communication.objects.first())):
        assert staff_client.get(
            reverse(f"admin:stakeholders_{model}_delete", args=[obj.pk])
        ).status_code == 403
    version = stakeholder.history.earliest()
    url = reverse("admin:stakeholders_stakeholder_simple_history",
                  args=[stakeholder.pk, version.history_id])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"full_name": "Reverted"}).status_code == 403


def test_assessment_added_in_the_admin_goes_through_the_service(
    staff_client, staff_user, register
):
    stakeholder = register["monitor"]
    url = reverse("admin:stakeholders_engagementassessment_add")
    data = form_data(staff_client.get(url), stakeholder=stakeholder.pk,
                     current="resistant", desired="leading", note="Budget cut announced.")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assessment = EngagementAssessment.objects.get(stakeholder=stakeholder)
    assert (assessment.assessed_by, assessment.assessed_on) == (staff_user, TODAY())
    stakeholder.refresh_from_db()
    assert (stakeholder.current_engagement, stakeholder.desired_engagement) == (
        "resistant", "leading"
    )

    future = form_data(staff_client.get(url), stakeholder=stakeholder.pk, current="neutral",
                       desired="neutral",
                       assessed_on=(TODAY() + datetime.timedelta(days=2)).isoformat())
    response = staff_client.post(url, future)
    assert response.status_code == 200
    assert "assessed_on" in response.context["adminform"].form.errors

    # Saved assessments are read-only: the change page shows them and refuses a POST.
    change_url = reverse("admin:stakeholders_engagementassessment_change",
                         args=[assessment.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert staff_client.post(change_url, {"note": "Edited"}).status_code == 403


def test_stakeholder_page_lists_its_assessments_newest_first_read_only(
    staff_client, register
):
    stakeholder = register["closely"]
    EngagementAssessmentFactory(stakeholder=stakeholder, note="Older",
                                assessed_on=TODAY() - datetime.timedelta(days=30))
    response = staff_client.get(
        reverse("admin:stakeholders_stakeholder_change", args=[stakeholder.pk])
    )
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.model is EngagementAssessment
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    dates = [form.instance.assessed_on for form in inline.formset.forms]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 2


def test_plan_save_and_logged_communication_refresh_the_next_due_date(
    staff_client, staff_user, org_a, register
):
    starts = TODAY() - datetime.timedelta(days=10)
    url = reverse("admin:stakeholders_communicationplan_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, purpose="Weekly stand-up",
        stakeholders=[register["closely"].pk], channel="video_call", frequency="weekly",
        starts_on=starts.isoformat(), owner=staff_user.pk,
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan = org_a.communication_plans.get(purpose="Weekly stand-up")
    assert plan.next_due_on == starts
    assert plan.is_overdue(TODAY())

    held = TODAY() - datetime.timedelta(days=1)
    url = reverse("admin:stakeholders_communication_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, plan=plan.pk, held_on=held.isoformat(),
        channel="video_call", participants=[register["closely"].pk],
        summary="Agreed the release date.",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    communication = plan.communications.get()
    assert communication.recorded_by == staff_user
    plan.refresh_from_db()
    assert plan.next_due_on == held + datetime.timedelta(days=7)

    # Correcting the date of the log entry moves the plan's due date with it.
    url = reverse("admin:stakeholders_communication_change", args=[communication.pk])
    earlier = held - datetime.timedelta(days=3)
    response = staff_client.post(url, form_data(staff_client.get(url),
                                                held_on=earlier.isoformat()))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_due_on == earlier + datetime.timedelta(days=7)


def test_communication_refusals_of_the_service_show_on_the_form(staff_client, org_a, org_b):
    plan = CommunicationPlanFactory(organization=org_a)
    outsider = StakeholderFactory(organization=org_b, full_name="Outsider")
    url = reverse("admin:stakeholders_communication_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, plan=plan.pk, channel="meeting",
        held_on=(TODAY() + datetime.timedelta(days=1)).isoformat(), summary="Too early.",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "held_on" in response.context["adminform"].form.errors

    data |= {"held_on": TODAY().isoformat(), "participants": [outsider.pk]}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["participants"] == [
        f"Not of {org_a.name}: Outsider."
    ]
    assert not Communication.objects.exists()


def test_risk_added_in_the_admin_and_its_response_must_fit_the_kind(staff_client, org_a):
    owner = StakeholderFactory(organization=org_a)
    url = reverse("admin:stakeholders_risk_add")
    data = form_data(
        staff_client.get(url), organization=org_a.pk, title="Vendor lock-in",
        category="technical", kind="threat", probability=4, impact=3,
        response_strategy="exploit", owner=owner.pk, status="open",
        identified_on=TODAY().isoformat(),
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "response strategy does not apply" in str(response.context["adminform"].form.errors)

    response = staff_client.post(url, data | {"response_strategy": "mitigate"})
    assert response.status_code == 302
    risk = org_a.risks.get()
    assert (risk.score, risk.owner) == (12, owner)


def test_risk_actions_move_allowed_risks_and_report_the_others(staff_client, register):
    url = reverse("admin:stakeholders_risk_changelist")
    closed = RiskFactory(organization=register["low"].organization, title="Old issue",
                         status=RiskStatus.CLOSED)
    response = run_action(staff_client, url, "mark_monitoring", [register["low"], closed])
    assert response.status_code == 302
    messages = messages_of(response)
    assert "1 risk(s) now monitored." in messages
    assert any(message.startswith("“Old issue”") and "it is closed" in message
               for message in messages)
    register["low"].refresh_from_db()
    assert register["low"].status == RiskStatus.MONITORING

    staff_client.get(url)  # shows (and so clears) the messages
    response = run_action(staff_client, url, "close_risks",
                          [register["low"], register["critical"], closed])
    messages = messages_of(response)
    assert "2 risk(s) closed." in messages
    assert len(messages) == 2  # and the refusal of the already closed one
    register["critical"].refresh_from_db()
    assert register["critical"].status == RiskStatus.CLOSED
    history = register["critical"].history.first()
    assert (history.status, history.history_user.username) == ("closed", "staff")

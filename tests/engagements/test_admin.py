"""Admin of the engagements app: lists, filters and forms of every model, saves through the
services (capacity, the working style, history), the workflow actions with the cancel reason,
the from-request page, the matching screen (ranking, exclusions, weights, one-click assign),
the bench page, staffing proposals and outcomes; and nobody but staff reaches any of it."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.choices import RequestStatus, Seniority
from engagements.choices import (
    CultureSource,
    EngagementStatus,
    Language,
    NeedStatus,
    ProposalStatus,
)
from engagements.models import (
    Assignment,
    Consultant,
    CultureAnswer,
    CultureAssessment,
    Engagement,
    EngagementOutcome,
    EngagementTransition,
    MatchingWeights,
    StaffingNeed,
    StaffingProposal,
)
from tests.factories import (
    AssignmentFactory,
    ClientUserFactory,
    ConsultantFactory,
    ConsultantLanguageFactory,
    ConsultantSectorFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    EngagementOutcomeFactory,
    RoleFactory,
    ServiceRequestFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
)
from tests.stakeholders.test_register_admin import form_data, messages_of, results, run_action

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
FACTORS = ("skills", "seniority", "sector", "culture", "availability", "track_record", "cost")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def changelist(client, model: str, **params):
    response = client.get(reverse(f"admin:engagements_{model}_changelist"), params)
    assert response.status_code == 200
    return response


def matches_url(need) -> str:
    return reverse("admin:engagements_staffingneed_matches", args=[need.pk])


@pytest.fixture
def bench(org_a):
    """A Spanish-speaking need for a senior with skill "Scrum" >= 3 at a hierarchy client,
    and the bench around it: a strong and a weak candidate, one who does not speak Spanish,
    one fully booked, one with too little room, one inactive."""
    scrum = SkillFactory(name="Scrum")
    CultureAssessmentFactory(organization=org_a)
    engagement = EngagementFactory(organization=org_a, title="Permits PMO")
    need = StaffingNeedFactory(engagement=engagement, language=Language.SPANISH,
                               allocation_percent=50, role=RoleFactory(name="PMO lead"))
    StaffingNeedSkillFactory(need=need, skill=scrum, minimum_level=3)
    people = {}
    for key, name, level in [("strong", "Ana Strong", 5), ("weak", "Bruno Weak", 1),
                             ("mute", "Carla Mute", 5), ("booked", "Dario Booked", 5),
                             ("partial", "Elena Partial", 5), ("gone", "Fabio Gone", 5)]:
        consultant = ConsultantFactory(full_name=name, is_active=key != "gone")
        ConsultantSkillFactory(consultant=consultant, skill=scrum, proficiency=level)
        if key != "mute":
            ConsultantLanguageFactory(consultant=consultant, language=Language.SPANISH)
        DayRateFactory(consultant=consultant)
        people[key] = consultant
    elsewhere = EngagementFactory(title="Harbour PMO", planned_start=need.start_on,
                                  planned_end=need.end_on)
    AssignmentFactory(engagement=elsewhere, consultant=people["booked"], allocation_percent=100)
    AssignmentFactory(engagement=elsewhere, consultant=people["partial"], allocation_percent=70)
    return {"need": need, "engagement": engagement, "skill": scrum, **people}


# --- Every page renders for staff, and for nobody else ------------------------------------------


MODELS = ["consultant", "cultureassessment", "engagement", "staffingneed", "engagementoutcome",
          "staffingproposal"]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_and_change_page_renders_for_staff(staff_client, staff_user, bench,
                                                            model):
    EngagementOutcomeFactory(engagement__organization=bench["engagement"].organization)
    StaffingProposal.objects.create(
        total_score=80, greedy_total_score=70, needs_considered=1, needs_filled=1,
        greedy_needs_filled=1, weights={}, solve_ms=3, created_by=staff_user,
    )
    response = changelist(staff_client, model)
    assert response.context["cl"].result_count >= 1
    obj = response.context["cl"].result_list[0]
    change = staff_client.get(reverse(f"admin:engagements_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    add = staff_client.get(reverse(f"admin:engagements_{model}_add"))
    assert add.status_code == (403 if model == "staffingproposal" else 200)


STAFF_PAGES = [
    ("admin:engagements_consultant_changelist", []),
    ("admin:engagements_consultant_bench", []),
    ("admin:engagements_engagement_changelist", []),
    ("admin:engagements_engagement_from_request", []),
    ("admin:engagements_staffingneed_changelist", []),
    ("admin:engagements_staffingneed_matches", ["need"]),
    ("admin:engagements_staffingproposal_changelist", []),
    ("admin:engagements_matchingweights_changelist", []),
    ("admin:engagements_cultureassessment_changelist", []),
    ("admin:engagements_engagementoutcome_changelist", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
@pytest.mark.parametrize("who", ["anonymous", "client"])
def test_nobody_but_staff_reaches_the_pages(client, bench, org_a, name, args, who):
    if who == "client":
        client.force_login(ClientUserFactory(membership__organization=org_a))
    url = reverse(name, args=[bench[arg].pk for arg in args])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    post = client.post(url, {"consultant": bench["strong"].pk})
    assert post.status_code == 302
    assert not Assignment.objects.filter(consultant=bench["strong"]).exists()


def test_non_staff_cannot_compute_or_accept_proposals(client, org_a, bench):
    client.force_login(ClientUserFactory(membership__organization=org_a))
    response = client.post(reverse("admin:engagements_staffingproposal_compute"))
    assert response.status_code == 302
    assert not StaffingProposal.objects.exists()


# --- Consultants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"seniority__exact": "junior"}, ["Junior Jo"]),
        ({"is_active__exact": "0"}, ["Fabio Gone"]),
        ({"languages__language__exact": "en"}, ["Junior Jo"]),
        ({"sectors__sector__exact": "health"}, ["Junior Jo"]),
        ({"remote_mode__exact": "remote"}, ["Junior Jo"]),
        ({"q": "junior"}, ["Junior Jo"]),
        ({"q": "scrum", "seniority__exact": "senior", "is_active__exact": "1"},
         ["Ana Strong", "Bruno Weak", "Carla Mute", "Dario Booked", "Elena Partial"]),
    ],
)
def test_consultant_filters_and_search(staff_client, bench, params, names):
    junior = ConsultantFactory(full_name="Junior Jo", seniority=Seniority.JUNIOR,
                               remote_mode="remote")
    ConsultantLanguageFactory(consultant=junior, language=Language.ENGLISH)
    ConsultantSectorFactory(consultant=junior, sector="health")
    found = [row.full_name for row in results(changelist(staff_client, "consultant", **params))]
    assert found == names


def test_consultant_skill_filter_and_rate_in_force_column(staff_client, bench):
    DayRateFactory(consultant=bench["strong"], amount=Decimal("750.00"),
                   valid_from=TODAY() - datetime.timedelta(days=10))
    DayRateFactory(consultant=bench["strong"], amount=Decimal("990.00"),
                   valid_from=TODAY() + datetime.timedelta(days=10))
    other = SkillFactory(name="Kanban")
    ConsultantSkillFactory(consultant=bench["weak"], skill=other)
    response = changelist(staff_client, "consultant", skill=str(other.pk))
    assert [row.full_name for row in results(response)] == ["Bruno Weak"]
    rows = {row.full_name: row for row in results(changelist(staff_client, "consultant"))}
    assert rows["Ana Strong"].day_rate_today == Decimal("750.00")
    assert changelist(staff_client, "consultant", skill="nope").status_code == 200


def _consultant_post(client, url, **overrides):
    data = form_data(client.get(url), **overrides)
    return client.post(url, data)


def test_adding_a_consultant_checks_the_working_style_and_saves_rates_through_the_service(
    staff_client, staff_user
):
    url = reverse("admin:engagements_consultant_add")
    base = {
        "full_name": "Nora New", "seniority": "senior", "remote_mode": "hybrid",
        "capacity_percent": 80, "is_active": "on", "style_clan": 40, "style_adhocracy": 20,
        "style_market": 20, "style_hierarchy": 10,
        "rates-TOTAL_FORMS": 1, "rates-0-valid_from": "2024-01-01", "rates-0-amount": "650",
    }
    response = _consultant_post(staff_client, url, **base)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["Working-style profile: clan, adhocracy, market and hierarchy must share "
                      "exactly 100 points; they add up to 90."]
    assert "they add up to 90" in response.content.decode()
    assert not Consultant.objects.filter(full_name="Nora New").exists()

    response = _consultant_post(staff_client, url, **{**base, "style_hierarchy": 20})
    assert response.status_code == 302
    nora = Consultant.objects.get(full_name="Nora New")
    assert (nora.capacity_percent, nora.style_profile) == (80, (40, 20, 20, 20))
    assert list(nora.rates.values_list("amount", "valid_from")) == [
        (Decimal("650.00"), datetime.date(2024, 1, 1))
    ]
    assert nora.history.first().history_user == staff_user


def test_rates_are_history_added_through_the_service_never_deleted(staff_client, bench):
    consultant = bench["strong"]
    url = reverse("admin:engagements_consultant_change", args=[consultant.pk])
    page = staff_client.get(url)
    assert "rates-0-DELETE" not in page.content.decode()
    stored = consultant.rates.get()
    overrides = {"rates-TOTAL_FORMS": 2, "rates-1-valid_from": stored.valid_from.isoformat(),
                 "rates-1-amount": "700"}
    response = staff_client.post(url, form_data(page, **overrides))
    assert response.status_code == 200
    assert "Please correct the duplicate data for valid_from." in response.content.decode()

    overrides["rates-1-valid_from"] = "2025-03-01"
    overrides["rates-0-DELETE"] = "on"  # ignored: rates cannot be deleted
    assert staff_client.post(url, form_data(page, **overrides)).status_code == 302
    assert sorted(consultant.rates.values_list("amount", flat=True)) == [
        Decimal("600.00"), Decimal("700.00")
    ]


def test_capacity_cannot_drop_below_commitments(staff_client, bench):
    booked = bench["booked"]
    url = reverse("admin:engagements_consultant_change", args=[booked.pk])
    response = staff_client.post(url, form_data(staff_client.get(url), capacity_percent=60))
    assert response.status_code == 200
    assert "before lowering their capacity to 60%" in str(
        response.context["adminform"].form.non_field_errors()
    )
    booked.refresh_from_db()
    assert booked.capacity_percent == 100


def test_consultants_are_never_deleted(staff_client, bench):
    response = staff_client.get(reverse("admin:engagements_consultant_delete",
                                        args=[bench["weak"].pk]))
    assert response.status_code == 403


# --- Bench page ----------------------------------------------------------------------------------


def test_bench_page_shows_twelve_weeks_with_over_and_under_use(staff_client, bench):
    over = ConsultantFactory(full_name="Olga Over", capacity_percent=50)
    start = TODAY()
    AssignmentFactory(consultant=over, allocation_percent=80, start_on=start,
                      end_on=start + datetime.timedelta(days=20),
                      engagement__planned_start=start)
    response = staff_client.get(reverse("admin:engagements_consultant_bench"))
    assert response.status_code == 200
    assert len(response.context["weeks"]) == 12
    rows = {row.consultant.full_name: row for row in response.context["rows"]}
    assert "Fabio Gone" not in rows  # inactive
    assert rows["Olga Over"].weeks[0].over
    assert rows["Olga Over"].weeks[-1].under
    html = response.content.decode()
    assert 'class="eng-number eng-week eng-over">80% <span class="eng-flag">over</span>' in html
    assert '<span class="eng-flag">under</span>' in html


def test_bench_page_filters_by_seniority_and_skill_and_paginates(staff_client, bench):
    ConsultantFactory(full_name="Junior Jo", seniority=Seniority.JUNIOR)
    url = reverse("admin:engagements_consultant_bench")
    response = staff_client.get(url, {"seniority": "junior"})
    assert [row.consultant.full_name for row in response.context["rows"]] == ["Junior Jo"]
    response = staff_client.get(url, {"skill": bench["skill"].pk, "seniority": "senior"})
    assert len(response.context["rows"]) == 5
    response = staff_client.get(url, {"seniority": "wizard", "skill": "x"})
    assert response.status_code == 200
    assert response.context["filters"].errors.keys() == {"seniority", "skill"}
    assert response.context["total"] == 6  # a bad filter filters nothing
    ConsultantFactory.create_batch(25)
    response = staff_client.get(url, {"page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["rows"]) == 31 - 25


def test_bench_page_computes_only_its_page(staff_client, bench, monkeypatch):
    """The loads are computed for the 25 consultants shown, not the whole bench, and the
    page reads the same statements for 30 or 80 active consultants."""
    from engagements import selectors

    computed = []
    daily_loads = selectors._daily_loads
    monkeypatch.setattr(selectors, "_daily_loads",
                        lambda periods, *args: computed.append(periods) or daily_loads(
                            periods, *args))
    url = reverse("admin:engagements_consultant_bench")
    ConsultantFactory.create_batch(25)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url, {"page": 2})
    assert len(response.context["rows"]) == 5  # 30 active: 25 on page 1
    assert len(computed) == 5
    few = len(queries)

    for consultant in ConsultantFactory.create_batch(50):
        AssignmentFactory(consultant=consultant, start_on=TODAY(),
                          end_on=TODAY() + datetime.timedelta(days=30),
                          engagement__planned_start=TODAY())
    computed.clear()
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url, {"page": 2})
    assert len(response.context["rows"]) == 25
    assert len(computed) == 25  # not 80
    assert response.context["total"] == 80
    assert len(queries) == few


# --- Engagements: the record, needs and team inlines, actions, from a request ----------------


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"status__exact": "active"}, ["Running"]),
        ({"typology__exact": "directive"}, ["Running"]),
        ({"q": "permits"}, ["Permits PMO"]),
        ({"q": "Dario"}, ["Harbour PMO"]),
    ],
)
def test_engagement_filters_and_search(staff_client, bench, org_b, params, titles):
    EngagementFactory(organization=org_b, title="Running", status=EngagementStatus.ACTIVE,
                      typology="directive")
    found = [row.title for row in results(changelist(staff_client, "engagement", **params))]
    assert found == titles


def test_engagement_list_shows_team_size_and_filters_by_organization(staff_client, bench,
                                                                     org_a):
    AssignmentFactory(engagement=bench["engagement"], consultant=bench["strong"])
    AssignmentFactory(engagement=bench["engagement"], consultant=bench["weak"])
    response = changelist(staff_client, "engagement", organization__id__exact=org_a.pk)
    (row,) = results(response)
    assert (row.title, row.team_size_value) == ("Permits PMO", 2)


def _team_post(client, engagement, **row):
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    page = client.get(url)
    data = form_data(page, **{"assignments-TOTAL_FORMS": 1, **{
        f"assignments-0-{name}": value for name, value in row.items()
    }})
    return client.post(url, data)


def test_team_rows_go_through_the_capacity_check(staff_client, staff_user, bench):
    engagement, need = bench["engagement"], bench["need"]
    row = {"role": need.role.pk, "allocation_percent": 50,
           "start_on": need.start_on.isoformat(), "end_on": need.end_on.isoformat()}
    response = _team_post(staff_client, engagement, consultant=bench["partial"].pk, **row)
    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]
                  if inline.formset.prefix == "assignments"]
    assert "Elena Partial would be at 120%" in str(formset.forms[0].non_field_errors())
    assert "above their capacity of 100%" in response.content.decode()
    assert not Assignment.objects.filter(engagement=engagement).exists()

    response = _team_post(staff_client, engagement, consultant=bench["strong"].pk,
                          staffing_need=need.pk, **row)
    assert response.status_code == 302
    assignment = Assignment.objects.get(engagement=engagement)
    assert (assignment.consultant, assignment.created_by) == (bench["strong"], staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED


def test_team_row_outside_the_engagement_window_is_a_form_error(staff_client, bench):
    engagement, need = bench["engagement"], bench["need"]
    response = _team_post(
        staff_client, engagement, consultant=bench["strong"].pk, role=need.role.pk,
        allocation_percent=20, start_on=(engagement.planned_start
                                         - datetime.timedelta(days=5)).isoformat(),
        end_on=engagement.planned_end.isoformat(),
    )
    assert response.status_code == 200
    assert "Cannot start before the engagement does" in response.content.decode()
    assert not Assignment.objects.filter(engagement=engagement).exists()


def test_a_stored_team_row_changes_through_the_service_and_keeps_its_consultant(
    staff_client, bench
):
    engagement = bench["engagement"]
    assignment = AssignmentFactory(engagement=engagement, consultant=bench["strong"],
                                   allocation_percent=20)
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    page = staff_client.get(url)
    response = staff_client.post(url, form_data(
        page, **{"assignments-0-allocation_percent": 100,
                 "assignments-0-consultant": bench["weak"].pk},
    ))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.allocation_percent, assignment.consultant) == (100, bench["strong"])
    # Over capacity once another engagement takes half of Ana's time.
    other = EngagementFactory(planned_start=engagement.planned_start,
                              planned_end=engagement.planned_end)
    AssignmentFactory(engagement=other, consultant=bench["strong"], allocation_percent=50)
    response = staff_client.post(url, form_data(staff_client.get(url), **{
        "assignments-0-allocation_percent": 60,
    }))
    assert response.status_code == 200
    assert "Ana Strong would be at 110%" in response.content.decode()


def test_a_future_team_row_is_deleted_through_the_service_and_reopens_its_need(
    staff_client, staff_user, bench
):
    from engagements import services

    need = bench["need"]
    services.assign_from_match(need=need, consultant=bench["strong"], actor=staff_user)
    url = reverse("admin:engagements_engagement_change", args=[bench["engagement"].pk])
    response = staff_client.post(url, form_data(staff_client.get(url),
                                                **{"assignments-0-DELETE": "on"}))
    assert response.status_code == 302
    assert not Assignment.objects.filter(engagement=bench["engagement"]).exists()
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_needs_added_on_the_engagement_page_link_to_their_matching_screen(staff_client, bench):
    engagement = bench["engagement"]
    url = reverse("admin:engagements_engagement_change", args=[engagement.pk])
    page = staff_client.get(url)
    assert matches_url(bench["need"]) in page.content.decode()
    role = RoleFactory(name="Agile coach")
    response = staff_client.post(url, form_data(page, **{
        "staffing_needs-TOTAL_FORMS": 2, "staffing_needs-1-role": role.pk,
        "staffing_needs-1-seniority": "mid", "staffing_needs-1-allocation_percent": 40,
        "staffing_needs-1-start_on": engagement.planned_start.isoformat(),
        "staffing_needs-1-end_on": (engagement.planned_end
                                    + datetime.timedelta(days=1)).isoformat(),
    }))
    assert response.status_code == 200
    assert "Cannot end after the engagement does" in response.content.decode()
    response = staff_client.post(url, form_data(page, **{
        "staffing_needs-TOTAL_FORMS": 2, "staffing_needs-1-role": role.pk,
        "staffing_needs-1-seniority": "mid", "staffing_needs-1-allocation_percent": 40,
        "staffing_needs-1-start_on": engagement.planned_start.isoformat(),
        "staffing_needs-1-end_on": engagement.planned_end.isoformat(),
    }))
    assert response.status_code == 302
    assert engagement.staffing_needs.filter(role=role, status=NeedStatus.OPEN).exists()


def test_adding_an_engagement_goes_through_the_service(staff_client, staff_user, org_a, org_b):
    from tests.factories import StakeholderFactory

    foreign = StakeholderFactory(organization=org_b)
    url = reverse("admin:engagements_engagement_add")
    data = {"organization": org_a.pk, "title": "Data PMO", "typology": "supportive",
            "planned_start": "2030-01-01", "planned_end": "2030-06-30",
            "budget_at_completion": "100000", "sponsor": foreign.pk}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "does not belong to Organization A" in response.content.decode()
    del data["sponsor"]
    assert staff_client.post(url, data).status_code == 302
    engagement = Engagement.objects.get(title="Data PMO")
    assert engagement.status == EngagementStatus.PROPOSED
    assert engagement.transitions.get().actor == staff_user


def test_closed_engagements_are_read_only_and_never_deleted(staff_client, bench):
    closed = EngagementFactory(status=EngagementStatus.CLOSED)
    page = staff_client.get(reverse("admin:engagements_engagement_change", args=[closed.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert staff_client.get(reverse("admin:engagements_engagement_delete",
                                    args=[closed.pk])).status_code == 403


def test_workflow_actions_move_allowed_engagements_and_report_refusals(staff_client, bench):
    url = reverse("admin:engagements_engagement_changelist")
    proposed = EngagementFactory(title="Fresh", status=EngagementStatus.PROPOSED)
    staffing = bench["engagement"]
    response = run_action(staff_client, url, "to_staffing", [proposed, staffing])
    assert response.status_code == 302
    shown = messages_of(response)
    assert "1 engagement(s) now staffing." in shown
    assert any(text.startswith("“Permits PMO” (Organization A): A staffing engagement cannot "
                               "become staffing") for text in shown)
    response = run_action(staff_client, url, "to_active", [staffing])
    assert any("cannot start without a team" in text for text in messages_of(response))
    AssignmentFactory(engagement=staffing)
    run_action(staff_client, url, "to_active", [staffing])
    staffing.refresh_from_db()
    proposed.refresh_from_db()
    assert (proposed.status, staffing.status) == ("staffing", "active")


def test_cancelling_asks_for_the_reason_and_stores_it(staff_client, staff_user, bench):
    url = reverse("admin:engagements_engagement_changelist")
    engagement = bench["engagement"]
    page = run_action(staff_client, url, "cancel", [engagement])
    assert page.status_code == 200
    assert "You are about to cancel 1 engagement." in page.content.decode()
    page = run_action(staff_client, url, "cancel", [engagement], post="yes", reason="  ")
    assert "Please give the reason for cancelling." in page.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.STAFFING

    response = run_action(staff_client, url, "cancel", [engagement], post="yes",
                          reason="The client froze the budget.")
    assert response.status_code == 302
    assert "1 engagement(s) cancelled." in messages_of(response)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.CANCELLED
    transition = EngagementTransition.objects.filter(engagement=engagement).latest("id")
    assert (transition.note, transition.actor) == ("The client froze the budget.", staff_user)
    bench["need"].refresh_from_db()
    assert bench["need"].status == NeedStatus.CANCELLED


def test_from_request_page_lists_accepted_requests_and_creates_the_engagement(
    staff_client, org_a
):
    accepted = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED,
                                     service__name="Portfolio reporting")
    ServiceRequestFactory(organization=org_a, status=RequestStatus.IN_REVIEW)
    used = ServiceRequestFactory(organization=org_a, status=RequestStatus.ACCEPTED)
    EngagementFactory(organization=org_a, service_request=used)
    url = reverse("admin:engagements_engagement_from_request")
    page = staff_client.get(url, {"request": accepted.pk})
    assert list(page.context["requests"]) == [accepted]
    assert page.context["form"].initial == {"service_request": accepted.pk}
    assert "Create from an accepted request" in changelist(staff_client,
                                                          "engagement").content.decode()

    response = staff_client.post(url, {"service_request": accepted.pk,
                                       "planned_start": "2030-05-01",
                                       "planned_end": "2030-04-01"})
    assert response.status_code == 200
    assert "The end cannot come before the start." in response.content.decode()
    response = staff_client.post(url, {"service_request": used.pk})
    assert "Select a valid choice" in response.content.decode()
    response = staff_client.post(url, {"service_request": accepted.pk,
                                       "planned_start": "2030-05-01",
                                       "budget_at_completion": "90000"})
    engagement = Engagement.objects.get(service_request=accepted)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:engagements_engagement_change",
                                           args=[engagement.pk])
    assert engagement.title == f"Portfolio reporting for {org_a.name}"
    assert engagement.planned_start == datetime.date(2030, 5, 1)
    assert engagement.budget_at_completion == Decimal("90000.00")
    assert list(staff_client.get(url).context["requests"]) == []


# --- Staffing needs and the matching screen ------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "count"),
    [({"status__exact": "open"}, 1), ({"status__exact": "filled"}, 0),
     ({"seniority__exact": "senior"}, 1), ({"language__exact": "es"}, 1),
     ({"q": "permits"}, 1), ({"q": "PMO lead"}, 1), ({"q": "nothing"}, 0)],
)
def test_staffing_need_filters_and_search(staff_client, bench, params, count):
    response = changelist(staff_client, "staffingneed", **params)
    assert response.context["cl"].result_count == count
    if count:
        assert matches_url(bench["need"]) in response.content.decode()


def test_need_skills_change_through_the_service_and_filled_needs_are_read_only(
    staff_client, bench
):
    need = bench["need"]
    url = reverse("admin:engagements_staffingneed_change", args=[need.pk])
    page = staff_client.get(url)
    assert matches_url(need) in page.content.decode()
    kanban = SkillFactory(name="Kanban")
    response = staff_client.post(url, form_data(page, **{
        "skill_requirements-TOTAL_FORMS": 2, "skill_requirements-1-skill": kanban.pk,
        "skill_requirements-1-minimum_level": 2, "allocation_percent": 60,
    }))
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.allocation_percent == 60
    assert dict(need.skill_requirements.values_list("skill__name", "minimum_level")) == {
        "Scrum": 3, "Kanban": 2,
    }
    need.status = NeedStatus.FILLED
    need.save()
    assert not staff_client.get(url).context["has_change_permission"]


def test_adding_a_need_with_its_skills_goes_through_the_services(staff_client, bench):
    engagement = bench["engagement"]
    url = reverse("admin:engagements_staffingneed_add")
    data = {
        "engagement": engagement.pk, "role": RoleFactory(name="Agile coach").pk,
        "seniority": "mid", "language": "", "allocation_percent": 30,
        "start_on": engagement.planned_start.isoformat(),
        "end_on": (engagement.planned_end + datetime.timedelta(days=1)).isoformat(),
        "skill_requirements-TOTAL_FORMS": 1, "skill_requirements-INITIAL_FORMS": 0,
        "skill_requirements-0-skill": bench["skill"].pk,
        "skill_requirements-0-minimum_level": 4,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Cannot end after the engagement does" in response.content.decode()
    data["end_on"] = engagement.planned_end.isoformat()
    assert staff_client.post(url, data).status_code == 302
    need = StaffingNeed.objects.get(role__name="Agile coach")
    assert need.status == NeedStatus.OPEN
    assert list(need.skill_requirements.values_list("skill__name", "minimum_level")) == [
        ("Scrum", 4)
    ]


def test_cancel_action_withdraws_open_needs_only(staff_client, bench):
    filled = StaffingNeedFactory(status=NeedStatus.FILLED)
    url = reverse("admin:engagements_staffingneed_changelist")
    response = run_action(staff_client, url, "cancel_needs", [bench["need"], filled])
    shown = messages_of(response)
    assert "1 staffing need(s) cancelled." in shown
    assert any("only open needs change" in text for text in shown)
    bench["need"].refresh_from_db()
    assert bench["need"].status == NeedStatus.CANCELLED


def test_matching_screen_ranks_candidates_with_breakdown_and_lists_the_excluded(
    staff_client, bench
):
    response = staff_client.get(matches_url(bench["need"]))
    assert response.status_code == 200
    rows = response.context["candidates"]
    names = [row["candidate"].full_name for row in rows]
    assert names[0] == "Ana Strong"
    assert set(names) == {"Ana Strong", "Bruno Weak", "Elena Partial"}
    scores = [row["candidate"].score for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert names.index("Ana Strong") < names.index("Bruno Weak")
    partial = next(row["candidate"] for row in rows if row["candidate"].full_name ==
                   "Elena Partial")
    assert (partial.assignable, partial.free_percent) == (False, 30)
    excluded = {item.full_name: item.reason for item in response.context["excluded"]}
    assert excluded["Carla Mute"] == "Does not work in Spanish"
    assert excluded["Dario Booked"].startswith("No free capacity on any day")
    assert excluded["Fabio Gone"] == "Inactive"
    html = response.content.decode()
    skills = rows[0]["factors"][0]
    assert skills[:2] == ("skills", "Skills coverage")
    assert f'value="{skills[2]}" aria-label="Skills coverage: {skills[2]}%"' in html
    assert 'aria-label="Assign Ana Strong"' in html
    assert 'aria-label="Assign Elena Partial"' not in html
    assert "Not enough free capacity for 50%" in html
    assert 'style="' not in html.split('id="content-main"')[1]  # the CSP forbids inline styles


def test_trying_other_weights_changes_this_view_only(staff_client, bench):
    url = matches_url(bench["need"])
    default = staff_client.get(url).context
    assert not default["weights_overridden"]
    response = staff_client.get(url, {"skills": 0, "seniority": 0, "sector": 0, "culture": 0,
                                      "track_record": 0, "cost": 0, "availability": 100})
    assert response.status_code == 200
    context = response.context
    assert context["weights_overridden"]
    used = {row["label"]: row["used"] for row in context["weights"]}
    assert used["Skills coverage"] == 0
    assert used["Availability in the window"] == 100
    # Only availability counts: Ana and Bruno (fully free) tie at 100, Elena has less room.
    scores = {row["candidate"].full_name: row["candidate"].score
              for row in context["candidates"]}
    assert scores["Ana Strong"] == scores["Bruno Weak"] > scores["Elena Partial"]
    assert not MatchingWeights.objects.exists()  # nothing stored


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"skills": "abc"}, "skills", "Enter a whole number."),
        ({"culture": "500"}, "culture", "less than or equal to 100"),
        ({"cost": "-1"}, "cost", "greater than or equal to 0"),
        (dict.fromkeys(FACTORS, 0), None, "At least one weight must be above zero."),
    ],
)
def test_bad_weights_show_errors_and_rank_with_the_weights_in_force(
    staff_client, bench, params, field, message
):
    response = staff_client.get(matches_url(bench["need"]), params)
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors[field or "__all__"]
    assert any(message in error for error in errors)
    assert not response.context["weights_overridden"]
    assert response.context["candidates"][0]["candidate"].full_name == "Ana Strong"
    assert "These weights were not used" in response.content.decode()


def test_candidates_are_paginated(staff_client, bench):
    for number in range(55):
        consultant = ConsultantFactory(full_name=f"Zed {number:02d}")
        ConsultantLanguageFactory(consultant=consultant, language=Language.SPANISH)
    url = matches_url(bench["need"])
    first = staff_client.get(url).context
    assert first["candidate_count"] == 58
    assert len(first["candidates"]) == 50
    second = staff_client.get(url, {"page": 2, "culture": 30}).context
    assert [row["rank"] for row in second["candidates"]] == list(range(51, 59))
    assert "page=2" in staff_client.get(url).content.decode()


def test_one_click_assign_fills_the_need(staff_client, staff_user, bench):
    need = bench["need"]
    url = matches_url(need)
    response = staff_client.post(url, {"consultant": bench["strong"].pk})
    assert response.status_code == 302
    assert response["Location"] == url
    assert any(text.startswith("Ana Strong is assigned to Permits PMO as PMO lead at 50%")
               for text in messages_of(response))
    assignment = Assignment.objects.get(staffing_need=need)
    assert (assignment.consultant, assignment.created_by) == (bench["strong"], staff_user)
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    page = staff_client.get(url)
    assert "Filled by:" in page.content.decode()
    assert not page.context["can_assign"]
    assert staff_client.post(url, {"consultant": bench["weak"].pk}).status_code == 403


def test_assign_over_capacity_shows_the_reason(staff_client, bench):
    url = matches_url(bench["need"])
    response = staff_client.post(url, {"consultant": bench["partial"].pk}, follow=True)
    assert response.status_code == 200
    assert ("Elena Partial was not assigned: Elena Partial would be at 120%"
            in response.content.decode())
    assert not Assignment.objects.filter(staffing_need=bench["need"]).exists()
    response = staff_client.post(url, {"consultant": "nobody"}, follow=True)
    assert "Choose a consultant to assign." in response.content.decode()
    assert staff_client.get(reverse("admin:engagements_staffingneed_matches",
                                    args=["999999"])).status_code == 404


# --- Matching weights ----------------------------------------------------------------------------


def test_weights_are_one_row_changed_through_the_service(staff_client, staff_user):
    response = staff_client.get(reverse("admin:engagements_matchingweights_changelist"))
    assert response["Location"] == reverse("admin:engagements_matchingweights_add")
    add = reverse("admin:engagements_matchingweights_add")
    data = form_data(staff_client.get(add))
    assert data["skills"] == 30  # the documented defaults
    zeros = dict.fromkeys(FACTORS, 0)
    response = staff_client.post(add, {**data, **zeros})
    assert response.status_code == 200
    assert "At least one weight must be above zero." in response.content.decode()
    response = staff_client.post(add, {**data, "culture": 40})
    assert response.status_code == 302
    weights = MatchingWeights.objects.get()
    assert (weights.pk, weights.culture, weights.updated_by) == (1, 40, staff_user)

    assert staff_client.get(add).status_code == 403
    change = reverse("admin:engagements_matchingweights_change", args=[1])
    assert staff_client.get(reverse("admin:engagements_matchingweights_changelist"))[
        "Location"] == change
    response = staff_client.post(change, form_data(staff_client.get(change), cost=15))
    assert response.status_code == 302
    assert response["Location"] == change
    assert MatchingWeights.objects.get().cost == 15
    assert staff_client.get(reverse("admin:engagements_matchingweights_delete",
                                    args=[1])).status_code == 403


# --- Staffing proposals --------------------------------------------------------------------------


def test_compute_and_accept_selected_lines_of_a_proposal(staff_client, bench, org_a):
    second = StaffingNeedFactory(engagement=bench["engagement"], allocation_percent=50)
    list_page = changelist(staff_client, "staffingproposal")
    assert reverse("admin:engagements_staffingproposal_compute") in list_page.content.decode()
    assert staff_client.get(reverse("admin:engagements_staffingproposal_compute")
                            ).status_code == 405
    response = staff_client.post(reverse("admin:engagements_staffingproposal_compute"))
    proposal = StaffingProposal.objects.get()
    assert response["Location"] == reverse("admin:engagements_staffingproposal_change",
                                           args=[proposal.pk])
    assert any(text.endswith("Review the lines, then accept.")
               for text in messages_of(response))
    page = staff_client.get(response["Location"])
    lines = page.context["lines"]
    assert {line.need_id for line in lines} == {bench["need"].pk, second.pk}
    html = page.content.decode()
    assert "Improvement over greedy" in html
    assert "Accept selected lines" in html
    assert "Accept all lines" in html
    assert 'name="_save"' not in html

    accept = reverse("admin:engagements_staffingproposal_accept", args=[proposal.pk])
    response = staff_client.post(accept, {"accept_selected": ""})
    assert "Select the lines to accept, or accept all." in messages_of(response)
    first = next(line for line in lines if line.need_id == bench["need"].pk)
    response = staff_client.post(accept, {"line": [first.pk]})
    assert response.status_code == 302
    assert any(text.startswith("1 line(s) applied:") for text in messages_of(response))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PARTIALLY_APPLIED
    assert Assignment.objects.filter(staffing_need=bench["need"]).exists()
    response = staff_client.post(accept, {"accept_all": ""})
    assert any(text.startswith("Nothing accepted: This proposal is partially applied")
               for text in messages_of(response))


def test_accepting_all_reports_lines_that_no_longer_fit(staff_client, staff_user, bench):
    from engagements import services

    proposal = services.proposal_create(actor=staff_user)
    (line,) = proposal.lines.all()
    # Meanwhile someone else fills the need by hand.
    services.assignment_create(
        actor=staff_user, engagement=bench["engagement"], consultant=bench["weak"],
        role=line.need.role, allocation_percent=10, start_on=line.need.start_on,
        end_on=line.need.end_on, staffing_need=line.need,
    )
    accept = reverse("admin:engagements_staffingproposal_accept", args=[proposal.pk])
    response = staff_client.post(accept, {"accept_all": ""})
    shown = messages_of(response)
    assert any(text.startswith(f"Not applied: {line.need} → {line.consultant}: ")
               and "filled" in text for text in shown)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PARTIALLY_APPLIED


def test_computing_without_open_needs_says_so(staff_client, bench):
    bench["need"].status = NeedStatus.CANCELLED
    bench["need"].save()
    response = staff_client.post(reverse("admin:engagements_staffingproposal_compute"))
    assert response["Location"] == reverse("admin:engagements_staffingproposal_changelist")
    assert ("No proposal computed: There are no open staffing needs to propose for."
            in messages_of(response))
    assert not StaffingProposal.objects.exists()


# --- Culture assessments -------------------------------------------------------------------------


def test_recording_a_culture_assessment_checks_both_profiles(staff_client, staff_user, org_a):
    url = reverse("admin:engagements_cultureassessment_add")
    data = {"organization": org_a.pk, "assessed_on": TODAY().isoformat(), "respondents": 3,
            "current_clan": 10, "current_adhocracy": 20, "current_market": 30,
            "current_hierarchy": 40, "preferred_clan": 50, "preferred_adhocracy": 10,
            "preferred_market": 10, "preferred_hierarchy": 10}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Preferred culture: clan, adhocracy, market and hierarchy must share exactly 100 "
        "points; they add up to 80."
    ]
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    response = staff_client.post(url, {**data, "preferred_hierarchy": 30,
                                       "assessed_on": future})
    assert "An assessment cannot be dated in the future." in response.content.decode()
    response = staff_client.post(url, {**data, "preferred_hierarchy": 30})
    assert response.status_code == 302
    assessment = CultureAssessment.objects.get()
    assert (assessment.source, assessment.assessed_by) == (CultureSource.DIRECT, staff_user)
    assert assessment.preferred_profile == (50, 10, 10, 30)
    page = staff_client.get(reverse("admin:engagements_cultureassessment_change",
                                    args=[assessment.pk]))
    assert not page.context["has_change_permission"]


def test_questionnaire_answers_show_read_only_and_the_list_filters(staff_client, org_a, org_b):
    questionnaire = CultureAssessmentFactory(organization=org_a,
                                             source=CultureSource.QUESTIONNAIRE)
    CultureAnswer.objects.create(assessment=questionnaire, question=1, preferred=False,
                                 points_clan=10, points_adhocracy=20, points_market=30,
                                 points_hierarchy=40)
    CultureAssessmentFactory(organization=org_b)
    page = staff_client.get(reverse("admin:engagements_cultureassessment_change",
                                    args=[questionnaire.pk]))
    (answers,) = page.context["inline_admin_formsets"]
    assert not answers.has_change_permission
    assert not answers.has_add_permission
    assert "Dominant characteristics" in page.content.decode()
    found = results(changelist(staff_client, "cultureassessment", source__exact="questionnaire"))
    assert found == [questionnaire]
    found = results(changelist(staff_client, "cultureassessment", q="Organization B"))
    assert [item.organization for item in found] == [org_b]
    rows = results(changelist(staff_client, "cultureassessment"))
    assert {row.pk for row in rows} == set(CultureAssessment.objects.values_list("pk",
                                                                                flat=True))
    assert "Hierarchy" in changelist(staff_client, "cultureassessment").content.decode()


# --- Outcomes ------------------------------------------------------------------------------------


def test_outcome_is_recorded_with_ratings_of_team_members_only(staff_client, staff_user,
                                                               bench, org_a):
    engagement = EngagementFactory(organization=org_a, title="Closing PMO",
                                   status=EngagementStatus.CLOSING)
    AssignmentFactory(engagement=engagement, consultant=bench["strong"])
    AssignmentFactory(engagement=engagement, consultant=bench["weak"])
    change = staff_client.get(reverse("admin:engagements_engagement_change",
                                      args=[engagement.pk]))
    add = reverse("admin:engagements_engagementoutcome_add")
    assert f"{add}?engagement={engagement.pk}" in change.content.decode()
    page = staff_client.get(add, {"engagement": engagement.pk})
    (ratings,) = page.context["inline_admin_formsets"]
    assert ratings.formset.total_form_count() == 2
    choices = {c.full_name for c in
               ratings.formset.forms[0].fields["consultant"].queryset}
    assert choices == {"Ana Strong", "Bruno Weak"}

    data = {"engagement": engagement.pk, "client_satisfaction": 4, "on_time": "on",
            "fit_ratings-TOTAL_FORMS": 2, "fit_ratings-INITIAL_FORMS": 0,
            "fit_ratings-MIN_NUM_FORMS": 0, "fit_ratings-MAX_NUM_FORMS": 1000,
            "fit_ratings-0-consultant": bench["strong"].pk, "fit_ratings-0-values_match": 6,
            "fit_ratings-0-values_fit": 6, "fit_ratings-0-culture_fit": 7,
            "fit_ratings-1-consultant": bench["mute"].pk, "fit_ratings-1-values_match": 2,
            "fit_ratings-1-values_fit": 2, "fit_ratings-1-culture_fit": 2}
    response = staff_client.post(f"{add}?engagement={engagement.pk}", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # not on the team
    assert not EngagementOutcome.objects.exists()

    data["fit_ratings-1-consultant"] = bench["strong"].pk
    response = staff_client.post(f"{add}?engagement={engagement.pk}", data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for consultant" in response.content.decode()

    data["fit_ratings-1-consultant"] = bench["weak"].pk
    response = staff_client.post(f"{add}?engagement={engagement.pk}", data)
    assert response.status_code == 302
    outcome = EngagementOutcome.objects.get()
    assert (outcome.engagement, outcome.recorded_by, outcome.on_time) == (
        engagement, staff_user, True)
    assert outcome.culture_profile is not None  # the client's culture, copied
    assert {(r.consultant.full_name, r.culture_fit) for r in outcome.fit_ratings.all()} == {
        ("Ana Strong", 7), ("Bruno Weak", 2)}
    view = staff_client.get(reverse("admin:engagements_engagementoutcome_change",
                                    args=[outcome.pk]))
    assert view.status_code == 200
    assert not view.context["has_change_permission"]
    assert f"{add}?engagement" not in staff_client.get(
        reverse("admin:engagements_engagement_change", args=[engagement.pk])
    ).content.decode()


def test_outcome_only_for_closing_or_closed_engagements(staff_client, bench):
    page = staff_client.get(reverse("admin:engagements_engagementoutcome_add"))
    choices = page.context["adminform"].form.fields["engagement"].queryset
    assert bench["engagement"] not in choices
    response = staff_client.post(reverse("admin:engagements_engagementoutcome_add"), {
        "engagement": bench["engagement"].pk, "client_satisfaction": 4,
        "fit_ratings-TOTAL_FORMS": 0, "fit_ratings-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- Query counts --------------------------------------------------------------------------------


def _consultant_with_profile(number: int) -> None:
    consultant = ConsultantFactory()
    ConsultantSkillFactory(consultant=consultant)
    ConsultantLanguageFactory(consultant=consultant, language=Language.SPANISH)
    DayRateFactory(consultant=consultant)
    AssignmentFactory(consultant=consultant, allocation_percent=10)


def _proposal(number: int) -> None:
    from tests.factories import StaffUserFactory

    StaffingProposal.objects.create(
        total_score=80, greedy_total_score=70, needs_considered=1, needs_filled=1,
        greedy_needs_filled=1, weights={}, solve_ms=3, created_by=StaffUserFactory(),
    )


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("admin:engagements_consultant_changelist", _consultant_with_profile),
        ("admin:engagements_consultant_bench", _consultant_with_profile),
        ("admin:engagements_engagement_changelist",
         lambda number: AssignmentFactory()),
        ("admin:engagements_staffingneed_changelist",
         lambda number: StaffingNeedSkillFactory()),
        ("admin:engagements_cultureassessment_changelist",
         lambda number: CultureAssessmentFactory()),
        ("admin:engagements_engagementoutcome_changelist",
         lambda number: EngagementOutcomeFactory()),
        ("admin:engagements_staffingproposal_changelist", _proposal),
    ],
)
def test_page_query_count_does_not_grow_with_rows(staff_client, url_name, factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse(url_name)).status_code == 200
        return len(queries)

    factory(0)
    few = count()
    for number in range(5):
        factory(number)
    assert count() == few


def test_matching_screen_query_count_does_not_grow_with_the_bench(staff_client, bench):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(matches_url(bench["need"])).status_code == 200
        return len(queries)

    few = count()
    for number in range(8):
        _consultant_with_profile(number)
    assert count() == few

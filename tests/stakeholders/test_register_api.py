"""REST API of the stakeholder register, engagement assessments, communication and risks."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from stakeholders import services
from stakeholders.choices import MembershipRole
from stakeholders.models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Risk,
    Stakeholder,
)
from tests.factories import (
    ClientUserFactory,
    CommunicationFactory,
    CommunicationPlanFactory,
    EngagementAssessmentFactory,
    RiskFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

STAKEHOLDERS = "/api/v1/stakeholders/"
ASSESSMENTS = "/api/v1/engagement-assessments/"
PLANS = "/api/v1/communication-plans/"
LOG = "/api/v1/communications/"
RISKS = "/api/v1/risks/"


def today():
    return timezone.localdate()


def iso(day) -> str:
    return day.isoformat()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def reader_api(org_a):
    reader = ClientUserFactory(
        membership__organization=org_a, membership__role=MembershipRole.READ_ONLY
    )
    client = APIClient()
    client.force_authenticate(reader)
    return client


@pytest.fixture
def person(org_a):
    return StakeholderFactory(organization=org_a, full_name="Ana Torres", power=4, interest=4)


# --- Stakeholders ----------------------------------------------------------------------------


def test_client_creates_a_stakeholder_in_own_organization(client_api, org_a, user_a):
    response = client_api.post(STAKEHOLDERS, {
        "full_name": "Luis Gómez", "title": "CIO", "relationship": "sponsor", "power": 5,
        "interest": 2, "current_engagement": "resistant", "desired_engagement": "leading",
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert body["quadrant"] == "keep_satisfied"
    assert body["engagement_gap"] == 3
    assert body["relationship_owner"] is None
    assert body["relationship_owner_name"] is None
    assessment = EngagementAssessment.objects.get(stakeholder_id=body["id"])
    assert (assessment.current, assessment.desired, assessment.assessed_by) == (
        "resistant", "leading", user_a
    )


def test_staff_must_say_which_organization(staff_api, org_a, staff_user):
    payload = {"full_name": "Eva Ruiz", "power": 2, "interest": 5}
    response = staff_api.post(STAKEHOLDERS, payload)
    assert response.status_code == 400
    assert "organization" in response.json()
    response = staff_api.post(
        STAKEHOLDERS, {**payload, "organization": org_a.pk, "relationship_owner": staff_user.pk}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert body["quadrant"] == "keep_informed"
    assert body["relationship_owner"] == staff_user.pk
    assert body["relationship_owner_name"] == staff_user.get_full_name()


def test_client_cannot_set_the_relationship_owner(client_api, staff_user, person):
    response = client_api.post(STAKEHOLDERS, {
        "full_name": "Eva Ruiz", "power": 2, "interest": 5, "relationship_owner": staff_user.pk,
    })
    assert response.status_code == 400
    assert "Only PMO staff" in response.json()["relationship_owner"][0]
    assert not Stakeholder.objects.filter(full_name="Eva Ruiz").exists()
    response = client_api.patch(
        f"{STAKEHOLDERS}{person.pk}/", {"relationship_owner": staff_user.pk}
    )
    assert response.status_code == 400
    assert "relationship_owner" in response.json()
    person.refresh_from_db()
    assert person.relationship_owner is None


def test_client_round_trip_keeps_the_owner_staff_chose(client_api, staff_user, person):
    person.relationship_owner = staff_user
    person.save()
    document = client_api.get(f"{STAKEHOLDERS}{person.pk}/").json()
    document["notes"] = "Prefers short e-mails."
    response = client_api.put(f"{STAKEHOLDERS}{person.pk}/", document)
    assert response.status_code == 200, response.json()
    assert response.json()["relationship_owner"] == staff_user.pk
    assert response.json()["notes"] == "Prefers short e-mails."


def test_computed_fields_are_read_only(client_api, person):
    response = client_api.patch(
        f"{STAKEHOLDERS}{person.pk}/",
        {"quadrant": "monitor", "engagement_gap": 4, "relationship_owner_name": "Me"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["quadrant"] == "manage_closely"
    assert body["engagement_gap"] == 1
    assert body["relationship_owner_name"] is None


def test_changing_engagement_records_an_assessment(client_api, person, user_a):
    response = client_api.patch(f"{STAKEHOLDERS}{person.pk}/", {"desired_engagement": "leading"})
    assert response.status_code == 200
    assert response.json()["engagement_gap"] == 2
    assessment = person.assessments.get()
    assert (assessment.desired, assessment.assessed_by) == ("leading", user_a)


def test_stakeholders_are_archived_not_deleted(client_api, staff_api, person):
    assert client_api.delete(f"{STAKEHOLDERS}{person.pk}/").status_code == 405
    assert staff_api.delete(f"{STAKEHOLDERS}{person.pk}/").status_code == 405
    response = client_api.patch(f"{STAKEHOLDERS}{person.pk}/", {"is_active": False})
    assert response.status_code == 200
    assert ids(client_api.get(STAKEHOLDERS, {"is_active": "false"})) == {person.pk}
    assert ids(client_api.get(STAKEHOLDERS, {"is_active": "true"})) == set()


def test_read_only_member_reads_but_cannot_write(reader_api, person):
    assert ids(reader_api.get(STAKEHOLDERS)) == {person.pk}
    response = reader_api.post(STAKEHOLDERS, {"full_name": "X", "power": 1, "interest": 1})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert reader_api.patch(f"{STAKEHOLDERS}{person.pk}/", {"power": 1}).status_code == 403
    assert reader_api.post(
        ASSESSMENTS, {"stakeholder": person.pk, "current": "neutral", "desired": "leading"}
    ).status_code == 403
    assert reader_api.post(
        PLANS, {"purpose": "P", "channel": "email", "frequency": "weekly", "audience": "All"}
    ).status_code == 403
    assert reader_api.post(
        LOG, {"held_on": iso(today()), "channel": "email", "summary": "S"}
    ).status_code == 403
    assert reader_api.post(
        RISKS, {"title": "T", "category": "technical", "probability": 1, "impact": 1}
    ).status_code == 403
    assert Stakeholder.objects.get().power == 4
    for model in (EngagementAssessment, CommunicationPlan, Communication, Risk):
        assert not model.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"power": 9}, "power"),
        ({"interest": 0}, "interest"),
        ({"power": "high"}, "power"),
        ({"current_engagement": "ecstatic"}, "current_engagement"),
        ({"relationship": "friend"}, "relationship"),
        ({"email": "not-an-address"}, "email"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_bad_stakeholder_input_is_a_400_naming_the_field(client_api, payload, field):
    response = client_api.post(
        STAKEHOLDERS, {"full_name": "Ana", "power": 3, "interest": 3, **payload}
    )
    assert response.status_code == 400
    assert field in response.json()


def test_duplicate_email_in_an_organization_is_a_400(client_api, person):
    response = client_api.post(
        STAKEHOLDERS,
        {"full_name": "Twin", "power": 1, "interest": 1, "email": person.email.upper()},
    )
    assert response.status_code == 400
    assert "e-mail" in str(response.json())


def test_stakeholder_filters(client_api, org_a, org_b):
    grid = {
        (power, interest): StakeholderFactory(organization=org_a, power=power, interest=interest)
        for power in (2, 3) for interest in (2, 3)
    }
    StakeholderFactory(organization=org_b, power=5, interest=5)
    assert ids(client_api.get(STAKEHOLDERS, {"quadrant": "manage_closely"})) == {grid[3, 3].pk}
    assert ids(client_api.get(STAKEHOLDERS, {"quadrant": "keep_satisfied"})) == {grid[3, 2].pk}
    assert ids(client_api.get(STAKEHOLDERS, {"quadrant": "keep_informed"})) == {grid[2, 3].pk}
    assert ids(client_api.get(STAKEHOLDERS, {"quadrant": "monitor"})) == {grid[2, 2].pk}
    with override_settings(
        PMO_THRESHOLDS={**settings.PMO_THRESHOLDS, "POWER_HIGH_FROM": 2}
    ):
        assert ids(client_api.get(STAKEHOLDERS, {"quadrant": "manage_closely"})) == {
            grid[3, 3].pk, grid[2, 3].pk
        }
    assert client_api.get(STAKEHOLDERS, {"quadrant": "ignore"}).status_code == 400


def test_has_gap_and_engagement_filters(client_api, org_a):
    growing = StakeholderFactory(
        organization=org_a, current_engagement="resistant", desired_engagement="neutral"
    )
    settled = StakeholderFactory(
        organization=org_a, current_engagement="supportive", desired_engagement="supportive"
    )
    too_keen = StakeholderFactory(
        organization=org_a, current_engagement="leading", desired_engagement="supportive"
    )
    assert ids(client_api.get(STAKEHOLDERS, {"has_gap": "true"})) == {growing.pk}
    assert ids(client_api.get(STAKEHOLDERS, {"has_gap": "false"})) == {settled.pk, too_keen.pk}
    assert ids(client_api.get(STAKEHOLDERS, {"current_engagement": "leading"})) == {too_keen.pk}
    assert ids(client_api.get(STAKEHOLDERS, {"desired_engagement": "neutral"})) == {growing.pk}


def test_stakeholder_search_ordering_and_staff_organization_filter(staff_api, org_a, org_b,
                                                                   staff_user):
    # Fixed titles: a random job title ("Financial adviser") would also match the search.
    ana = StakeholderFactory(organization=org_a, full_name="Ana", power=5, unit="Finance",
                             title="Sponsor")
    bea = StakeholderFactory(organization=org_a, full_name="Bea", power=1,
                             relationship_owner=staff_user, title="Key user")
    cruz = StakeholderFactory(organization=org_b, full_name="Cruz", power=3, title="Buyer")
    rows = staff_api.get(STAKEHOLDERS, {"ordering": "-power"}).json()["results"]
    assert [row["id"] for row in rows] == [ana.pk, cruz.pk, bea.pk]
    assert ids(staff_api.get(STAKEHOLDERS, {"organization": org_b.pk})) == {cruz.pk}
    assert ids(staff_api.get(STAKEHOLDERS, {"search": "financ"})) == {ana.pk}
    assert ids(staff_api.get(STAKEHOLDERS, {"relationship_owner": staff_user.pk})) == {bea.pk}
    assert staff_api.get(STAKEHOLDERS, {"ordering": "quadrant"}).status_code == 400


# --- Engagement assessments ------------------------------------------------------------------


def test_assessment_is_recorded_by_the_requester_and_syncs(client_api, person, user_a):
    response = client_api.post(ASSESSMENTS, {
        "stakeholder": person.pk, "current": "unaware", "desired": "leading",
        "note": "New in post.", "assessed_by": 999, "gap": 0,
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assessed_by"] == user_a.pk
    assert body["assessed_on"] == iso(today())
    assert body["gap"] == 4
    assert body["organization"] == person.organization_id
    person.refresh_from_db()
    assert (person.current_engagement, person.desired_engagement) == ("unaware", "leading")


def test_back_dated_assessment_via_api_keeps_newer_register_values(client_api, person):
    EngagementAssessmentFactory(stakeholder=person, assessed_on=today(), current="supportive")
    person.current_engagement = "supportive"
    person.save()
    response = client_api.post(ASSESSMENTS, {
        "stakeholder": person.pk, "current": "resistant", "desired": "supportive",
        "assessed_on": iso(today() - timedelta(days=30)),
    })
    assert response.status_code == 201
    person.refresh_from_db()
    assert person.current_engagement == "supportive"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"assessed_on": "tomorrow"}, "assessed_on"),
        ({"current": "ecstatic"}, "current"),
        ({"stakeholder": 10**12}, "stakeholder"),
        ({"stakeholder": None}, "stakeholder"),
    ],
)
def test_bad_assessment_input_is_a_400(client_api, person, payload, field):
    if payload.get("assessed_on") == "tomorrow":
        payload = {"assessed_on": iso(today() + timedelta(days=1))}
    response = client_api.post(
        ASSESSMENTS,
        {"stakeholder": person.pk, "current": "neutral", "desired": "leading", **payload},
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not EngagementAssessment.objects.exists()


def test_assessments_are_history(client_api, staff_api, person):
    assessment = EngagementAssessmentFactory(stakeholder=person)
    url = f"{ASSESSMENTS}{assessment.pk}/"
    for api in (client_api, staff_api):
        assert api.put(url, {"current": "leading"}).status_code == 405
        assert api.patch(url, {"current": "leading"}).status_code == 405
        assert api.delete(url).status_code == 405
    assessment.refresh_from_db()
    assert assessment.current == "neutral"


def test_assessment_filters(client_api, staff_api, person, org_b):
    other = StakeholderFactory(organization=person.organization)
    old = EngagementAssessmentFactory(stakeholder=person, assessed_on=today() - timedelta(40))
    recent = EngagementAssessmentFactory(stakeholder=person, assessed_on=today() - timedelta(5))
    others = EngagementAssessmentFactory(stakeholder=other, assessed_on=today())
    foreign = EngagementAssessmentFactory(stakeholder=StakeholderFactory(organization=org_b))
    assert ids(client_api.get(ASSESSMENTS, {"stakeholder": person.pk})) == {old.pk, recent.pk}
    after = iso(today() - timedelta(10))
    assert ids(client_api.get(ASSESSMENTS, {"assessed_after": after})) == {recent.pk, others.pk}
    before = iso(today() - timedelta(10))
    assert ids(client_api.get(ASSESSMENTS, {"assessed_before": before})) == {old.pk}
    assert ids(staff_api.get(ASSESSMENTS, {"organization": org_b.pk})) == {foreign.pk}
    rows = client_api.get(ASSESSMENTS).json()["results"]
    assert [row["id"] for row in rows] == [others.pk, recent.pk, old.pk]  # newest first


# --- Communication plans ---------------------------------------------------------------------


def test_plan_create_derives_its_due_date(client_api, person, user_a):
    start = today() + timedelta(days=3)
    response = client_api.post(PLANS, {
        "purpose": "Fortnightly progress call", "channel": "video_call",
        "frequency": "fortnightly", "stakeholders": [person.pk], "owner": user_a.pk,
        "starts_on": iso(start), "next_due_on": "2000-01-01", "is_overdue": True,
        "last_held_on": "2000-01-01",
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["next_due_on"] == iso(start)
    assert body["is_overdue"] is False
    assert body["last_held_on"] is None
    assert body["stakeholders"] == [person.pk]
    assert body["owner_name"] == user_a.get_full_name()


def test_plan_needs_an_audience_or_stakeholders(client_api, staff_api, org_a):
    payload = {"purpose": "Newsletter", "channel": "newsletter", "frequency": "monthly"}
    response = client_api.post(PLANS, payload)
    assert response.status_code == 400
    assert "audience" in response.json()
    response = staff_api.post(PLANS, {**payload, "audience": "All staff"})
    assert response.status_code == 400
    assert "organization" in response.json()
    response = staff_api.post(PLANS, {**payload, "audience": "All staff",
                                      "organization": org_a.pk})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"channel": "pigeon"}, "channel"), ({"frequency": "hourly"}, "frequency"),
     ({"starts_on": "someday"}, "starts_on"), ({"purpose": ""}, "purpose")],
)
def test_bad_plan_input_is_a_400(client_api, payload, field):
    response = client_api.post(PLANS, {
        "purpose": "P", "channel": "email", "frequency": "weekly", "audience": "All", **payload,
    })
    assert response.status_code == 400
    assert field in response.json()


def test_overdue_and_due_before_filters(client_api, org_a, user_a):
    overdue = CommunicationPlanFactory(organization=org_a, starts_on=today() - timedelta(9))
    due_soon = CommunicationPlanFactory(organization=org_a, starts_on=today() + timedelta(2))
    later = CommunicationPlanFactory(organization=org_a, starts_on=today() + timedelta(30))
    archived = CommunicationPlanFactory(
        organization=org_a, starts_on=today() - timedelta(9), is_active=False
    )
    ad_hoc = CommunicationPlanFactory(organization=org_a, frequency="ad_hoc", next_due_on=None)
    assert ids(client_api.get(PLANS, {"overdue": "true"})) == {overdue.pk}
    assert ids(client_api.get(PLANS, {"overdue": "false"})) == {
        due_soon.pk, later.pk, archived.pk, ad_hoc.pk
    }
    due_by = iso(today() + timedelta(7))
    assert ids(client_api.get(PLANS, {"due_before": due_by})) == {overdue.pk, due_soon.pk}
    detail = client_api.get(f"{PLANS}{overdue.pk}/").json()
    assert detail["is_overdue"] is True
    # Logging the communication clears it.
    services.communication_record(
        actor=user_a, organization=org_a, plan=overdue, held_on=today(), summary="Held."
    )
    assert ids(client_api.get(PLANS, {"overdue": "true"})) == set()
    detail = client_api.get(f"{PLANS}{overdue.pk}/").json()
    assert detail["last_held_on"] == iso(today())
    assert detail["is_overdue"] is False


def test_plan_list_order_and_other_filters(client_api, org_a, person, user_a):
    ad_hoc = CommunicationPlanFactory(organization=org_a, frequency="ad_hoc", next_due_on=None,
                                      channel="email", purpose="Escalations")
    soon = CommunicationPlanFactory(organization=org_a, starts_on=today(), purpose="B",
                                    owner=user_a)
    late = CommunicationPlanFactory(organization=org_a, starts_on=today() + timedelta(9),
                                    purpose="A", frequency="weekly")
    late.stakeholders.add(person)
    rows = client_api.get(PLANS).json()["results"]
    assert [row["id"] for row in rows] == [soon.pk, late.pk, ad_hoc.pk]
    rows = client_api.get(PLANS, {"ordering": "purpose"}).json()["results"]
    assert [row["id"] for row in rows] == [late.pk, soon.pk, ad_hoc.pk]
    assert ids(client_api.get(PLANS, {"stakeholder": person.pk})) == {late.pk}
    assert ids(client_api.get(PLANS, {"channel": "email"})) == {ad_hoc.pk}
    assert ids(client_api.get(PLANS, {"frequency": "weekly"})) == {late.pk}
    assert ids(client_api.get(PLANS, {"owner": user_a.pk})) == {soon.pk}


def test_plan_update_and_delete(client_api, org_a, person):
    plan = CommunicationPlanFactory(organization=org_a)
    url = f"{PLANS}{plan.pk}/"
    response = client_api.patch(url, {"frequency": "ad_hoc", "next_due_on": "2030-01-01"})
    assert response.status_code == 200
    assert response.json()["next_due_on"] is None
    response = client_api.patch(url, {"audience": "", "stakeholders": []})
    assert response.status_code == 400
    assert "audience" in response.json()
    assert client_api.delete(url).status_code == 204
    assert not CommunicationPlan.objects.exists()


def test_plan_with_logged_communications_cannot_be_deleted(client_api, org_a):
    plan = CommunicationPlanFactory(organization=org_a)
    CommunicationFactory(organization=org_a, plan=plan)
    response = client_api.delete(f"{PLANS}{plan.pk}/")
    assert response.status_code == 409
    assert "deactivate" in response.json()["detail"]
    assert CommunicationPlan.objects.filter(pk=plan.pk).exists()


# --- Communication log -----------------------------------------------------------------------


def test_logging_against_a_plan_takes_its_channel_and_moves_its_due_date(client_api, org_a,
                                                                         person, user_a):
    plan = CommunicationPlanFactory(
        organization=org_a, frequency="weekly", channel="steering_committee",
        starts_on=today() - timedelta(20),
    )
    held = today() - timedelta(2)
    response = client_api.post(LOG, {
        "plan": plan.pk, "held_on": iso(held), "summary": "Approved phase 2.",
        "participants": [person.pk], "agreed_actions": "Send minutes.", "recorded_by": 999,
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "steering_committee"
    assert body["recorded_by"] == user_a.pk
    assert body["participants"] == [person.pk]
    plan_body = client_api.get(f"{PLANS}{plan.pk}/").json()
    assert plan_body["next_due_on"] == iso(held + timedelta(days=7))
    assert plan_body["last_held_on"] == iso(held)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"held_on": "future"}, "held_on"),
        ({"channel": None}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"summary": ""}, "summary"),
        ({"participants": ["x"]}, "participants"),
    ],
)
def test_bad_log_input_is_a_400(client_api, payload, field):
    if payload.get("held_on") == "future":
        payload = {"held_on": iso(today() + timedelta(days=1))}
    body = {"held_on": iso(today()), "channel": "email", "summary": "Sent the report."}
    body.update(payload)
    body = {key: value for key, value in body.items() if value is not None}
    response = client_api.post(LOG, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Communication.objects.exists()


def test_log_entries_are_corrected_not_deleted(client_api, org_a):
    entry = CommunicationFactory(organization=org_a)
    url = f"{LOG}{entry.pk}/"
    response = client_api.patch(url, {"summary": "Corrected minutes."})
    assert response.status_code == 200
    assert response.json()["summary"] == "Corrected minutes."
    assert client_api.delete(url).status_code == 405
    assert Communication.objects.filter(pk=entry.pk).exists()


def test_log_filters(client_api, staff_api, org_a, org_b, person):
    plan = CommunicationPlanFactory(organization=org_a)
    planned = CommunicationFactory(organization=org_a, plan=plan, held_on=today())
    old = CommunicationFactory(organization=org_a, channel="phone",
                               held_on=today() - timedelta(30))
    old.participants.add(person)
    foreign = CommunicationFactory(organization=org_b)
    assert ids(client_api.get(LOG, {"plan": plan.pk})) == {planned.pk}
    assert ids(client_api.get(LOG, {"participant": person.pk})) == {old.pk}
    assert ids(client_api.get(LOG, {"channel": "phone"})) == {old.pk}
    since = iso(today() - timedelta(7))
    assert ids(client_api.get(LOG, {"held_after": since})) == {planned.pk}
    assert ids(client_api.get(LOG, {"held_before": since})) == {old.pk}
    assert ids(staff_api.get(LOG, {"organization": org_b.pk})) == {foreign.pk}
    rows = client_api.get(LOG, {"ordering": "held_on"}).json()["results"]
    assert [row["id"] for row in rows] == [old.pk, planned.pk]


# --- Risks -----------------------------------------------------------------------------------


def test_risk_create_shows_score_and_rating(client_api, org_a, person):
    response = client_api.post(RISKS, {
        "title": "Budget freeze", "category": "financial", "kind": "threat",
        "probability": 2, "impact": 5, "owner": person.pk, "stakeholders": [person.pk],
        "response_strategy": "escalate", "score": 1, "rating": "low",
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["rating"]) == (10, "high")
    assert body["organization"] == org_a.pk
    assert body["owner_name"] == person.full_name
    assert body["stakeholders"] == [person.pk]
    assert body["status"] == "open"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"probability": 6}, "probability"),
        ({"impact": 0}, "impact"),
        ({"kind": "blessing"}, "kind"),
        ({"status": "forgotten"}, "status"),
        ({"category": "misc"}, "category"),
        ({"response_strategy": "pray"}, "response_strategy"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_risk_input_is_a_400(client_api, payload, field):
    response = client_api.post(RISKS, {
        "title": "T", "category": "technical", "probability": 3, "impact": 3, **payload,
    })
    assert response.status_code == 400
    assert field in response.json()


def test_response_strategy_must_fit_the_kind(client_api, org_a):
    response = client_api.post(RISKS, {
        "title": "Regional grant", "category": "financial", "kind": "opportunity",
        "probability": 3, "impact": 3, "response_strategy": "avoid",
    })
    assert response.status_code == 400
    assert "does not apply to this kind" in str(response.json())
    risk = RiskFactory(organization=org_a, response_strategy="mitigate")
    response = client_api.patch(f"{RISKS}{risk.pk}/", {"kind": "opportunity"})
    assert response.status_code == 400
    assert "does not apply to this kind" in str(response.json())
    response = client_api.patch(
        f"{RISKS}{risk.pk}/", {"kind": "opportunity", "response_strategy": "share"}
    )
    assert response.status_code == 200


def test_risks_are_closed_not_deleted(client_api, org_a):
    risk = RiskFactory(organization=org_a)
    url = f"{RISKS}{risk.pk}/"
    assert client_api.delete(url).status_code == 405
    response = client_api.patch(url, {"status": "closed", "score": 25})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["score"] == 9
    assert ids(client_api.get(RISKS, {"active": "true"})) == set()
    assert ids(client_api.get(RISKS, {"active": "false"})) == {risk.pk}


def test_risk_rating_filter_follows_the_heat_map(client_api, org_a, org_b):
    cells = {
        (probability, impact): RiskFactory(
            organization=org_a, probability=probability, impact=impact
        )
        for probability in range(1, 6) for impact in range(1, 6)
    }
    RiskFactory(organization=org_b, probability=5, impact=5)

    def expected(low, high):
        return {risk.pk for (p, i), risk in cells.items() if low <= p * i <= high}

    query = {"page_size": 50}
    assert ids(client_api.get(RISKS, {**query, "rating": "low"})) == expected(1, 4)
    assert ids(client_api.get(RISKS, {**query, "rating": "medium"})) == expected(5, 9)
    assert ids(client_api.get(RISKS, {**query, "rating": "high"})) == expected(10, 14)
    assert ids(client_api.get(RISKS, {**query, "rating": "critical"})) == expected(15, 25)
    lowered = {"RISK_MEDIUM_FROM": 4, "RISK_HIGH_FROM": 8, "RISK_CRITICAL_FROM": 20}
    with override_settings(PMO_THRESHOLDS={**settings.PMO_THRESHOLDS, **lowered}):
        assert ids(client_api.get(RISKS, {**query, "rating": "critical"})) == expected(20, 25)
        rows = client_api.get(RISKS, {**query, "rating": "high"}).json()["results"]
        assert {row["rating"] for row in rows} == {"high"}
    assert client_api.get(RISKS, {"rating": "extreme"}).status_code == 400


def test_risk_filters_and_ordering(client_api, org_a, person):
    monitored = RiskFactory(organization=org_a, status="monitoring", probability=5, impact=4,
                            proximity=today() + timedelta(10), owner=person)
    opportunity = RiskFactory(organization=org_a, kind="opportunity", response_strategy="share",
                              probability=1, impact=2, category="strategic")
    occurred = RiskFactory(organization=org_a, status="occurred", probability=3, impact=3,
                           proximity=today() + timedelta(60))
    occurred.stakeholders.add(person)
    both = client_api.get(RISKS + "?status=monitoring&status=occurred")
    assert ids(both) == {monitored.pk, occurred.pk}
    assert ids(client_api.get(RISKS, {"active": "true"})) == {monitored.pk, opportunity.pk}
    assert ids(client_api.get(RISKS, {"kind": "opportunity"})) == {opportunity.pk}
    assert ids(client_api.get(RISKS, {"category": "strategic"})) == {opportunity.pk}
    assert ids(client_api.get(RISKS, {"probability": 5})) == {monitored.pk}
    assert ids(client_api.get(RISKS, {"impact": 3})) == {occurred.pk}
    assert ids(client_api.get(RISKS, {"owner": person.pk})) == {monitored.pk}
    assert ids(client_api.get(RISKS, {"stakeholder": person.pk})) == {occurred.pk}
    assert ids(client_api.get(
        RISKS, {"proximity_before": iso(today() + timedelta(30))}
    )) == {monitored.pk}
    assert ids(client_api.get(RISKS, {"search": "late"})) == {
        monitored.pk, opportunity.pk, occurred.pk
    }
    by_score = client_api.get(RISKS, {"ordering": "score"}).json()["results"]
    assert [row["score"] for row in by_score] == [2, 9, 20]
    by_score = client_api.get(RISKS, {"ordering": "-score"}).json()["results"]
    assert [row["id"] for row in by_score] == [monitored.pk, occurred.pk, opportunity.pk]
    default = client_api.get(RISKS).json()["results"]
    assert [row["id"] for row in default] == [monitored.pk, occurred.pk, opportunity.pk]
    assert client_api.get(RISKS, {"probability": 7}).status_code == 400
    assert client_api.get(RISKS, {"ordering": "rating"}).status_code == 400


def test_staff_write_risks_for_any_organization_with_matching_links(staff_api, org_a, org_b):
    own = StakeholderFactory(organization=org_a)
    foreign = StakeholderFactory(organization=org_b)
    payload = {"organization": org_a.pk, "title": "T", "category": "technical",
               "probability": 2, "impact": 2}
    response = staff_api.post(RISKS, {**payload, "owner": foreign.pk})
    assert response.status_code == 400
    assert "owner" in response.json()
    response = staff_api.post(RISKS, {**payload, "stakeholders": [own.pk, foreign.pk]})
    assert response.status_code == 400
    assert "stakeholders" in response.json()
    response = staff_api.post(RISKS, {**payload, "owner": own.pk, "stakeholders": [own.pk]})
    assert response.status_code == 201
    risk_id = response.json()["id"]
    response = staff_api.patch(f"{RISKS}{risk_id}/", {"organization": org_b.pk})
    assert response.status_code == 400
    assert "organization" in response.json()


def test_client_sees_and_changes_only_own_register(client_api, org_b):
    foreign = StakeholderFactory(organization=org_b)
    assert client_api.get(f"{STAKEHOLDERS}{foreign.pk}/").status_code == 404
    assert client_api.patch(f"{STAKEHOLDERS}{foreign.pk}/", {"power": 1}).status_code == 404
    response = client_api.post(
        ASSESSMENTS, {"stakeholder": foreign.pk, "current": "neutral", "desired": "leading"}
    )
    assert response.status_code == 400
    assert "stakeholder" in response.json()
    foreign.refresh_from_db()
    assert foreign.power == 3
    assert not EngagementAssessment.objects.exists()


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (STAKEHOLDERS, "organization"),
        (STAKEHOLDERS, "relationship_owner"),
        (ASSESSMENTS, "stakeholder"),
        (PLANS, "stakeholder"),
        (PLANS, "owner"),
        (LOG, "participant"),
        (LOG, "plan"),
        (RISKS, "stakeholder"),
        (RISKS, "owner"),
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999999", "-1e308", "1.5", "0", "abc"])
def test_id_filters_refuse_what_is_no_id(staff_api, url, parameter, value):
    response = staff_api.get(url, {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()

"""REST API of the bench, client culture and the matching weights, per role."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from engagements.models import Consultant, CultureAssessment, DayRate, MatchingWeights
from engagements.models.matching import DEFAULT_WEIGHTS
from stakeholders.choices import MembershipRole
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    ClientUserFactory,
    ConsultantFactory,
    ConsultantLanguageFactory,
    ConsultantSectorFactory,
    ConsultantSkillFactory,
    CultureAssessmentFactory,
    DayRateFactory,
    EngagementFactory,
    OrganizationFactory,
    ProviderFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

CONSULTANTS = "/api/v1/consultants/"
CULTURE = "/api/v1/culture-assessments/"
WEIGHTS = "/api/v1/matching-weights/"
PUBLIC_KEYS = {
    "id", "full_name", "headline", "seniority", "location", "remote_mode", "skills",
    "certifications", "languages", "sectors", "working_style",
}
STAFF_ONLY_KEYS = {
    "user", "email", "capacity_percent", "is_active", "notes", "current_day_rate",
    "day_rates", "created_at", "updated_at",
}
TODAY = date.today()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def reader_api(org_a):
    return _as(ClientUserFactory(membership__organization=org_a,
                                 membership__role=MembershipRole.READ_ONLY))


@pytest.fixture
def other_api(user_b):
    return _as(user_b)


def _on_team(consultant, organization, **fields):
    return AssignmentFactory(
        engagement=EngagementFactory(organization=organization), consultant=consultant, **fields
    )


# --- Consultants: staff CRUD -------------------------------------------------------------------


def test_staff_create_a_consultant_with_profile_and_first_rate(staff_api):
    skills = SkillFactory.create_batch(2)
    certification = CertificationFactory(code="PMP")
    response = staff_api.post(CONSULTANTS, {
        "full_name": "Lucía Prieto", "seniority": "principal", "email": "lucia@provider.test",
        "headline": "Agile PMO lead", "capacity_percent": 80, "notes": "Prefers public sector.",
        "working_style": {"clan": 40, "adhocracy": 30, "market": 10, "hierarchy": 20},
        "skills": [{"skill": skills[0].pk, "proficiency": 5},
                   {"skill": skills[1].pk, "proficiency": 2}],
        "languages": ["es", "en"], "sectors": [{"sector": "health", "years": 6}],
        "certifications": [certification.pk], "day_rate": "650.00",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == PUBLIC_KEYS | STAFF_ONLY_KEYS
    assert body["working_style"] == {"clan": 40, "adhocracy": 30, "market": 10, "hierarchy": 20}
    assert [(s["skill"], s["proficiency"]) for s in body["skills"]] == [
        (skills[0].pk, 5), (skills[1].pk, 2)
    ]
    assert sorted(body["languages"]) == ["en", "es"]
    assert body["sectors"] == [{"sector": "health", "years": 6}]
    assert body["certifications"] == [{"id": certification.pk, "code": "PMP",
                                       "name": certification.name}]
    assert body["current_day_rate"] == "650.00"
    assert [rate["amount"] for rate in body["day_rates"]] == ["650.00"]
    assert (body["capacity_percent"], body["notes"]) == (80, "Prefers public sector.")


def test_staff_update_replaces_profile_parts_and_never_delete(staff_api):
    consultant = ConsultantFactory()
    ConsultantSkillFactory(consultant=consultant)
    ConsultantLanguageFactory(consultant=consultant, language="es")
    sector = ConsultantSectorFactory(consultant=consultant)
    detail = f"{CONSULTANTS}{consultant.pk}/"
    new_skill = SkillFactory()
    response = staff_api.patch(detail, {
        "skills": [{"skill": new_skill.pk, "proficiency": 4}], "languages": ["fr"],
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [s["skill"] for s in body["skills"]] == [new_skill.pk]
    assert body["languages"] == ["fr"]
    assert body["sectors"] == [{"sector": sector.sector, "years": sector.years}]  # untouched
    full = {**body, "skills": [{"skill": new_skill.pk, "proficiency": 3}],
            "certifications": [], "headline": "Portfolio coach"}
    response = staff_api.put(detail, full, format="json")  # GET-edit-PUT round trip
    assert response.status_code == 200, response.json()
    assert (response.json()["headline"], response.json()["skills"][0]["proficiency"]) == (
        "Portfolio coach", 3
    )
    assert staff_api.delete(detail).status_code == 405
    response = staff_api.patch(detail, {"is_active": False}, format="json")
    assert response.status_code == 200
    assert Consultant.objects.get(pk=consultant.pk).is_active is False


@pytest.mark.parametrize(("payload", "field"), [
    ({"working_style": {"clan": 40, "adhocracy": 30, "market": 10, "hierarchy": 10}},
     "working_style"),
    ({"skills": [{"skill": "SKILL", "proficiency": 3}, {"skill": "SKILL", "proficiency": 4}]},
     "skills"),
    ({"skills": [{"skill": "SKILL", "proficiency": 6}]}, "skills"),
    ({"skills": [{"skill": 10**30, "proficiency": 3}]}, "skills"),
    ({"languages": ["xx"]}, "languages"),
    ({"languages": ["es", "es"]}, "languages"),
    ({"sectors": [{"sector": "health", "years": 2}, {"sector": "health", "years": 3}]},
     "sectors"),
    ({"sectors": [{"sector": "health", "years": 0}]}, "sectors"),
    ({"certifications": [10**30]}, "certifications"),
    ({"certifications": "PMP"}, "certifications"),
    ({"seniority": "guru"}, "seniority"),
    ({"capacity_percent": 0}, "capacity_percent"),
    ({"day_rate": "0"}, "day_rate"),
    ({"day_rate": "abc"}, "day_rate"),
    ({"full_name": ""}, "full_name"),
])
def test_bad_consultant_input_is_a_400_on_the_field(staff_api, payload, field):
    skill = SkillFactory()
    base = {"full_name": "Ana Gil", "seniority": "senior"}
    for row in payload.get("skills", []):
        if row["skill"] == "SKILL":
            row["skill"] = skill.pk
    response = staff_api.post(CONSULTANTS, {**base, **payload}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Consultant.objects.exists()


def test_rates_are_added_as_history_not_edited(staff_api, client_api, org_a):
    consultant = ConsultantFactory()
    DayRateFactory(consultant=consultant, amount="500.00", valid_from=TODAY - timedelta(days=30))
    detail = f"{CONSULTANTS}{consultant.pk}/"
    response = staff_api.patch(detail, {"day_rate": "700.00"}, format="json")
    assert response.status_code == 400
    assert "day_rate" in response.json()
    rates = f"{detail}rates/"
    response = staff_api.post(rates, {"amount": "720.50", "valid_from": TODAY.isoformat()},
                              format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "720.50"
    future = (TODAY + timedelta(days=60)).isoformat()
    assert staff_api.post(rates, {"amount": "800", "valid_from": future},
                          format="json").status_code == 201
    body = staff_api.get(detail).json()
    assert body["current_day_rate"] == "720.50"  # the future rate is not in force yet
    assert [rate["amount"] for rate in body["day_rates"]] == ["800.00", "720.50", "500.00"]
    response = staff_api.post(rates, {"amount": "900", "valid_from": future}, format="json")
    assert response.status_code == 400
    assert "valid_from" in response.json()
    for bad in ({"amount": "-5", "valid_from": future}, {"amount": "10", "valid_from": "soon"},
                {"amount": "1e400", "valid_from": future}, {}):
        response = staff_api.post(rates, bad, format="json")
        assert response.status_code == 400, bad
    _on_team(consultant, org_a)
    assert client_api.post(rates, {"amount": "1", "valid_from": future},
                           format="json").status_code == 403
    assert DayRate.objects.filter(consultant=consultant).count() == 3


# --- Consultants: what clients see ---------------------------------------------------------------


def test_clients_see_only_their_teams_public_profile(client_api, reader_api, other_api, org_a):
    member = ConsultantFactory(notes="Secret note", email="member@provider.test")
    DayRateFactory(consultant=member)
    ConsultantSkillFactory(consultant=member)
    _on_team(member, org_a)
    scrum_master = ConsultantFactory()
    EngagementFactory(organization=org_a, scrum_master=scrum_master)
    stranger = ConsultantFactory()
    _on_team(stranger, OrganizationFactory())
    for api in (client_api, reader_api):
        response = api.get(CONSULTANTS)
        assert sorted(_ids(response)) == sorted([member.pk, scrum_master.pk])
        for row in response.json()["results"]:
            assert set(row) == PUBLIC_KEYS
        response = api.get(f"{CONSULTANTS}{member.pk}/")
        assert response.status_code == 200
        assert set(response.json()) == PUBLIC_KEYS
        body = response.content.decode()
        assert "Secret note" not in body
        assert "member@provider.test" not in body
        assert "600.00" not in body
        assert api.get(f"{CONSULTANTS}{stranger.pk}/").status_code == 404
    assert _ids(other_api.get(CONSULTANTS)) == []
    assert other_api.get(f"{CONSULTANTS}{member.pk}/").status_code == 404


def test_clients_and_anonymous_cannot_change_the_bench(client_api, api_client, org_a):
    consultant = ConsultantFactory()
    _on_team(consultant, org_a)
    detail = f"{CONSULTANTS}{consultant.pk}/"
    assert client_api.post(CONSULTANTS, {"full_name": "X", "seniority": "mid"},
                           format="json").status_code == 403
    for method in ("put", "patch"):
        assert getattr(client_api, method)(detail, {"full_name": "X"},
                                           format="json").status_code == 403
    assert api_client.get(CONSULTANTS).status_code == 401
    assert api_client.get(detail).status_code == 401
    consultant.refresh_from_db()
    assert consultant.full_name != "X"


# --- Consultants: filters ------------------------------------------------------------------------


def test_profile_filters_search_and_ordering(staff_api):
    skill = SkillFactory()
    expert = ConsultantFactory(full_name="Ana Expert", seniority="principal",
                               headline="Portfolio office")
    ConsultantSkillFactory(consultant=expert, skill=skill, proficiency=5)
    ConsultantLanguageFactory(consultant=expert, language="en")
    ConsultantSectorFactory(consultant=expert, sector="health")
    novice = ConsultantFactory(full_name="Bea Novice", seniority="junior", location="Bilbao, ES")
    ConsultantSkillFactory(consultant=novice, skill=skill, proficiency=2)
    idle = ConsultantFactory(full_name="Carla Idle", seniority="mid", is_active=False)
    assert _ids(staff_api.get(CONSULTANTS, {"skill": skill.pk})) == [expert.pk, novice.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"skill": skill.pk, "min_level": 4})) == [expert.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"seniority": ["junior", "mid"]})) == [
        novice.pk, idle.pk
    ]
    assert _ids(staff_api.get(CONSULTANTS, {"language": "en"})) == [expert.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"sector": "health"})) == [expert.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"is_active": "false"})) == [idle.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"search": "portfolio"})) == [expert.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"search": "bilbao"})) == [novice.pk]
    assert _ids(staff_api.get(CONSULTANTS, {"ordering": "-seniority"})) == [
        expert.pk, idle.pk, novice.pk
    ]


def test_free_capacity_filter_follows_the_capacity_rule(staff_api):
    start = TODAY + timedelta(days=10)
    end = start + timedelta(days=20)
    engagement = EngagementFactory(planned_start=start - timedelta(days=30),
                                   planned_end=end + timedelta(days=30))
    full = ConsultantFactory(full_name="A Full")
    AssignmentFactory(engagement=engagement, consultant=full, allocation_percent=100,
                      start_on=end, end_on=end + timedelta(days=5))  # only the last day
    half = ConsultantFactory(full_name="B Half")
    AssignmentFactory(engagement=engagement, consultant=half, allocation_percent=30,
                      start_on=start, end_on=end)
    AssignmentFactory(engagement=EngagementFactory(planned_start=start, planned_end=end),
                      consultant=half, allocation_percent=20, start_on=start + timedelta(days=3),
                      end_on=start + timedelta(days=3))
    part_time = ConsultantFactory(full_name="C Part", capacity_percent=40)
    free = ConsultantFactory(full_name="D Free")
    window = {"available_from": start.isoformat(), "available_to": end.isoformat()}
    assert _ids(staff_api.get(CONSULTANTS, window)) == [half.pk, part_time.pk, free.pk]
    assert _ids(staff_api.get(CONSULTANTS, {**window, "allocation": 50})) == [half.pk, free.pk]
    assert _ids(staff_api.get(CONSULTANTS, {**window, "allocation": 51})) == [free.pk]
    before_last_day = {**window, "available_to": (end - timedelta(days=1)).isoformat(),
                       "allocation": 100}
    assert _ids(staff_api.get(CONSULTANTS, before_last_day)) == [full.pk, free.pk]


@pytest.mark.parametrize(("query", "field"), [
    ({"min_level": 3}, "min_level"),
    ({"skill": 1, "min_level": 6}, "min_level"),
    ({"skill": "abc"}, "skill"),
    ({"available_from": "2030-01-01"}, "available_to"),
    ({"available_to": "2030-01-01"}, "available_from"),
    ({"available_from": "2030-02-01", "available_to": "2030-01-01"}, "available_to"),
    ({"available_from": "2030-01-01", "available_to": "2040-01-01"}, "available_to"),
    ({"allocation": 50}, "allocation"),
    ({"available_from": "2030-01-01", "available_to": "2030-02-01", "allocation": 0},
     "allocation"),
    ({"available_from": "9999-12-31", "available_to": "banana"}, "available_to"),
    ({"language": "xx"}, "language"),
    ({"seniority": "guru"}, "seniority"),
    ({"is_active": "perhaps"}, "is_active"),
    ({"ordering": "day_rates"}, "ordering"),
])
def test_bad_filters_are_a_400_naming_the_parameter(staff_api, query, field):
    response = staff_api.get(CONSULTANTS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_availability_at_the_end_of_the_calendar_is_not_a_500(staff_api):
    consultant = ConsultantFactory()
    AssignmentFactory(consultant=consultant, start_on=date(9999, 12, 1),
                      end_on=date(9999, 12, 31),
                      engagement=EngagementFactory(planned_start=date(9999, 12, 1),
                                                   planned_end=date(9999, 12, 31)))
    response = staff_api.get(CONSULTANTS, {"available_from": "9999-12-01",
                                           "available_to": "9999-12-31", "allocation": 60})
    assert _ids(response) == []


# --- Culture assessments -------------------------------------------------------------------------

DIRECT = {
    "current": {"clan": "12.5", "adhocracy": "37.5", "market": 20, "hierarchy": 30},
    "preferred": {"clan": 40, "adhocracy": 30, "market": 10, "hierarchy": 20},
}


def _answers() -> list[dict]:
    current = [{"question": q, "preferred": False,
                "points": {"clan": 10, "adhocracy": 10, "market": 30, "hierarchy": 50}}
               for q in range(1, 7)]
    current[0]["points"] = {"clan": 20, "adhocracy": 10, "market": 30, "hierarchy": 40}
    preferred = [{"question": q, "preferred": True,
                  "points": {"clan": 40, "adhocracy": 30, "market": 20, "hierarchy": 10}}
                 for q in range(1, 7)]
    return current + preferred


def test_a_client_writer_records_their_own_culture(client_api, org_a, org_b, user_a):
    response = client_api.post(CULTURE, {**DIRECT, "note": "Board workshop"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == org_a.pk
    assert (body["source"], body["assessed_on"], body["note"]) == (
        "direct", TODAY.isoformat(), "Board workshop"
    )
    assert body["current"] == {"clan": "12.50", "adhocracy": "37.50", "market": "20.00",
                               "hierarchy": "30.00"}
    assert (body["current_dominant"], body["preferred_dominant"]) == ("adhocracy", "clan")
    assert body["assessed_by"] == user_a.get_full_name()
    response = client_api.post(CULTURE, {"answers": _answers(), "respondents": 7,
                                         "assessed_on": "2025-01-15"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["respondents"]) == ("questionnaire", 7)
    assert body["current"] == {"clan": "11.67", "adhocracy": "10.00", "market": "30.00",
                               "hierarchy": "48.33"}
    assert len(body["answers"]) == 12
    assert body["answers"][0]["points"] == {"clan": 20, "adhocracy": 10, "market": 30,
                                            "hierarchy": 40}
    # History: both kept, newest first in the organization's list.
    assert _ids(client_api.get(CULTURE)) == [
        row.pk for row in CultureAssessment.objects.order_by("-assessed_on")
    ]
    response = client_api.post(CULTURE, {**DIRECT, "organization": org_b.pk}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not CultureAssessment.objects.filter(organization=org_b).exists()


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "current"),
    ({"current": DIRECT["current"]}, "preferred"),
    ({**DIRECT, "answers": _answers()}, "answers"),
    ({"current": {**DIRECT["current"], "clan": 13}, "preferred": DIRECT["preferred"]},
     "current"),
    ({"current": {**DIRECT["current"], "clan": "12.555"}, "preferred": DIRECT["preferred"]},
     "current"),
    ({"current": {"clan": 100}, "preferred": DIRECT["preferred"]}, "current"),
    ({"answers": _answers()[:11]}, "answers"),
    ({"answers": _answers()[:11] + _answers()[:1]}, "answers"),
    ({"answers": [{**_answers()[0], "question": 7}, *_answers()[1:]]}, "answers"),
    ({"answers": "all good"}, "answers"),
    ({**DIRECT, "assessed_on": (TODAY + timedelta(days=1)).isoformat()}, "assessed_on"),
    ({**DIRECT, "respondents": 0}, "respondents"),
])
def test_bad_culture_input_is_a_400(client_api, payload, field):
    response = client_api.post(CULTURE, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not CultureAssessment.objects.exists()


def test_culture_permissions_and_history(staff_api, reader_api, other_api, api_client, org_a):
    assessment = CultureAssessmentFactory(organization=org_a)
    assert reader_api.get(CULTURE).status_code == 200
    assert reader_api.post(CULTURE, DIRECT, format="json").status_code == 403
    assert api_client.get(CULTURE).status_code == 401
    assert _ids(other_api.get(CULTURE)) == []
    assert other_api.get(f"{CULTURE}{assessment.pk}/").status_code == 404
    response = staff_api.post(CULTURE, DIRECT, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    provider = ProviderFactory()
    response = staff_api.post(CULTURE, {**DIRECT, "organization": provider.pk}, format="json")
    assert response.status_code == 400
    response = staff_api.post(CULTURE, {**DIRECT, "organization": org_a.pk}, format="json")
    assert response.status_code == 201
    for method in ("put", "patch", "delete"):
        response = getattr(staff_api, method)(f"{CULTURE}{assessment.pk}/", DIRECT,
                                              format="json")
        assert response.status_code == 405
    assert CultureAssessment.objects.count() == 2


def test_culture_filters(staff_api, org_a, org_b):
    old = CultureAssessmentFactory(organization=org_a, assessed_on=date(2024, 3, 1))
    new = CultureAssessmentFactory(organization=org_a, source="questionnaire")
    other = CultureAssessmentFactory(organization=org_b)
    assert _ids(staff_api.get(CULTURE, {"organization": org_b.pk})) == [other.pk]
    assert _ids(staff_api.get(CULTURE, {"organization": org_a.pk,
                                        "assessed_before": "2024-12-31"})) == [old.pk]
    assert set(_ids(staff_api.get(CULTURE, {"assessed_after": "2025-01-01"}))) == {
        new.pk, other.pk
    }
    assert _ids(staff_api.get(CULTURE, {"source": "questionnaire"})) == [new.pk]
    assert staff_api.get(CULTURE, {"source": "guess"}).status_code == 400


# --- Matching weights ----------------------------------------------------------------------------


def test_staff_read_and_change_the_weights(staff_api, staff_user):
    response = staff_api.get(WEIGHTS)
    assert response.status_code == 200
    body = response.json()
    assert {name: body[name] for name in DEFAULT_WEIGHTS} == DEFAULT_WEIGHTS
    assert (body["updated_by"], body["updated_at"]) == (None, None)
    response = staff_api.patch(WEIGHTS, {"culture": 40, "cost": 0}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["culture"], body["cost"], body["skills"]) == (40, 0, DEFAULT_WEIGHTS["skills"])
    assert body["updated_by"] == staff_user.get_full_name()
    assert MatchingWeights.objects.get().culture == 40
    assert staff_api.get(WEIGHTS).json()["culture"] == 40


@pytest.mark.parametrize(("payload", "field"), [
    ({"skills": 101}, "skills"),
    ({"culture": -1}, "culture"),
    ({"cost": "a lot"}, "cost"),
    (dict.fromkeys(DEFAULT_WEIGHTS, 0), "non_field_errors"),
])
def test_bad_weights_are_a_400(staff_api, payload, field):
    response = staff_api.patch(WEIGHTS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert staff_api.get(WEIGHTS).json()["skills"] == DEFAULT_WEIGHTS["skills"]


def test_weights_are_staff_only(client_api, api_client):
    assert client_api.get(WEIGHTS).status_code == 403
    assert client_api.patch(WEIGHTS, {"culture": 90}, format="json").status_code == 403
    assert api_client.get(WEIGHTS).status_code == 401
    assert not MatchingWeights.objects.exists()

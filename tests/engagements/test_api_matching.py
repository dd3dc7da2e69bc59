"""REST API of staffing: needs, their ranked matches, one-click assignment and global
staffing proposals. All of it is PMO staff only."""

from datetime import timedelta

import pytest

from engagements.choices import EngagementStatus, MatchFactor, NeedStatus, ProposalStatus
from engagements.models import Assignment, StaffingNeed, StaffingProposal
from engagements.models.matching import DEFAULT_WEIGHTS
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    ConsultantLanguageFactory,
    ConsultantSkillFactory,
    EngagementFactory,
    RoleFactory,
    SkillFactory,
    StaffingNeedFactory,
    StaffingNeedSkillFactory,
)

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/staffing-needs/"
PROPOSALS = "/api/v1/staffing-proposals/"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def engagement(org_a):
    return EngagementFactory(organization=org_a)


def _need_payload(engagement, **fields) -> dict:
    return {
        "engagement": engagement.pk, "role": RoleFactory().pk, "seniority": "senior",
        "allocation_percent": 50, "start_on": engagement.planned_start.isoformat(),
        "end_on": (engagement.planned_start + timedelta(days=60)).isoformat(), **fields,
    }


# --- Staffing needs ------------------------------------------------------------------------------


def test_staff_open_change_and_cancel_needs(staff_api, engagement):
    skills = SkillFactory.create_batch(2)
    response = staff_api.post(NEEDS, _need_payload(
        engagement, language="es", note="Public procurement background",
        skills=[{"skill": skills[0].pk, "minimum_level": 4}],
    ), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["organization"], body["language"]) == (
        "open", engagement.organization_id, "es"
    )
    assert body["skills"] == [{"skill": skills[0].pk, "name": skills[0].name,
                               "minimum_level": 4}]
    detail = f"{NEEDS}{body['id']}/"
    response = staff_api.patch(detail, {
        "skills": [{"skill": skills[1].pk, "minimum_level": 2}], "allocation_percent": 80,
    }, format="json")
    assert response.status_code == 200, response.json()
    assert [s["skill"] for s in response.json()["skills"]] == [skills[1].pk]
    assert response.json()["allocation_percent"] == 80
    assert staff_api.delete(detail).status_code == 405
    response = staff_api.post(f"{detail}cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert staff_api.post(f"{detail}cancel/").status_code == 409
    assert staff_api.patch(detail, {"note": "x"}, format="json").status_code == 409


@pytest.mark.parametrize(("change", "field"), [
    ({"allocation_percent": 0}, "allocation_percent"),
    ({"end_on": "2000-01-01"}, "end_on"),
    ({"start_on": "2000-01-01"}, "start_on"),
    ({"seniority": "guru"}, "seniority"),
    ({"language": "xx"}, "language"),
    ({"role": None}, "role"),
    ({"skills": [{"skill": "S", "minimum_level": 3}, {"skill": "S", "minimum_level": 4}]},
     "skills"),
    ({"skills": [{"skill": "S", "minimum_level": 0}]}, "skills"),
    ({"engagement": 10**30}, "engagement"),
])
def test_bad_need_input_is_a_400(staff_api, engagement, change, field):
    skill = SkillFactory()
    payload = {**_need_payload(engagement), **change}
    payload["skills"] = [{**row, "skill": skill.pk} for row in payload.get("skills", [])]
    response = staff_api.post(NEEDS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not StaffingNeed.objects.exists()


def test_needs_of_finished_engagements_and_moves_are_refused(staff_api, org_a):
    closed = EngagementFactory(organization=org_a, status=EngagementStatus.CLOSED)
    assert staff_api.post(NEEDS, _need_payload(closed), format="json").status_code == 409
    need = StaffingNeedFactory()
    response = staff_api.patch(f"{NEEDS}{need.pk}/", {"engagement": closed.pk}, format="json")
    assert response.status_code == 400
    assert "engagement" in response.json()


def test_need_filters(staff_api, engagement):
    first = StaffingNeedFactory(engagement=engagement)
    other = StaffingNeedFactory(status=NeedStatus.FILLED)
    assert _ids(staff_api.get(NEEDS, {"engagement": engagement.pk})) == [first.pk]
    assert _ids(staff_api.get(NEEDS, {"status": "filled"})) == [other.pk]
    assert _ids(staff_api.get(NEEDS, {"organization": engagement.organization_id})) == [
        first.pk
    ]
    assert _ids(staff_api.get(NEEDS, {"role": other.role_id})) == [other.pk]
    assert staff_api.get(NEEDS, {"status": "stale"}).status_code == 400


def test_staffing_is_staff_only(client_api, api_client, engagement):
    need = StaffingNeedFactory(engagement=engagement)  # the client's own engagement
    consultant = ConsultantFactory()
    detail = f"{NEEDS}{need.pk}/"
    calls = [
        ("get", NEEDS, None), ("post", NEEDS, _need_payload(engagement)), ("get", detail, None),
        ("patch", detail, {"note": "x"}), ("post", f"{detail}cancel/", {}),
        ("get", f"{detail}matches/", None), ("post", f"{detail}assign/",
                                             {"consultant": consultant.pk}),
        ("get", PROPOSALS, None), ("post", PROPOSALS, {}),
    ]
    for method, url, data in calls:
        assert getattr(client_api, method)(url, data, format="json").status_code == 403, url
        assert getattr(api_client, method)(url, data, format="json").status_code == 401, url
    need.refresh_from_db()
    assert (need.status, need.note) == (NeedStatus.OPEN, "")
    assert not Assignment.objects.exists()
    assert not StaffingProposal.objects.exists()


# --- Matches -------------------------------------------------------------------------------------


@pytest.fixture
def bench(engagement):
    """A need for a Spanish-speaking senior with a skill at 4, and four consultants: an
    expert, a novice, one who does not speak Spanish and one inactive."""
    need = StaffingNeedFactory(engagement=engagement, language="es", allocation_percent=50)
    skill = SkillFactory()
    StaffingNeedSkillFactory(need=need, skill=skill, minimum_level=4)
    expert = ConsultantFactory(full_name="Ana Expert")
    novice = ConsultantFactory(full_name="Bea Novice", seniority="junior")
    english = ConsultantFactory(full_name="Carl English")
    inactive = ConsultantFactory(full_name="Dora Inactive", is_active=False)
    for consultant, level in ((expert, 5), (novice, 1), (english, 5), (inactive, 5)):
        ConsultantSkillFactory(consultant=consultant, skill=skill, proficiency=level)
    for consultant in (expert, novice, inactive):
        ConsultantLanguageFactory(consultant=consultant, language="es")
    ConsultantLanguageFactory(consultant=english, language="en")
    return need, expert, novice, english, inactive


def test_matches_rank_every_consultant_with_breakdown_and_exclusions(staff_api, bench):
    need, expert, novice, english, inactive = bench
    response = staff_api.get(f"{NEEDS}{need.pk}/matches/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["need"], body["count"], body["weights"]) == (need.pk, 2, DEFAULT_WEIGHTS)
    assert [row["consultant"]["id"] for row in body["results"]] == [expert.pk, novice.pk]
    top = body["results"][0]
    assert top["consultant"] == {"id": expert.pk, "full_name": "Ana Expert",
                                 "seniority": "senior"}
    assert set(top["breakdown"]) == set(MatchFactor.values)
    assert all(0 <= value <= 1 for value in top["breakdown"].values())
    assert top["breakdown"]["skills"] == 1.0
    assert body["results"][1]["breakdown"]["skills"] < 1
    assert top["score"] > body["results"][1]["score"]
    assert (top["assignable"], top["free_percent"]) == (True, 100)
    excluded = {row["consultant"]["id"]: row["reason"] for row in body["excluded"]}
    assert excluded == {english.pk: "Does not work in Spanish", inactive.pk: "Inactive"}


def test_matches_are_paginated_over_the_whole_ranking(staff_api, bench):
    need, expert, novice, *_ = bench
    url = f"{NEEDS}{need.pk}/matches/"
    first = staff_api.get(url, {"page_size": 1}).json()
    assert (first["count"], first["previous"]) == (2, None)
    assert [row["consultant"]["id"] for row in first["results"]] == [expert.pk]
    assert "page=2" in first["next"]
    second = staff_api.get(url, {"page_size": 1, "page": 2}).json()
    assert [row["consultant"]["id"] for row in second["results"]] == [novice.pk]
    assert second["next"] is None
    assert len(second["excluded"]) == 2  # complete on every page
    assert staff_api.get(url, {"page_size": 1, "page": 3}).status_code == 404
    response = staff_api.get(url, {"page": "two"})
    assert response.status_code == 400
    assert "page" in response.json()


def test_weights_can_be_overridden_for_one_ranking(staff_api, bench):
    need, *_ = bench
    url = f"{NEEDS}{need.pk}/matches/"
    response = staff_api.get(url, {"skills": 0, "seniority": 0, "culture": 100})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["weights"]["skills"], body["weights"]["culture"]) == (0, 100)
    assert body["weights"]["cost"] == DEFAULT_WEIGHTS["cost"]
    # Same working style and nothing else weighs in the skills' favour: a tie on score.
    scores = [row["score"] for row in body["results"]]
    assert scores[0] == scores[1]
    for bad in ({"culture": "abc"}, {"culture": 101}, {"skills": -1}, {"cost": "1.5"}):
        response = staff_api.get(url, bad)
        assert response.status_code == 400, bad
        assert set(bad) == set(response.json())
    response = staff_api.get(url, dict.fromkeys(DEFAULT_WEIGHTS, 0))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_assign_from_a_match(staff_api, bench):
    need, expert, novice, *_ = bench
    url = f"{NEEDS}{need.pk}/assign/"
    response = staff_api.post(url, {"consultant": expert.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["consultant"]["id"], body["staffing_need"], body["allocation_percent"]) == (
        expert.pk, need.pk, 50
    )
    assert (body["start_on"], body["role"]) == (need.start_on.isoformat(), need.role_id)
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    assert staff_api.post(url, {"consultant": novice.pk}, format="json").status_code == 409
    for bad in ({}, {"consultant": 10**30}, {"consultant": "Ana"}):
        response = staff_api.post(url, bad, format="json")
        assert response.status_code == 400
        assert "consultant" in response.json()
    assert Assignment.objects.count() == 1


def test_assigning_above_capacity_is_a_409(staff_api, bench):
    need, expert, *_ = bench
    AssignmentFactory(consultant=expert, allocation_percent=60, start_on=need.start_on,
                      end_on=need.start_on,
                      engagement=EngagementFactory(planned_start=need.start_on))
    response = staff_api.post(f"{NEEDS}{need.pk}/assign/", {"consultant": expert.pk},
                              format="json")
    assert response.status_code == 409
    assert expert.full_name in response.json()["detail"]
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


# --- Staffing proposals --------------------------------------------------------------------------


def test_a_proposal_fills_needs_better_than_greedy_and_is_accepted(staff_api, staff_user, org_a):
    """Greedy gives the all-rounder to the first need and leaves the second to a weak
    candidate; the optimum gives each need its specialist."""
    engagement = EngagementFactory(organization=org_a)
    first_skill, second_skill = SkillFactory(), SkillFactory()
    first = StaffingNeedFactory(engagement=engagement, allocation_percent=100)
    StaffingNeedSkillFactory(need=first, skill=first_skill, minimum_level=3)
    second = StaffingNeedFactory(engagement=engagement, allocation_percent=100)
    StaffingNeedSkillFactory(need=second, skill=second_skill, minimum_level=5)
    all_rounder = ConsultantFactory(full_name="All rounder")
    ConsultantSkillFactory(consultant=all_rounder, skill=first_skill, proficiency=5)
    ConsultantSkillFactory(consultant=all_rounder, skill=second_skill, proficiency=5)
    specialist = ConsultantFactory(full_name="Specialist")
    ConsultantSkillFactory(consultant=specialist, skill=first_skill, proficiency=4)
    response = staff_api.post(PROPOSALS, {"needs": [first.pk, second.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["needs_considered"], body["needs_filled"]) == (
        "proposed", 2, 2
    )
    assert body["created_by"] == staff_user.get_full_name()
    lines = {line["need"]: line for line in body["lines"]}
    assert lines[second.pk]["consultant"]["id"] == all_rounder.pk
    assert lines[first.pk]["consultant"]["id"] == specialist.pk
    assert set(lines[first.pk]["breakdown"]) == set(MatchFactor.values)
    assert float(body["total_score"]) >= float(body["greedy_total_score"])
    assert body["improvement"] == (
        f"{float(body['total_score']) - float(body['greedy_total_score']):.2f}"
    )
    assert _ids(staff_api.get(PROPOSALS)) == [body["id"]]
    assert "lines" not in staff_api.get(PROPOSALS).json()["results"][0]

    accept = f"{PROPOSALS}{body['id']}/accept/"
    response = staff_api.post(accept, {"lines": [lines[first.pk]["id"]]}, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["status"] == ProposalStatus.PARTIALLY_APPLIED
    assert [(row["line"], row["consultant"]) for row in result["applied"]] == [
        (lines[first.pk]["id"], specialist.pk)
    ]
    assert result["failed"] == []
    assert Assignment.objects.get().staffing_need_id == first.pk
    assert staff_api.post(accept, {}, format="json").status_code == 409
    detail = staff_api.get(f"{PROPOSALS}{body['id']}/").json()
    assert {line["need"]: line["assignment"] is not None for line in detail["lines"]} == {
        first.pk: True, second.pk: False
    }


def test_lines_that_no_longer_fit_fail_with_the_reason(staff_api, engagement):
    need = StaffingNeedFactory(engagement=engagement, allocation_percent=80)
    consultant = ConsultantFactory()
    proposal = staff_api.post(PROPOSALS, {"needs": [need.pk]}, format="json").json()
    (line,) = proposal["lines"]
    assert line["consultant"]["id"] == consultant.pk
    # Meanwhile someone books the consultant elsewhere.
    AssignmentFactory(consultant=consultant, allocation_percent=50, start_on=need.start_on,
                      end_on=need.end_on,
                      engagement=EngagementFactory(planned_start=need.start_on,
                                                   planned_end=need.end_on))
    accept = f"{PROPOSALS}{proposal['id']}/accept/"
    response = staff_api.post(accept, {"lines": [10**6]}, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()
    response = staff_api.post(accept, {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] == []
    assert body["failed"][0]["line"] == line["id"]
    assert consultant.full_name in body["failed"][0]["reason"]
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


@pytest.mark.parametrize("payload", [
    {"needs": []}, {"needs": [10**30]}, {"needs": "all"}, {"needs": ["CLOSED"]},
])
def test_bad_proposal_input_is_a_400(staff_api, engagement, payload):
    closed = StaffingNeedFactory(engagement=engagement, status=NeedStatus.CANCELLED)
    payload = {"needs": [closed.pk if need == "CLOSED" else need for need in payload["needs"]]
               } if isinstance(payload["needs"], list) else payload
    response = staff_api.post(PROPOSALS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert "needs" in response.json()
    assert not StaffingProposal.objects.exists()


def test_a_proposal_without_open_needs_is_a_400(staff_api):
    response = staff_api.post(PROPOSALS, {}, format="json")
    assert response.status_code == 400
    assert "needs" in response.json()


@pytest.mark.parametrize("lines", [[], ["x"], [0], [2**64], "all"])
def test_bad_accept_input_is_a_400(staff_api, engagement, lines):
    StaffingNeedFactory(engagement=engagement)
    ConsultantFactory()
    proposal = staff_api.post(PROPOSALS, {}, format="json").json()
    response = staff_api.post(f"{PROPOSALS}{proposal['id']}/accept/", {"lines": lines},
                              format="json")
    assert response.status_code == 400
    assert "lines" in response.json()
    assert not Assignment.objects.exists()

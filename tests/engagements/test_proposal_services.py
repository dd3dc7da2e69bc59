"""Matching weights and staffing proposals as services: computing a proposal with the
engine, storing it beside the greedy fill, and accepting all or part of it, where a line
that no longer fits fails alone with its reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements import proposals, selectors, services
from engagements.choices import EngagementStatus, NeedStatus, ProposalStatus
from engagements.models import Assignment, MatchingWeights, StaffingProposal
from engagements.models.matching import DEFAULT_WEIGHTS
from engagements.proposals import ProposalResult, ProposedLine
from pmo_service.exceptions import ConflictError
from tests.factories import (
    AssignmentFactory,
    ConsultantFactory,
    EngagementFactory,
    StaffingNeedFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


# --- Weights -------------------------------------------------------------------------------------


def test_staff_set_weights_on_the_one_row(staff_user):
    row = services.matching_weights_update(actor=staff_user, culture=40, cost=0)
    assert row.pk == 1
    assert row.as_dict() == {**DEFAULT_WEIGHTS, "culture": 40, "cost": 0}
    assert row.updated_by == staff_user
    services.matching_weights_update(actor=staff_user, skills=10)
    assert MatchingWeights.objects.get().as_dict() == {
        **DEFAULT_WEIGHTS, "culture": 40, "cost": 0, "skills": 10
    }
    assert MatchingWeights.objects.count() == 1


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"charisma": 10}, "charisma"),
        ({"skills": 101}, "skills"),
        ({"skills": -1}, "skills"),
        ({"skills": "30"}, "skills"),
        ({"skills": True}, "skills"),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0), None),
    ],
)
def test_bad_weights_are_refused(staff_user, weights, field):
    with pytest.raises(ValidationError) as error:
        services.matching_weights_update(actor=staff_user, **weights)
    if field is None:  # about the weights as a whole
        assert "At least one weight must be above zero." in error.value.messages
    else:
        assert field in error.value.message_dict
    assert not MatchingWeights.objects.exists()


def test_clients_cannot_change_weights(user_a):
    with pytest.raises(PermissionDenied):
        services.matching_weights_update(actor=user_a, culture=90)


# --- Proposals -----------------------------------------------------------------------------------


@pytest.fixture
def engagement():
    return EngagementFactory(status=EngagementStatus.STAFFING, planned_start=D(2030, 1, 1),
                             planned_end=D(2030, 12, 31))


FEBRUARY, END_OF_APRIL = D(2030, 2, 1), D(2030, 4, 30)


def _need(engagement, start=FEBRUARY, end=END_OF_APRIL, allocation=60, **fields):
    return StaffingNeedFactory(engagement=engagement, start_on=start, end_on=end,
                               allocation_percent=allocation, **fields)


def test_a_proposal_is_computed_and_kept_with_the_weights_in_force(staff_user, engagement):
    services.matching_weights_update(actor=staff_user, culture=50)
    needs = [_need(engagement), _need(engagement, start=D(2030, 3, 1))]
    consultants = [ConsultantFactory() for _ in range(3)]
    proposal = services.proposal_create(actor=staff_user)
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.weights["culture"] == 50
    assert proposal.needs_considered == 2
    assert proposal.needs_filled == proposal.lines.count() == 2
    assert proposal.created_by == staff_user
    lines = list(proposal.lines.all())
    assert {line.need for line in lines} == set(needs)
    # 60% + 60% overlap in March: nobody takes both.
    assert len({line.consultant_id for line in lines}) == 2
    assert {line.consultant for line in lines} <= set(consultants)
    assert all(0 <= line.score <= 100 and set(line.breakdown) == set(DEFAULT_WEIGHTS)
               for line in lines)
    assert all(line.greedy_consultant is not None for line in lines)
    assert not Assignment.objects.exists()  # nothing is assigned before staff accept


def test_stored_figures_follow_the_engine_including_the_greedy_pick(
    staff_user, engagement, monkeypatch
):
    first, second = _need(engagement), _need(engagement, start=D(2030, 3, 1))
    best, other = ConsultantFactory(), ConsultantFactory()
    breakdown = dict.fromkeys(DEFAULT_WEIGHTS, 0.5)
    result = ProposalResult(
        lines=[ProposedLine(first.pk, other.pk, 71.26, breakdown),
               ProposedLine(second.pk, best.pk, 90.0, breakdown)],
        total_score=161.3,
        greedy_lines=[ProposedLine(first.pk, best.pk, 88.0, breakdown)],
        greedy_total_score=88.0, needs_considered=2, solve_ms=17,
    )
    seen = {}

    def fake_propose(needs, *, weights=None):
        seen.update(needs=list(needs), weights=weights)
        return result

    monkeypatch.setattr(proposals, "propose", fake_propose)
    proposal = services.proposal_create(actor=staff_user, needs=[second, first])
    assert seen["needs"] == [first, second]  # in start order, loaded fresh
    assert seen["weights"] == DEFAULT_WEIGHTS
    assert (str(proposal.total_score), str(proposal.greedy_total_score)) == ("161.30", "88.00")
    assert (proposal.needs_filled, proposal.greedy_needs_filled, proposal.solve_ms) == (2, 1, 17)
    lines = {line.need: line for line in proposal.lines.all()}
    assert (lines[first].consultant, lines[first].greedy_consultant) == (other, best)
    assert str(lines[first].score) == "71.26"
    assert (lines[second].consultant, lines[second].greedy_consultant) == (best, None)


def test_only_open_needs_of_staffable_engagements_are_proposed_for(staff_user, engagement):
    ok = _need(engagement)
    cancelled = _need(engagement, status=NeedStatus.CANCELLED)
    closing = _need(EngagementFactory(status=EngagementStatus.CLOSING))
    with pytest.raises(ValidationError) as error:
        services.proposal_create(actor=staff_user, needs=[ok, cancelled])
    message = " ".join(error.value.message_dict["needs"])
    assert str(cancelled) in message
    assert str(ok) not in message
    with pytest.raises(ValidationError) as error:
        services.proposal_create(actor=staff_user, needs=[closing])
    assert str(closing) in " ".join(error.value.message_dict["needs"])
    with pytest.raises(ValidationError, match="at least one"):
        services.proposal_create(actor=staff_user, needs=[])
    ok.status = NeedStatus.FILLED
    ok.save()
    with pytest.raises(ValidationError, match="no open staffing needs"):
        services.proposal_create(actor=staff_user)  # the others are not proposable
    assert not StaffingProposal.objects.exists()


def test_clients_cannot_compute_or_accept_proposals(user_a, staff_user, engagement):
    _need(engagement)
    ConsultantFactory()
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=user_a)
    proposal = services.proposal_create(actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.proposal_accept(proposal=proposal, actor=user_a)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_accepting_all_lines_assigns_them_and_fills_the_needs(staff_user, engagement):
    needs = [_need(engagement), _need(engagement, start=D(2030, 3, 1))]
    ConsultantFactory(), ConsultantFactory()
    proposal = services.proposal_create(actor=staff_user)
    accepted = services.proposal_accept(proposal=proposal, actor=staff_user)
    assert not accepted.failed
    assert len(accepted.applied) == 2
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    for line in proposal.lines.select_related("assignment"):
        assert line.assignment.consultant_id == line.consultant_id
        assert line.assignment.staffing_need_id == line.need_id
        assert line.assignment.allocation_percent == 60
    for need in needs:
        need.refresh_from_db()
        assert need.status == NeedStatus.FILLED
    with pytest.raises(ConflictError, match="applied"):
        services.proposal_accept(proposal=proposal, actor=staff_user)


def test_a_line_that_no_longer_fits_fails_alone_with_its_reason(staff_user, engagement):
    first, second = _need(engagement), _need(engagement, start=D(2030, 6, 1),
                                             end=D(2030, 6, 30))
    ConsultantFactory(full_name="Only One")
    proposal = services.proposal_create(actor=staff_user)
    by_need = {line.need_id: line for line in proposal.lines.all()}
    assert set(by_need) == {first.pk, second.pk}
    # Meanwhile someone fills the first need by hand, and books the consultant in June.
    AssignmentFactory(engagement=engagement, staffing_need=first)
    first.status = NeedStatus.FILLED
    first.save()
    AssignmentFactory(consultant=by_need[second.pk].consultant, allocation_percent=50,
                      start_on=D(2030, 6, 10), end_on=D(2030, 6, 10))
    accepted = services.proposal_accept(proposal=proposal, actor=staff_user)
    assert accepted.applied == []
    reasons = {line.need_id: reason for line, reason in accepted.failed}
    assert "filled" in reasons[first.pk]
    assert reasons[second.pk] == (
        "Only One would be at 110% on 2030-06-10, above their capacity of 100%."
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PARTIALLY_APPLIED


def test_accepting_part_of_a_proposal(staff_user, engagement):
    first, second = _need(engagement), _need(engagement, start=D(2030, 6, 1),
                                             end=D(2030, 6, 30))
    ConsultantFactory()
    proposal = services.proposal_create(actor=staff_user)
    other = services.proposal_create(actor=staff_user)
    chosen = proposal.lines.get(need=second)
    with pytest.raises(ValidationError) as error:
        services.proposal_accept(proposal=proposal, actor=staff_user,
                                 line_ids=[chosen.pk, other.lines.first().pk])
    assert "line_ids" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.proposal_accept(proposal=proposal, actor=staff_user, line_ids=[])
    accepted = services.proposal_accept(proposal=proposal, actor=staff_user,
                                        line_ids=[chosen.pk])
    assert [line.pk for line in accepted.applied] == [chosen.pk]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PARTIALLY_APPLIED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (NeedStatus.OPEN, NeedStatus.FILLED)


def test_proposal_list_costs_the_same_for_1_or_3_proposals(staff_user, engagement):
    for start in (D(2030, 2, 1), D(2030, 5, 1)):
        _need(engagement, start=start, end=start + datetime.timedelta(days=20))
    ConsultantFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for proposal in selectors.proposal_list():
                for line in proposal.lines.all():
                    _ = (line.need.engagement.organization.name, line.need.role.name,
                         line.consultant.full_name, line.greedy_consultant, line.assignment)
        return len(captured)

    services.proposal_create(actor=staff_user)
    few = queries()
    services.proposal_create(actor=staff_user)
    services.proposal_create(actor=staff_user)
    assert queries() == few

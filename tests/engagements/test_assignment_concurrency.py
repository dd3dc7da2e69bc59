"""No over-allocation, ever, even when two staff members staff the same consultant at the
same moment (PostgreSQL: real row locks, one connection per thread).

Each thread waits at a barrier right before its service call, so both transactions run
together. The check-then-insert window is widened on purpose (reading the load sleeps a
little): without the consultant's row lock both threads would read a free consultant and
both insert; with it the second waits for the first to commit, sees its assignment and is
refused.
"""

import time
from datetime import date
from decimal import Decimal

import pytest

from engagements import selectors, services
from engagements.choices import EngagementStatus, ProposalStatus
from engagements.models import Assignment, ProposalLine, StaffingProposal
from pmo_service.exceptions import ConflictError
from tests.factories import (
    ConsultantFactory,
    EngagementFactory,
    RoleFactory,
    StaffingNeedFactory,
    StaffUserFactory,
)
from tests.race_support import race

pytestmark = pytest.mark.postgres

START, END = date(2030, 3, 1), date(2030, 5, 31)
WIDEN_SECONDS = 0.3


@pytest.fixture
def slow_load_reads(monkeypatch):
    """Make every capacity check linger after reading the load, as a busy server might."""
    read = selectors.consultant_daily_load

    def lingering(**kwargs):
        loads = read(**kwargs)
        time.sleep(WIDEN_SECONDS)
        return loads

    monkeypatch.setattr(selectors, "consultant_daily_load", lingering)


def _peak(consultant) -> int:
    return max(selectors.consultant_daily_load(consultant_id=consultant.pk, start=START,
                                               end=END))


def _engagement():
    return EngagementFactory(status=EngagementStatus.STAFFING, planned_start=START,
                             planned_end=END)


def test_two_overlapping_assignments_at_once_one_wins(transactional_db, slow_load_reads):
    consultant = ConsultantFactory(full_name="Lucía Prieto", capacity_percent=100)
    staff, role = StaffUserFactory(), RoleFactory()
    engagements = [_engagement(), _engagement()]

    def assign(engagement, start):
        return lambda: services.assignment_create(
            actor=staff, engagement=engagement, consultant=consultant, role=role,
            allocation_percent=60, start_on=start, end_on=END,
        )

    results = race(assign(engagements[0], START), assign(engagements[1], date(2030, 4, 1)))
    created = [result for result in results if isinstance(result, Assignment)]
    refused = [result for result in results if isinstance(result, ConflictError)]
    assert (len(created), len(refused)) == (1, 1), results
    assert "Lucía Prieto would be at 120%" in str(refused[0])
    assert "above their capacity of 100%" in str(refused[0])
    assert Assignment.objects.filter(consultant=consultant).count() == 1
    assert _peak(consultant) == 60


def _proposal_for(lines: list[tuple], staff) -> StaffingProposal:
    """A stored proposal with exactly these (need, consultant) lines, as the optimiser could
    have made it (built directly: the race is about accepting, not computing)."""
    proposal = StaffingProposal.objects.create(
        total_score=Decimal(80 * len(lines)), greedy_total_score=Decimal(70),
        needs_considered=len(lines), needs_filled=len(lines), greedy_needs_filled=1,
        weights={}, solve_ms=1, created_by=staff,
    )
    for need, consultant in lines:
        ProposalLine.objects.create(proposal=proposal, need=need, consultant=consultant,
                                    score=Decimal(80), breakdown={})
    return proposal


def test_two_overlapping_proposals_accepted_at_once(transactional_db, slow_load_reads):
    consultant = ConsultantFactory(capacity_percent=100)
    staff = StaffUserFactory()
    needs = [StaffingNeedFactory(engagement=_engagement(), allocation_percent=60)
             for _ in range(2)]
    # Each computed alone, both proposals give the only consultant their need.
    proposals = [services.proposal_create(actor=staff, needs=[need]) for need in needs]
    assert [p.lines.get().consultant for p in proposals] == [consultant, consultant]

    results = race(*(
        lambda proposal=proposal: services.proposal_accept(proposal=proposal, actor=staff)
        for proposal in proposals
    ))
    assert not [result for result in results if isinstance(result, Exception)], results
    applied = [line for result in results for line in result.applied]
    failed = [reason for result in results for _, reason in result.failed]
    assert len(applied) == 1
    assert len(failed) == 1
    assert "would be at 120%" in failed[0]
    statuses = sorted(StaffingProposal.objects.values_list("status", flat=True))
    assert statuses == sorted([ProposalStatus.APPLIED, ProposalStatus.PARTIALLY_APPLIED])
    assert _peak(consultant) == 60


def test_proposals_crossing_the_same_consultants_do_not_deadlock(
    transactional_db, slow_load_reads
):
    """Accepted line by line, these two proposals would take the consultants in opposite
    orders (first proposal: Ana then Bea; second: Bea then Ana), the textbook deadlock.
    Locking every consultant in primary-key order first makes the second wait instead."""
    ana, bea = ConsultantFactory(full_name="Ana"), ConsultantFactory(full_name="Bea")
    staff = StaffUserFactory()
    engagement = _engagement()

    def need(day):
        return StaffingNeedFactory(engagement=engagement, allocation_percent=60,
                                   start_on=date(2030, 3, day), end_on=END)

    first = _proposal_for([(need(1), ana), (need(2), bea)], staff)
    second = _proposal_for([(need(3), bea), (need(4), ana)], staff)
    results = race(
        lambda: services.proposal_accept(proposal=first, actor=staff),
        lambda: services.proposal_accept(proposal=second, actor=staff),
    )
    assert not [result for result in results if isinstance(result, Exception)], results
    applied = sorted((line.consultant.full_name, line.need_id)
                     for result in results for line in result.applied)
    # Whichever went first staffed both; the other found both consultants full.
    assert len(applied) == 2
    assert sum(len(result.failed) for result in results) == 2
    assert (_peak(ana), _peak(bea)) == (60, 60)

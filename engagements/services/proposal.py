"""Matching configuration and global staffing proposals: computing one, and applying all or
part of it in one action without ever over-allocating anyone."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from pmo_service.exceptions import ConflictError
from stakeholders.models import User

from .. import matching, proposals
from ..choices import NeedStatus, ProposalStatus
from ..models import (
    Consultant,
    MatchingWeights,
    ProposalLine,
    StaffingNeed,
    StaffingNeedSkill,
    StaffingProposal,
)
from ._rules import CENT, STAFFABLE_STATUSES, check_staff, validation_reason
from .staffing import assignment_create

# --- Weights -------------------------------------------------------------------------------------


@transaction.atomic
def matching_weights_update(*, actor: User, **weights: Any) -> MatchingWeights:
    """Set some or all factor weights (whole numbers 0-100; their proportions are what
    counts). The unnamed ones keep their value; at least one must stay above zero. The one
    row (id 1) is created with the documented defaults the first time."""
    check_staff(actor, "change the matching weights")
    complete = matching.validate_weights(weights)
    row, _ = MatchingWeights.objects.select_for_update().get_or_create(pk=1)
    for name, value in complete.items():
        setattr(row, name, value)
    row.updated_by = actor
    row.full_clean()
    row.save()
    return row


# --- Proposals -----------------------------------------------------------------------------------


def _needs_for_proposal(needs: Sequence[StaffingNeed] | None) -> list[StaffingNeed]:
    """The needs to staff, loaded with what the engine reads: every open need of staffable
    engagements when ``needs`` is None; otherwise exactly those, which must be open needs of
    staffable engagements."""
    queryset = StaffingNeed.objects.select_related("engagement__organization", "role")
    queryset = queryset.prefetch_related(
        Prefetch("skill_requirements", StaffingNeedSkill.objects.select_related("skill"))
    ).order_by("start_on", "id")
    staffable = {"status": NeedStatus.OPEN, "engagement__status__in": STAFFABLE_STATUSES}
    if needs is None:
        loaded = list(queryset.filter(**staffable))
        if not loaded:
            raise ValidationError({"needs": "There are no open staffing needs to propose for."})
        return loaded
    wanted = {need.pk for need in needs}
    if not wanted:
        raise ValidationError({"needs": "Choose at least one staffing need."})
    loaded = list(queryset.filter(pk__in=wanted, **staffable))
    bad = wanted - {need.pk for need in loaded}
    if bad:
        names = [str(need) for need in StaffingNeed.objects.filter(pk__in=bad)
                 .select_related("engagement", "role").order_by("id")]
        raise ValidationError({"needs": (
            "Only open needs of engagements being staffed or running can be proposed for; "
            f"not: {'; '.join(names) or ', '.join(map(str, sorted(bad)))}."
        )})
    return loaded


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@transaction.atomic
def proposal_create(
    *, actor: User, needs: Sequence[StaffingNeed] | None = None
) -> StaffingProposal:
    """Compute and keep a global staffing proposal for ``needs`` (None: every open need of
    engagements that are proposed, staffing or active), with the weights in force.

    The engine (``proposals.propose``) maximises the total match score without
    over-allocating anyone; the greedy one-need-at-a-time fill is kept beside it (per line,
    ``greedy_consultant``) to show the gain. Nothing is assigned until staff accept.
    """
    check_staff(actor, "compute staffing proposals")
    loaded = _needs_for_proposal(needs)
    weights = matching.weights_in_force()
    result = proposals.propose(loaded, weights=weights)
    greedy = {line.need_id: line.consultant_id for line in result.greedy_lines}
    proposal = StaffingProposal.objects.create(
        status=ProposalStatus.PROPOSED,
        total_score=_money(result.total_score),
        greedy_total_score=_money(result.greedy_total_score),
        needs_considered=result.needs_considered,
        needs_filled=len(result.lines),
        greedy_needs_filled=len(result.greedy_lines),
        weights=weights,
        solve_ms=result.solve_ms,
        created_by=actor,
    )
    ProposalLine.objects.bulk_create(
        ProposalLine(
            proposal=proposal, need_id=line.need_id, consultant_id=line.consultant_id,
            score=_money(line.score), breakdown=dict(line.breakdown),
            greedy_consultant_id=greedy.get(line.need_id),
        )
        for line in result.lines
    )
    return proposal


@dataclass
class ProposalAcceptance:
    """What accepting a proposal did: the lines now assigned, and those that could not be
    (with the reason: the need was filled meanwhile, the consultant is no longer free...)."""

    applied: list[ProposalLine] = field(default_factory=list)
    failed: list[tuple[ProposalLine, str]] = field(default_factory=list)


def _lines_to_accept(
    proposal: StaffingProposal, line_ids: Sequence[int] | None
) -> list[ProposalLine]:
    lines = list(
        proposal.lines.select_related("need__engagement", "need__role", "consultant")
        .order_by("need__start_on", "need_id")
    )
    if line_ids is None:
        return lines
    wanted = set(line_ids)
    if not wanted:
        raise ValidationError({"line_ids": "Choose at least one line to accept."})
    foreign = wanted - {line.pk for line in lines}
    if foreign:
        raise ValidationError({"line_ids": (
            f"Not lines of this proposal: {', '.join(map(str, sorted(foreign, key=str)))}."
        )})
    return [line for line in lines if line.pk in wanted]


@transaction.atomic
def proposal_accept(
    *, proposal: StaffingProposal, actor: User, line_ids: Sequence[int] | None = None
) -> ProposalAcceptance:
    """Apply a proposal, all of it or the lines named, as assignments, in one action.

    Each line goes through ``assignment_create`` in its own savepoint, so every rule holds
    (capacity under lock, the need still open...): a line that no longer fits fails with
    its reason and the others still apply. Consultants, then needs, are locked in
    primary-key order first, so two proposals accepted at the same moment wait for each
    other instead of deadlocking. The proposal becomes applied when all its lines are,
    partially applied otherwise; either way it cannot be accepted again.
    """
    check_staff(actor, "accept staffing proposals")
    proposal = StaffingProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ConflictError(
            f"This proposal is {proposal.get_status_display().lower()}; only a new proposal "
            "can be accepted. Compute a fresh one."
        )
    lines = _lines_to_accept(proposal, line_ids)
    list(Consultant.objects.select_for_update().filter(
        pk__in={line.consultant_id for line in lines}
    ).order_by("pk").values_list("pk", flat=True))
    list(StaffingNeed.objects.select_for_update().filter(
        pk__in={line.need_id for line in lines}
    ).order_by("pk").values_list("pk", flat=True))
    outcome = ProposalAcceptance()
    for line in lines:
        need = line.need
        try:
            with transaction.atomic():
                assignment = assignment_create(
                    actor=actor, engagement=need.engagement, consultant=line.consultant,
                    role=need.role, allocation_percent=need.allocation_percent,
                    start_on=need.start_on, end_on=need.end_on, staffing_need=need,
                )
        except ConflictError as error:
            outcome.failed.append((line, str(error)))
            continue
        except ValidationError as error:
            outcome.failed.append((line, validation_reason(error)))
            continue
        line.assignment = assignment
        line.save(update_fields=["assignment"])
        outcome.applied.append(line)
    all_applied = not proposal.lines.filter(assignment__isnull=True).exists()
    proposal.status = (
        ProposalStatus.APPLIED if all_applied else ProposalStatus.PARTIALLY_APPLIED
    )
    proposal.save(update_fields=["status"])
    return outcome

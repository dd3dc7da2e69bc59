"""Staffing: the open roles of engagements (needs) and the team (assignments).

The capacity rule lives here: on no day may a consultant's allocations add up above their
capacity. ``assignment_create`` and ``assignment_update`` lock the consultant's row and read
their load inside the same transaction, so two staff members (or two accepted proposals)
assigning the same person at the same moment are serialised: the second one sees the
first one's assignment and is refused if the sum would exceed capacity.

Lock order, everywhere: consultants (by primary key), then staffing needs. Keeping one order
is what makes concurrent staffing free of deadlocks.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Role, Skill
from pmo_service.exceptions import ConflictError
from stakeholders.models import User

from .. import selectors
from ..choices import NeedStatus
from ..models import Assignment, Consultant, Engagement, StaffingNeed, StaffingNeedSkill
from ._rules import (
    STAFFABLE_STATUSES,
    assign,
    check_date,
    check_dates_in_order,
    check_integer,
    check_known_fields,
    check_levels,
    check_staff,
    check_within,
)

NEED_FIELDS = (
    "role", "seniority", "language", "allocation_percent", "start_on", "end_on", "note",
)
ASSIGNMENT_FIELDS = ("role", "allocation_percent", "start_on", "end_on")


def _check_staffable(engagement: Engagement, what: str) -> None:
    if engagement.status not in STAFFABLE_STATUSES:
        raise ConflictError(
            f"“{engagement}” is {engagement.get_status_display().lower()}: it takes no "
            f"more {what}."
        )


def _check_window(engagement: Engagement, fields: Mapping[str, Any], start: date, end: date,
                  allocation: int) -> None:
    """Allocation 1-100 and dates in order, inside the engagement's planned dates."""
    if "allocation_percent" in fields:
        check_integer(allocation, 1, 100, "allocation_percent", "Allocation (%)")
    for field in ("start_on", "end_on"):
        if field in fields:
            check_date(fields[field], field, "Give a date.")
    check_dates_in_order(start, end, "end_on")
    check_within(start, end, engagement.planned_start, engagement.planned_end,
                 ("start_on", "end_on"))


# --- Staffing needs -------------------------------------------------------------------------------


def _set_need_skills(need: StaffingNeed, skills: Mapping[Skill, int]) -> None:
    need.skill_requirements.all().delete()
    StaffingNeedSkill.objects.bulk_create(
        StaffingNeedSkill(need=need, skill=skill, minimum_level=level)
        for skill, level in skills.items()
    )


@transaction.atomic
def staffing_need_create(
    *,
    engagement: Engagement,
    actor: User,
    role: Role,
    seniority: str,
    allocation_percent: int,
    start_on: date,
    end_on: date,
    language: str = "",
    skills: Mapping[Skill, int] = {},
    note: str = "",
) -> StaffingNeed:
    """Open a role on an engagement that is still being staffed or running.

    ``skills`` maps catalog skills to the minimum level (1-5); ``language`` is the working
    language the person must speak (blank: any). The window lies inside the engagement's
    planned dates.
    """
    check_staff(actor, "manage staffing needs")
    _check_staffable(engagement, "staffing needs")
    fields = {"allocation_percent": allocation_percent, "start_on": start_on, "end_on": end_on}
    _check_window(engagement, fields, start_on, end_on, allocation_percent)
    levels = check_levels(skills, "skills", "Minimum level")
    need = StaffingNeed(
        engagement=engagement, role=role, seniority=seniority, language=language,
        allocation_percent=allocation_percent, start_on=start_on, end_on=end_on, note=note,
        status=NeedStatus.OPEN,
    )
    need.full_clean()
    need.save()
    _set_need_skills(need, levels)
    return need


def _locked_open_need(need: StaffingNeed, action: str = "change") -> StaffingNeed:
    need = StaffingNeed.objects.select_for_update().select_related("engagement").get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise ConflictError(
            f"The need “{need}” is {need.get_status_display().lower()}; only open needs "
            f"{action}."
        )
    return need


@transaction.atomic
def staffing_need_update(
    *, need: StaffingNeed, actor: User, skills: Mapping[Skill, int] | None = None, **fields: Any
) -> StaffingNeed:
    """Change an open need; ``skills`` replaces the required skills when given. Filled and
    cancelled needs are history (ConflictError)."""
    check_staff(actor, "manage staffing needs")
    check_known_fields(fields, NEED_FIELDS, "staffing_need_update")
    need = _locked_open_need(need)
    assign(need, fields)
    _check_window(need.engagement, fields, need.start_on, need.end_on, need.allocation_percent)
    levels = check_levels(skills, "skills", "Minimum level") if skills is not None else None
    need.full_clean()
    need.save()
    if levels is not None:
        _set_need_skills(need, levels)
    return need


@transaction.atomic
def staffing_need_cancel(*, need: StaffingNeed, actor: User) -> StaffingNeed:
    """Withdraw an open need (nobody will be assigned to it)."""
    check_staff(actor, "manage staffing needs")
    need = _locked_open_need(need)
    need.status = NeedStatus.CANCELLED
    need.save(update_fields=["status"])
    return need


# --- Assignments ---------------------------------------------------------------------------------


def _locked_consultant(consultant: Consultant) -> Consultant:
    consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
    if not consultant.is_active:
        raise ValidationError(
            {"consultant": f"{consultant.full_name} is no longer active on the bench."}
        )
    return consultant


def _check_capacity(
    consultant: Consultant, allocation: int, start: date, end: date,
    exclude_assignment_id: int | None = None,
) -> None:
    """Refuse (ConflictError) when the consultant's load plus ``allocation`` exceeds their
    capacity on any day of [start, end]; the message names the busiest day. The caller
    holds the consultant's row lock, so the load read here cannot change before commit."""
    loads = selectors.consultant_daily_load(
        consultant_id=consultant.pk, start=start, end=end,
        exclude_assignment_id=exclude_assignment_id,
    )
    peak = max(loads) + allocation
    if peak > consultant.capacity_percent:
        day = start + timedelta(days=loads.index(peak - allocation))
        raise ConflictError(
            f"{consultant.full_name} would be at {peak}% on {day}, above their capacity of "
            f"{consultant.capacity_percent}%."
        )


def _check_not_already_on(
    engagement: Engagement, consultant: Consultant, start: date, end: date,
    exclude_assignment_id: int | None = None,
) -> None:
    same = Assignment.objects.filter(engagement=engagement, consultant=consultant).overlapping(
        start, end
    )
    if exclude_assignment_id is not None:
        same = same.exclude(pk=exclude_assignment_id)
    existing = same.first()
    if existing is not None:
        raise ValidationError({"consultant": (
            f"{consultant.full_name} is already on this engagement from {existing.start_on} "
            f"to {existing.end_on}; change that assignment instead."
        )})


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    engagement: Engagement,
    consultant: Consultant,
    role: Role,
    allocation_percent: int,
    start_on: date,
    end_on: date,
    staffing_need: StaffingNeed | None = None,
) -> Assignment:
    """Put an active consultant on an engagement's team, in a role, at an allocation (1-100%)
    over dates inside the engagement's planned window.

    Never over capacity: under the consultant's row lock, their load on each day of the
    window plus this allocation must stay within their capacity (ConflictError names the
    day). A consultant has one assignment at a time per engagement. When it fills a
    ``staffing_need`` (open, of this engagement), the need becomes filled.
    """
    check_staff(actor, "staff engagements")
    _check_staffable(engagement, "team members")
    fields = {"allocation_percent": allocation_percent, "start_on": start_on, "end_on": end_on}
    _check_window(engagement, fields, start_on, end_on, allocation_percent)
    consultant = _locked_consultant(consultant)
    _check_not_already_on(engagement, consultant, start_on, end_on)
    if staffing_need is not None:
        if staffing_need.engagement_id != engagement.pk:
            raise ValidationError(
                {"staffing_need": "This need belongs to another engagement."}
            )
        staffing_need = _locked_open_need(staffing_need, "can be filled")
    _check_capacity(consultant, allocation_percent, start_on, end_on)
    assignment = Assignment(
        engagement=engagement, consultant=consultant, role=role,
        allocation_percent=allocation_percent, start_on=start_on, end_on=end_on,
        staffing_need=staffing_need, created_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    if staffing_need is not None:
        staffing_need.status = NeedStatus.FILLED
        staffing_need.save(update_fields=["status"])
    return assignment


@transaction.atomic
def assignment_update(*, assignment: Assignment, actor: User, **fields: Any) -> Assignment:
    """Change an assignment's role, allocation or dates, with the same checks as creating
    it (capacity counted without the assignment's current allocation). To move someone to
    another engagement or replace them, delete and create."""
    check_staff(actor, "staff engagements")
    check_known_fields(fields, ASSIGNMENT_FIELDS, "assignment_update")
    consultant = Consultant.objects.select_for_update().get(pk=assignment.consultant_id)
    assignment = Assignment.objects.select_for_update().select_related("engagement").get(
        pk=assignment.pk
    )
    engagement = assignment.engagement
    _check_staffable(engagement, "team changes")
    assign(assignment, fields)
    _check_window(engagement, fields, assignment.start_on, assignment.end_on,
                  assignment.allocation_percent)
    _check_not_already_on(engagement, consultant, assignment.start_on, assignment.end_on,
                          exclude_assignment_id=assignment.pk)
    _check_capacity(consultant, assignment.allocation_percent, assignment.start_on,
                    assignment.end_on, exclude_assignment_id=assignment.pk)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, actor: User) -> None:
    """Remove an assignment made by mistake, before it starts; its need opens again.

    Once started, an assignment is history (ConflictError): end it earlier instead.
    """
    check_staff(actor, "staff engagements")
    assignment = Assignment.objects.select_for_update().select_related("engagement").get(
        pk=assignment.pk
    )
    if assignment.start_on <= timezone.localdate():
        raise ConflictError(
            f"This assignment started on {assignment.start_on}: it is history. Change its end "
            "date instead of deleting it."
        )
    need_id = assignment.staffing_need_id
    assignment.delete()
    if need_id is not None:
        need = StaffingNeed.objects.select_for_update().get(pk=need_id)
        if need.status == NeedStatus.FILLED and not need.assignments.exists():
            staffable = assignment.engagement.status in STAFFABLE_STATUSES
            need.status = NeedStatus.OPEN if staffable else NeedStatus.CANCELLED
            need.save(update_fields=["status"])


@transaction.atomic
def assign_from_match(*, need: StaffingNeed, consultant: Consultant, actor: User) -> Assignment:
    """One-click staffing from the matching screen: the consultant fills the need with its
    role, allocation and dates (every rule of ``assignment_create`` applies)."""
    need = StaffingNeed.objects.select_related("engagement", "role").get(pk=need.pk)
    return assignment_create(
        actor=actor, engagement=need.engagement, consultant=consultant, role=need.role,
        allocation_percent=need.allocation_percent, start_on=need.start_on,
        end_on=need.end_on, staffing_need=need,
    )

"""Enumerations of the improvement app: where an action comes from, its workflow, PDCA."""

from django.db import models


class ActionSource(models.TextChoices):
    """What revealed the need for an improvement action."""

    PROCESS_STEP = "process_step", "Process step bottleneck"
    DEMAND_FLOW = "demand_flow", "Demand flow bottleneck"
    RETROSPECTIVE = "retrospective", "Retrospective"
    STAKEHOLDER_FEEDBACK = "stakeholder_feedback", "Stakeholder feedback"
    KPI_RED = "kpi_red", "KPI in red"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    VERIFIED = "verified", "Verified"
    DISCARDED = "discarded", "Discarded"


# The action workflow: which status may follow which. Verified and discarded end it; an action
# can be discarded at any point before it is verified (the benefit did not justify it).
ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.PROPOSED: (ActionStatus.APPROVED, ActionStatus.DISCARDED),
    ActionStatus.APPROVED: (ActionStatus.IN_PROGRESS, ActionStatus.DISCARDED),
    ActionStatus.IN_PROGRESS: (ActionStatus.DONE, ActionStatus.DISCARDED),
    ActionStatus.DONE: (ActionStatus.VERIFIED, ActionStatus.DISCARDED),
    ActionStatus.VERIFIED: (),
    ActionStatus.DISCARDED: (),
}
OPEN_ACTION_STATUSES = tuple(s for s, targets in ACTION_TRANSITIONS.items() if targets)


class PdcaPhase(models.TextChoices):
    """Deming's plan-do-check-act cycle: where the action stands in its own experiment."""

    PLAN = "plan", "Plan"
    DO = "do", "Do"
    CHECK = "check", "Check"
    ACT = "act", "Act"


# Improvement actions are short-term by design: a target further than this warns.
SHORT_TERM_DAYS = 90
# Relative WSJF scores of an action (business value, time criticality, risk reduction, size).
SCORE_MIN, SCORE_MAX = 1, 20

"""Write operations of the engagements app: the bench, client culture, engagements, staffing,
outcomes, staffing proposals and agile delivery (iterations, deliverables, time, expenses,
KPI measurements).

Interfaces (API, portal, admin, demo data) call these; they hold every rule so the doors
agree. All are keyword-only and atomic. Bad input raises Django's ``ValidationError`` with
field names (400 in the API); a request the current state does not allow raises
``ConflictError`` (409: a workflow move, over-capacity, deleting history); writing without
the right raises ``PermissionDenied`` (403). PMO staff write everything here, except culture
assessments, which a client's own writers may also record.
"""

from .bench import consultant_create, consultant_update, day_rate_set
from .culture import culture_assessment_record
from .delivery import (
    deliverable_accept,
    deliverable_create,
    deliverable_update,
    expense_create,
    expense_update,
    iteration_create,
    iteration_update,
    kpi_measurement_record,
)
from .engagement import (
    engagement_allowed_targets,
    engagement_create,
    engagement_create_from_request,
    engagement_transition,
    engagement_update,
)
from .outcome import outcome_record
from .proposal import (
    ProposalAcceptance,
    matching_weights_update,
    proposal_accept,
    proposal_create,
)
from .staffing import (
    assign_from_match,
    assignment_create,
    assignment_delete,
    assignment_update,
    staffing_need_cancel,
    staffing_need_create,
    staffing_need_update,
)
from .time_entries import (
    BulkResult,
    TimeEntryRowsError,
    time_entries_bulk,
    time_entry_create,
    time_entry_update,
)

__all__ = [
    "BulkResult",
    "ProposalAcceptance",
    "TimeEntryRowsError",
    "assign_from_match",
    "assignment_create",
    "assignment_delete",
    "assignment_update",
    "consultant_create",
    "consultant_update",
    "culture_assessment_record",
    "day_rate_set",
    "deliverable_accept",
    "deliverable_create",
    "deliverable_update",
    "engagement_allowed_targets",
    "engagement_create",
    "engagement_create_from_request",
    "engagement_transition",
    "engagement_update",
    "expense_create",
    "expense_update",
    "iteration_create",
    "iteration_update",
    "kpi_measurement_record",
    "matching_weights_update",
    "outcome_record",
    "proposal_accept",
    "proposal_create",
    "staffing_need_cancel",
    "staffing_need_create",
    "staffing_need_update",
    "time_entries_bulk",
    "time_entry_create",
    "time_entry_update",
]

"""REST interface of the engagements app: the bench, engagements and their teams, staffing
needs with their ranked matches, global staffing proposals, client culture, outcomes and the
matching weights.

PMO staff write everything here through engagements.services, which hold the rules; the one
exception is culture assessments, which a client's own writers may record too. Clients read
their organization's engagements, team, culture and outcomes, and only the public part of
their team's profiles. Staffing needs, matches, proposals and weights are staff-only (403).
Delivery (iterations, deliverables, time, expenses, KPI measurements) and the engagement
metrics: staff write, clients read their own (never a time entry's cost).
"""

from .bench import ConsultantViewSet
from .culture import CultureAssessmentViewSet
from .delivery import (
    DeliverableViewSet,
    ExpenseViewSet,
    IterationViewSet,
    KpiMeasurementViewSet,
    TimeEntryViewSet,
)
from .engagements import AssignmentViewSet, EngagementOutcomeViewSet, EngagementViewSet
from .staffing import MatchingWeightsView, StaffingNeedViewSet, StaffingProposalViewSet

__all__ = [
    "AssignmentViewSet",
    "ConsultantViewSet",
    "CultureAssessmentViewSet",
    "DeliverableViewSet",
    "EngagementOutcomeViewSet",
    "EngagementViewSet",
    "ExpenseViewSet",
    "IterationViewSet",
    "KpiMeasurementViewSet",
    "MatchingWeightsView",
    "StaffingNeedViewSet",
    "StaffingProposalViewSet",
    "TimeEntryViewSet",
]

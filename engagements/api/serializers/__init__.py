"""Serializers of the engagements API. Input validation is separate from output shape.

Writes go through engagements.services (the views call them with ``validated_data``); these
classes check the input's shape and tenancy and describe what is returned. Client users get
the PUBLIC serializers: a consultant's id, name, headline, seniority, location, remote mode,
skills, certifications, languages, sectors and working style, never rates, notes, e-mail,
capacity or internal notes. The staff serializers add those fields; the schema documents the
staff shape with the staff-only fields optional, since clients' answers leave them out.

One module per part: ``common`` (shared pieces), ``bench``, ``engagements`` (with teams and
outcomes), ``staffing`` (needs, matches, proposals, weights), ``culture`` and ``delivery``
(iterations, deliverables, time entries, expenses, KPI measurements and metrics).
"""

from stakeholders.api.serializers import person_name

from .bench import (
    ConsultantPublicSerializer,
    ConsultantSerializer,
    ConsultantWriteSerializer,
    DayRateSerializer,
    DayRateWriteSerializer,
)
from .culture import CultureAssessmentSerializer, CultureAssessmentWriteSerializer
from .delivery import (
    DeliverableAcceptSerializer,
    DeliverableSerializer,
    DeliverableWriteSerializer,
    EngagementMetricsSerializer,
    ExpenseSerializer,
    ExpenseWriteSerializer,
    FigureSerializer,
    IterationSerializer,
    IterationWriteSerializer,
    KpiMeasurementSerializer,
    KpiMeasurementWriteSerializer,
    KpiStatusSerializer,
    MetricsSnapshotSerializer,
    TimeEntryBulkErrorSerializer,
    TimeEntryBulkResultSerializer,
    TimeEntryBulkRowSerializer,
    TimeEntrySerializer,
    TimeEntryStaffSerializer,
    TimeEntryWriteSerializer,
)
from .engagements import (
    AssignmentSerializer,
    AssignmentStaffSerializer,
    AssignmentWriteSerializer,
    EngagementDetailSerializer,
    EngagementFromRequestSerializer,
    EngagementOutcomeSerializer,
    EngagementOutcomeStaffSerializer,
    EngagementOutcomeWriteSerializer,
    EngagementRowSerializer,
    EngagementSerializer,
    EngagementTransitionRequestSerializer,
    EngagementWriteSerializer,
)
from .staffing import (
    AssignFromMatchSerializer,
    MatchesSerializer,
    MatchingWeightsSerializer,
    MatchingWeightsUpdateSerializer,
    MatchWeightsQuerySerializer,
    ProposalAcceptanceSerializer,
    ProposalAcceptSerializer,
    StaffingNeedSerializer,
    StaffingNeedWriteSerializer,
    StaffingProposalCreateSerializer,
    StaffingProposalDetailSerializer,
    StaffingProposalSerializer,
)

__all__ = [
    "AssignFromMatchSerializer",
    "AssignmentSerializer",
    "AssignmentStaffSerializer",
    "AssignmentWriteSerializer",
    "ConsultantPublicSerializer",
    "ConsultantSerializer",
    "ConsultantWriteSerializer",
    "CultureAssessmentSerializer",
    "CultureAssessmentWriteSerializer",
    "DayRateSerializer",
    "DayRateWriteSerializer",
    "DeliverableAcceptSerializer",
    "DeliverableSerializer",
    "DeliverableWriteSerializer",
    "EngagementDetailSerializer",
    "EngagementFromRequestSerializer",
    "EngagementMetricsSerializer",
    "EngagementOutcomeSerializer",
    "EngagementOutcomeStaffSerializer",
    "EngagementOutcomeWriteSerializer",
    "EngagementRowSerializer",
    "EngagementSerializer",
    "EngagementTransitionRequestSerializer",
    "EngagementWriteSerializer",
    "ExpenseSerializer",
    "ExpenseWriteSerializer",
    "FigureSerializer",
    "IterationSerializer",
    "IterationWriteSerializer",
    "KpiMeasurementSerializer",
    "KpiMeasurementWriteSerializer",
    "KpiStatusSerializer",
    "MatchWeightsQuerySerializer",
    "MatchesSerializer",
    "MatchingWeightsSerializer",
    "MatchingWeightsUpdateSerializer",
    "MetricsSnapshotSerializer",
    "ProposalAcceptSerializer",
    "ProposalAcceptanceSerializer",
    "StaffingNeedSerializer",
    "StaffingNeedWriteSerializer",
    "StaffingProposalCreateSerializer",
    "StaffingProposalDetailSerializer",
    "StaffingProposalSerializer",
    "TimeEntryBulkErrorSerializer",
    "TimeEntryBulkResultSerializer",
    "TimeEntryBulkRowSerializer",
    "TimeEntrySerializer",
    "TimeEntryStaffSerializer",
    "TimeEntryWriteSerializer",
    "person_name",
]

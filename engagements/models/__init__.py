"""Models of the engagements app: the bench, client culture, engagements, outcomes, matching."""

from .bench import (
    Consultant,
    ConsultantCertification,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    DayRate,
)
from .culture import CultureAnswer, CultureAssessment
from .delivery import Deliverable, Expense, Iteration, KpiMeasurement, TimeEntry
from .engagement import (
    Assignment,
    Engagement,
    EngagementTransition,
    StaffingNeed,
    StaffingNeedSkill,
)
from .matching import MatchingWeights, ProposalLine, StaffingProposal
from .metrics import EngagementHealth, EngagementMetrics, MetricsSnapshot
from .outcomes import ConsultantFitRating, EngagementOutcome

__all__ = [
    "Assignment",
    "Consultant",
    "ConsultantCertification",
    "ConsultantFitRating",
    "ConsultantLanguage",
    "ConsultantSector",
    "ConsultantSkill",
    "CultureAnswer",
    "CultureAssessment",
    "DayRate",
    "Deliverable",
    "Engagement",
    "EngagementHealth",
    "EngagementMetrics",
    "EngagementOutcome",
    "EngagementTransition",
    "Expense",
    "Iteration",
    "KpiMeasurement",
    "MatchingWeights",
    "MetricsSnapshot",
    "ProposalLine",
    "StaffingNeed",
    "StaffingNeedSkill",
    "StaffingProposal",
    "TimeEntry",
]

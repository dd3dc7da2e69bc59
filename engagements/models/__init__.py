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
from .engagement import (
    Assignment,
    Engagement,
    EngagementTransition,
    StaffingNeed,
    StaffingNeedSkill,
)
from .matching import MatchingWeights, ProposalLine, StaffingProposal
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
    "Engagement",
    "EngagementOutcome",
    "EngagementTransition",
    "MatchingWeights",
    "ProposalLine",
    "StaffingNeed",
    "StaffingNeedSkill",
    "StaffingProposal",
]

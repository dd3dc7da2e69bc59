"""Models of the stakeholders app: the tenancy base, the register, communication and risks."""

from .accounts import (
    Membership,
    Organization,
    PMOUserManager,
    User,
    country_code_validator,
)
from .communication import Communication, CommunicationPlan, add_interval
from .register import EngagementAssessment, Stakeholder
from .risks import Risk

__all__ = [
    "Communication",
    "CommunicationPlan",
    "EngagementAssessment",
    "Membership",
    "Organization",
    "PMOUserManager",
    "Risk",
    "Stakeholder",
    "User",
    "add_interval",
    "country_code_validator",
]

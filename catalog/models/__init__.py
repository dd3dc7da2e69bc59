"""Models of the service catalog (see docs/architecture.md)."""

from .requests import ServiceRequest, ServiceRequestTransition
from .service import (
    Criterion,
    Indicator,
    Service,
    ServiceQuerySet,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
)
from .taxonomy import Category, Certification, Role, Skill, ValueProcess

__all__ = [
    "Category",
    "Certification",
    "Criterion",
    "Indicator",
    "Role",
    "Service",
    "ServiceQuerySet",
    "ServiceRequest",
    "ServiceRequestTransition",
    "ServiceRole",
    "ServiceRoleSkill",
    "ServiceTier",
    "Skill",
    "ValueProcess",
]

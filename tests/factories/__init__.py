"""factory_boy factories, one module per app; import them from here."""

from .catalog import (
    CategoryFactory,
    CertificationFactory,
    CriterionFactory,
    IndicatorFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceRoleFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    SkillFactory,
    ValueProcessFactory,
)
from .stakeholders import (
    ClientUserFactory,
    MembershipFactory,
    OrganizationFactory,
    ProviderFactory,
    StaffUserFactory,
    UserFactory,
)

__all__ = [
    "CategoryFactory",
    "CertificationFactory",
    "ClientUserFactory",
    "CriterionFactory",
    "IndicatorFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "ProviderFactory",
    "PublishedServiceFactory",
    "RoleFactory",
    "ServiceFactory",
    "ServiceRequestFactory",
    "ServiceRoleFactory",
    "ServiceRoleSkillFactory",
    "ServiceTierFactory",
    "SkillFactory",
    "StaffUserFactory",
    "UserFactory",
    "ValueProcessFactory",
]

"""factory_boy factories, one module per app; import them from here."""

from .stakeholders import (
    ClientUserFactory,
    MembershipFactory,
    OrganizationFactory,
    ProviderFactory,
    StaffUserFactory,
    UserFactory,
)

__all__ = [
    "ClientUserFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "ProviderFactory",
    "StaffUserFactory",
    "UserFactory",
]

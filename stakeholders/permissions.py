"""Who may change an organization's own records (register, risks, portfolio, demand).

Visibility is the scoping mechanism's job (tenancy.py); this decides *writes*. PMO staff write
for every organization. Client users write their own organization's records when their role
allows it (not read-only) and the organization is active. The same rule serves the API (the
DRF permission), the portal (``check_tenant_writer``) and the services.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .tenancy import user_membership, user_sees_everything


def tenant_write_refusal(user: Any) -> str | None:
    """Why ``user`` may not change organization records, or None when they may."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "Sign in to change your organization's records."
    if user_sees_everything(user):
        return None
    membership = user_membership(user)
    if membership is None:
        return "Your account belongs to no organization."
    if not membership.can_write:
        return "Your access is read-only; ask your sponsor for a member role."
    if not membership.organization.is_active:
        return "Your organization is no longer served."
    return None


def check_tenant_writer(user: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may change organization records."""
    refusal = tenant_write_refusal(user)
    if refusal:
        raise PermissionDenied(refusal)


class TenantWritePermission(BasePermission):
    """Signed-in users read what their scope shows; staff and client writers change it."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        refusal = tenant_write_refusal(user)
        if refusal:
            self.message = refusal
            return False
        return True

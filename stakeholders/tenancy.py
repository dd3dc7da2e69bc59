"""Tenancy: which organization a user belongs to, and the queryset method that scopes by it.

This is the one scoping mechanism. Every client-visible model's manager is built from
``TenantQuerySet`` (or overrides ``for_user`` when visibility is not purely per tenant, e.g.
published catalog services). Views reach it through pmo_service.api.scoping.
"""

from typing import Any

from django.db import models

_CACHE_ATTRIBUTE = "_pmo_membership_cache"


def user_membership(user: Any):
    """The user's membership (with its organization), cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE_ATTRIBUTE):
        from .models import Membership

        membership = (
            Membership.objects.select_related("organization").filter(user_id=user.pk).first()
        )
        setattr(user, _CACHE_ATTRIBUTE, membership)
    return getattr(user, _CACHE_ATTRIBUTE)


def remember_membership(user: Any) -> None:
    """Cache the membership already read with the user (``select_related("membership")``,
    as the API's token authentication does), so that scoping costs no statement of its own.
    Its organization is then read on first use (the write checks), not with every request."""
    setattr(user, _CACHE_ATTRIBUTE, getattr(user, "membership", None))


def user_organization_id(user: Any) -> int | None:
    """Primary key of the user's organization, or None for users without one."""
    membership = user_membership(user)
    return membership.organization_id if membership else None


def user_sees_everything(user: Any) -> bool:
    """PMO staff (active Django staff users) see every organization."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


class TenantQuerySet(models.QuerySet):
    """A queryset that can restrict itself to one user's organization.

    ``tenant_field`` is the lookup path from the model to the organization's primary key
    ("organization" for most models, "pk" for Organization itself).
    """

    tenant_field = "organization"

    def for_organization(self, organization_id: int) -> "TenantQuerySet":
        return self.filter(**{self.tenant_field: organization_id})

    def for_user(self, user: Any) -> "TenantQuerySet":
        if user_sees_everything(user):
            return self.all()
        organization_id = user_organization_id(user)
        if organization_id is None or not user.is_active:
            return self.none()
        return self.for_organization(organization_id)


class SharedQuerySet(models.QuerySet):
    """Reference data shared by every organization (catalog taxonomies): visible to anyone.

    Offering ``for_user`` keeps these models inside the one scoping mechanism, so a view can
    never expose an unscoped model by accident; this queryset simply says "everyone".
    """

    def for_user(self, user: Any) -> "SharedQuerySet":
        return self.all()

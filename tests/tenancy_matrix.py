"""The tenant-isolation matrix: what every route is, and how to prove it leaks nothing.

Every route the project serves must appear here (or fall under a namespace rule). A route the
matrix does not know fails tests/platform/test_tenant_isolation.py, so a new feature cannot
ship an endpoint or page without saying how it is isolated.

Kinds:
- ``public``: anonymous access is intended and the response carries no tenant data.
- ``account``: the signed-in user's own account pages (no organization data).
- ``self``: the signed-in user's own record (must not show another organization).
- ``staff``: PMO staff only; a client gets 403 (API) or the login page (admin).
- ``tenant_api``: a resource scoped per organization (list + detail routes; ``make`` builds one
  row owned by a given organization; extra ``actions`` are detail routes taking POST).
- ``tenant_page``: a portal page that renders organization data (``marker`` text of the other
  organization must never appear).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.factories import ClientUserFactory


@dataclass(frozen=True)
class TenantResource:
    """A per-organization API resource: how to build a row of an organization, and its text."""

    list_route: str
    detail_route: str
    make: Callable[[Any], Any]
    marker: Callable[[Any], str]
    actions: tuple[str, ...] = ()
    # A minimal valid payload for a write as the row's owner; None if clients cannot write.
    write_payload: Callable[[Any], dict] | None = None


@dataclass(frozen=True)
class TenantPage:
    route: str
    make: Callable[[Any], Any]
    marker: Callable[[Any], str]
    kwargs: Callable[[Any], dict] = field(default=lambda obj: {})


def _member_of(organization):
    return ClientUserFactory(
        first_name="Marker", last_name=f"Member {organization.name}",
        membership__organization=organization,
    )


TENANT_RESOURCES = [
    TenantResource(
        list_route="organization-list",
        detail_route="organization-detail",
        make=lambda organization: organization,
        marker=lambda organization: organization.name,
    ),
]

TENANT_PAGES = [
    TenantPage(route="portal:home", make=_member_of, marker=lambda user: user.last_name),
]

PUBLIC = {
    "login", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "healthz", "readyz", "auth-token", "schema", "api-docs",
    "favicon",
}
ACCOUNT = {"logout", "password_change", "password_change_done"}
SELF = {"me"}
STAFF = {"user-list", "user-detail", "user-invite"}
STAFF_NAMESPACES = {"admin"}


def known_route(name: str) -> bool:
    """Whether the matrix says how ``name`` is isolated."""
    if name.split(":", 1)[0] in STAFF_NAMESPACES:
        return True
    tenant = {r.list_route for r in TENANT_RESOURCES} | {r.detail_route for r in TENANT_RESOURCES}
    tenant |= {action for r in TENANT_RESOURCES for action in r.actions}
    tenant |= {page.route for page in TENANT_PAGES}
    return name in PUBLIC | ACCOUNT | SELF | STAFF | tenant


def all_matrix_names() -> set[str]:
    names = set(PUBLIC | ACCOUNT | SELF | STAFF)
    for resource in TENANT_RESOURCES:
        names |= {resource.list_route, resource.detail_route, *resource.actions}
    names |= {page.route for page in TENANT_PAGES}
    return names

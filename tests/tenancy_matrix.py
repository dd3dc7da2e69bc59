"""The tenant-isolation matrix: what every route is, and how to prove it leaks nothing.

Every route the project serves must appear here (or fall under a namespace rule). A route the
matrix does not know fails tests/platform/test_tenant_isolation.py, so a new feature cannot
ship an endpoint or page without saying how it is isolated.

Kinds:
- ``public``: anonymous access is intended and the response carries no tenant data.
- ``account``: the signed-in user's own account pages (no organization data).
- ``self``: the signed-in user's own record (must not show another organization).
- ``staff``: PMO staff only; a client gets 403 (API) or the login page (admin).
- ``shared_api``: reference data everyone may read (anonymous included) and only staff change
  (the catalog); ``make`` builds one readable row; ``actions`` are staff-only detail POSTs.
- ``tenant_api``: a resource scoped per organization (list + detail routes; ``make`` builds one
  row owned by a given organization; extra ``actions`` are detail routes taking POST).
- ``tenant_page``: a portal page that renders organization data (``marker`` text of the other
  organization must never appear).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    ClientUserFactory,
    PublishedServiceFactory,
    RoleFactory,
    ServiceRequestFactory,
    SkillFactory,
    ValueProcessFactory,
)


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
    # Payload fields that reference tenant rows, with a maker of such a row for an
    # organization: the isolation test swaps in another organization's row and expects 400.
    references: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SharedResource:
    """Reference data: readable by everyone, writable by staff only."""

    list_route: str
    detail_route: str
    make: Callable[[], Any]
    actions: tuple[str, ...] = ()


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


def _request_of(organization):
    return ServiceRequestFactory(
        organization=organization,
        service=PublishedServiceFactory(name=f"Marker service for {organization.name}"),
        context=f"Marker context of {organization.name}",
    )


def _new_request_payload(_request) -> dict:
    service = PublishedServiceFactory()
    return {
        "service": service.pk,
        "tier": service.tiers.get().pk,
        "desired_start": (date.today() + timedelta(days=30)).isoformat(),
        "context": "Reporting is manual.",
        "expected_outcomes": "One monthly report.",
    }


TENANT_RESOURCES = [
    TenantResource(
        list_route="organization-list",
        detail_route="organization-detail",
        make=lambda organization: organization,
        marker=lambda organization: organization.name,
    ),
    TenantResource(
        list_route="service-request-list",
        detail_route="service-request-detail",
        make=_request_of,
        marker=lambda request: request.context,
        actions=("service-request-review", "service-request-accept", "service-request-decline"),
        write_payload=_new_request_payload,
    ),
]

TENANT_PAGES = [
    TenantPage(route="portal:home", make=_member_of, marker=lambda user: user.last_name),
    TenantPage(
        route="catalog:request-list", make=_request_of, marker=lambda r: r.service.name
    ),
    TenantPage(
        route="catalog:request-detail",
        make=_request_of,
        marker=lambda request: request.context,
        kwargs=lambda request: {"pk": request.pk},
    ),
]

SHARED_RESOURCES = [
    SharedResource(
        "service-list", "service-detail", PublishedServiceFactory,
        actions=("service-publish", "service-retire"),
    ),
    SharedResource("value-process-list", "value-process-detail", ValueProcessFactory),
    SharedResource("skill-list", "skill-detail", SkillFactory),
    SharedResource("role-list", "role-detail", RoleFactory),
    SharedResource("category-list", "category-detail", CategoryFactory),
    SharedResource("certification-list", "certification-detail", CertificationFactory),
]

PUBLIC = {
    "login", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "healthz", "readyz", "auth-token", "schema", "api-docs",
    "favicon",
    # The public catalog: published services only, no tenant data.
    "catalog:home", "catalog:service-detail",
}
# The request form shows the signed-in user's own choices, never another organization's.
ACCOUNT = {"logout", "password_change", "password_change_done", "catalog:service-request"}
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
    return name in PUBLIC | ACCOUNT | SELF | STAFF | tenant | _shared_names()


def _shared_names() -> set[str]:
    return {
        name
        for resource in SHARED_RESOURCES
        for name in (resource.list_route, resource.detail_route, *resource.actions)
    }


def all_matrix_names() -> set[str]:
    names = set(PUBLIC | ACCOUNT | SELF | STAFF)
    for resource in TENANT_RESOURCES:
        names |= {resource.list_route, resource.detail_route, *resource.actions}
    names |= {page.route for page in TENANT_PAGES}
    return names | _shared_names()

"""Read operations of the catalog: querysets with their joins chosen, and search.

Callers scope them with ``for_user`` (pmo_service.api.scoping); these never decide visibility.
"""

from django.db.models import Prefetch, Q, QuerySet

from .models import (
    Category,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ValueProcess,
)

MAX_SEARCH_TERMS = 8


def service_search_condition(search: str) -> Q:
    """Every word of ``search`` must appear in the name, summary or description."""
    condition = Q()
    for term in search.split()[:MAX_SEARCH_TERMS]:
        condition &= (
            Q(name__icontains=term) | Q(summary__icontains=term) | Q(description__icontains=term)
        )
    return condition


def service_list(
    *,
    search: str = "",
    typology: str = "",
    category: str = "",
    value_process: str = "",
) -> QuerySet[Service]:
    """Services for catalog listings, with category and value processes in two extra queries.

    ``category`` and ``value_process`` are slugs. Unknown values simply match nothing.
    """
    queryset = Service.objects.select_related("category").prefetch_related(
        Prefetch("value_processes", queryset=ValueProcess.objects.order_by("name"))
    )
    if search.strip():
        queryset = queryset.filter(service_search_condition(search))
    if typology:
        queryset = queryset.filter(typology=typology)
    if category:
        queryset = queryset.filter(category__slug=category)
    if value_process:
        queryset = queryset.filter(value_processes__slug=value_process)
    return queryset.order_by("name", "id")


def service_detail() -> QuerySet[Service]:
    """Services with everything the detail page and API show, in a fixed number of queries."""
    return Service.objects.select_related("category").prefetch_related(
        Prefetch("value_processes", queryset=ValueProcess.objects.order_by("name")),
        "tiers",
        "criteria",
        "indicators",
        Prefetch(
            "roles",
            queryset=ServiceRole.objects.select_related("role").prefetch_related(
                "certifications", "skill_requirements__skill"
            ),
        ),
    )


def catalog_filter_options() -> dict[str, QuerySet]:
    """Choices for the catalog's filters: categories and value processes."""
    return {
        "categories": Category.objects.order_by("position", "name"),
        "value_processes": ValueProcess.objects.order_by("name"),
    }


def service_request_list(*, status: str = "", requested_by_id: int | None = None
                         ) -> QuerySet[ServiceRequest]:
    """Requests with their service, tier, organization, requester and status history."""
    queryset = ServiceRequest.objects.select_related(
        "organization", "service", "tier", "requested_by"
    ).prefetch_related(
        Prefetch(
            "transitions",
            queryset=ServiceRequestTransition.objects.select_related("actor").order_by(
                "created_at", "id"
            ),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    if requested_by_id is not None:
        queryset = queryset.filter(requested_by_id=requested_by_id)
    return queryset.order_by("-created_at", "-id")

"""Read operations of the portfolio: querysets with their joins and computed values chosen."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .graph import dependency_cycles, dependents_closure
from .models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandObjective,
    DemandTransition,
    Objective,
)


def application_list() -> QuerySet[Application]:
    """Applications with computed/final TIME class and fan-in annotated, owners joined."""
    return (
        Application.objects.with_classification()
        .select_related(
            "organization", "business_owner", "technical_owner", "time_overridden_by"
        )
        .prefetch_related("technologies")
        .order_by("name", "id")
    )


def application_api_list() -> QuerySet[Application]:
    """``application_list`` as the API list serializes it: organization and owners are written
    as ids, so they are not joined (on 20,000 applications the two owner joins hash 50,000
    stakeholders each, for nothing); only the override's author, shown by name, is."""
    return (
        Application.objects.with_classification()
        .select_related("time_overridden_by")
        .prefetch_related("technologies")
        .order_by("name", "id")
    )


def application_detail() -> QuerySet[Application]:
    """``application_list`` plus both directions of dependencies (with the application at
    the other end), the demands articulated on each application and the objectives it
    serves: everything an application page shows, in a fixed number of queries."""
    return application_list().prefetch_related(
        Prefetch(
            "dependencies",
            ApplicationDependency.objects.select_related("target")
            .order_by("target__name", "kind", "id"),
        ),
        Prefetch(
            "dependents",
            ApplicationDependency.objects.select_related("source")
            .order_by("source__name", "kind", "id"),
        ),
        Prefetch("demands", Demand.objects.order_by("-created_at", "-id")),
        Prefetch("objectives", Objective.objects.order_by("-period_start", "title", "id")),
    )


def _organization_edges(organization_id: int) -> list[tuple[int, int]]:
    """Every dependency of an organization's portfolio as (source id, target id): one query."""
    return list(
        ApplicationDependency.objects.filter(source__organization_id=organization_id)
        .order_by().values_list("source_id", "target_id")
    )


def application_neighbourhood(*, application: Application) -> dict[str, Any]:
    """What ``application`` is connected to.

    - ``depends_on`` / ``depended_on_by``: its dependencies both ways (ApplicationDependency
      rows; prefetched ones are used as they are, see ``application_detail``);
    - ``blast_radius``: every application an outage of it can reach, directly or through
      others (dependents, transitively), ordered by name;
    - ``cycles``: the dependency cycles it is part of, each as the members' codes.

    Two queries beyond the prefetched relations: the organization's edges and the reached
    applications' codes and names.
    """
    edges = _organization_edges(application.organization_id)
    reached = dependents_closure(edges, application.pk)
    cycles = [cycle for cycle in dependency_cycles(edges) if application.pk in cycle]
    wanted = reached | {member for cycle in cycles for member in cycle}
    rows = {
        row.pk: row
        for row in Application.objects.filter(pk__in=wanted)
        .only("id", "code", "name", "organization").order_by("name", "id")
    } if wanted else {}
    rows[application.pk] = application
    return {
        "depends_on": list(application.dependencies.all()),
        "depended_on_by": list(application.dependents.all()),
        "blast_radius": [row for pk, row in rows.items() if pk in reached],
        "cycles": [sorted(rows[member].code for member in cycle) for cycle in cycles],
    }


def portfolio_cycles(*, organization_id: int) -> list[list[Application]]:
    """The dependency cycles of an organization's portfolio: groups of applications that
    depend on each other in a circle, each group's members ordered by name."""
    cycles = dependency_cycles(_organization_edges(organization_id))
    if not cycles:
        return []
    members = {member for cycle in cycles for member in cycle}
    rows = {
        row.pk: row
        for row in Application.objects.filter(pk__in=members).order_by("name", "id")
    }
    ordered = list(rows)
    return [
        [rows[pk] for pk in sorted(cycle, key=ordered.index)] for cycle in cycles
    ]


def application_dependency_list() -> QuerySet[ApplicationDependency]:
    return ApplicationDependency.objects.select_related(
        "source__organization", "target"
    ).order_by("source__name", "target__name", "kind", "id")


def objective_list() -> QuerySet[Objective]:
    """Objectives with owner and applications, and ``demand_count_value``: how many demands
    serve each (a subquery, so filters joining other tables cannot inflate it)."""
    demands = (
        DemandObjective.objects.filter(objective=OuterRef("pk"))
        .order_by().values("objective").annotate(total=Count("pk")).values("total")
    )
    return (
        Objective.objects.select_related("organization", "owner")
        .prefetch_related(Prefetch("applications", Application.objects.order_by("name")))
        .annotate(demand_count_value=Coalesce(Subquery(demands, output_field=IntegerField()), 0))
        .order_by("-period_start", "title", "id")
    )


def demand_list() -> QuerySet[Demand]:
    """Demands with WSJF priority annotated; applications (for warnings), objectives and the
    transition history prefetched."""
    return (
        Demand.objects.with_priority()
        .select_related("organization", "requester", "submitted_by")
        .prefetch_related(
            Prefetch("applications", Application.objects.order_by("name")),
            Prefetch("objectives", Objective.objects.order_by("title")),
            Prefetch(
                "transitions",
                DemandTransition.objects.select_related("actor").order_by("at", "id"),
            ),
        )
        .order_by("-created_at", "-id")
    )

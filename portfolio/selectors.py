"""Read operations of the portfolio: querysets with their joins and computed values chosen."""

import functools
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from . import classification
from .graph import dependency_cycles, dependents_closure
from .models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandObjective,
    DemandTransition,
    Objective,
    Technology,
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


# What the API list writes, as ``values()`` columns: ApplicationSerializer.Meta.fields with
# relations as ids, the computed values as annotated, and the override author's name parts.
APPLICATION_ROW_COLUMNS = (
    "id", "organization_id", "name", "code", "description", "business_owner_id",
    "technical_owner_id", "lifecycle", "criticality", "functional_fit", "technical_fit",
    "time_computed_value", "time_class_value", "time_override", "time_override_rationale",
    "time_overridden_by__first_name", "time_overridden_by__last_name",
    "time_overridden_by__username", "time_overridden_at",
    "annual_run_cost", "user_count", "hosting", "vendor", "contract_end", "fan_in_value",
    "created_at", "updated_at",
)


def application_api_rows() -> QuerySet:
    """The API list as plain rows (dicts): no model instances and no prefetch to build.

    On PostgreSQL each row carries its technology names (``technology_names``, ordered by
    name as ``Technology.Meta.ordering`` orders the prefetch) from a subquery of the same
    statement. Elsewhere (SQLite in development) the rows lack that key and
    :func:`application_technologies` fetches them for a page in one query.
    """
    return _application_rows_base(
        classification.threshold("FUNCTIONAL_FIT_HIGH_FROM"),
        classification.threshold("TECHNICAL_FIT_HIGH_FROM"),
    ).all()


@functools.cache
def _application_rows_base(functional_high_from: int, technical_high_from: int) -> QuerySet:
    """The unevaluated rows queryset, built once per process and per pair of thresholds.

    Building the annotated queryset was about a tenth of a list request (docs/benchmarks.md).
    The TIME expressions embed the thresholds when they are built, so these are the cache
    key: changed settings (``override_settings`` in tests) get their own template. A queryset
    that is never evaluated is a safe template: every ``.all()`` / ``.filter()`` is a clone.
    """
    queryset = (
        Application.objects.with_classification()
        .values(*APPLICATION_ROW_COLUMNS)
        .order_by("name", "id")
    )
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(
            # No input reaches this SQL: only model table and column names, quoted.
            technology_names=RawSQL(  # noqa: S611
                _technology_names_sql(), (), output_field=ArrayField(CharField())
            )
        )
    return queryset


def _technology_names_sql() -> str:
    """A correlated subquery: the row's technology names as an array, ordered by name.

    Written as SQL (table and column names from the models) rather than ``ArraySubquery``,
    as the catalog list does: the ORM subquery is compiled again on every request. Compiling
    the whole page query took 0.73 ms with this and 0.81 ms with ``ArraySubquery`` (same
    rows, PostgreSQL 15).
    """
    application = Application._meta
    through = Application.technologies.through._meta
    technology = Technology._meta
    quote = connection.ops.quote_name
    # Identifiers from the models, quoted; no user input reaches this text.
    return (
        f"SELECT COALESCE(array_agg(t.{quote('name')} ORDER BY t.{quote('name')}), "  # noqa: S608
        f"'{{}}') FROM {quote(through.db_table)} link "
        f"JOIN {quote(technology.db_table)} t "
        f"ON t.{quote(technology.pk.column)} = "
        f"link.{quote(through.get_field('technology').column)} "
        f"WHERE link.{quote(through.get_field('application').column)} = "
        f"{quote(application.db_table)}.{quote(application.pk.column)}"
    )


def application_technologies(*, application_ids: list[int]) -> dict[int, list[str]]:
    """Technology names of the given applications, by application id, ordered by name as
    the prefetch orders them (one query)."""
    if not application_ids:
        return {}
    links = (
        Application.technologies.through.objects.filter(application_id__in=application_ids)
        .order_by("technology__name")
        .values_list("application_id", "technology__name")
    )
    names: dict[int, list[str]] = {}
    for application_id, name in links:
        names.setdefault(application_id, []).append(name)
    return names


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

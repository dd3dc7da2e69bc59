"""REST interface of the portfolio: applications, their dependencies, objectives and demand.

Every resource is per client organization: client users see and (unless read-only) change
their own organization's rows, PMO staff every organization's. Writes call
portfolio.services, which hold the rules; these classes only translate HTTP.
"""

from django.db.models import F
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmo_service.api.concurrency import (
    IF_MATCH_PARAMETER,
    PRECONDITION_FAILED_RESPONSE,
    OptimisticConcurrencyMixin,
)
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet
from stakeholders.permissions import TenantWritePermission

from .. import selectors, services
from ..filters import ApplicationDependencyFilter, ApplicationFilter, DemandFilter, ObjectiveFilter
from .serializers import (
    ApplicationDependencySerializer,
    ApplicationDetailSerializer,
    ApplicationRowSerializer,
    ApplicationSerializer,
    DemandDetailSerializer,
    DemandSerializer,
    DemandTransitionRequestSerializer,
    DemandWriteSerializer,
    ObjectiveSerializer,
)


class TenantServiceViewSet(ScopedModelViewSet):
    """CRUD whose writes go through the app's services; answers re-read the row through the
    scoped selector so they carry the computed values the list shows."""

    permission_classes = [TenantWritePermission]

    def _changes(self, serializer) -> dict:
        # The organization never changes on update (TenantOwnedSerializer refuses a move).
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        return data

    def _answer(self, serializer, instance) -> None:
        serializer.instance = instance
        self._reload(serializer)


# The list writes ApplicationRowSerializer's rows, the same document as ApplicationSerializer's;
# the schema names the generic one so the component stays "Application".
@extend_schema_view(list=extend_schema(responses=ApplicationSerializer(many=True)))
class ApplicationViewSet(TenantServiceViewSet):
    """The applications of client portfolios with their TIME assessment.

    `time_class` is the final class (PMO staff override, else computed from the fits) and
    `time_computed` the computed one; both, `fan_in` and the detail's neighbourhood
    (`depends_on`, `depended_on_by`, `blast_radius`, `dependency_cycles`) are read-only.
    Only PMO staff set `time_override` (with `time_override_rationale`). Deleting an
    application that has dependencies, demands or objectives answers 409: retire it instead.
    Search covers name, code, description and vendor.
    """

    filterset_class = ApplicationFilter
    search_fields = ["name", "code", "description", "vendor"]
    ordering_fields = [
        "name", "code", "fan_in", "annual_run_cost", "user_count", "contract_end",
        "functional_fit", "technical_fit",
    ]
    ordering = ["name", "id"]

    def base_queryset(self):
        if self.action == "retrieve":
            return selectors.application_detail()
        # The list reads plain rows (ids for organization and owners, no model instances);
        # writes answer through the shared selector.
        rows = (
            selectors.application_api_rows() if self.action == "list"
            else selectors.application_list()
        )
        # Ordering names the fan-in as the API shows it.
        return rows.alias(fan_in=F("fan_in_value"))

    def get_serializer_class(self):
        if self.action == "list":
            return ApplicationRowSerializer
        if self.action == "retrieve":
            return ApplicationDetailSerializer
        return ApplicationSerializer

    def perform_create(self, serializer) -> None:
        application = services.application_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._answer(serializer, application)

    def perform_update(self, serializer) -> None:
        application = services.application_update(
            application=serializer.instance, actor=self.request.user,
            **self._changes(serializer),
        )
        self._answer(serializer, application)

    def perform_destroy(self, instance) -> None:
        services.application_delete(application=instance, actor=self.request.user)


class ApplicationDependencyViewSet(TenantServiceViewSet):
    """Dependencies between applications of one organization: `source` depends on `target`
    (one record per kind). An application cannot depend on itself and a dependency is
    recorded once per kind (400 otherwise); cycles are allowed. Filter by `application` for
    both directions at once.
    """

    serializer_class = ApplicationDependencySerializer
    filterset_class = ApplicationDependencyFilter
    search_fields = ["source__code", "target__code", "description"]
    ordering_fields = ["kind"]
    ordering = ["source__name", "target__name", "kind", "id"]

    def base_queryset(self):
        return selectors.application_dependency_list()

    def perform_create(self, serializer) -> None:
        dependency = services.dependency_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._answer(serializer, dependency)

    def perform_update(self, serializer) -> None:
        dependency = services.dependency_update(
            dependency=serializer.instance, actor=self.request.user,
            **self._changes(serializer),
        )
        self._answer(serializer, dependency)

    def perform_destroy(self, instance) -> None:
        services.dependency_delete(dependency=instance, actor=self.request.user)


class ObjectiveViewSet(TenantServiceViewSet):
    """Strategic objectives of client organizations for a period, with the applications
    through which they are met. Deleting one that demands serve answers 409 (drop it).
    `active_on` lists the objectives whose period contains a date. Search: title,
    description.
    """

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    search_fields = ["title", "description"]
    ordering_fields = ["title", "period_start", "period_end", "status"]
    ordering = ["-period_start", "title", "id"]

    def base_queryset(self):
        return selectors.objective_list()

    def perform_create(self, serializer) -> None:
        objective = services.objective_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._answer(serializer, objective)

    def perform_update(self, serializer) -> None:
        objective = services.objective_update(
            objective=serializer.instance, actor=self.request.user,
            **self._changes(serializer),
        )
        self._answer(serializer, objective)

    def perform_destroy(self, instance) -> None:
        services.objective_delete(objective=instance, actor=self.request.user)


_CHECKED_WRITE = {
    "parameters": [IF_MATCH_PARAMETER],
    "responses": {200: DemandDetailSerializer, 412: PRECONDITION_FAILED_RESPONSE},
}


@extend_schema_view(
    create=extend_schema(request=DemandWriteSerializer, responses={201: DemandDetailSerializer}),
    update=extend_schema(request=DemandWriteSerializer, **_CHECKED_WRITE),
    partial_update=extend_schema(request=DemandWriteSerializer, **_CHECKED_WRITE),
)
class DemandViewSet(
    OptimisticConcurrencyMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Demand on client applications, prioritised by WSJF (`priority_score`, read-only).

    Client users who may write submit demand for their organization and change it while it
    is submitted or assessed (409 afterwards); PMO staff do so for any organization. Status
    moves only through `POST /demands/{id}/transition/`: staff assess, approve, schedule,
    start, deliver and reject (with a note); clients may only withdraw. Every move is stored
    with its author and time (`transitions`). Demands are never deleted: withdraw them.
    `warnings` flag targeted applications classified Tolerate or Eliminate, or sunsetting or
    retired. Search covers title and description.

    The detail carries `ETag: "<version>"`. Send it back as `If-Match` on PUT, PATCH or
    `transition`: if the demand changed since you read it, the write is refused with 412
    (re-read and retry) instead of overwriting the other change. Without If-Match (or with
    `*`) the write proceeds unchecked.
    """

    permission_classes = [TenantWritePermission]
    filterset_class = DemandFilter
    search_fields = ["title", "description"]
    ordering_fields = ["priority_score", "created_at", "target_date", "status"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        # Ordering names the priority as the API shows it.
        return selectors.demand_list().alias(priority_score=F("priority_value"))

    def get_serializer_class(self):
        if self.action == "list":
            return DemandSerializer
        if self.action in ("create", "update", "partial_update"):
            return DemandWriteSerializer
        return DemandDetailSerializer

    def _reloaded(self, demand):
        return self.get_queryset().get(pk=demand.pk)

    def perform_create(self, serializer) -> None:
        demand = services.demand_submit(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self._reloaded(demand)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        demand = services.demand_update(
            demand=serializer.instance, actor=self.request.user, **data
        )
        serializer.instance = self._reloaded(demand)

    @extend_schema(request=DemandTransitionRequestSerializer, **_CHECKED_WRITE)
    @action(detail=True, methods=["post"], url_path="transition")
    def transition(self, request, pk=None):
        """Move the demand to `to_status`, with an optional `note` (required to reject).

        A move the workflow does not allow from the current status answers 409; a client
        user asking for anything but `withdrawn` gets 403; a stale If-Match, 412.
        """
        demand = self.get_object()
        refusal = self.stale_write_response(request, demand)
        if refusal is not None:
            return refusal
        serializer = DemandTransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = services.demand_transition(
            demand=demand, actor=request.user, **serializer.validated_data
        )
        context = self.get_serializer_context()
        return self.with_etag(
            Response(DemandDetailSerializer(self._reloaded(demand), context=context).data)
        )

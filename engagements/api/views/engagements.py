"""Engagements, their teams (assignments) and their outcomes."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from pmo_service.api.concurrency import (
    IF_MATCH_PARAMETER,
    PRECONDITION_FAILED_RESPONSE,
    OptimisticConcurrencyMixin,
)
from pmo_service.api.permissions import IsStaff, ReadOnlyUnlessStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet

from ... import selectors, services
from ...filters import (
    AssignmentFilter,
    EngagementFilter,
    EngagementOutcomeFilter,
    MetricsHistoryFilter,
)
from ...metrics import compute as metrics_compute
from ...models import Engagement, EngagementTransition, MetricsSnapshot
from ..serializers import (
    AssignmentSerializer,
    AssignmentStaffSerializer,
    AssignmentWriteSerializer,
    EngagementDetailSerializer,
    EngagementFromRequestSerializer,
    EngagementMetricsSerializer,
    EngagementOutcomeSerializer,
    EngagementOutcomeStaffSerializer,
    EngagementOutcomeWriteSerializer,
    EngagementRowSerializer,
    EngagementSerializer,
    EngagementTransitionRequestSerializer,
    EngagementWriteSerializer,
    MetricsSnapshotSerializer,
)
from .common import NO_DELETE, WRITES, ReaderSerializerMixin, ReloadMixin

# --- Engagements ---------------------------------------------------------------------------------


_CHECKED_WRITE = {
    "parameters": [IF_MATCH_PARAMETER],
    "responses": {200: EngagementDetailSerializer, 412: PRECONDITION_FAILED_RESPONSE},
}


@extend_schema_view(
    # The list is written from plain rows; its document is the generic serializer's.
    list=extend_schema(responses=EngagementSerializer(many=True)),
    create=extend_schema(responses={201: EngagementDetailSerializer}),
    update=extend_schema(**_CHECKED_WRITE),
    partial_update=extend_schema(**_CHECKED_WRITE),
)
class EngagementViewSet(
    OptimisticConcurrencyMixin,
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """PMO rollouts run for clients. Clients read their organization's; PMO staff read all
    and create (directly, or from an accepted service request), change and move them.

    The detail adds the services, applications in scope, sponsor, Product Owner, the team
    (each member's public profile, role, allocation and dates), the status history and, for
    staff, `allowed_transitions`. The status moves only through `transition`. Engagements are
    never deleted (DELETE answers 405): cancel them. Search covers title and description.

    The detail carries `ETag: "<version>"`. Send it back as `If-Match` on PUT, PATCH or
    `transition`: if the engagement changed since you read it, the write is refused with 412
    (re-read and retry) instead of overwriting the other change. Without If-Match (or with
    `*`) the write proceeds unchecked.
    """

    permission_classes = [ReadOnlyUnlessStaff]
    filterset_class = EngagementFilter
    search_fields = ["title", "description"]
    ordering_fields = ["planned_start", "title", "status"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        if self.action == "list":
            # Plain rows written as one dict each: the most-read engagement answer.
            return selectors.engagement_api_rows()
        if self.action == "metrics":
            # The stored metrics row joined to the scoped engagement: one statement.
            return Engagement.objects.select_related("metrics")
        if self.action in ("metrics_history", "recompute"):
            # They answer from the metrics tables: the scoped row is all they need.
            return Engagement.objects.all()
        history = EngagementTransition.objects.select_related("actor").order_by("at", "id")
        # The stored health is read with the engagement (the detail shows it).
        return selectors.engagement_list().select_related("metrics").prefetch_related(
            Prefetch("transitions", history)
        )

    def get_serializer_class(self):
        if self.action == "list":
            return EngagementRowSerializer
        if self.action in WRITES:
            return EngagementWriteSerializer
        return EngagementDetailSerializer

    def _detail(self, engagement, code: int = status.HTTP_200_OK) -> Response:
        context = self.get_serializer_context()
        return self.with_etag(Response(
            EngagementDetailSerializer(self._reloaded(engagement), context=context).data,
            status=code,
        ))

    def perform_create(self, serializer) -> None:
        engagement = services.engagement_create(
            actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(engagement)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        engagement = services.engagement_update(
            engagement=serializer.instance, actor=self.request.user, **data
        )
        serializer.instance = self._reloaded(engagement)

    @extend_schema(
        request=EngagementFromRequestSerializer, responses={201: EngagementDetailSerializer}
    )
    @action(detail=False, methods=["post"], url_path="from-request", permission_classes=[IsStaff])
    def from_request(self, request):
        """Create the engagement of an accepted service request (staff): its organization,
        service and title by default. A request not accepted, or already used, is 409."""
        serializer = EngagementFromRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        engagement = services.engagement_create_from_request(
            actor=request.user, **serializer.validated_data
        )
        return self._detail(engagement, status.HTTP_201_CREATED)

    @extend_schema(
        request=EngagementTransitionRequestSerializer, **_CHECKED_WRITE,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def transition(self, request, pk=None):
        """Move the engagement to `to_status` (staff), with a `note` (required to cancel:
        400 without it). A move the workflow does not allow now is 409; a stale If-Match,
        412."""
        engagement = self.get_object()
        refusal = self.stale_write_response(request, engagement)
        if refusal is not None:
            return refusal
        serializer = EngagementTransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        engagement = services.engagement_transition(
            engagement=engagement, actor=request.user, **serializer.validated_data
        )
        return self._detail(engagement)

    # --- Metrics (engagement delivery, docs/metrics.md) ---

    def _metrics(self, metrics) -> Response:
        return Response(EngagementMetricsSerializer(metrics).data)

    @extend_schema(responses=EngagementMetricsSerializer)
    @action(detail=True, methods=["get"])
    def metrics(self, request, pk=None):
        """The engagement's current metrics: every figure by name (`{value, reason}`, value
        a decimal as text or null with the reason), health and its reasons, the service
        KPIs, `status_date`, `as_of` and `is_stale`. Stored metrics are answered as they are
        (a recompute follows every change); when none are stored yet they are computed now.
        """
        engagement = self.get_object()
        # Read with the engagement (base_queryset); absent until the first computation.
        metrics = getattr(engagement, "metrics", None)
        if metrics is None or metrics.as_of is None:
            metrics = metrics_compute.recompute_engagement(engagement.pk)
        return self._metrics(metrics)

    @extend_schema(
        responses=MetricsSnapshotSerializer(many=True),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="On or after this day."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="On or before this day."),
        ],
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="metrics/history",
            url_name="metrics-history", filter_backends=[], ordering_fields=[],
            search_fields=[])
    def metrics_history(self, request, pk=None):
        """The engagement's daily metrics snapshots, oldest first, paginated; `from` and
        `to` bound the days (both inclusive)."""
        engagement = self.get_object()
        snapshots = MetricsSnapshot.objects.filter(engagement=engagement).order_by("day")
        filterset = MetricsHistoryFilter(request.query_params, queryset=snapshots)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(MetricsSnapshotSerializer(page, many=True).data)

    @extend_schema(request=None, responses=EngagementMetricsSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def recompute(self, request, pk=None):
        """Recompute the engagement's metrics now (staff) and answer them; recomputing
        again the same day gives the same figures and replaces the day's snapshot."""
        engagement = self.get_object()
        return self._metrics(metrics_compute.recompute_engagement(engagement.pk))


# --- Assignments ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: AssignmentStaffSerializer}),
    update=extend_schema(responses=AssignmentStaffSerializer),
    partial_update=extend_schema(responses=AssignmentStaffSerializer),
)
class AssignmentViewSet(ReaderSerializerMixin, ReloadMixin, ScopedModelViewSet):
    """Engagement teams: a consultant in a catalog role at an allocation over dates.

    Clients read their organization's teams (each member's public profile); PMO staff
    create, change and delete assignments. A consultant's allocations never add up above
    their capacity on any day: a write that would is 409 with the day and the load. Search
    covers the consultant's name, the engagement's title and the role.
    """

    permission_classes = [ReadOnlyUnlessStaff]
    staff_serializer_class = AssignmentStaffSerializer
    public_serializer_class = AssignmentSerializer
    write_serializer_class = AssignmentWriteSerializer
    filterset_class = AssignmentFilter
    search_fields = ["consultant__full_name", "engagement__title", "role__name"]
    ordering_fields = ["start_on", "end_on", "allocation_percent"]

    def base_queryset(self):
        return selectors.assignment_list()

    def perform_create(self, serializer) -> None:
        assignment = services.assignment_create(
            actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(assignment)

    def perform_update(self, serializer) -> None:
        assignment = services.assignment_update(
            assignment=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(assignment)

    def perform_destroy(self, instance) -> None:
        services.assignment_delete(assignment=instance, actor=self.request.user)


# --- Outcomes ------------------------------------------------------------------------------------


class EngagementOutcomeViewSet(
    ReaderSerializerMixin,
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """What happened when engagements closed: client satisfaction, timeliness, final CPI
    and SPI, and the client's perceived fit of each team member (three items, 1-7).

    Clients read their own engagements' outcomes; PMO staff record them (the engagement
    must be closing or closed, else 409) and also see the internal note and the client's
    culture at closing. Outcomes are history: never changed or deleted (405).
    """

    permission_classes = [ReadOnlyUnlessStaff]
    staff_serializer_class = EngagementOutcomeStaffSerializer
    public_serializer_class = EngagementOutcomeSerializer
    filterset_class = EngagementOutcomeFilter
    ordering_fields = ["recorded_at", "client_satisfaction"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return selectors.outcome_list()

    @extend_schema(
        request=EngagementOutcomeWriteSerializer,
        responses={201: EngagementOutcomeStaffSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = EngagementOutcomeWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        outcome = services.outcome_record(actor=request.user, **serializer.validated_data)
        output = EngagementOutcomeStaffSerializer(self._reloaded(outcome))
        return Response(output.data, status=status.HTTP_201_CREATED)

"""REST interface of continuous improvement: process maps and their analysis, improvement
actions and their workflow, suggestions from bottlenecks, and the flow of demand.

Every resource is per client organization: client users see and (unless read-only) change
their own organization's rows, PMO staff every organization's. Writes call
improvement.services, which hold the rules; these classes only translate HTTP.
"""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response

from pmo_service.api.permissions import ReadOnlyUnlessStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet, ScopedReadOnlyViewSet
from pmo_service.exceptions import ConflictError
from stakeholders.models import Organization
from stakeholders.permissions import TenantWritePermission

from .. import selectors, services
from ..analysis import analyse_process, compare_versions
from ..choices import OPEN_ACTION_STATUSES, ActionStatus
from ..filters import ImprovementActionFilter, ProcessMapFilter
from ..flow import demand_flow
from ..models import ImprovementAction, ImprovementActionTransition, ProcessMap, ProcessStep
from .serializers import (
    DemandFlowSerializer,
    ImprovementActionSerializer,
    ImprovementActionTransitionRequestSerializer,
    ProcessAnalysisSerializer,
    ProcessMapSerializer,
)

# Demand-flow periods: the last 90 days by default, at most about three years.
DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3 * 366
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _ordered_steps() -> Prefetch:
    return Prefetch("steps", queryset=ProcessStep.objects.order_by("position"))


class ProcessMapViewSet(ScopedModelViewSet):
    """Process maps of client organizations: one row per version, with its steps in order.

    Create and update take the whole ordered `steps` list (replaced at once; positions 1..n
    or none). The name does not change; redesigns are new versions
    (`POST /process-maps/{id}/new-version/`), and a version a newer one replaces keeps its
    steps. Deleting a replaced version, or one whose steps improvement actions name, answers
    409. Filters: organization, engagement, service, name, is_latest. Search: name,
    description. Default order: organization, name, newest version first.
    """

    permission_classes = [TenantWritePermission]
    serializer_class = ProcessMapSerializer
    filterset_class = ProcessMapFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "version", "created_at", "updated_at", "step_count"]

    def base_queryset(self):
        newer = ProcessMap.objects.filter(replaces=OuterRef("pk"))
        return (
            selectors.process_map_list(user=self.request.user)
            .annotate(is_latest_value=~Exists(newer))
            .prefetch_related(_ordered_steps())
        )

    def _answer(self, serializer, process_map) -> None:
        serializer.instance = self.get_queryset().get(pk=process_map.pk)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        process_map = services.process_map_create(actor=self.request.user, **data)
        self._answer(serializer, process_map)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        data.pop("name", None)  # unchanged: the serializer refuses a new name
        steps = data.pop("steps", None)
        process_map = services.process_map_update(
            process_map=serializer.instance, actor=self.request.user, **data
        )
        if steps is not None:
            services.process_map_replace_steps(
                process_map=process_map, actor=self.request.user, steps=steps
            )
        self._answer(serializer, process_map)

    def perform_destroy(self, instance) -> None:
        services.process_map_delete(process_map=instance, actor=self.request.user)

    @extend_schema(responses=ProcessAnalysisSerializer)
    @action(detail=True, methods=["get"], permission_classes=[ReadOnlyUnlessStaff])
    def analysis(self, request, pk=None):
        """The value-stream analysis of this version: lead time, process and wait times,
        PCE, RTY (each `{value, reason}`: a decimal as text, or null with why), utilization
        per step, the constraint step with its ties and explanation, and throughput. When the
        map replaces an earlier version, `comparison` gives lead time and PCE before and
        after (else null)."""
        process_map = self.get_object()
        result = analyse_process(list(process_map.steps.all()))
        tied = set(result.tied_positions)
        document = {
            "process_map": process_map.pk, "version": process_map.version,
            **{name: getattr(result, name) for name in (
                "step_count", "lead_time", "total_process_time", "total_wait_time",
                "value_added_time", "pce", "rty", "throughput_per_week",
                "throughput_explanation", "constraint_position", "constraint_explanation",
            )},
            "tied_positions": list(result.tied_positions),
            "steps": [
                {
                    "position": step.position, "name": step.name,
                    "capacity_per_week": step.capacity_per_week,
                    "demand_per_week": step.demand_per_week, "utilization": step.utilization,
                    "is_constraint": step.position == result.constraint_position,
                    "is_tied": step.position in tied,
                }
                for step in result.steps
            ],
            "comparison": None,
        }
        if process_map.replaces_id is not None:
            before_map = process_map.replaces
            before = analyse_process(list(before_map.steps.order_by("position")))
            comparison = compare_versions(before, result)
            document["comparison"] = {
                "replaces": before_map.pk, "replaces_version": before_map.version,
                **vars(comparison),
            }
        return Response(ProcessAnalysisSerializer(document).data)

    @extend_schema(request=None, responses={status.HTTP_201_CREATED: ProcessMapSerializer})
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request, pk=None):
        """Start a redesign: a copy of this version and its steps, one version up, that
        replaces it. Only the latest version can be redesigned (409 otherwise)."""
        successor = services.process_map_new_version(
            process_map=self.get_object(), actor=request.user
        )
        serializer = ProcessMapSerializer(
            self.get_queryset().get(pk=successor.pk), context=self.get_serializer_context()
        )
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            status.HTTP_200_OK: ImprovementActionSerializer(many=True),
            status.HTTP_201_CREATED: ImprovementActionSerializer(many=True),
        },
    )
    @action(detail=True, methods=["post"])
    def suggest(self, request, pk=None):
        """The suggested improvement action for this version's constraint step, pre-filled
        with the evidence and not approved: 201 when it was created now, 200 when the open
        suggestion already existed, and an empty list (200) when there is no constraint."""
        process_map = self.get_object()
        before = set(
            ImprovementAction.objects.filter(
                process_step__process_map=process_map, suggested=True
            ).values_list("pk", flat=True)
        )
        suggestions = services.suggest_actions_for_process_map(process_map=process_map)
        created = any(suggestion.pk not in before for suggestion in suggestions)
        rows = _action_queryset(request.user).filter(pk__in=[s.pk for s in suggestions])
        data = ImprovementActionSerializer(
            rows, many=True, context=self.get_serializer_context()
        ).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _action_queryset(user):
    """Actions as the API shows them: scoped, WSJF annotated, with their history."""
    history = ImprovementActionTransition.objects.select_related("actor").order_by("at", "id")
    return (
        selectors.improvement_action_list(user=user)
        .prefetch_related(Prefetch("transitions", queryset=history))
        # Ordering names the figures as the API shows them.
        .alias(wsjf=F("wsjf_value"), cost_of_delay=F("cost_of_delay_value"))
    )


class ImprovementActionViewSet(ScopedModelViewSet):
    """Improvement actions of client organizations, highest WSJF first by default.

    Status moves only through `POST /improvement-actions/{id}/transition/` (proposed ->
    approved -> in progress -> done -> verified, or discarded from any open status), each
    move stored in `transitions`. Where an action came from (`source`, `process_step`,
    `demand_status`, `evidence`) is fixed once created; verified and discarded actions are
    closed (409 on change); an action with status history is not deleted (409: discard
    it). Filters: status and source (repeatable), pdca_phase, engagement, organization,
    process_map, demand_status, suggested. Search: title, problem, proposal.
    """

    permission_classes = [TenantWritePermission]
    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilter
    search_fields = ["title", "problem", "proposal"]
    ordering_fields = ["wsjf", "cost_of_delay", "target_date", "created_at", "status", "title"]

    def base_queryset(self):
        return _action_queryset(self.request.user)

    def _answer(self, serializer, improvement_action) -> None:
        serializer.instance = self.get_queryset().get(pk=improvement_action.pk)

    def perform_create(self, serializer) -> None:
        improvement_action = services.improvement_action_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._answer(serializer, improvement_action)

    def perform_update(self, serializer) -> None:
        data = {
            name: value for name, value in serializer.validated_data.items()
            if name in services.ACTION_UPDATE_FIELDS
        }
        improvement_action = services.improvement_action_update(
            action=serializer.instance, actor=self.request.user, **data
        )
        self._answer(serializer, improvement_action)

    def perform_destroy(self, instance) -> None:
        services.improvement_action_delete(action=instance, actor=self.request.user)

    @extend_schema(
        request=ImprovementActionTransitionRequestSerializer,
        responses={status.HTTP_200_OK: ImprovementActionSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the action to `to_status` with an optional `note` (required to discard).
        Verifying needs the measured benefit (`measured_hours_saved_per_month` or
        `measured_kpi_delta`), sent only then. A move the workflow does not allow from the
        current status answers 409."""
        improvement_action = self.get_object()
        serializer = ImprovementActionTransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        improvement_action = services.improvement_action_transition(
            action=improvement_action, actor=request.user, **serializer.validated_data
        )
        answer = self.get_queryset().get(pk=improvement_action.pk)
        return Response(self.get_serializer(answer).data)


class ImprovementSuggestionViewSet(ScopedReadOnlyViewSet):
    """Improvement actions suggested by bottleneck detection that nobody has decided on yet
    (still proposed), highest WSJF first. Approve or discard them through
    `/improvement-actions/{id}/transition/`. Same filters as improvement actions."""

    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilter
    search_fields = ["title", "problem", "proposal"]
    ordering_fields = ["wsjf", "cost_of_delay", "target_date", "created_at", "title"]

    def base_queryset(self):
        return _action_queryset(self.request.user).filter(
            suggested=True, status=ActionStatus.PROPOSED
        )


# --- Demand flow ---------------------------------------------------------------------------

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE,
        description=f"First day of the period (default: {DEFAULT_PERIOD_DAYS} days ending "
        "on `to`).",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)."),
]


def _day(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["A date as YYYY-MM-DD is required."]}) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError({name: [f"Between {EARLIEST_DAY} and {LATEST_DAY}."]})
    return day


def flow_period(request) -> tuple[date, date]:
    """The period ``from``..``to`` of a demand-flow request, both days included."""
    end = _day(request, "to") or timezone.localdate()
    start = _day(request, "from") or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise ValidationError({"from": ["The period cannot start after it ends (`to`)."]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"from": [f"The period is at most {MAX_PERIOD_DAYS} days."]})
    return start, end


class _NoBodyMetadata(SimpleMetadata):
    """OPTIONS without a request-body description: neither flow route takes a body."""

    def determine_actions(self, request, view):
        return {}


class DemandFlowViewSet(AtomicWritesMixin, ScopedQuerysetMixin, viewsets.GenericViewSet):
    """The flow of an organization's demand: routed under `/organizations/{id}/`.

    Clients see their own organization's flow (another organization's is 404); staff see
    any. Suggesting an action from the flow's bottleneck is for staff and client writers.
    """

    queryset = Organization.objects.none()  # for the schema; rows come from base_queryset
    pagination_class = None
    filter_backends = []
    metadata_class = _NoBodyMetadata

    def base_queryset(self):
        return Organization.objects.all()

    def get_permissions(self):
        # The flow itself is read-only (any other method on its route: 403 for clients).
        if self.action == "suggest":
            return [TenantWritePermission()]
        return [ReadOnlyUnlessStaff()]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=DemandFlowSerializer)
    def retrieve(self, request, pk=None):
        """Time in each demand status (mean, 85th percentile, work still there), lead-time
        distribution, weekly throughput and WIP, and the status where work waits longest
        (the bottleneck) over the period `from`..`to` (both included; at most three years).
        """
        organization = self.get_object()
        start, end = flow_period(request)
        flow = demand_flow(organization_id=organization.pk, start=start, end=end)
        return Response({"organization": organization.pk, **flow.as_dict()})

    @extend_schema(
        request=None, parameters=PERIOD_PARAMETERS,
        responses={
            status.HTTP_200_OK: ImprovementActionSerializer,
            status.HTTP_201_CREATED: ImprovementActionSerializer,
        },
    )
    def suggest(self, request, pk=None):
        """The suggested improvement action for the flow's bottleneck status over the
        period, pre-filled with its figures and not approved: 201 when created now, 200 when
        the open suggestion already existed, 409 when the period shows no bottleneck."""
        organization = self.get_object()
        start, end = flow_period(request)
        flow = demand_flow(organization_id=organization.pk, start=start, end=end)
        if flow.bottleneck is None:
            raise ConflictError(f"No bottleneck in this period: {flow.bottleneck_reason}")
        bottleneck = flow.as_dict()["bottleneck"]
        existed = ImprovementAction.objects.filter(
            organization=organization, suggested=True, status__in=OPEN_ACTION_STATUSES,
            demand_status=bottleneck["status"],
        ).exists()
        suggestion = services.suggest_action_for_demand_status(
            organization=organization, status=bottleneck["status"],
            evidence={"period_start": start.isoformat(), "period_end": end.isoformat(),
                      **bottleneck},
        )
        row = _action_queryset(request.user).get(pk=suggestion.pk)
        data = ImprovementActionSerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

"""Staffing (PMO staff only): needs with their ranked matches and one-click assignment,
global staffing proposals and the matching weights."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo_service.api.pagination import StandardPagination
from pmo_service.api.permissions import IsStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin

from ... import matching, selectors, services
from ...filters import StaffingNeedFilter, StaffingProposalFilter
from ...models import MatchingWeights
from ..serializers import (
    AssignFromMatchSerializer,
    AssignmentStaffSerializer,
    MatchesSerializer,
    MatchingWeightsSerializer,
    MatchingWeightsUpdateSerializer,
    MatchWeightsQuerySerializer,
    ProposalAcceptanceSerializer,
    ProposalAcceptSerializer,
    StaffingNeedSerializer,
    StaffingNeedWriteSerializer,
    StaffingProposalCreateSerializer,
    StaffingProposalDetailSerializer,
    StaffingProposalSerializer,
    person_name,
)
from .common import NO_DELETE, WRITES, ReloadMixin

# --- Staffing needs and matching -----------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: StaffingNeedSerializer}),
    update=extend_schema(responses=StaffingNeedSerializer),
    partial_update=extend_schema(responses=StaffingNeedSerializer),
)
class StaffingNeedViewSet(
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Open roles of engagements (PMO staff only; clients get 403).

    `skills` sent replace the requirements. Needs are not deleted (405): `cancel` them.
    `matches` ranks every consultant for the need; `assign` puts one on the team in the
    need's role, allocation and dates and marks the need filled.
    """

    permission_classes = [IsStaff]
    filterset_class = StaffingNeedFilter
    search_fields = ["engagement__title", "role__name", "note"]
    ordering_fields = ["start_on", "allocation_percent", "created_at"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        return selectors.staffing_need_list()

    def get_serializer_class(self):
        return StaffingNeedWriteSerializer if self.action in WRITES else StaffingNeedSerializer

    def perform_create(self, serializer) -> None:
        need = services.staffing_need_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self._reloaded(need)

    def perform_update(self, serializer) -> None:
        need = services.staffing_need_update(
            need=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(need)

    @extend_schema(request=None, responses=StaffingNeedSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open need; a filled or cancelled one is 409."""
        need = services.staffing_need_cancel(need=self.get_object(), actor=request.user)
        return Response(StaffingNeedSerializer(self._reloaded(need)).data)

    @extend_schema(
        parameters=[
            MatchWeightsQuerySerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of candidates."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT,
                description=f"Candidates per page (1-{StandardPagination.max_page_size}).",
            ),
        ],
        responses=MatchesSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def matches(self, request, pk=None):
        """Every consultant ranked for the need, best first, with the score (0-100) and its
        per-factor `breakdown` (each in [0, 1]); candidates come a page at a time, ranked
        over the whole bench. Weights may be overridden for this ranking with query
        parameters (`?culture=40&cost=0`, 0-100 each; 400 naming a bad one). `excluded` lists
        every consultant left out, with the reason (inactive, language, no capacity)."""
        need = self.get_object()
        query = MatchWeightsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ranking = matching.rank_for_need(need, weights=query.validated_data or None)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(ranking.candidates, request, view=self)
        results = [
            {
                "consultant": {"id": candidate.consultant_id, "full_name": candidate.full_name,
                               "seniority": candidate.seniority},
                "score": candidate.score, "breakdown": candidate.breakdown,
                "assignable": candidate.assignable, "free_percent": candidate.free_percent,
            }
            for candidate in page
        ]
        excluded = [
            {"consultant": {"id": row.consultant_id, "full_name": row.full_name},
             "reason": row.reason}
            for row in ranking.excluded
        ]
        return Response({
            "need": need.pk, "weights": ranking.weights, "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(), "previous": paginator.get_previous_link(),
            "results": results, "excluded": excluded,
        })

    @extend_schema(request=AssignFromMatchSerializer, responses={201: AssignmentStaffSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign a consultant to the need in one click: its role, allocation and dates.
        Over capacity, or a need no longer open, is 409."""
        need = self.get_object()
        serializer = AssignFromMatchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = services.assign_from_match(
            need=need, actor=request.user, **serializer.validated_data
        )
        assignment = selectors.assignment_list().get(pk=assignment.pk)
        return Response(AssignmentStaffSerializer(assignment).data, status=status.HTTP_201_CREATED)


# --- Staffing proposals --------------------------------------------------------------------------


class StaffingProposalViewSet(
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Global staffing proposals (PMO staff only; clients get 403).

    `POST` computes one for the needs given (or every open need of engagements proposed,
    staffing or active): the assignment maximising the total score without over-allocating
    anyone, beside the greedy one-need-at-a-time fill (`improvement`). Nothing is assigned
    until `accept`. Proposals are kept as computed (no PUT, PATCH or DELETE).
    """

    permission_classes = [IsStaff]
    filterset_class = StaffingProposalFilter
    ordering_fields = ["created_at", "total_score"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        if self.action == "list":
            # The list shows totals only; the lines are the detail's.
            return selectors.proposal_list().prefetch_related(None)
        return selectors.proposal_list()

    def get_serializer_class(self):
        if self.action == "list":
            return StaffingProposalSerializer
        if self.action == "create":
            return StaffingProposalCreateSerializer
        return StaffingProposalDetailSerializer

    def _detail(self, proposal, code: int = status.HTTP_200_OK) -> Response:
        proposal = selectors.proposal_list().get(pk=proposal.pk)
        return Response(StaffingProposalDetailSerializer(proposal).data, status=code)

    @extend_schema(
        request=StaffingProposalCreateSerializer, responses={201: StaffingProposalDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = StaffingProposalCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_create(
            actor=request.user, needs=serializer.validated_data.get("needs")
        )
        return self._detail(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalAcceptSerializer, responses=ProposalAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Apply the proposal, every line or the `lines` named, as assignments. A line that
        no longer fits (need filled meanwhile, consultant no longer free) is reported in
        `failed` with the reason while the others apply. A proposal already accepted is 409.
        """
        proposal = self.get_object()
        serializer = ProposalAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line_ids = serializer.validated_data.get("lines")
        if line_ids is not None:
            foreign = sorted(set(line_ids) - {line.pk for line in proposal.lines.all()})
            if foreign:
                raise ValidationError({"lines": [
                    f"Not lines of this proposal: {', '.join(map(str, foreign))}."
                ]})
        acceptance = services.proposal_accept(
            proposal=proposal, actor=request.user, line_ids=line_ids
        )
        proposal.refresh_from_db(fields=["status"])
        return Response({
            "status": proposal.status,
            "applied": [
                {"line": line.pk, "need": line.need_id, "consultant": line.consultant_id,
                 "assignment": line.assignment_id}
                for line in acceptance.applied
            ],
            "failed": [{"line": line.pk, "reason": reason} for line, reason in acceptance.failed],
        })


# --- Matching weights ----------------------------------------------------------------------------


class MatchingWeightsView(AtomicWritesMixin, APIView):
    """The weights of the matching factors in force (PMO staff only; clients get 403).

    `PATCH` changes some or all of them (whole numbers 0-100; only their proportions
    matter; at least one must stay above zero). Defaults are documented in docs/matching.md.
    """

    permission_classes = [IsStaff]
    http_method_names = ["get", "patch", "head", "options"]

    def _document(self) -> Response:
        row = MatchingWeights.objects.select_related("updated_by").filter(pk=1).first()
        document = {
            **matching.weights_in_force(),
            "updated_by": person_name(row.updated_by) if row else None,
            "updated_at": row.updated_at if row else None,
        }
        return Response(MatchingWeightsSerializer(document).data)

    @extend_schema(responses=MatchingWeightsSerializer)
    def get(self, request):
        return self._document()

    @extend_schema(request=MatchingWeightsUpdateSerializer, responses=MatchingWeightsSerializer)
    def patch(self, request):
        serializer = MatchingWeightsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.matching_weights_update(actor=request.user, **serializer.validated_data)
        return self._document()

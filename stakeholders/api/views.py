"""REST interface of the stakeholders app: organizations, users, the current user, tokens;
the stakeholder register, engagement assessments, the communication plan and log, risks."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo_service.api.filters import FilterSetBackend, StrictOrderingFilter
from pmo_service.api.permissions import IsStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.throttles import ScopedRateThrottle, sign_in_lockout_response
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet

from .. import selectors, services
from ..filters import (
    CommunicationFilter,
    CommunicationPlanFilter,
    EngagementAssessmentFilter,
    OrganizationFilter,
    RiskFilter,
    StakeholderFilter,
    UserFilter,
)
from ..permissions import TenantWritePermission
from ..tenancy import user_membership
from .serializers import (
    CommunicationPlanSerializer,
    CommunicationSerializer,
    EngagementAssessmentSerializer,
    MeSerializer,
    OrganizationRowSerializer,
    OrganizationSerializer,
    RiskSerializer,
    StakeholderSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)


# The list writes plain rows; its document (and schema) is OrganizationSerializer's.
@extend_schema_view(list=extend_schema(responses=OrganizationSerializer(many=True)))
class OrganizationViewSet(ScopedModelViewSet):
    """Client organizations and the provider. Clients see their own; staff see and manage all.

    Deleting an organization that still has members or history answers 409.
    """

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ["name", "region", "contact_name"]
    ordering_fields = ["name", "kind", "sector", "country", "created_at"]
    ordering = ["name"]

    def base_queryset(self):
        if self.action == "list":
            return selectors.organization_api_rows()
        return selectors.organization_list()

    def get_serializer_class(self):
        return OrganizationRowSerializer if self.action == "list" else OrganizationSerializer


@extend_schema(responses=UserSerializer)
class UserViewSet(
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """PMO staff manage client users and their memberships.

    Create without ``password`` to send an invitation e-mail with a set-password link.
    Users are deactivated (``is_active: false``), never deleted, so their history stays.
    """

    permission_classes = [IsStaff]
    filterset_class = UserFilter
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering_fields = ["username", "email", "date_joined", "last_login"]
    ordering = ["username"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return selectors.user_list()

    def get_serializer_class(self):
        if self.action == "create":
            return UserCreateSerializer
        if self.action in ("update", "partial_update"):
            return UserUpdateSerializer
        return UserSerializer

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request, *args, **kwargs):
        serializer = UserCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        output = UserSerializer(self.get_queryset().get(pk=user.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        serializer = UserUpdateSerializer(
            user, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        services.user_update(user=user, **serializer.validated_data)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(request=None, responses={202: UserSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """(Re)send the invitation e-mail to a user who has not chosen a password yet."""
        user = self.get_object()
        try:
            services.user_invite(user=user)
        except services.InvitationError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(UserSerializer(user).data, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    """The signed-in user with their organization and role."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        membership = user_membership(request.user)
        return Response(MeSerializer(request.user, context={"membership": membership}).data)


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) the API token of a user.

    POST with username and password; send the token as ``Authorization: Token <key>``.
    """

    throttle_scope = "auth"
    throttle_classes = [ScopedRateThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            locked_out = sign_in_lockout_response(request)
            if locked_out is not None:
                return locked_out
            return Response(
                {"non_field_errors": ["Unable to log in with the provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": services.api_token_issue(user=user)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Stakeholder register, engagement, communication, risks ---------------------------------


class AliasedOrderingFilter(StrictOrderingFilter):
    """Strict ordering where a public field name may stand for an annotation.

    Computed values are annotated under another name (``score_value``) because the model
    already has a property of the public name (``score``); ``view.ordering_aliases`` maps one
    to the other so clients order by the name the response shows.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        aliases = getattr(view, "ordering_aliases", {})
        return [
            ("-" if term.startswith("-") else "") + aliases.get(term.lstrip("-"), term.lstrip("-"))
            for term in ordering
        ]


class ReloadAfterWriteMixin:
    """Answer a create or update with the row as the list shows it (annotations, joins)."""

    def _reload(self, serializer) -> None:
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer) -> None:
        serializer.save()
        self._reload(serializer)

    def perform_update(self, serializer) -> None:
        serializer.save()
        self._reload(serializer)


class TenantRecordViewSet(
    ReloadAfterWriteMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change an organization's records; no delete (they are history
    or archived instead). Clients read their organization's and write it unless read-only;
    PMO staff read and write every organization's. The serializers write through services.
    """

    permission_classes = [TenantWritePermission]


class StakeholderViewSet(TenantRecordViewSet):
    """The stakeholder register: people of a client organization, their power and interest
    (1-5, giving the power/interest quadrant) and their current and desired engagement.

    `quadrant`, `engagement_gap` and `relationship_owner_name` are computed and read-only.
    Only PMO staff set `relationship_owner`. Creating a stakeholder records their initial
    engagement assessment; changing the engagement levels records a new one. Stakeholders are
    never deleted (DELETE answers 405): archive them with `is_active: false`, since
    assessments and risks refer to them. Search covers name, job title, unit and e-mail.
    """

    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilter
    search_fields = ["full_name", "title", "unit", "email"]
    ordering_fields = ["full_name", "power", "interest", "created_at"]

    def base_queryset(self):
        return selectors.stakeholder_list()


class EngagementAssessmentViewSet(
    ReloadAfterWriteMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The engagement assessment history (PMBOK): each assessment of a stakeholder's current
    and desired engagement, newest first.

    Assessments are history: they are added, never changed or deleted (PUT, PATCH and DELETE
    answer 405). `assessed_on` defaults to today and cannot be in the future; `assessed_by`
    is the requester. The stakeholder's register values follow the latest assessment.
    """

    permission_classes = [TenantWritePermission]
    serializer_class = EngagementAssessmentSerializer
    filterset_class = EngagementAssessmentFilter
    ordering_fields = ["assessed_on", "created_at"]

    def base_queryset(self):
        return selectors.engagement_assessment_list()


class CommunicationPlanViewSet(ScopedModelViewSet):
    """The communication plan: what is communicated to whom (stakeholders and/or a named
    audience), through which channel, how often, and who owns it.

    `next_due_on`, `last_held_on` and `is_overdue` are derived from the communication log and
    read-only. Deleting a plan with logged communications answers 409: deactivate it
    (`is_active: false`) instead. Default order: soonest due first, ad-hoc plans last.
    """

    permission_classes = [TenantWritePermission]
    serializer_class = CommunicationPlanSerializer
    filterset_class = CommunicationPlanFilter
    search_fields = ["purpose", "audience"]
    ordering_fields = ["next_due_on", "purpose"]

    def base_queryset(self):
        return selectors.communication_plan_list_with_last_held()

    def perform_destroy(self, instance) -> None:
        services.communication_plan_delete(plan=instance, actor=self.request.user)


class CommunicationViewSet(TenantRecordViewSet):
    """The communication log: communications that were held, newest first.

    Logging one against a plan moves that plan's next due date; `channel` defaults to the
    plan's. Entries can be corrected but are never deleted (DELETE answers 405). `held_on`
    cannot be in the future. Search covers the summary and agreed actions.
    """

    serializer_class = CommunicationSerializer
    filterset_class = CommunicationFilter
    search_fields = ["summary", "agreed_actions", "other_participants"]
    ordering_fields = ["held_on"]

    def base_queryset(self):
        return selectors.communication_list()


class RiskViewSet(TenantRecordViewSet):
    """The risk register: threats and opportunities with probability and impact (1-5).

    `score` (probability x impact) and `rating` are computed and read-only; filter by
    `rating` and order by `score`. The response strategy must fit the kind. Risks are closed
    with `status` (closed or occurred), never deleted (DELETE answers 405). Search covers
    title, description, cause and effect. Default order: highest score first.
    """

    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    filter_backends = [FilterSetBackend, SearchFilter, AliasedOrderingFilter]
    search_fields = ["title", "description", "cause", "effect"]
    ordering_fields = ["score", "probability", "impact", "proximity", "created_at"]
    ordering_aliases = {"score": "score_value"}

    def base_queryset(self):
        return selectors.risk_list()

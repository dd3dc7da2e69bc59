"""REST interface of the stakeholders app: organizations, users, the current user, tokens."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from pmo_service.api.permissions import IsStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet

from .. import selectors, services
from ..filters import OrganizationFilter, UserFilter
from ..tenancy import user_membership
from .serializers import (
    MeSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)


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
        return selectors.organization_list()


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
            return Response(
                {"non_field_errors": ["Unable to log in with the provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"token": services.api_token_issue(user=user)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

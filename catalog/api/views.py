"""REST interface of the catalog: services, their taxonomies, and service requests."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmo_service.api.permissions import IsStaff, PublicReadStaffWrite
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin, ScopedModelViewSet

from .. import selectors, services
from ..filters import ServiceFilter, ServiceRequestFilter, SkillFilter
from ..models import Category, Certification, Role, Skill, ValueProcess
from .serializers import (
    AcceptSerializer,
    CategorySerializer,
    CertificationSerializer,
    DeclineSerializer,
    RoleSerializer,
    ServiceDetailSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
    ServiceRowSerializer,
    ServiceSummarySerializer,
    ServiceWriteSerializer,
    SkillSerializer,
    ValueProcessSerializer,
)

# --- Services --------------------------------------------------------------------------------


@extend_schema_view(
    # The list is written from plain rows; its document is the generic summary's.
    list=extend_schema(responses=ServiceSummarySerializer(many=True)),
    create=extend_schema(responses={201: ServiceDetailSerializer}),
    update=extend_schema(responses=ServiceDetailSerializer),
    partial_update=extend_schema(responses=ServiceDetailSerializer),
)
class ServiceViewSet(ScopedModelViewSet):
    """The service catalog. Anyone (no account needed) sees published services; PMO staff see
    drafts and retired ones too, and create, change and delete services.

    New services are drafts; `publish` and `retire` change the status. Tiers, criteria,
    indicators and roles are read-only here: staff manage them in the admin. Deleting a service
    that has requests answers 409 (retire it instead). Search covers name, summary and
    description.
    """

    permission_classes = [PublicReadStaffWrite]
    filterset_class = ServiceFilter
    search_fields = ["name", "summary", "description"]
    ordering_fields = ["name", "typology", "updated_at", "published_at"]
    ordering = ["name"]

    def base_queryset(self):
        # The list stays lean; every single-service answer carries the nested detail.
        return (
            selectors.service_list_rows() if self.action == "list" else selectors.service_detail()
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ServiceRowSerializer
        if self.action in ("create", "update", "partial_update"):
            return ServiceWriteSerializer
        return ServiceDetailSerializer

    def _detail(self, service) -> Response:
        service = self.get_queryset().get(pk=service.pk)
        context = self.get_serializer_context()
        return Response(ServiceDetailSerializer(service, context=context).data)

    @extend_schema(request=None, responses=ServiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft or retired service (staff). It needs at least one tier, else 409."""
        return self._detail(services.service_publish(service=self.get_object()))

    @extend_schema(request=None, responses=ServiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Withdraw a published service from the catalog (staff); otherwise 409."""
        return self._detail(services.service_retire(service=self.get_object()))


# --- Taxonomies ------------------------------------------------------------------------------


class TaxonomyViewSet(ScopedModelViewSet):
    """Shared, staff-managed lists: read by anyone, changed by staff; deleting one in use is 409."""

    permission_classes = [PublicReadStaffWrite]
    model = None

    def base_queryset(self):
        return self.model.objects.all()


class ValueProcessViewSet(TaxonomyViewSet):
    """Client processes a service contributes to.

    Anyone reads; PMO staff write. Search: name, description.
    """

    model = ValueProcess
    serializer_class = ValueProcessSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name"]
    ordering = ["name"]


class CategoryViewSet(TaxonomyViewSet):
    """Shelves of the catalog, listed by position.

    Anyone reads; PMO staff write; deleting one that services use answers 409.
    Search: name, description.
    """

    model = Category
    serializer_class = CategorySerializer
    search_fields = ["name", "description"]
    ordering_fields = ["position", "name"]
    ordering = ["position", "name"]


class SkillViewSet(TaxonomyViewSet):
    """The skills taxonomy used by role profiles.

    Anyone reads; PMO staff write; deleting one a role profile requires answers 409.
    Search: name, description.
    """

    model = Skill
    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "category"]
    ordering = ["name"]


class RoleViewSet(TaxonomyViewSet):
    """Delivery roles (PMO lead, PMO analyst...).

    Anyone reads; PMO staff write; deleting one that services use answers 409.
    Search: name, description.
    """

    model = Role
    serializer_class = RoleSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name"]
    ordering = ["name"]


class CertificationViewSet(TaxonomyViewSet):
    """Professional certifications a role profile may ask for.

    Anyone reads; PMO staff write. Search: code, name, issuer.
    """

    model = Certification
    serializer_class = CertificationSerializer
    search_fields = ["code", "name", "issuer"]
    ordering_fields = ["code", "name", "issuer"]
    ordering = ["code"]


# --- Service requests ------------------------------------------------------------------------


class ServiceRequestViewSet(
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for catalog services. Client users see and create their organization's; PMO
    staff see all and move them through review to a decision. Requests are history: they are
    never changed or deleted through this endpoint. Search covers the service name.
    """

    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilter
    search_fields = ["service__name"]
    ordering_fields = ["created_at", "desired_start", "status"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return selectors.service_request_list()

    def _output(self, service_request, code: int = status.HTTP_200_OK) -> Response:
        # Re-read through the scoped selector so the answer carries the prefetched history.
        service_request = self.get_queryset().get(pk=service_request.pk)
        return Response(ServiceRequestSerializer(service_request).data, status=code)

    @extend_schema(
        request=ServiceRequestCreateSerializer, responses={201: ServiceRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Request a published service (client users who may write; staff and read-only get 403)."""
        # Refuse who may not request before judging the input, so the answer does not vary.
        services.service_request_check_requester(user=request.user)
        serializer = ServiceRequestCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        created = services.service_request_submit(user=request.user, **serializer.validated_data)
        return self._output(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def review(self, request, pk=None):
        """Put a submitted request in review (staff). Other states answer 409."""
        return self._output(
            services.service_request_review(request=self.get_object(), actor=request.user)
        )

    @extend_schema(request=AcceptSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def accept(self, request, pk=None):
        """Accept a request in review (staff), with an optional note. Other states answer 409."""
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(
            services.service_request_accept(
                request=self.get_object(), actor=request.user, **serializer.validated_data
            )
        )

    @extend_schema(request=DeclineSerializer, responses=ServiceRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def decline(self, request, pk=None):
        """Decline an open request (staff); the reason is required and shown to the client."""
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(
            services.service_request_decline(
                request=self.get_object(), actor=request.user, **serializer.validated_data
            )
        )

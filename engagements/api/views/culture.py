"""Client culture: OCAI-style assessments, read by their organization and recorded by
staff or the client's own writers."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin
from stakeholders.permissions import TenantWritePermission

from ... import selectors, services
from ...filters import CultureAssessmentFilter
from ..serializers import CultureAssessmentSerializer, CultureAssessmentWriteSerializer
from .common import ReloadMixin


class CultureAssessmentViewSet(
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """OCAI-style culture assessments of client organizations, current and preferred.

    Everyone reads their scope (clients: their organization). PMO staff record them for any
    client, and client users who may write for their own organization. Send either the
    `current` and `preferred` profiles (100 points each over clan, adhocracy, market and
    hierarchy) or the twelve `answers`. Assessments are history: never changed or deleted
    (405); the newest is the culture in force.
    """

    permission_classes = [TenantWritePermission]
    serializer_class = CultureAssessmentSerializer
    filterset_class = CultureAssessmentFilter
    ordering_fields = ["assessed_on", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return selectors.culture_assessment_list()

    @extend_schema(
        request=CultureAssessmentWriteSerializer, responses={201: CultureAssessmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = CultureAssessmentWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        assessment = services.culture_assessment_record(
            actor=request.user, **serializer.validated_data
        )
        output = CultureAssessmentSerializer(self._reloaded(assessment))
        return Response(output.data, status=status.HTTP_201_CREATED)

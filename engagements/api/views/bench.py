"""The bench: consultants and their day rates."""

from django.db.models import Case, IntegerField, Value, When
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from pmo_service.api.filters import FilterSetBackend
from pmo_service.api.permissions import IsStaff, ReadOnlyUnlessStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin
from stakeholders.api.views import AliasedOrderingFilter
from stakeholders.tenancy import user_sees_everything

from ... import selectors, services
from ...choices import SENIORITY_RANK
from ...filters import ConsultantFilter
from ..serializers import (
    ConsultantPublicSerializer,
    ConsultantSerializer,
    ConsultantWriteSerializer,
    DayRateSerializer,
    DayRateWriteSerializer,
)
from .common import NO_DELETE, ReaderSerializerMixin, ReloadMixin


def _seniority_rank() -> Case:
    return Case(
        *[When(seniority=value, then=Value(rank)) for value, rank in SENIORITY_RANK.items()],
        output_field=IntegerField(),
    )


# --- Consultants ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: ConsultantSerializer}),
    update=extend_schema(responses=ConsultantSerializer),
    partial_update=extend_schema(responses=ConsultantSerializer),
)
class ConsultantViewSet(
    ReaderSerializerMixin,
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The provider's bench. PMO staff see every consultant with rates, capacity, notes and
    e-mail, and manage them; a client sees only the consultants on (or Scrum Master of) their
    organization's engagements, with the public profile only.

    Skills, languages, sectors and certifications sent replace the current ones. Consultants
    are never deleted (DELETE answers 405): deactivate them with `is_active: false`. Day
    rates are history: add one with `POST /consultants/{id}/rates/`. Search covers name,
    headline and location. `available_from`/`available_to` (with `allocation`, default 1)
    keep those with that much free capacity on every day of the window.
    """

    permission_classes = [ReadOnlyUnlessStaff]
    staff_serializer_class = ConsultantSerializer
    public_serializer_class = ConsultantPublicSerializer
    write_serializer_class = ConsultantWriteSerializer
    filterset_class = ConsultantFilter
    filter_backends = [FilterSetBackend, SearchFilter, AliasedOrderingFilter]
    search_fields = ["full_name", "headline", "location"]
    ordering_fields = ["full_name", "seniority"]
    ordering_aliases = {"seniority": "seniority_rank"}
    http_method_names = NO_DELETE

    def base_queryset(self):
        queryset = selectors.consultant_list().alias(seniority_rank=_seniority_rank())
        if user_sees_everything(self.request.user):
            queryset = queryset.prefetch_related("rates")
        return queryset

    def perform_create(self, serializer) -> None:
        consultant = services.consultant_create(
            actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(consultant)

    def perform_update(self, serializer) -> None:
        consultant = services.consultant_update(
            consultant=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._reloaded(consultant)

    @extend_schema(request=DayRateWriteSerializer, responses={201: DayRateSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def rates(self, request, pk=None):
        """Add a day rate (EUR) in force from `valid_from` (staff). One per start date."""
        consultant = self.get_object()
        serializer = DayRateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = services.day_rate_set(
            consultant=consultant, actor=request.user, **serializer.validated_data
        )
        return Response(DayRateSerializer(rate).data, status=status.HTTP_201_CREATED)

"""Agile delivery of engagements: iterations, deliverables (and their acceptance), time
entries (one, or a pushed batch), expenses and KPI measurements.

PMO staff write through engagements.services.delivery, which hold the rules and tell the
metrics service after each change; clients read their organization's rows. A time entry's
cost is the provider's: clients' answers leave it out. Time entries, expenses and KPI
measurements are never deleted (405); staff correct a time entry's day, hours, deliverable
or description (its history keeps what it was), and KPI measurements are never changed in
place.
"""

import contextlib
from datetime import date
from decimal import Decimal

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pmo_service.api.parsers import StrictJSONParser
from pmo_service.api.permissions import IsStaff, ReadOnlyUnlessStaff
from pmo_service.api.scoping import ScopedQuerysetMixin
from pmo_service.api.viewsets import AtomicWritesMixin

from ... import services
from ...filters import (
    DeliverableFilter,
    ExpenseFilter,
    IterationFilter,
    KpiMeasurementFilter,
    TimeEntryFilter,
)
from ...models import Deliverable, Expense, Iteration, KpiMeasurement, TimeEntry
from ..serializers import (
    DeliverableAcceptSerializer,
    DeliverableSerializer,
    DeliverableWriteSerializer,
    ExpenseSerializer,
    ExpenseWriteSerializer,
    IterationSerializer,
    IterationWriteSerializer,
    KpiMeasurementSerializer,
    KpiMeasurementWriteSerializer,
    TimeEntryBulkErrorSerializer,
    TimeEntryBulkResultSerializer,
    TimeEntryBulkRowSerializer,
    TimeEntrySerializer,
    TimeEntryStaffSerializer,
    TimeEntryWriteSerializer,
)
from ..serializers.delivery import TimeEntryCorrectionSerializer
from .common import NO_DELETE, ReaderSerializerMixin, ReloadMixin

READ_AND_CREATE = ["get", "post", "head", "options"]


class _DeliveryViewSet(
    ReloadMixin,
    AtomicWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reads scoped per organization; writes answer with the row as the list shows it."""

    permission_classes = [ReadOnlyUnlessStaff]
    read_serializer_class = None

    def _answer(self, instance, code=status.HTTP_200_OK) -> Response:
        serializer = self.read_serializer_class(
            self._reloaded(instance), context=self.get_serializer_context()
        )
        return Response(serializer.data, status=code)

    def _input(self, serializer_class, *, instance=None, partial=False) -> dict:
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if instance is not None:
            data.pop("engagement", None)
        return data


def _write_schema(write, read):
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read}),
        update=extend_schema(request=write, responses=read),
        partial_update=extend_schema(request=write, responses=read),
    )


# --- Iterations ----------------------------------------------------------------------------------


@_write_schema(IterationWriteSerializer, IterationSerializer)
class IterationViewSet(_DeliveryViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Iterations (sprints) of engagements, numbered from 1 inside the engagement's dates.

    Clients read their organization's; PMO staff plan and change them. Never deleted (405).
    """

    serializer_class = IterationSerializer
    read_serializer_class = IterationSerializer
    filterset_class = IterationFilter
    ordering_fields = ["number", "start_on", "end_on"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        return Iteration.objects.order_by("engagement_id", "number")

    def create(self, request, *args, **kwargs):
        data = self._input(IterationWriteSerializer)
        iteration = services.iteration_create(actor=request.user, **data)
        return self._answer(iteration, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        iteration = self.get_object()
        data = self._input(IterationWriteSerializer, instance=iteration,
                           partial=kwargs.get("partial", False))
        iteration = services.iteration_update(iteration=iteration, actor=request.user, **data)
        return self._answer(iteration)


# --- Deliverables --------------------------------------------------------------------------------


@_write_schema(DeliverableWriteSerializer, DeliverableSerializer)
class DeliverableViewSet(_DeliveryViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Backlog items of engagements: documents, service launches and others, with their
    budget (planned value), dates, story points and percent complete.

    Clients read their organization's; PMO staff create and change them, and record the
    client Product Owner's acceptance with `accept` (status `accepted` is refused in a
    change). Never deleted (405). Search covers the title.
    """

    serializer_class = DeliverableSerializer
    read_serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilter
    search_fields = ["title"]
    ordering_fields = ["planned_start", "planned_finish", "title", "status", "budget"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        return Deliverable.objects.select_related("accepted_by").order_by(
            "engagement_id", "planned_start", "id"
        )

    def create(self, request, *args, **kwargs):
        data = self._input(DeliverableWriteSerializer)
        deliverable = services.deliverable_create(actor=request.user, **data)
        return self._answer(deliverable, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        deliverable = self.get_object()
        data = self._input(DeliverableWriteSerializer, instance=deliverable,
                           partial=kwargs.get("partial", False))
        deliverable = services.deliverable_update(
            deliverable=deliverable, actor=request.user, **data
        )
        return self._answer(deliverable)

    @extend_schema(request=DeliverableAcceptSerializer, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def accept(self, request, pk=None):
        """Record the acceptance by the client's Product Owner `accepted_by` (staff): the
        deliverable becomes accepted and 100% complete. Accepting again is 409."""
        deliverable = self.get_object()
        serializer = DeliverableAcceptSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        deliverable = services.deliverable_accept(
            deliverable=deliverable, actor=request.user, **serializer.validated_data
        )
        return self._answer(deliverable)


# --- Time entries --------------------------------------------------------------------------------


def _bulk_entry(entry):
    """A JSON row as the service takes it: ISO dates as dates, JSON numbers as decimals.
    Anything else is left as sent, for the service to name in its row errors."""
    if not isinstance(entry, dict):
        return entry
    entry = dict(entry)
    worked_on = entry.get("worked_on")
    if isinstance(worked_on, str):
        with contextlib.suppress(ValueError):
            entry["worked_on"] = date.fromisoformat(worked_on)
    hours = entry.get("hours")
    if isinstance(hours, float):
        entry["hours"] = Decimal(repr(hours))
    return entry


@extend_schema_view(
    create=extend_schema(request=TimeEntryWriteSerializer,
                         responses={201: TimeEntryStaffSerializer}),
    update=extend_schema(request=TimeEntryCorrectionSerializer,
                         responses=TimeEntryStaffSerializer),
    partial_update=extend_schema(request=TimeEntryCorrectionSerializer,
                                 responses=TimeEntryStaffSerializer),
)
class TimeEntryViewSet(
    ReaderSerializerMixin, _DeliveryViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    """Hours consultants worked on engagements, with their cost (hours x the day rate in
    force that day / 8, stored).

    Clients read their organization's entries without the cost; PMO staff log them one at a
    time or push up to 1,000 at once with `bulk`. The consultant must have been on the team
    that day with a day rate in force, and a consultant's day has at most 24 hours. An
    `external_id` makes a push idempotent.

    Staff correct an entry with PUT or PATCH: its `worked_on`, `hours`, `deliverable` and
    `description`, under the same rules (its own former hours do not count toward the day);
    the cost is recomputed with the day rate in force on the new day and the metrics follow.
    The engagement, consultant and external id do not change (400: log a new entry). The
    entry's history keeps every former version. Entries are never deleted (405).
    """

    staff_serializer_class = TimeEntryStaffSerializer
    public_serializer_class = TimeEntrySerializer
    read_serializer_class = TimeEntryStaffSerializer
    filterset_class = TimeEntryFilter
    ordering_fields = ["worked_on", "hours", "created_at"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        return TimeEntry.objects.select_related("consultant").order_by(
            "engagement_id", "-worked_on", "id"
        )

    def create(self, request, *args, **kwargs):
        data = self._input(TimeEntryWriteSerializer)
        entry = services.time_entry_create(actor=request.user, **data)
        return self._answer(entry, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        data = self._input(TimeEntryCorrectionSerializer, instance=entry,
                           partial=kwargs.get("partial", False))
        entry = services.time_entry_update(entry=entry, actor=request.user, **data)
        return self._answer(entry)

    @extend_schema(
        request=TimeEntryBulkRowSerializer(many=True),
        responses={
            201: TimeEntryBulkResultSerializer,
            400: OpenApiResponse(TimeEntryBulkErrorSerializer,
                                 description="Failing rows by index, or a body that is not a "
                                 "list of at most 1,000 entries; nothing was recorded."),
        },
    )
    @action(detail=False, methods=["post"], permission_classes=[IsStaff],
            parser_classes=[StrictJSONParser])
    def bulk(self, request):
        """Record a JSON list of up to 1,000 entries (staff), all or nothing.

        201 `{created, duplicates, ids}`; entries already recorded under the same engagement
        and `external_id` with the same content count as duplicates (a re-push is safe).
        Any bad row: 400 `{"rows": {index: {field: [messages]}}}` and nothing is written.
        """
        entries = request.data
        if isinstance(entries, list):
            entries = [_bulk_entry(entry) for entry in entries]
        try:
            result = services.time_entries_bulk(actor=request.user, entries=entries)
        except services.TimeEntryRowsError as error:
            rows = {str(index): fields for index, fields in error.row_errors.items()}
            return Response({"rows": rows}, status=status.HTTP_400_BAD_REQUEST)
        body = {"created": len(result.created), "duplicates": result.duplicates,
                "ids": [entry.pk for entry in result.created]}
        return Response(body, status=status.HTTP_201_CREATED)


# --- Expenses and KPI measurements ---------------------------------------------------------------


@_write_schema(ExpenseWriteSerializer, ExpenseSerializer)
class ExpenseViewSet(_DeliveryViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Costs other than time (EUR) that count toward an engagement's actual cost.

    Clients read their organization's; PMO staff record and correct them. Never deleted
    (405). Search covers the description.
    """

    serializer_class = ExpenseSerializer
    read_serializer_class = ExpenseSerializer
    filterset_class = ExpenseFilter
    search_fields = ["description"]
    ordering_fields = ["spent_on", "amount", "category"]
    http_method_names = NO_DELETE

    def base_queryset(self):
        return Expense.objects.order_by("engagement_id", "-spent_on", "id")

    def create(self, request, *args, **kwargs):
        data = self._input(ExpenseWriteSerializer)
        expense = services.expense_create(actor=request.user, **data)
        return self._answer(expense, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        expense = self.get_object()
        data = self._input(ExpenseWriteSerializer, instance=expense,
                           partial=kwargs.get("partial", False))
        expense = services.expense_update(expense=expense, actor=request.user, **data)
        return self._answer(expense)


@extend_schema_view(
    create=extend_schema(request=KpiMeasurementWriteSerializer,
                         responses={201: KpiMeasurementSerializer}),
)
class KpiMeasurementViewSet(_DeliveryViewSet, mixins.CreateModelMixin):
    """Values of the engagements' service indicators per period.

    Clients read their organization's; PMO staff record them (the indicator must measure one
    of the engagement's services). Recording the same indicator and period start again
    replaces the value. Never changed in place or deleted (405).
    """

    serializer_class = KpiMeasurementSerializer
    read_serializer_class = KpiMeasurementSerializer
    filterset_class = KpiMeasurementFilter
    ordering_fields = ["period_start", "period_end", "value"]
    http_method_names = READ_AND_CREATE

    def base_queryset(self):
        return KpiMeasurement.objects.select_related("indicator", "recorded_by").order_by(
            "engagement_id", "indicator_id", "-period_end", "id"
        )

    def create(self, request, *args, **kwargs):
        data = self._input(KpiMeasurementWriteSerializer)
        measurement = services.kpi_measurement_record(actor=request.user, **data)
        return self._answer(measurement, status.HTTP_201_CREATED)

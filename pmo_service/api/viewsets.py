"""Base viewsets: scoping, permission defaults and transactions in one place."""

from django.db import transaction
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from .permissions import ReadOnlyUnlessStaff
from .scoping import ScopedQuerysetMixin


class AtomicWritesMixin:
    """Writes run in one transaction; reads run without one.

    ``ATOMIC_REQUESTS`` would wrap every API call, reads included, costing a BEGIN and a
    COMMIT round trip per list page and gaining nothing: under PostgreSQL's READ COMMITTED
    each statement sees its own snapshot inside a transaction too. Unsafe methods (and every
    custom action, which are POSTs) still get exactly one transaction, and DRF's exception
    handler rolls it back on an error response.
    """

    @classmethod
    def as_view(cls, *args, **kwargs):
        return transaction.non_atomic_requests(super().as_view(*args, **kwargs))

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class ScopedModelViewSet(AtomicWritesMixin, ScopedQuerysetMixin, viewsets.ModelViewSet):
    """CRUD over a tenant-scoped queryset. Writes: staff, or what ``permission_classes`` allow."""

    permission_classes = [ReadOnlyUnlessStaff]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def _reload(self, serializer) -> None:
        # Answer with the row as the list shows it (annotations, joins), not the bare save.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer) -> None:
        serializer.save()
        self._reload(serializer)

    def perform_update(self, serializer) -> None:
        serializer.save()
        self._reload(serializer)


class ScopedReadOnlyViewSet(AtomicWritesMixin, ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve over a tenant-scoped queryset."""

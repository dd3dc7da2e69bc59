"""Base viewsets: scoping and permission defaults in one place."""

from rest_framework import viewsets

from .permissions import ReadOnlyUnlessStaff
from .scoping import ScopedQuerysetMixin


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
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


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve over a tenant-scoped queryset."""

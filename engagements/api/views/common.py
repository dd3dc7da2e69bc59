"""Pieces the engagements viewsets share: who reads which serializer, and answering a
write with the row as lists show it."""

from stakeholders.tenancy import user_sees_everything

WRITES = ("create", "update", "partial_update")
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ReaderSerializerMixin:
    """Staff read the staff serializer, clients the public one; the schema shows the staff
    shape (its staff-only fields optional)."""

    staff_serializer_class = None
    public_serializer_class = None
    write_serializer_class = None

    def get_serializer_class(self):
        if self.action in WRITES and self.write_serializer_class is not None:
            return self.write_serializer_class
        if getattr(self, "swagger_fake_view", False) or user_sees_everything(self.request.user):
            return self.staff_serializer_class
        return self.public_serializer_class


class ReloadMixin:
    """Answer a write with the row as the list shows it (through the scoped selector)."""

    def _reloaded(self, instance):
        return self.get_queryset().get(pk=instance.pk)

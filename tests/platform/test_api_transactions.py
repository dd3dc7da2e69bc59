"""API transactions: writes run in one transaction that errors roll back; reads run in none."""

import pytest
from django.db import connection
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from pmo_service.api.viewsets import ScopedModelViewSet
from stakeholders.models import Organization
from stakeholders.selectors import organization_list
from tests.factories import StaffUserFactory


class _ProbeViewSet(ScopedModelViewSet):
    """Reports whether it ran inside a transaction; ``create`` writes, then maybe fails."""

    def base_queryset(self):
        return organization_list()

    def list(self, request, *args, **kwargs):
        return Response({"in_transaction": connection.in_atomic_block})

    def create(self, request, *args, **kwargs):
        Organization.objects.create(name=request.data["name"])
        if request.data.get("fail"):
            raise ValidationError({"name": ["refused after the write"]})
        return Response({"in_transaction": connection.in_atomic_block}, status=201)


@pytest.mark.django_db(transaction=True)
def test_reads_run_outside_and_writes_inside_a_transaction():
    view = _ProbeViewSet.as_view({"get": "list", "post": "create"})
    staff = StaffUserFactory()
    factory = APIRequestFactory()

    read = factory.get("/probe/")
    force_authenticate(read, staff)
    assert view(read).data == {"in_transaction": False}

    write = factory.post("/probe/", {"name": "Kept"}, format="json")
    force_authenticate(write, staff)
    response = view(write)
    assert (response.status_code, response.data) == (201, {"in_transaction": True})

    failing = factory.post("/probe/", {"name": "Rolled back", "fail": True}, format="json")
    force_authenticate(failing, staff)
    assert view(failing).status_code == 400
    assert list(Organization.objects.values_list("name", flat=True)) == ["Kept"]

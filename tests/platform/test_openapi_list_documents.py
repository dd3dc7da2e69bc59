"""The lists written from plain rows are described by their generic serializers: integrators
see the same component names (``Application``, ``Engagement``, ``ServiceSummary``) as for a
model-backed answer, not an implementation detail (``*Row``)."""

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_row_lists_are_documented_as_their_generic_documents(client):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    components = schema["components"]["schemas"]
    assert not [name for name in components if name.endswith("Row") or "RowList" in name]

    def listed(path: str) -> str:
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = components[ok["schema"]["$ref"].rsplit("/", 1)[1]]
        return page["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]

    assert listed("/api/v1/applications/") == "Application"
    assert listed("/api/v1/engagements/") == "Engagement"
    assert listed("/api/v1/services/") == "ServiceSummary"
    assert components["Engagement"]["properties"]["team_size"]["type"] == "integer"

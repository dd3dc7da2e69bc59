"""Route-wide tenant isolation: a user of organization A never reaches organization B's data.

Enumerates every route the URL conf serves and fails on any the matrix (tests/tenancy_matrix.py)
does not classify. For each tenant resource: B's rows are absent from A's list, and retrieve,
change and delete of B's row answer 404 (403 where clients may not write at all) and leave it
untouched; a write by A that references B's row answers 400 naming the field.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pmo_service.api.scoping import ScopedPrimaryKeyRelatedField
from stakeholders.models import Organization
from tests import tenancy_matrix as matrix
from tests.factories import OrganizationFactory
from tests.routes import iter_routes, route_names

pytestmark = pytest.mark.django_db


def test_every_route_is_classified_by_the_matrix():
    unknown = sorted(route.name for route in iter_routes() if not matrix.known_route(route.name))
    assert not unknown, (
        "Routes missing from tests/tenancy_matrix.py (say how each is isolated): "
        + ", ".join(unknown)
    )


def test_matrix_names_only_routes_that_exist():
    stale = sorted(matrix.all_matrix_names() - route_names())
    assert not stale, f"Matrix entries for routes that no longer exist: {stale}"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(params=matrix.TENANT_RESOURCES, ids=lambda resource: resource.list_route)
def resource(request):
    return request.param


def test_tenant_resource_list_and_retrieve_hide_other_organization(resource, user_a, org_a, org_b):
    own, foreign = resource.make(org_a), resource.make(org_b)
    client = _client(user_a)
    listing = client.get(reverse(resource.list_route), {"page_size": 200})
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert own.pk in ids
    assert foreign.pk not in ids
    assert resource.marker(foreign) not in listing.content.decode()
    assert client.get(reverse(resource.detail_route, args=[own.pk])).status_code == 200
    response = client.get(reverse(resource.detail_route, args=[foreign.pk]))
    assert response.status_code == 404
    assert resource.marker(foreign) not in response.content.decode()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_tenant_resource_change_and_delete_of_other_organization(
    resource, method, user_a, org_a, org_b
):
    own, foreign = resource.make(org_a), resource.make(org_b)
    client = _client(user_a)
    before = type(foreign).objects.filter(pk=foreign.pk).values().get()
    # What the same call does to A's own row tells whether clients may write here at all.
    own_status = getattr(client, method)(reverse(resource.detail_route, args=[own.pk]), {})
    response = getattr(client, method)(reverse(resource.detail_route, args=[foreign.pk]), {})
    # Where clients may not make this call at all (403, or 405 for no such method), the
    # answer for B's row is the same refusal; otherwise B's row does not exist for A (404).
    refused = own_status.status_code in (403, 405)
    expected = {own_status.status_code} if refused else {404}
    assert response.status_code in expected
    assert type(foreign).objects.filter(pk=foreign.pk).values().get() == before


def test_tenant_resource_actions_refuse_other_organization(resource, user_a, org_b):
    foreign = resource.make(org_b)
    client = _client(user_a)
    for action in resource.actions:
        response = client.post(reverse(action, args=[foreign.pk]), {})
        assert response.status_code in (403, 404), action


def test_writes_cannot_reference_other_organization(resource, user_a, org_a, org_b):
    """Every scoped reference field of the resource's serializer refuses B's rows with 400."""
    client = _client(user_a)
    own = resource.make(org_a)
    if resource.write_payload is None:
        # Clients may not write this resource: the refusal comes before any reference.
        response = client.post(reverse(resource.list_route), {})
        assert response.status_code in (403, 405)
        return
    response = client.post(reverse(resource.list_route), resource.write_payload(own), format="json")
    assert response.status_code == 201, response.json()
    for name, make in resource.references.items():
        payload = resource.write_payload(own)
        foreign = make(org_b).pk
        # Many-valued references take a list; the foreign row is the only member.
        foreign_payload = {**payload, name: [foreign] if isinstance(payload.get(name), list)
                           else foreign}
        response = client.post(reverse(resource.list_route), foreign_payload, format="json")
        assert response.status_code == 400, (name, response.json())
        assert name in response.json()


@pytest.fixture(params=matrix.SHARED_RESOURCES, ids=lambda resource: resource.list_route)
def shared(request):
    return request.param


def test_shared_resources_are_readable_by_anyone(shared, user_a):
    row = shared.make()
    for client in (APIClient(), _client(user_a)):
        listing = client.get(reverse(shared.list_route))
        assert listing.status_code == 200
        assert row.pk in {item["id"] for item in listing.json()["results"]}
        assert client.get(reverse(shared.detail_route, args=[row.pk])).status_code == 200


def test_shared_resources_are_changed_by_staff_only(shared, user_a):
    row = shared.make()
    before = type(row).objects.filter(pk=row.pk).values().get()
    for client, refusal in ((APIClient(), 401), (_client(user_a), 403)):
        assert client.post(reverse(shared.list_route), {}).status_code == refusal
        detail = reverse(shared.detail_route, args=[row.pk])
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(detail, {}).status_code == refusal, method
        for action in shared.actions:
            response = client.post(reverse(action, args=[row.pk]), {})
            assert response.status_code == refusal, action
    assert type(row).objects.filter(pk=row.pk).values().get() == before
    assert type(row).objects.count() == 1


def test_scoped_reference_field_refuses_other_organization(rf, user_a, org_a, org_b):
    """The one reference mechanism, checked directly: B's key is as unknown as a missing one."""
    field = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all())
    request = rf.post("/")
    request.user = user_a
    field._context = {"request": request}  # what a bound serializer provides
    assert field.to_internal_value(org_a.pk) == org_a
    from rest_framework.exceptions import ValidationError

    for value in (org_b.pk, 10**30, True, "abc"):
        with pytest.raises(ValidationError):
            field.to_internal_value(value)


@pytest.mark.parametrize("page", matrix.TENANT_PAGES, ids=lambda page: page.route)
def test_tenant_pages_show_only_own_organization(client, page, user_a, org_a, org_b):
    own, foreign = page.make(org_a), page.make(org_b)
    client.force_login(user_a)
    response = client.get(reverse(page.route, kwargs=page.kwargs(own)))
    assert response.status_code == 200
    body = response.content.decode()
    assert page.marker(own) in body
    assert page.marker(foreign) not in body
    if page.kwargs(foreign):
        response = client.get(reverse(page.route, kwargs=page.kwargs(foreign)))
        assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(matrix.STAFF))
def test_staff_routes_refuse_clients(name, user_a, org_b):
    foreign = OrganizationFactory()
    client = _client(user_a)
    route = next(route for route in iter_routes() if route.name == name)
    args = [user_a.pk] if "<pk>" in route.pattern else []
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(reverse(name, args=args), {"organization": foreign.pk})
        assert response.status_code in (403, 405), (name, method, response.status_code)


def test_admin_routes_refuse_clients(client, user_a):
    client.force_login(user_a)
    admin_routes = [r for r in iter_routes() if r.namespace == "admin" and not r.takes_arguments]
    assert admin_routes
    for route in admin_routes:
        if route.name in ("admin:logout", "admin:login"):
            continue
        response = client.get(reverse(route.name))
        assert response.status_code == 302, route.name
        assert response["Location"].startswith(reverse("admin:login")), route.name


def test_self_routes_show_only_own_organization(user_a, org_b):
    client = _client(user_a)
    for name in matrix.SELF:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert org_b.name not in response.content.decode()


def test_public_and_account_routes_carry_no_tenant_data(client, org_a, org_b, user_a):
    client.force_login(user_a)
    for route in iter_routes():
        if route.name not in matrix.PUBLIC | matrix.ACCOUNT or route.takes_arguments:
            continue
        response = client.get(reverse(route.name))
        assert response.status_code < 500, route.name
        assert org_b.name not in response.content.decode(), route.name

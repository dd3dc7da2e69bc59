"""Client portal pages: login, organization home, staff overview, logout, password change."""

import pytest
from django.urls import reverse

from tests.factories import ClientUserFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:home")


def test_login_with_bad_credentials_shows_inline_error(client, user_a):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_client_home_shows_own_organization_and_members_only(client, user_a, org_a, org_b):
    ClientUserFactory(first_name="Colleague", last_name="One", membership__organization=org_a)
    ClientUserFactory(first_name="Stranger", last_name="Two", membership__organization=org_b)
    client.force_login(user_a)
    page = client.get("/").content.decode()
    assert "Organization A" in page
    assert "Colleague One" in page
    assert "Stranger Two" not in page
    assert "Organization B" not in page


def test_staff_home_lists_and_searches_organizations(client, staff_user, org_a, org_b):
    client.force_login(staff_user)
    page = client.get("/").content.decode()
    assert "Organization A" in page
    assert "Organization B" in page
    page = client.get("/", {"q": "B"}).content.decode()
    assert "Organization B" in page
    assert "Organization A" not in page
    page = client.get("/", {"q": "nothing-like-this"}).content.decode()
    assert "No organization matches" in page


def test_staff_home_paginates(client, staff_user):
    OrganizationFactory.create_batch(30)
    client.force_login(staff_user)
    first = client.get("/")
    assert len(first.context["object_list"]) == 25
    assert client.get("/", {"page": 2}).status_code == 200
    assert client.get("/", {"page": 99}).status_code == 404


def test_user_without_organization_sees_guidance(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert "not linked to an organization" in client.get("/").content.decode()


def test_logout_is_a_post_and_ends_the_session(client, user_a):
    client.force_login(user_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_password_change_validates_inline(client, user_a, password):
    client.force_login(user_a)
    url = reverse("password_change")
    response = client.post(
        url, {"old_password": password, "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    response = client.post(
        url,
        {"old_password": password, "new_password1": "a-new-long-passphrase",
         "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert user_a.check_password("a-new-long-passphrase")

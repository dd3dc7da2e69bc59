"""REST API of organizations, users, the current user and tokens, with permissions per role."""

import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from stakeholders.choices import MembershipRole
from stakeholders.models import Membership, Organization, User
from tests.factories import ClientUserFactory, OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organizations/"
USERS = "/api/v1/users/"


# --- authentication -----------------------------------------------------------------------


def test_anonymous_api_calls_get_401_with_token_challenge(api_client, org_a):
    response = api_client.get(ORGS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_obtain_use_and_revoke(api_client, user_a, password):
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user_a).key == key

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/me/").json()["username"] == "alice"

    assert api_client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=user_a).exists()
    assert api_client.get("/api/v1/me/").status_code == 401


def test_token_refused_for_wrong_password_or_inactive_user(api_client, user_a, password):
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    user_a.is_active = False
    user_a.save()
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 400


def test_token_request_missing_fields_names_them(api_client):
    response = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_me_shows_organization_and_role(client_api, org_a):
    body = client_api.get("/api/v1/me/").json()
    assert body["organization"]["id"] == org_a.pk
    assert body["role"] == MembershipRole.MEMBER
    assert body["is_staff"] is False


# --- organizations --------------------------------------------------------------------------


def test_client_lists_only_own_organization(client_api, org_a, org_b):
    body = client_api.get(ORGS).json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [org_a.pk]
    assert body["results"][0]["member_count"] == 1


def test_client_cannot_see_or_change_another_organization(client_api, org_b):
    assert client_api.get(f"{ORGS}{org_b.pk}/").status_code == 404
    assert client_api.patch(f"{ORGS}{org_b.pk}/", {"name": "x"}).status_code == 403


def test_client_cannot_write_even_own_organization(client_api, org_a):
    response = client_api.patch(f"{ORGS}{org_a.pk}/", {"name": "Renamed"})
    assert response.status_code == 403
    assert client_api.post(ORGS, {"name": "New"}).status_code == 403
    org_a.refresh_from_db()
    assert org_a.name == "Organization A"


def test_staff_see_all_and_filter_search_order(staff_api, org_a, org_b):
    OrganizationFactory(name="Zeta Health", sector="health", is_public_administration=False)
    assert staff_api.get(ORGS).json()["count"] == 3
    body = staff_api.get(ORGS, {"sector": "health"}).json()
    assert [row["name"] for row in body["results"]] == ["Zeta Health"]
    org_b.region = "Algarve"
    org_b.save()
    body = staff_api.get(ORGS, {"search": "algarve"}).json()
    assert [row["id"] for row in body["results"]] == [org_b.pk]
    body = staff_api.get(ORGS, {"ordering": "-name"}).json()
    assert [row["name"] for row in body["results"]] == [
        "Zeta Health", "Organization B", "Organization A",
    ]


def test_staff_create_update_and_protected_delete(staff_api, user_a, org_a):
    response = staff_api.post(
        ORGS,
        {"name": "Port Authority", "sector": "transport", "country": "PT",
         "is_public_administration": True},
    )
    assert response.status_code == 201, response.json()
    created = Organization.objects.get(pk=response.json()["id"])
    assert created.kind == "client"

    response = staff_api.patch(f"{ORGS}{created.pk}/", {"region": "Lisboa"})
    assert response.status_code == 200
    assert response.json()["region"] == "Lisboa"

    assert staff_api.delete(f"{ORGS}{org_a.pk}/").status_code == 409
    assert Organization.objects.filter(pk=org_a.pk).exists()
    assert staff_api.delete(f"{ORGS}{created.pk}/").status_code == 204


def test_organization_validation_errors_are_field_errors(staff_api, org_a):
    response = staff_api.post(ORGS, {"name": "Fine name", "country": "Spain", "sector": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"country", "sector"}
    response = staff_api.post(ORGS, {"name": "organization a"})
    assert response.status_code == 400
    assert any("already exists" in message for message in response.json()["non_field_errors"])


def test_second_provider_is_rejected_with_400(staff_api):
    ProviderFactory()
    response = staff_api.post(ORGS, {"name": "Another provider", "kind": "provider"})
    assert response.status_code == 400
    assert "provider" in str(response.json()).lower()


# --- users ----------------------------------------------------------------------------------


def test_users_endpoint_is_staff_only(client_api, user_a):
    assert client_api.get(USERS).status_code == 403
    assert client_api.get(f"{USERS}{user_a.pk}/").status_code == 403
    assert client_api.post(USERS, {}).status_code == 403


def test_staff_create_user_with_password(staff_api, org_a, api_client):
    response = staff_api.post(
        USERS,
        {"username": "carol", "email": "carol@a.test", "organization": org_a.pk,
         "role": "sponsor", "password": "a-long-unique-passphrase"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"]["id"] == org_a.pk
    assert body["role"] == "sponsor"
    assert "password" not in body
    assert mail.outbox == []
    assert api_client.login(username="carol", password="a-long-unique-passphrase")


def test_staff_create_user_without_password_sends_invitation(
    staff_api, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            USERS, {"username": "dave", "email": "dave@a.test", "organization": org_a.pk}
        )
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="dave")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert user.membership.invitation_sent_at is not None


def test_create_user_reports_every_bad_field(staff_api, user_a, org_a):
    response = staff_api.post(
        USERS,
        {"username": "ALICE", "email": "not-an-email", "organization": 987654,
         "role": "emperor"},
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"username", "email", "organization", "role"}
    response = staff_api.post(
        USERS,
        {"username": "erin", "email": "erin@a.test", "organization": org_a.pk,
         "password": "123"},
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_client_user_cannot_join_provider(staff_api):
    provider = ProviderFactory()
    response = staff_api.post(
        USERS,
        {"username": "frank", "email": "f@a.test", "organization": provider.pk,
         "password": "a-long-unique-passphrase"},
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not User.objects.filter(username="frank").exists()


def test_staff_move_user_change_role_and_deactivate(staff_api, user_a, org_b):
    response = staff_api.patch(
        f"{USERS}{user_a.pk}/", {"organization": org_b.pk, "role": "read_only"}
    )
    assert response.status_code == 200, response.json()
    membership = Membership.objects.get(user=user_a)
    assert (membership.organization, membership.role) == (org_b, "read_only")
    response = staff_api.patch(f"{USERS}{user_a.pk}/", {"is_active": False})
    assert response.json()["is_active"] is False
    assert staff_api.delete(f"{USERS}{user_a.pk}/").status_code == 405


def test_reinvite_only_users_without_password(
    staff_api, user_a, org_a, django_capture_on_commit_callbacks
):
    assert staff_api.post(f"{USERS}{user_a.pk}/invite/").status_code == 409
    invited = ClientUserFactory(password=None, membership__organization=org_a)
    invited.set_unusable_password()
    invited.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(f"{USERS}{invited.pk}/invite/")
    assert response.status_code == 202
    assert len(mail.outbox) == 1


def test_staff_filter_users_by_organization_and_role(staff_api, user_a, user_b, org_b):
    body = staff_api.get(USERS, {"organization": org_b.pk}).json()
    assert [row["username"] for row in body["results"]] == ["bob"]
    assert staff_api.get(USERS, {"role": "sponsor"}).json()["count"] == 0

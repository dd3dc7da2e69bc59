"""Bad input gets a clear client error, never a 500."""

import pytest

pytestmark = pytest.mark.django_db
ORGS = "/api/v1/organizations/"


def test_malformed_json_is_a_400(staff_api):
    response = staff_api.generic("POST", ORGS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_wrong_types_are_field_errors(staff_api):
    response = staff_api.post(
        ORGS, {"name": ["a"], "is_public_administration": "perhaps", "country": 12}, format="json"
    )
    assert response.status_code == 400
    assert {"name", "is_public_administration"} <= set(response.json())


@pytest.mark.parametrize(
    "url",
    [f"{ORGS}?search=a%00b", f"{ORGS}?ordering=%00", "/api/v1/organizations/%00/", "/?q=%00"],
)
def test_nul_bytes_in_urls_are_refused(staff_api, url):
    response = staff_api.get(url)
    assert response.status_code == 400


def test_nul_bytes_in_json_bodies_are_field_errors(staff_api):
    response = staff_api.post(ORGS, {"name": "bad\x00name"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.parametrize(
    "query",
    [{"page": "99999999999999999999999"}, {"page": "0"}, {"page": "-3"}, {"page": "two"},
     {"page_size": "100000"}, {"page_size": "0"}, {"page_size": "x"}],
)
def test_bad_pagination_is_a_400_naming_the_parameter(staff_api, query):
    response = staff_api.get(ORGS, query)
    assert response.status_code in (400, 404)
    assert response.status_code != 404 or "Invalid page" in response.json()["detail"]
    if response.status_code == 400:
        assert set(response.json()) == set(query)


def test_page_past_the_end_is_a_404_with_a_message(staff_api, org_a):
    response = staff_api.get(ORGS, {"page": 5})
    assert response.status_code == 404
    assert "Invalid page" in response.json()["detail"]


def test_unknown_ordering_field_is_named(staff_api):
    response = staff_api.get(ORGS, {"ordering": "name,-password"})
    assert response.status_code == 400
    assert "-password" in response.json()["ordering"][0]


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1e3", "abc"])
def test_huge_or_malformed_ids_in_filters_and_paths(staff_api, value):
    assert staff_api.get(f"{ORGS}{value}/").status_code == 404
    response = staff_api.get("/api/v1/users/", {"organization": value})
    assert response.status_code == 400
    assert "organization" in response.json()


def test_huge_integer_in_a_write_reference(staff_api):
    response = staff_api.post(
        "/api/v1/users/",
        {"username": "zed", "email": "z@z.test", "organization": 10**40},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()


def test_unknown_api_url_is_json_404(staff_api):
    response = staff_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_bad_form_input_is_an_inline_error_not_a_500(client, user_a):
    client.force_login(user_a)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "x\x00", "new_password1": "a", "new_password2": "b"},
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()

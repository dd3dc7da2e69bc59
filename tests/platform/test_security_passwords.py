"""Passwords to NIST SP 800-63B rev. 4: at least 15 characters, at least 64 accepted, no
composition rules, common and look-alike passwords refused; on every door that sets one."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from pmo_service.passwords import MaximumLengthValidator
from tests.platform.test_settings import _python, _show

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def _messages(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


def test_fourteen_characters_are_too_few_fifteen_are_enough():
    assert _messages("plum-tree-river") == []
    assert _messages("plum-tree-rive") == [
        "This password is too short. It must contain at least 15 characters."
    ]


def test_long_pass_phrases_are_accepted_up_to_128_characters():
    longest = "orchard lantern " * 8
    assert len(longest) == 128
    assert _messages(longest) == []
    assert _messages("quiet harbour " * 5) == []  # 70 characters
    assert _messages(longest + "x") == [
        "This password is too long. It must contain at most 128 characters."
    ]


def test_no_composition_rules_a_long_number_is_fine_a_common_one_is_not():
    assert _messages("4829105738291047") == []
    assert _messages("123456789123456") == ["This password is too common."]


def test_a_password_like_the_users_own_details_is_refused(user_a):
    user_a.email = "alice.marchbanks@client.example"
    assert _messages("alice.marchbanks", user_a) == [
        "The password is too similar to the email address."
    ]


def test_the_ceiling_cannot_be_set_below_what_nist_requires_accepting():
    with pytest.raises(ValueError, match="at least 64"):
        MaximumLengthValidator(max_length=63)


def test_staff_creating_a_user_through_the_api_get_the_rule_on_the_password_field(
    staff_api, org_a
):
    response = staff_api.post(
        USERS,
        {"username": "erin", "email": "erin@a.test", "organization": org_a.pk,
         "password": "plum-tree-rive"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "password": ["This password is too short. It must contain at least 15 characters."]
    }


def test_the_password_change_page_applies_and_explains_the_rules(client, user_a, password):
    client.force_login(user_a)
    page = client.get("/accounts/password_change/").content.decode()
    assert "at least 15 characters" in page
    assert "up to 128 characters" in page
    response = client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": "plum-tree-rive",
         "new_password2": "plum-tree-rive"},
    )
    assert response.status_code == 200
    assert "at least 15 characters" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password(password)


def test_the_minimum_comes_from_the_environment():
    result = _python(
        _show("AUTH_PASSWORD_VALIDATORS[1]"),
        {"DJANGO_SETTINGS_MODULE": "pmo_service.settings.local", "PASSWORD_MIN_LENGTH": "20"},
    )
    assert result.returncode == 0, result.stderr
    assert "'min_length': 20" in result.stdout

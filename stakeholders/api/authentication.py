"""The API's token authentication."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..tenancy import remember_membership


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, reading the user's membership in the same statement.

    Every client request scopes its queries by the user's organization id; reading the
    membership with the token and the user (a LEFT JOIN on a unique key) saves a round trip
    and a compiled query on each of them (docs/benchmarks.md). The organization itself is not
    joined: reads need only its id, and compiling its columns into every request (staff
    ones too) cost more than the one query a write's "is it still served" check adds. The
    checks and messages are DRF's: an unknown key or an inactive user is a 401.
    """

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__membership").get(key=key)
        except model.DoesNotExist as missing:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from missing
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_membership(token.user)
        return (token.user, token)

"""Password rules beyond Django's own validators (see ``AUTH_PASSWORD_VALIDATORS``).

NIST SP 800-63B (rev. 4) asks verifiers to accept passwords of at least 64 characters and
to impose no composition rules; length is what makes a password strong. A ceiling still
exists so nobody can make the server hash megabytes per sign-in attempt; it sits well
above 64 so pass phrases and password-manager output always fit.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters (default 128)."""

    def __init__(self, max_length: int = 128) -> None:
        if max_length < 64:
            raise ValueError("NIST SP 800-63B requires accepting at least 64 characters.")
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d "
                    "character.",
                    "This password is too long. It must contain at most %(max_length)d "
                    "characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can be up to %(max_length)d character long.",
            "Your password can be up to %(max_length)d characters long.",
            self.max_length,
        ) % {"max_length": self.max_length}

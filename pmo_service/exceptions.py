"""Domain exceptions shared by every app (plumbing: no app imports here)."""


class ConflictError(Exception):
    """A well-formed request that the current state of a record does not allow.

    Raised by services (an invalid workflow transition, an invitation already accepted). The API
    answers 409 with the message as ``detail``; pages show the message to the user.
    """

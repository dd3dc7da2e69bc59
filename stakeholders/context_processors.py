"""Template context shared by every portal page."""

from .tenancy import user_membership


def current_organization(request):
    """The signed-in user's organization and role for the navigation bar."""
    membership = user_membership(getattr(request, "user", None))
    return {
        "current_membership": membership,
        "current_organization": membership.organization if membership else None,
    }

"""Write operations on organizations, users and memberships. Interfaces call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from pmo_service.celery import enqueue_on_commit
from pmo_service.exceptions import ConflictError

from .choices import MembershipRole, OrganizationKind
from .models import Membership, Organization, User


def _set_password(user: User, password: str) -> None:
    """Apply Django's password validators; their messages are reported on ``password``."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)


def _check_membership_target(*, organization: Organization, is_staff: bool) -> None:
    if not organization.is_active:
        raise ValidationError({"organization": ["This organization is inactive."]})
    if organization.kind == OrganizationKind.PROVIDER and not is_staff:
        raise ValidationError(
            {"organization": ["Only PMO staff belong to the provider organization."]}
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    organization: Organization,
    role: str = MembershipRole.MEMBER,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user and their membership in one transaction.

    Without a password the account cannot sign in until the person follows the invitation
    e-mail, which is sent by a background task once the transaction commits.
    """
    _check_membership_target(organization=organization, is_staff=is_staff)
    user = User(
        username=username, email=email, first_name=first_name, last_name=last_name,
        is_staff=is_staff,
    )
    if password:
        _set_password(user, password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    if not password:
        membership_invite(membership=membership)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    organization: Organization | None = None,
    role: str | None = None,
    password: str | None = None,
    **fields: object,
) -> User:
    """Change a user's profile, membership or password; only the given values change."""
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        _set_password(user, password)
    user.full_clean(exclude=["password"])
    user.save()
    if organization is not None or role is not None:
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            if organization is None:
                raise ValidationError(
                    {"organization": ["This user has no organization yet: give one."]}
                )
            membership = Membership(user=user, role=MembershipRole.MEMBER)
        if organization is not None and organization.pk != membership.organization_id:
            _check_membership_target(organization=organization, is_staff=user.is_staff)
            membership.organization = organization
        if role is not None:
            membership.role = role
        membership.full_clean()
        membership.save()
    return user


def api_token_issue(*, user: User) -> str:
    """The user's API token, created on first request (one token per user)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def api_token_revoke(*, user: User) -> None:
    """Invalidate the user's API token; the next issue creates a new one."""
    Token.objects.filter(user=user).delete()


class InvitationError(ConflictError):
    """The user cannot be invited; the message says why (shown to staff as a conflict)."""


def user_invite(*, user: User) -> None:
    """(Re)send the invitation of a user who belongs to an organization but has no password."""
    membership = getattr(user, "membership", None)
    if membership is None:
        raise InvitationError("This user has no organization to be invited to.")
    if user.has_usable_password():
        raise InvitationError(
            "This user already has a password; use password reset instead."
        )
    membership_invite(membership=membership)


def membership_invite(*, membership: Membership) -> None:
    """(Re)send the invitation e-mail after commit; the task stamps ``invitation_sent_at``."""
    from .tasks import send_membership_invitation

    Membership.objects.filter(pk=membership.pk).update(invitation_sent_at=None)
    enqueue_on_commit(send_membership_invitation, membership.pk)


"""Write operations of the stakeholders app: organizations, users and memberships; the
stakeholder register, engagement assessments, the communication plan and log, and risks.
Interfaces (API, portal, admin, imports) call these."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from rest_framework.authtoken.models import Token

from pmo_service.celery import enqueue_on_commit
from pmo_service.exceptions import ConflictError

from .choices import MembershipRole, OrganizationKind
from .models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Membership,
    Organization,
    Risk,
    Stakeholder,
    User,
)
from .permissions import check_tenant_writer
from .signals import announce_inputs_changed
from .tenancy import user_organization_id, user_sees_everything


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

    Membership.objects.filter(pk=membership.pk).update(
        invitation_sent_at=None, invitation_requested_at=timezone.now()
    )
    enqueue_on_commit(send_membership_invitation, membership.pk)



# --- Stakeholder register, engagement, communication, risks ---------------------------------
#
# The rules of the register live here so the API, the portal, the admin and imports agree:
# who may write (``check_tenant_writer``), which organization a record may point into, and
# the derived values that are stored for fast lists (the stakeholder's current/desired
# engagement mirrors its latest assessment; a plan's ``next_due_on`` follows its log).
# Every write announces itself (``signals.announce_inputs_changed``) inside its transaction:
# the engagements' metrics read these records and must be recomputed.


def _check_actor_organization(actor: User, organization: Organization) -> None:
    """Client users write only their own organization's records; PMO staff write any."""
    if user_sees_everything(actor):
        return
    if user_organization_id(actor) != organization.pk:
        raise PermissionDenied("You can only change your own organization's records.")


def check_owned_by(organization: Organization, field: str, rows: Iterable) -> None:
    """Every row named in ``field`` must belong to ``organization`` (ValidationError if not)."""
    foreign = [
        str(row) for row in rows if row is not None and row.organization_id != organization.pk
    ]
    if foreign:
        raise ValidationError(
            {field: f"Not of {organization.name}: {', '.join(foreign)}."}
        )


def _check_user_of(organization: Organization, field: str, user: User | None) -> None:
    """A user named on a record is PMO staff or a member of the record's organization."""
    if user is None or user_sees_everything(user):
        return
    if user_organization_id(user) != organization.pk:
        raise ValidationError({field: f"{user} is neither PMO staff nor a member of "
                                      f"{organization.name}."})


def _check_not_future(field: str, day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be dated in the future."})


def _check_organization_unchanged(record, fields: dict) -> None:
    organization = fields.pop("organization", None)
    if organization is not None and organization.pk != record.organization_id:
        raise ValidationError(
            {"organization": "A record cannot move to another organization."}
        )


RELATIONSHIP_OWNER_STAFF_ONLY = (
    "Only PMO staff assign the relationship owner; leave this field out."
)


def _check_relationship_owner_change(
    actor: User, current: User | None, fields: dict
) -> None:
    """The relationship owner is a PMO staff member, and only PMO staff choose them."""
    if "relationship_owner" not in fields or user_sees_everything(actor):
        return
    wanted = fields["relationship_owner"]
    if (wanted.pk if wanted else None) != (current.pk if current else None):
        raise ValidationError({"relationship_owner": RELATIONSHIP_OWNER_STAFF_ONLY})


@transaction.atomic
def stakeholder_create(
    *, actor: User, organization: Organization, **fields: object
) -> Stakeholder:
    """Add a person to ``organization``'s register with their first engagement assessment.

    The initial assessment (today, by ``actor``) starts the trend with the register's values,
    so the history always explains where the current and desired levels came from.
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, organization)
    _check_relationship_owner_change(actor, None, fields)
    stakeholder = Stakeholder(organization=organization, **fields)
    stakeholder.full_clean()
    stakeholder.save()
    EngagementAssessment.objects.create(
        stakeholder=stakeholder, assessed_on=timezone.localdate(),
        current=stakeholder.current_engagement, desired=stakeholder.desired_engagement,
        assessed_by=actor, note="Initial assessment",
    )
    announce_inputs_changed(sender=Stakeholder, organization_ids=[organization.pk])
    return stakeholder


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, actor: User, **fields: object) -> Stakeholder:
    """Change a stakeholder; a change of engagement levels is recorded as a new assessment.

    Archive a stakeholder with ``is_active=False``: assessments and risks keep referring to them.
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, stakeholder.organization)
    _check_organization_unchanged(stakeholder, fields)
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    _check_relationship_owner_change(actor, stakeholder.relationship_owner, fields)
    before = (stakeholder.current_engagement, stakeholder.desired_engagement)
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    stakeholder.full_clean()
    stakeholder.save()
    if (stakeholder.current_engagement, stakeholder.desired_engagement) != before:
        # Dated today and created last, it is the latest assessment: the register and the
        # trend stay in step without going through engagement_assess's back-dating logic.
        EngagementAssessment.objects.create(
            stakeholder=stakeholder, assessed_on=timezone.localdate(),
            current=stakeholder.current_engagement, desired=stakeholder.desired_engagement,
            assessed_by=actor, note="Changed in the stakeholder register",
        )
    announce_inputs_changed(sender=Stakeholder, organization_ids=[stakeholder.organization_id])
    return stakeholder


@transaction.atomic
def engagement_assess(
    *,
    stakeholder: Stakeholder,
    actor: User,
    current: str,
    desired: str,
    assessed_on: date | None = None,
    note: str = "",
) -> EngagementAssessment:
    """Record an assessment of ``stakeholder``'s current and desired engagement.

    ``assessed_on`` defaults to today and may be earlier (an assessment made in a meeting last
    week), never later. The stakeholder's register values follow the latest assessment by
    (date, id): a back-dated assessment joins the trend without overwriting newer values.
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, stakeholder.organization)
    assessed_on = assessed_on or timezone.localdate()
    _check_not_future("assessed_on", assessed_on, "An assessment")
    # The lock serializes concurrent assessments, so "is it the latest?" has one answer.
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    assessment = EngagementAssessment(
        stakeholder=stakeholder, assessed_on=assessed_on, current=current, desired=desired,
        assessed_by=actor, note=note.strip(),
    )
    assessment.full_clean()
    assessment.save()
    latest = EngagementAssessment.objects.filter(stakeholder=stakeholder).latest()
    if latest.pk == assessment.pk and (
        (stakeholder.current_engagement, stakeholder.desired_engagement) != (current, desired)
    ):
        stakeholder.current_engagement, stakeholder.desired_engagement = current, desired
        stakeholder.save(update_fields=["current_engagement", "desired_engagement", "updated_at"])
    announce_inputs_changed(
        sender=EngagementAssessment, organization_ids=[stakeholder.organization_id]
    )
    return assessment


def communication_plan_refresh_due(*, plan: CommunicationPlan) -> CommunicationPlan:
    """Recompute the stored ``next_due_on``: last logged communication + frequency, or the
    start date while nothing was held yet; none for ad-hoc plans. Saves only that field."""
    last_held = plan.communications.aggregate(last=Max("held_on"))["last"]
    plan.next_due_on = plan.compute_next_due(last_held)
    plan.save(update_fields=["next_due_on"])
    return plan


AUDIENCE_REQUIRED = "Name the group this communication is for, or choose stakeholders."


def _check_plan_audience(stakeholders: Sequence[Stakeholder], audience: str) -> None:
    if not stakeholders and not audience.strip():
        raise ValidationError({"audience": AUDIENCE_REQUIRED})


@transaction.atomic
def communication_plan_create(
    *,
    actor: User,
    organization: Organization,
    stakeholders: Sequence[Stakeholder] = (),
    **fields: object,
) -> CommunicationPlan:
    """Plan a recurring communication to some of ``organization``'s stakeholders or a group.

    Its first due date is ``starts_on``; after that the log moves it on by the frequency.
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, organization)
    stakeholders = list(stakeholders)
    _check_plan_audience(stakeholders, str(fields.get("audience", "")))
    check_owned_by(organization, "stakeholders", stakeholders)
    _check_user_of(organization, "owner", fields.get("owner"))
    plan = CommunicationPlan(organization=organization, **fields)
    plan.full_clean()
    plan.save()
    plan.stakeholders.set(stakeholders)
    announce_inputs_changed(sender=CommunicationPlan, organization_ids=[organization.pk])
    return communication_plan_refresh_due(plan=plan)


@transaction.atomic
def communication_plan_update(
    *,
    plan: CommunicationPlan,
    actor: User,
    stakeholders: Sequence[Stakeholder] | None = None,
    **fields: object,
) -> CommunicationPlan:
    """Change a plan (``stakeholders`` None keeps them); its due date follows the new terms."""
    check_tenant_writer(actor)
    _check_actor_organization(actor, plan.organization)
    _check_organization_unchanged(plan, fields)
    plan = CommunicationPlan.objects.select_for_update().get(pk=plan.pk)
    for name, value in fields.items():
        setattr(plan, name, value)
    audience = list(plan.stakeholders.all()) if stakeholders is None else list(stakeholders)
    _check_plan_audience(audience, plan.audience)
    check_owned_by(plan.organization, "stakeholders", audience)
    _check_user_of(plan.organization, "owner", plan.owner)
    plan.full_clean()
    plan.save()
    if stakeholders is not None:
        plan.stakeholders.set(audience)
    announce_inputs_changed(sender=CommunicationPlan, organization_ids=[plan.organization_id])
    return communication_plan_refresh_due(plan=plan)


@transaction.atomic
def communication_plan_delete(*, plan: CommunicationPlan, actor: User) -> None:
    """Delete a plan that nothing was logged against yet; logged ones are deactivated."""
    check_tenant_writer(actor)
    _check_actor_organization(actor, plan.organization)
    if plan.communications.exists():
        raise ConflictError(
            "Communications were logged against this plan; deactivate it (is_active false) "
            "instead of deleting it, so the log keeps its context."
        )
    organization_id = plan.organization_id
    plan.delete()
    announce_inputs_changed(sender=CommunicationPlan, organization_ids=[organization_id])


def _check_communication_references(
    organization: Organization,
    plan: CommunicationPlan | None,
    participants: Sequence[Stakeholder],
) -> None:
    check_owned_by(organization, "plan", [plan])
    check_owned_by(organization, "participants", participants)


@transaction.atomic
def communication_record(
    *,
    actor: User,
    organization: Organization,
    held_on: date,
    summary: str,
    channel: str = "",
    plan: CommunicationPlan | None = None,
    participants: Sequence[Stakeholder] = (),
    other_participants: str = "",
    agreed_actions: str = "",
) -> Communication:
    """Log a communication that was held; a planned one moves its plan's next due date.

    Without ``channel`` a planned communication takes its plan's channel.
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, organization)
    _check_not_future("held_on", held_on, "A communication")
    participants = list(participants)
    _check_communication_references(organization, plan, participants)
    if not channel:
        if plan is None:
            raise ValidationError(
                {"channel": "Say how the communication was held, or choose its plan."}
            )
        channel = plan.channel
    communication = Communication(
        organization=organization, plan=plan, held_on=held_on, channel=channel,
        summary=summary, other_participants=other_participants,
        agreed_actions=agreed_actions, recorded_by=actor,
    )
    communication.full_clean()
    communication.save()
    communication.participants.set(participants)
    if plan is not None:
        communication_plan_refresh_due(plan=plan)
    # Logging one moves its plan's next due date, so the overdue count may change.
    announce_inputs_changed(sender=Communication, organization_ids=[organization.pk])
    return communication


@transaction.atomic
def communication_update(
    *, communication: Communication, actor: User, **fields: object
) -> Communication:
    """Correct a log entry; the due dates of its plan (before and after) follow the change."""
    check_tenant_writer(actor)
    _check_actor_organization(actor, communication.organization)
    _check_organization_unchanged(communication, fields)
    participants = fields.pop("participants", None)
    previous_plan = communication.plan
    for name, value in fields.items():
        setattr(communication, name, value)
    if "held_on" in fields:
        _check_not_future("held_on", communication.held_on, "A communication")
    _check_communication_references(
        communication.organization, communication.plan,
        list(participants) if participants is not None else [],
    )
    communication.full_clean()
    communication.save()
    if participants is not None:
        communication.participants.set(participants)
    plans = {plan.pk: plan for plan in (previous_plan, communication.plan) if plan is not None}
    for plan in plans.values():
        communication_plan_refresh_due(plan=plan)
    announce_inputs_changed(
        sender=Communication, organization_ids=[communication.organization_id]
    )
    return communication


def _check_risk_references(
    organization: Organization, owner: Stakeholder | None, stakeholders: Sequence[Stakeholder]
) -> None:
    check_owned_by(organization, "owner", [owner])
    check_owned_by(organization, "stakeholders", stakeholders)


@transaction.atomic
def risk_create(
    *,
    actor: User,
    organization: Organization,
    stakeholders: Sequence[Stakeholder] = (),
    **fields: object,
) -> Risk:
    """Register a threat or opportunity of ``organization``.

    The response strategy must fit the kind (model constraint, reported on the record).
    """
    check_tenant_writer(actor)
    _check_actor_organization(actor, organization)
    stakeholders = list(stakeholders)
    _check_risk_references(organization, fields.get("owner"), stakeholders)
    risk = Risk(organization=organization, **fields)
    risk.full_clean()
    risk.save()
    risk.stakeholders.set(stakeholders)
    announce_inputs_changed(sender=Risk, organization_ids=[organization.pk])
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    actor: User,
    stakeholders: Sequence[Stakeholder] | None = None,
    **fields: object,
) -> Risk:
    """Change a risk (``stakeholders`` None keeps the links). Close risks with a status
    (closed or occurred) rather than deleting them, so the register keeps its history."""
    check_tenant_writer(actor)
    _check_actor_organization(actor, risk.organization)
    _check_organization_unchanged(risk, fields)
    for name, value in fields.items():
        setattr(risk, name, value)
    _check_risk_references(
        risk.organization, risk.owner, list(stakeholders) if stakeholders is not None else []
    )
    risk.full_clean()
    risk.save()
    if stakeholders is not None:
        risk.stakeholders.set(stakeholders)
    announce_inputs_changed(sender=Risk, organization_ids=[risk.organization_id])
    return risk

"""Read operations of the stakeholders app: querysets with their joins already chosen."""

import functools

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from .choices import MembershipRole
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


def organization_list(*, search: str = "") -> QuerySet[Organization]:
    """Organizations with their member count, ready for list pages and the API.

    ``search`` narrows by name (the portal's search box; the API has its own search filter).
    """
    queryset = Organization.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__user__is_active=True))
    ).order_by("name")
    return queryset.filter(name__icontains=search) if search else queryset


# The columns ``OrganizationRowSerializer`` writes, in the API's order (plus the count).
ORGANIZATION_ROW_COLUMNS = (
    "id", "name", "kind", "sector", "is_public_administration", "country", "region",
    "contact_name", "contact_email", "contact_phone", "website", "is_active", "created_at",
    "updated_at",
)


def organization_api_rows() -> QuerySet:
    """``organization_list()`` as plain rows (``values()``) for the API list: the same rows
    and member count, no model instances. A page is 100 rows of 15 fields, where writing
    model instances field by field was half the request (docs/benchmarks.md)."""
    return _organization_rows_base().all()


@functools.cache
def _organization_rows_base() -> QuerySet:
    """Built once per process; every request works on a clone of this unevaluated template."""
    return (
        Organization.objects.values(*ORGANIZATION_ROW_COLUMNS)
        .annotate(member_count=Count("memberships", filter=Q(memberships__user__is_active=True)))
        .order_by("name")
    )


def user_list() -> QuerySet[User]:
    """Users with membership and organization joined (one query per page)."""
    return User.objects.select_related("membership__organization").order_by("username")


def organization_writer(*, organization: Organization) -> User | None:
    """The organization's own login that may write (not read-only, not staff), if any; the
    first by username, so callers get the same person every time."""
    membership = (
        Membership.objects.filter(
            organization=organization, user__is_active=True, user__is_staff=False
        )
        .exclude(role=MembershipRole.READ_ONLY)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user if membership else None


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """Active members of one organization, sponsors first."""
    return (
        Membership.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )



# --- Stakeholder register, communication, risks ---


def stakeholder_list() -> QuerySet[Stakeholder]:
    """Stakeholders with quadrant and engagement gap annotated and the owner joined."""
    return (
        Stakeholder.objects.with_classification()
        .select_related("organization", "relationship_owner")
        .order_by("full_name", "id")
    )


def engagement_assessment_list() -> QuerySet[EngagementAssessment]:
    return EngagementAssessment.objects.select_related(
        "stakeholder__organization", "assessed_by"
    ).order_by("-assessed_on", "-id")


def communication_plan_list() -> QuerySet[CommunicationPlan]:
    """Plans with their audience prefetched, soonest due first (ad-hoc ones last)."""
    return (
        CommunicationPlan.objects.select_related("organization", "owner")
        .prefetch_related(Prefetch("stakeholders", Stakeholder.objects.order_by("full_name")))
        .order_by(F("next_due_on").asc(nulls_last=True), "purpose", "id")
    )


def communication_list() -> QuerySet[Communication]:
    return (
        Communication.objects.select_related("organization", "plan", "recorded_by")
        .prefetch_related(Prefetch("participants", Stakeholder.objects.order_by("full_name")))
        .order_by("-held_on", "-id")
    )


def risk_list() -> QuerySet[Risk]:
    """Risks with score and rating annotated, owner joined and linked stakeholders prefetched."""
    return (
        Risk.objects.with_rating()
        .select_related("organization", "owner")
        .prefetch_related(Prefetch("stakeholders", Stakeholder.objects.order_by("full_name")))
        .order_by("-score_value", "proximity", "-id")
    )


def communication_plan_list_with_last_held() -> QuerySet[CommunicationPlan]:
    """``communication_plan_list()`` with ``last_held_on_value``: the date of the latest
    logged communication of each plan (None before the first), as one correlated subquery so
    lists need no query per plan and no GROUP BY."""
    last_held = (
        Communication.objects.filter(plan=OuterRef("pk"))
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return communication_plan_list().annotate(last_held_on_value=Subquery(last_held))

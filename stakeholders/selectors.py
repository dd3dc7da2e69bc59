"""Read operations of the stakeholders app: querysets with their joins already chosen."""

from django.db.models import Count, Q, QuerySet

from .models import Membership, Organization, User


def organization_list(*, search: str = "") -> QuerySet[Organization]:
    """Organizations with their member count, ready for list pages and the API.

    ``search`` narrows by name (the portal's search box; the API has its own search filter).
    """
    queryset = Organization.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__user__is_active=True))
    ).order_by("name")
    return queryset.filter(name__icontains=search) if search else queryset


def user_list() -> QuerySet[User]:
    """Users with membership and organization joined (one query per page)."""
    return User.objects.select_related("membership__organization").order_by("username")


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """Active members of one organization, sponsors first."""
    return (
        Membership.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )


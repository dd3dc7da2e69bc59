"""Organizations (the provider and its clients), users and their memberships."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from ..choices import MembershipRole, OrganizationKind, Sector
from ..tenancy import TenantQuerySet

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use the two-letter ISO 3166 country code in capitals, e.g. ES."
)


class OrganizationQuerySet(TenantQuerySet):
    tenant_field = "pk"

    def clients(self) -> "OrganizationQuerySet":
        return self.filter(kind=OrganizationKind.CLIENT)


class Organization(models.Model):
    """A client organization that buys PMO services, or the PMO provider itself.

    Every client-owned record in the product hangs off one of these; it is the tenant.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.CLIENT
    )
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    is_public_administration = models.BooleanField(
        "public administration",
        default=False,
        help_text="Public bodies follow public procurement and transparency rules.",
    )
    country = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator], help_text="ISO 3166 code."
    )
    region = models.CharField(max_length=120, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive organizations are kept for history but not served."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organization_name_unique_ci",
                violation_error_message="An organization with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind=OrganizationKind.PROVIDER),
                name="organization_single_provider",
                violation_error_message="There is already a provider organization.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values),
                name="organization_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="organization_country_iso2",
                violation_error_message="Country must be a two-letter ISO code.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provider(self) -> bool:
        return self.kind == OrganizationKind.PROVIDER


class UserQuerySet(TenantQuerySet):
    tenant_field = "membership__organization"


class PMOUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, ...) with the tenant-scoping queryset."""


class User(AbstractUser):
    """A person who signs in: a client user (with a membership) or PMO staff (``is_staff``)."""

    objects = PMOUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message="A user with this e-mail already exists.",
            ),
        ]


class MembershipQuerySet(TenantQuerySet):
    pass


class Membership(models.Model):
    """A user's place in exactly one organization, with the role that decides what they may do."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invitation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last invitation e-mail left; empty if none."
    )
    invitation_requested_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When an invitation was last asked for; one not sent within minutes (the "
        "broker was down) is sent again by the sweep.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role != MembershipRole.READ_ONLY

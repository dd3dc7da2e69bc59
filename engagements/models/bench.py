"""The provider's bench: consultants, their skills, credentials, languages and day rates."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from simple_history.models import HistoricalRecords

from stakeholders.choices import Sector
from stakeholders.tenancy import user_organization_id, user_sees_everything

from ..choices import Language, RemoteMode, Seniority
from .common import profile_sums_to_100, range_check

PERCENT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(100)]
POINTS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class ConsultantQuerySet(models.QuerySet):
    """Staff see the whole bench; a client user sees only the consultants who work, or
    worked, on their organization's engagements (the serializers then show only the public
    part of the profile: never rates)."""

    def for_user(self, user) -> "ConsultantQuerySet":
        if user_sees_everything(user):
            return self.all()
        organization_id = user_organization_id(user)
        if organization_id is None or not user.is_active:
            return self.none()
        from .engagement import Assignment, Engagement

        on_team = Assignment.objects.filter(
            consultant=OuterRef("pk"), engagement__organization_id=organization_id
        )
        scrum_master = Engagement.objects.filter(
            scrum_master=OuterRef("pk"), organization_id=organization_id
        )
        return self.filter(Exists(on_team) | Exists(scrum_master))

    def active(self) -> "ConsultantQuerySet":
        return self.filter(is_active=True)


class Consultant(models.Model):
    """A project-management professional of the provider, matched to clients' needs.

    The working-style profile places the consultant on the four Competing Values types
    (100 points split), the same scale as a client's OCAI culture, so the two compare.
    """

    full_name = models.CharField(max_length=150)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consultant", help_text="Their login, if they use the product.",
    )
    email = models.EmailField(blank=True)
    headline = models.CharField(
        max_length=200, blank=True, help_text="One line clients see, e.g. 'Agile PMO lead'."
    )
    seniority = models.CharField(max_length=20, choices=Seniority.choices)
    location = models.CharField(max_length=120, blank=True, help_text="City, country.")
    remote_mode = models.CharField(
        max_length=20, choices=RemoteMode.choices, default=RemoteMode.HYBRID
    )
    capacity_percent = models.PositiveSmallIntegerField(
        "capacity (%)", default=100, validators=PERCENT_VALIDATORS,
        help_text="Share of full time they work for the provider.",
    )
    style_clan = models.PositiveSmallIntegerField(default=25, validators=POINTS_VALIDATORS)
    style_adhocracy = models.PositiveSmallIntegerField(default=25, validators=POINTS_VALIDATORS)
    style_market = models.PositiveSmallIntegerField(default=25, validators=POINTS_VALIDATORS)
    style_hierarchy = models.PositiveSmallIntegerField(default=25, validators=POINTS_VALIDATORS)
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive consultants keep their history; never matched."
    )
    notes = models.TextField(blank=True, help_text="Internal to the PMO; clients never see it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            range_check("capacity_percent", 1, 100, "consultant"),
            profile_sums_to_100("style", "consultant_style_sums_to_100"),
            models.CheckConstraint(
                condition=models.Q(seniority__in=Seniority.values),
                name="consultant_seniority_valid",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "seniority"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def style_profile(self) -> tuple[int, int, int, int]:
        return (self.style_clan, self.style_adhocracy, self.style_market, self.style_hierarchy)


class ConsultantSkill(models.Model):
    """A skill of the catalog's taxonomy a consultant has, with proficiency 1-5."""

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey("catalog.Skill", on_delete=models.PROTECT, related_name="+")
    proficiency = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (aware) to 5 (expert, teaches others).",
    )

    class Meta:
        ordering = ["consultant", "-proficiency", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "skill"], name="consultant_skill_once",
                violation_error_message="This skill is already on the profile.",
            ),
            range_check("proficiency", 1, 5, "consultant_skill"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.proficiency})"


class ConsultantCertification(models.Model):
    """A professional certification held (PMP, PRINCE2, PSM, ...), with its validity."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="certifications"
    )
    certification = models.ForeignKey(
        "catalog.Certification", on_delete=models.PROTECT, related_name="+"
    )
    obtained_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["consultant", "certification__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "certification"], name="consultant_certification_once",
                violation_error_message="This certification is already on the profile.",
            ),
            models.CheckConstraint(
                condition=models.Q(obtained_on__isnull=True) | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("obtained_on")),
                name="consultant_certification_dates_in_order",
                violation_error_message="A certification cannot expire before it was obtained.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.certification)


class ConsultantSector(models.Model):
    """Years of experience in a sector (public administration, health, ...)."""

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="sectors")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    years = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        ordering = ["consultant", "-years", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "sector"], name="consultant_sector_once",
                violation_error_message="This sector is already on the profile.",
            ),
            range_check("years", 1, 50, "consultant_sector"),
            models.CheckConstraint(
                condition=models.Q(sector__in=Sector.values), name="consultant_sector_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} ({self.years} y)"


class ConsultantLanguage(models.Model):
    """A language the consultant works in (the hard filter of matching)."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="languages"
    )
    language = models.CharField(max_length=2, choices=Language.choices)

    class Meta:
        ordering = ["consultant", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "language"], name="consultant_language_once",
                violation_error_message="This language is already on the profile.",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values),
                name="consultant_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.get_language_display()


class DayRate(models.Model):
    """A consultant's day rate from a date on; the rate in force on a day is the latest one
    starting on or before it. Rates are history: kept, never edited away."""

    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="rates")
    amount = models.DecimalField(max_digits=9, decimal_places=2, help_text="EUR per day.")
    valid_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultant", "-valid_from"]
        get_latest_by = "valid_from"
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "valid_from"], name="day_rate_one_per_start",
                violation_error_message="This consultant already has a rate from that date.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="day_rate_positive",
                violation_error_message="A day rate must be more than zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} EUR/day from {self.valid_from}"

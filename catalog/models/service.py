"""A PMO service of the catalog with its tiers, criteria, indicators and delivery roles."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import user_sees_everything

from ..choices import (
    PRICE_UNIT,
    SKILL_LEVELS,
    CriterionKind,
    Direction,
    Frequency,
    PricingBasis,
    Rating,
    Seniority,
    ServiceStatus,
    TierLevel,
    Typology,
)
from .taxonomy import Category, Certification, Role, Skill, ValueProcess


def choice_order(field: str, choices: type[models.TextChoices]) -> models.Case:
    """An ORDER BY expression following the declaration order of ``choices`` (a scale)."""
    return models.Case(
        *[models.When(**{field: value}, then=models.Value(rank))
          for rank, value in enumerate(choices.values)],
        default=models.Value(len(choices.values)),
        output_field=models.IntegerField(),
    )


class ServiceQuerySet(models.QuerySet):
    """Catalog visibility: PMO staff see every service; everyone else only published ones.

    Services are not owned by a tenant, so this replaces the tenant rule of
    ``stakeholders.tenancy.TenantQuerySet`` within the same ``for_user`` mechanism.
    """

    def published(self) -> "ServiceQuerySet":
        return self.filter(status=ServiceStatus.PUBLISHED)

    def for_user(self, user) -> "ServiceQuerySet":
        return self.all() if user_sees_everything(user) else self.published()


class Service(models.Model):
    """A PMO service the provider offers: what it is, how it is delivered and measured."""

    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True, help_text="Used in the catalog address.")
    summary = models.CharField(max_length=300, help_text="One or two sentences for the catalog.")
    description = models.TextField(help_text="What the client gets, in plain words.")
    typology = models.CharField(
        "PMI typology", max_length=20, choices=Typology.choices,
        help_text="Supportive, controlling or directive: how much control the PMO exercises.",
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT, editable=False
    )
    typical_duration_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(520)],
        help_text="Typical length of an engagement; leave empty for an ongoing service.",
    )
    pricing_basis = models.CharField(max_length=30, choices=PricingBasis.choices)
    pricing_notes = models.CharField(
        max_length=300, blank=True, help_text="E.g. what is billed separately."
    )
    value_processes = models.ManyToManyField(ValueProcess, related_name="services", blank=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[value_processes])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="service_name_unique_ci",
                violation_error_message="A service with this name already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(typology__in=Typology.values), name="service_typology_valid",
                violation_error_message="Unknown PMI typology.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ServiceStatus.values), name="service_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(pricing_basis__in=PricingBasis.values),
                name="service_pricing_basis_valid",
                violation_error_message="Unknown pricing basis.",
            ),
            models.CheckConstraint(
                condition=models.Q(typical_duration_weeks__isnull=True)
                | models.Q(typical_duration_weeks__gte=1, typical_duration_weeks__lte=520),
                name="service_duration_range",
                violation_error_message="Typical duration must be between 1 and 520 weeks.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ServiceStatus.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name="service_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == ServiceStatus.PUBLISHED

    @property
    def price_unit(self) -> str:
        return PRICE_UNIT.get(self.pricing_basis, "")


class ServiceTier(models.Model):
    """A service level: what it includes and what the provider commits to at that level."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="tiers")
    level = models.CharField(max_length=20, choices=TierLevel.choices)
    headline = models.CharField(max_length=160, blank=True, help_text="One line: who it suits.")
    includes = models.TextField(help_text="What is included, one item per line.")
    commitments = models.TextField(
        help_text="Service-level commitments (response times, cadence...), one per line."
    )
    price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Indicative price in euros, per the service's pricing basis; empty = on quote.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["service", choice_order("level", TierLevel)]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "level"], name="service_tier_level_unique",
                violation_error_message="This service already has a tier at this level.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=TierLevel.values), name="service_tier_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="service_tier_price_not_negative",
                violation_error_message="A price cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.get_level_display()}"

    @property
    def included_items(self) -> list[str]:
        return _lines(self.includes)

    @property
    def commitment_items(self) -> list[str]:
        return _lines(self.commitments)


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


class Criterion(models.Model):
    """An entry, acceptance or exit criterion of a service, in the order it is listed."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=20, choices=CriterionKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "criteria"
        ordering = ["service", choice_order("kind", CriterionKind), "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CriterionKind.values), name="criterion_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


class Indicator(models.Model):
    """A metric or KPI definition of a service; later issues record measurements against it.

    Ratings: with higher-is-better, a value at or above ``green_threshold`` is green and one
    below ``red_threshold`` is red; with lower-is-better, at or below green is green and above
    red is red. Anything in between is amber.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=160)
    measures = models.CharField("what it measures", max_length=400)
    formula = models.CharField("formula in words", max_length=400)
    unit = models.CharField(max_length=30, help_text="E.g. %, days, count, EUR.")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    green_threshold = models.DecimalField(max_digits=14, decimal_places=4)
    red_threshold = models.DecimalField(max_digits=14, decimal_places=4)
    frequency = models.CharField(
        "measurement frequency", max_length=20, choices=Frequency.choices
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                "service", Lower("name"), name="indicator_name_unique_per_service",
                violation_error_message="This service already has an indicator with this name.",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="indicator_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values), name="indicator_frequency_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(direction=Direction.HIGHER_IS_BETTER,
                             green_threshold__gte=models.F("red_threshold"))
                    | models.Q(direction=Direction.LOWER_IS_BETTER,
                               green_threshold__lte=models.F("red_threshold"))
                ),
                name="indicator_thresholds_ordered",
                violation_error_message=(
                    "Thresholds are out of order: when higher is better the green threshold must "
                    "be at or above the red one; when lower is better, at or below it."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.name}"

    def rating(self, value: Decimal) -> Rating:
        """Green, amber or red for a measured ``value`` (see the class docstring)."""
        if self.direction == Direction.HIGHER_IS_BETTER:
            if value >= self.green_threshold:
                return Rating.GREEN
            return Rating.RED if value < self.red_threshold else Rating.AMBER
        if value <= self.green_threshold:
            return Rating.GREEN
        return Rating.RED if value > self.red_threshold else Rating.AMBER


class ServiceRole(models.Model):
    """A role involved in delivering a service and the profile it needs."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="roles")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="service_roles")
    seniority = models.CharField(max_length=20, choices=Seniority.choices)
    typical_allocation_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of a full-time person the role typically takes (1-100).",
    )
    responsibilities = models.CharField(max_length=400, blank=True)
    certifications = models.ManyToManyField(
        Certification, blank=True, related_name="service_roles",
        help_text="Certifications the profile asks for (any one of them is welcome).",
    )
    skills = models.ManyToManyField(Skill, through="ServiceRoleSkill", related_name="service_roles")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "service role"
        ordering = ["service", "-typical_allocation_percent", "role__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "role"], name="service_role_unique",
                violation_error_message="This role is already listed for this service.",
            ),
            models.CheckConstraint(
                condition=models.Q(seniority__in=Seniority.values),
                name="service_role_seniority_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(typical_allocation_percent__gte=1,
                                   typical_allocation_percent__lte=100),
                name="service_role_allocation_range",
                violation_error_message="Typical allocation must be between 1 and 100%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} for {self.service}"


class ServiceRoleSkill(models.Model):
    """A skill a role's profile needs, with the minimum proficiency (1-5)."""

    service_role = models.ForeignKey(
        ServiceRole, on_delete=models.CASCADE, related_name="skill_requirements"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="requirements")
    minimum_level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SKILL_LEVELS[0]), MaxValueValidator(SKILL_LEVELS[-1])],
        help_text="1 = awareness, 3 = practitioner, 5 = expert.",
    )

    class Meta:
        verbose_name = "required skill"
        ordering = ["-minimum_level", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_role", "skill"], name="service_role_skill_unique",
                violation_error_message="This skill is already required for this role.",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_level__gte=SKILL_LEVELS[0],
                                   minimum_level__lte=SKILL_LEVELS[-1]),
                name="service_role_skill_level_range",
                violation_error_message="Minimum level must be between 1 and 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.minimum_level}"

"""Applications of a client's portfolio, their TIME assessment and their dependencies."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from simple_history.models import HistoricalRecords

from stakeholders.tenancy import SharedQuerySet, TenantQuerySet

from .. import classification
from ..choices import Criticality, DependencyKind, Fit, Hosting, Lifecycle, TimeClass

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "Use letters, digits, dots, hyphens and underscores, starting with a letter or digit.",
)
FIT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class Technology(models.Model):
    """A technology applications are built on (Java, PostgreSQL, SAP, ...): shared vocabulary."""

    name = models.CharField(max_length=60)

    objects = SharedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "technologies"
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="technology_name_unique_ci",
                violation_error_message="This technology already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationQuerySet(TenantQuerySet):
    def with_classification(self) -> "ApplicationQuerySet":
        """Annotate the computed and final TIME class and the fan-in, in SQL.

        Fan-in (the "blast radius") counts the dependencies pointing at the application; a
        subquery, so it does not multiply rows when other joins are added.
        """
        incoming = (
            ApplicationDependency.objects.filter(target=OuterRef("pk"))
            .order_by().values("target").annotate(total=Count("pk")).values("total")
        )
        return self.annotate(
            time_computed_value=classification.time_class_expression(),
            fan_in_value=Coalesce(Subquery(incoming, output_field=models.IntegerField()), 0),
        ).annotate(time_class_value=classification.final_time_class_expression())

    def in_time_class(self, time: str) -> "ApplicationQuerySet":
        """Applications whose *final* class (override, else computed) is ``time``."""
        overridden = models.Q(time_override=time)
        computed = models.Q(time_override="") & classification.time_class_filter(time)
        return self.filter(overridden | computed)


class Application(models.Model):
    """An information system of a client organization: what it is, who owns it, what it costs,
    and how well it serves the business (functional fit) and IT (technical fit).
    """

    organization = models.ForeignKey(
        "stakeholders.Organization", on_delete=models.PROTECT, related_name="applications"
    )
    name = models.CharField(max_length=150)
    code = models.CharField(
        max_length=30, validators=[code_validator],
        help_text="Short identifier, unique within the organization (e.g. HR-PAY).",
    )
    description = models.TextField(blank=True)
    business_owner = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="business_owned_applications",
    )
    technical_owner = models.ForeignKey(
        "stakeholders.Stakeholder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="technically_owned_applications",
    )
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.IN_PRODUCTION
    )
    criticality = models.CharField(
        "business criticality", max_length=20, choices=Criticality.choices,
        default=Criticality.MEDIUM,
    )
    functional_fit = models.PositiveSmallIntegerField(
        choices=Fit.choices, null=True, blank=True, validators=FIT_VALIDATORS,
        help_text="How well it supports the business (1-4); empty until assessed.",
    )
    technical_fit = models.PositiveSmallIntegerField(
        choices=Fit.choices, null=True, blank=True, validators=FIT_VALIDATORS,
        help_text="How sound its technology is (1-4); empty until assessed.",
    )
    time_override = models.CharField(
        "TIME override", max_length=20, choices=TimeClass.choices, blank=True,
        help_text="PMO staff only: replaces the computed TIME class; needs a rationale.",
    )
    time_override_rationale = models.TextField("override rationale", blank=True)
    time_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    time_overridden_at = models.DateTimeField(null=True, blank=True, editable=False)
    annual_run_cost = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Yearly cost to run (licences, hosting, support), in the contract currency.",
    )
    user_count = models.PositiveIntegerField("number of users", null=True, blank=True)
    hosting = models.CharField(max_length=20, choices=Hosting.choices, blank=True)
    technologies = models.ManyToManyField(Technology, blank=True, related_name="applications")
    vendor = models.CharField(max_length=150, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[technologies])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("code"), name="application_code_unique_per_organization",
                violation_error_message="Another application of this organization has this code.",
            ),
            models.CheckConstraint(
                condition=(models.Q(functional_fit__isnull=True)
                           | models.Q(functional_fit__gte=1, functional_fit__lte=4))
                & (models.Q(technical_fit__isnull=True)
                   | models.Q(technical_fit__gte=1, technical_fit__lte=4)),
                name="application_fits_1_to_4",
                violation_error_message="Fits are on a scale of 1 to 4.",
            ),
            models.CheckConstraint(
                condition=models.Q(time_override="")
                | (models.Q(time_override__in=TimeClass.values)
                   & ~models.Q(time_override_rationale="")),
                name="application_override_has_rationale",
                violation_error_message="A TIME override needs a written rationale.",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_run_cost__isnull=True)
                | models.Q(annual_run_cost__gte=0),
                name="application_run_cost_not_negative",
                violation_error_message="The annual run cost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(lifecycle__in=Lifecycle.values)
                & models.Q(criticality__in=Criticality.values),
                name="application_lifecycle_criticality_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "lifecycle"]),
            # The lists' default order (name, id), for PMO staff and within one client: the
            # page's 25 rows come off the index, and their joins run for those rows only.
            models.Index(fields=["name", "id"], name="application_name_id"),
            models.Index(
                fields=["organization", "name", "id"], name="application_org_name_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def time_computed(self) -> TimeClass | None:
        return classification.time_class(self.functional_fit, self.technical_fit)

    @property
    def time_class(self) -> TimeClass | None:
        return classification.final_time_class(self.time_override, self.time_computed)


class ApplicationDependencyQuerySet(TenantQuerySet):
    tenant_field = "source__organization"


class ApplicationDependency(models.Model):
    """``source`` depends on ``target``: when the target fails or changes, the source is hit.

    Cycles are allowed (real portfolios have them) and reported by the selectors.
    """

    source = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="dependencies"
    )
    target = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="dependents"
    )
    kind = models.CharField(max_length=20, choices=DependencyKind.choices)
    description = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationDependencyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["source__name", "target__name", "kind"]
        verbose_name_plural = "application dependencies"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")),
                name="dependency_not_on_itself",
                violation_error_message="An application cannot depend on itself.",
            ),
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="dependency_unique_per_kind",
                violation_error_message="This dependency is already recorded.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DependencyKind.values),
                name="dependency_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code} ({self.get_kind_display()})"

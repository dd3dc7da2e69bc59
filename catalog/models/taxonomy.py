"""Shared taxonomies of the catalog: value processes, categories, skills, roles, certifications.

These are managed by PMO staff once and reused by every service (and, later, by consultants
and staffing needs). They carry no tenant data, so everyone may read them.
"""

from django.db import models
from django.db.models.functions import Lower

from stakeholders.tenancy import SharedQuerySet

from ..choices import SkillCategory


def _unique_name(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        Lower("name"),
        name=f"{model}_name_unique_ci",
        violation_error_message=f"A {model.replace('_', ' ')} with this name already exists.",
    )


class NamedTaxonomy(models.Model):
    """A named, slugged entry of a staff-managed list."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ValueProcess(NamedTaxonomy):
    """A client process a PMO service contributes value to (demand management, planning...)."""

    class Meta(NamedTaxonomy.Meta):
        verbose_name = "value process"
        verbose_name_plural = "value processes"
        constraints = [_unique_name("value_process")]


class Category(NamedTaxonomy):
    """A shelf of the catalog (governance, delivery support, capability building...)."""

    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first in filters."
    )

    class Meta(NamedTaxonomy.Meta):
        verbose_name_plural = "categories"
        ordering = ["position", "name"]
        constraints = [_unique_name("category")]


class Skill(NamedTaxonomy):
    """One entry of the single skills taxonomy used by role profiles and, later, consultants."""

    category = models.CharField(max_length=20, choices=SkillCategory.choices)

    class Meta(NamedTaxonomy.Meta):
        constraints = [
            _unique_name("skill"),
            models.CheckConstraint(
                condition=models.Q(category__in=SkillCategory.values), name="skill_category_valid"
            ),
        ]


class Role(NamedTaxonomy):
    """A delivery role (PMO lead, project manager, PMO analyst, agile coach...)."""

    class Meta(NamedTaxonomy.Meta):
        constraints = [_unique_name("role")]


class Certification(models.Model):
    """A professional certification (PMP, PRINCE2, PSM...) a profile may ask for."""

    code = models.CharField(max_length=30, help_text="Short name, e.g. PMP.")
    name = models.CharField(max_length=160)
    issuer = models.CharField(max_length=120, blank=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="certification_code_unique_ci",
                violation_error_message="A certification with this code already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.code

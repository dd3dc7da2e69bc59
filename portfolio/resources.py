"""Bulk import and export of the applications portfolio (django-import-export): applications
and their dependencies, per client organization.

The shared behaviour (organization by name, one error per bad row with its column, records
named twice in a file refused, all-or-nothing) is described in ``stakeholders.resources``.
Here:

- Applications are identified by organization and code (any letter case): re-importing a
  file updates them. Owners are stakeholders of the same organization, by e-mail.
  Technologies are a "; "-separated list of names, matched to the shared vocabulary without
  regard to case; new names join it. The TIME override is not imported: staff set it in the
  admin with its rationale. Computed columns (TIME classes, fan-in) are exported only.
- Dependencies are identified by organization, source code, target code and kind. Both ends
  must be applications of the row's organization: a dependency never links two clients.
"""

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from stakeholders.models import Organization
from stakeholders.resources import (
    ChoiceWidget,
    OrganizationResource,
    OrganizationScopedWidget,
    OrganizationWidget,
    StakeholderEmailWidget,
    choice_column,
    computed_column,
    text_column,
)

from .choices import Criticality, DependencyKind, Hosting, Lifecycle
from .models import Application, ApplicationDependency, Technology
from .selectors import application_dependency_list, application_list
from .services import application_technology_names, technologies_named

TECHNOLOGY_SEPARATOR = ";"
DEPENDENCY_KIND = ChoiceWidget(DependencyKind)  # reads a kind cell: value or label


class TechnologiesWidget(widgets.ManyToManyWidget):
    """Technology names separated by ";" (exported as "; "); unknown names are added to the
    shared vocabulary, known ones matched without regard to case."""

    def __init__(self):
        super().__init__(Technology, separator=TECHNOLOGY_SEPARATOR, field="name")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value)
        # The service's cleaning: trimmed, de-duplicated, short names, a bounded list.
        return technologies_named(application_technology_names(text.split(TECHNOLOGY_SEPARATOR)))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{TECHNOLOGY_SEPARATOR} ".join(technology.name for technology in value.all())


class ApplicationCodeWidget(OrganizationScopedWidget):
    """An application of the row's organization, by code (the ends of a dependency)."""

    def __init__(self):
        super().__init__(Application, field="code")

    def lookup(self, organization: Organization, text: str) -> Application:
        application = Application.objects.filter(
            organization=organization, code__iexact=text
        ).first()
        if application is not None:
            return application
        elsewhere = (
            Application.objects.filter(code__iexact=text).select_related("organization")
            .order_by("organization__name").first()
        )
        if elsewhere is not None:
            raise ValueError(
                f"{text} is an application of {elsewhere.organization}, not of "
                f"{organization}: a dependency links applications of one organization."
            )
        raise ValueError(f"{organization} has no application with the code {text}.")


def integer_column(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widgets.IntegerWidget())


class ApplicationResource(OrganizationResource):
    """Applications, identified by organization and code."""

    code = text_column("code")
    name = text_column("name")
    description = text_column("description")
    lifecycle = choice_column("lifecycle", Lifecycle)
    criticality = choice_column("criticality", Criticality)
    functional_fit = integer_column("functional_fit")
    technical_fit = integer_column("technical_fit")
    business_owner = fields.Field(
        attribute="business_owner", column_name="business_owner",
        widget=StakeholderEmailWidget(),
    )
    technical_owner = fields.Field(
        attribute="technical_owner", column_name="technical_owner",
        widget=StakeholderEmailWidget(),
    )
    annual_run_cost = fields.Field(
        attribute="annual_run_cost", column_name="annual_run_cost",
        widget=widgets.DecimalWidget(),
    )
    user_count = integer_column("user_count")
    hosting = choice_column("hosting", Hosting, allow_blank=True)
    technologies = fields.Field(
        attribute="technologies", column_name="technologies", widget=TechnologiesWidget(),
        m2m_add=False,
    )
    vendor = text_column("vendor")
    contract_end = fields.Field(
        attribute="contract_end", column_name="contract_end", widget=widgets.DateWidget()
    )
    time_computed = computed_column("time_computed")
    time_override = computed_column("time_override")
    time_class = computed_column("time_class")
    fan_in = computed_column("fan_in")

    identity_columns = ("code",)

    class Meta:
        model = Application
        fields = (
            "organization", "code", "name", "description", "lifecycle", "criticality",
            "functional_fit", "technical_fit", "business_owner", "technical_owner",
            "annual_run_cost", "user_count", "hosting", "technologies", "vendor",
            "contract_end", "time_computed", "time_override", "time_class", "fan_in",
        )
        import_id_fields = ("organization", "code")
        export_order = fields

    def get_queryset(self):
        return application_list().order_by("organization__name", "code", "id")

    def find_existing(self, organization: Organization, row) -> Application | None:
        code = self.row_text(row, "code")
        if not code:
            return None
        return Application.objects.filter(organization=organization, code__iexact=code).first()

    # Computed columns: the annotations of the export queryset (application_list and the
    # admin's list both annotate them), else the model's properties.

    def dehydrate_time_computed(self, application: Application) -> str:
        value = getattr(application, "time_computed_value", None)
        computed = application.time_computed
        return value or (computed.value if computed else "")

    def dehydrate_time_override(self, application: Application) -> str:
        return application.time_override

    def dehydrate_time_class(self, application: Application) -> str:
        value = getattr(application, "time_class_value", None)
        final = application.time_class
        return value or (final.value if final else "")

    def dehydrate_fan_in(self, application: Application) -> int:
        value = getattr(application, "fan_in_value", None)
        if value is None:
            value = application.dependents.count()
        return value

    def save_m2m(self, instance, row, **kwargs):
        # Technology names are checked by the service's rule; a bad list is this row's error.
        try:
            super().save_m2m(instance, row, **kwargs)
        except ValidationError as error:
            raise ValidationError({"technologies": error.messages}) from error


class ApplicationDependencyResource(OrganizationResource):
    """Dependencies (source depends on target), identified by organization, both codes and
    kind."""

    # The dependency has no organization of its own: the column scopes the lookup of both
    # ends (see import_field) and is exported from the source's.
    organization = fields.Field(
        attribute="source__organization", column_name="organization",
        widget=OrganizationWidget(),
    )
    source = fields.Field(attribute="source", column_name="source",
                          widget=ApplicationCodeWidget())
    target = fields.Field(attribute="target", column_name="target",
                          widget=ApplicationCodeWidget())
    kind = choice_column("kind", DependencyKind)
    description = text_column("description")

    identity_columns = ("source", "target", "kind")

    class Meta:
        model = ApplicationDependency
        fields = ("organization", "source", "target", "kind", "description")
        import_id_fields = ("organization", "source", "target", "kind")
        export_order = fields

    def get_queryset(self):
        return application_dependency_list()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "organization":
            return  # read by row_organization(); never written onto the source
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def find_existing(self, organization: Organization, row):
        codes = {column: self.row_text(row, column) for column in ("source", "target")}
        kind = DEPENDENCY_KIND.clean(row.get("kind"))
        if not all(codes.values()) or not kind:
            return None
        return ApplicationDependency.objects.filter(
            source__organization=organization, source__code__iexact=codes["source"],
            target__code__iexact=codes["target"], kind=kind,
        ).first()

    def duplicate_error(self, first: int, organization: Organization, row) -> dict[str, str]:
        source, target = self.row_text(row, "source"), self.row_text(row, "target")
        kind = DEPENDENCY_KIND.clean(row.get("kind"))
        kind = DependencyKind(kind).label.lower() if kind in DependencyKind.values else kind
        return {"target": (
            f"Row {first} of this file already records that {source} depends on {target} "
            f"({kind}); each dependency may appear once."
        )}

    def row_identity(self, organization: Organization, row) -> tuple | None:
        identity = super().row_identity(organization, row)
        if identity is None:
            return None
        # The kind may be written as its value or its label: compare the stored value.
        return (*identity[:-1], DEPENDENCY_KIND.clean(row.get("kind")))

"""Bulk import and export of the stakeholder register (django-import-export), and the pieces
every import of organization-owned records shares (the portfolio's resources build on them).

How an import behaves, whatever the records:

- The ``organization`` column names the client organization (case-insensitive); the records a
  row refers to (owners, applications) are looked up within that organization only.
- ``identity_columns`` identify a record within its organization (an application's code, a
  stakeholder's e-mail): re-importing a file updates those records instead of duplicating
  them, and a file naming the same record twice is refused on the repeated row.
- Every refusal is an error of its row, with the column it concerns: unknown names, the
  model's validation and its database constraints (``full_clean`` checks them all).
- All or nothing: one bad row and nothing is imported. The admin's first step is a dry run
  that shows the preview and the errors; only a clean file can be confirmed.
- Choice columns take the stored value (``key_user``) or its label (``Key user``); exports
  write the stored value so a file can be edited and imported back.
"""

from django.core.exceptions import ValidationError
from django.db import models
from import_export import fields, resources, widgets

from .choices import EngagementLevel, Relationship
from .models import Organization, Stakeholder, User
from .signals import announce_inputs_changed, inputs_changed_deferred, send_deferred


class ChoiceWidget(widgets.Widget):
    """A choice column: the stored value or its label, in any letter case.

    An empty cell gives ``""`` when the field may be blank, otherwise ``None`` (with
    ``saves_null_values=False`` on the field, the record keeps its current value, i.e. the
    model's default for a new record). Unknown values are passed on so that ``full_clean``
    reports them with the valid choices.
    """

    def __init__(self, choices: type[models.Choices], *, allow_blank: bool = False):
        super().__init__()
        self.allow_blank = allow_blank
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[str(value).casefold()] = value
            self.lookup[str(label).casefold()] = value

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return "" if self.allow_blank else None
        return self.lookup.get(text.casefold(), text)


class OrganizationWidget(widgets.ForeignKeyWidget):
    """The organization, matched by name without regard to letter case."""

    def __init__(self):
        super().__init__(Organization, field="name")

    def clean(self, value, row=None, **kwargs):
        name = "" if value is None else str(value).strip()
        if not name:
            return None  # full_clean says the organization is required
        organization = Organization.objects.filter(name__iexact=name).first()
        if organization is None:
            raise ValueError(f"No organization is named “{name}”.")
        return organization


class OrganizationScopedWidget(widgets.ForeignKeyWidget):
    """A related record looked up by one of its columns within the row's organization.

    The resource hands itself over (``bind``) so the row's organization is resolved once.
    Without a known organization the cell is left empty: the row already has an error on its
    ``organization`` column, and a second one would only repeat it.
    """

    resource: "OrganizationResource"

    def bind(self, resource: "OrganizationResource") -> None:
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        organization = self.resource.row_organization(row)
        if not text or organization is None:
            return None
        return self.lookup(organization, text)

    def lookup(self, organization: Organization, text: str):
        raise NotImplementedError


class StakeholderEmailWidget(OrganizationScopedWidget):
    """A stakeholder of the row's organization, by e-mail (owners, requesters)."""

    def __init__(self):
        super().__init__(Stakeholder, field="email")

    def lookup(self, organization: Organization, text: str) -> Stakeholder:
        stakeholder = Stakeholder.objects.filter(
            organization=organization, email__iexact=text
        ).first()
        if stakeholder is None:
            raise ValueError(f"{organization} has no stakeholder with the e-mail {text}.")
        return stakeholder


class StaffEmailWidget(widgets.ForeignKeyWidget):
    """An active PMO staff member, by e-mail (who owns a relationship)."""

    def __init__(self):
        super().__init__(User, field="email")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        user = User.objects.filter(email__iexact=text, is_staff=True, is_active=True).first()
        if user is None:
            raise ValueError(f"No active PMO staff member has the e-mail {text}.")
        return user


def text_column(name: str, **options) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widgets.CharWidget(), **options)


def choice_column(name: str, choices: type[models.Choices], *, allow_blank: bool = False):
    return fields.Field(
        attribute=name, column_name=name, widget=ChoiceWidget(choices, allow_blank=allow_blank),
        saves_null_values=allow_blank,
    )


def computed_column(name: str) -> fields.Field:
    """An export-only column (a computed value); ignored on import."""
    return fields.Field(column_name=name, readonly=True)


class OrganizationResource(resources.ModelResource):
    """Base of the imports of records owned by a client organization (see the module doc)."""

    organization = fields.Field(
        attribute="organization", column_name="organization", widget=OrganizationWidget()
    )

    # The columns identifying a record within its organization, for duplicate rows.
    identity_columns: tuple[str, ...] = ()

    class Meta:
        clean_model_instances = True  # full_clean: field validation and model constraints
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, OrganizationScopedWidget):
                field.widget.bind(self)
        self._organizations: dict[str, Organization | None] = {}
        self._rows_by_identity: dict[tuple, int] = {}

    # --- Importing ---

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        """As django-import-export's, but a row with a validation error rolls back the whole
        file by default: a half-imported portfolio is worse than none."""
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors,
            use_transactions=use_transactions, collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors, **kwargs,
        )

    def before_import(self, dataset, **kwargs):
        self._organizations.clear()
        self._rows_by_identity.clear()
        super().before_import(dataset, **kwargs)

    def row_organization(self, row) -> Organization | None:
        """The organization the row names, or None when it names none that exists."""
        name = str(row.get("organization") or "").strip()
        key = name.casefold()
        if key not in self._organizations:
            self._organizations[key] = (
                Organization.objects.filter(name__iexact=name).first() if name else None
            )
        return self._organizations[key]

    def row_text(self, row, column: str) -> str:
        value = row.get(column)
        return "" if value is None else str(value).strip()

    def get_instance(self, instance_loader, row):
        organization = self.row_organization(row)
        if organization is None:
            return None
        return self.find_existing(organization, row)

    def find_existing(self, organization: Organization, row):
        """The record this row updates, or None when it creates one."""
        raise NotImplementedError

    def import_instance(self, instance, row, **kwargs):
        organization = self.row_organization(row)
        if organization is None:
            name = self.row_text(row, "organization")
            raise ValidationError({"organization": (
                f"No organization is named “{name}”." if name else "Name the organization."
            )})
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for column, message in self.row_identity_errors(organization, row, **kwargs).items():
            errors.setdefault(column, []).append(message)
        if errors:
            raise ValidationError(errors)

    def row_identity_errors(self, organization: Organization, row, **kwargs) -> dict[str, str]:
        """Column -> message when the row names a record an earlier row already named."""
        identity = self.row_identity(organization, row)
        if identity is None:
            return {}
        first = self._rows_by_identity.setdefault(identity, kwargs["row_number"])
        if first == kwargs["row_number"]:
            return {}
        return self.duplicate_error(first, organization, row)

    def duplicate_error(self, first: int, organization: Organization, row) -> dict[str, str]:
        column = self.identity_columns[-1]
        return {column: (
            f"Row {first} of this file already has this {column.replace('_', ' ')} "
            f"({self.row_text(row, column)}) for {organization}; each record may appear once."
        )}

    def row_identity(self, organization: Organization, row) -> tuple | None:
        """The key of the record the row is about, to catch a record named twice."""
        values = tuple(self.row_text(row, column).casefold() for column in self.identity_columns)
        if not all(values):
            return None
        return (organization.pk, *values)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Without a known organization every lookup of the row is meaningless: report that
        # one problem rather than a cascade of "this field is required".
        if import_validation_errors and "organization" in import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        # History (django-simple-history) names the importing user, in the admin and from code.
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]
        super().before_save_instance(instance, row, **kwargs)

    def get_import_fields(self):
        """Export-only columns (computed values) are not imported, nor shown as importable."""
        return [field for field in super().get_import_fields() if not field.readonly]


class StakeholderResource(OrganizationResource):
    """Stakeholders, identified by organization and e-mail.

    A new stakeholder gets its first engagement assessment, and an updated one whose current or
    desired engagement changed gets a new one (by the importing user), as when staff edit the
    register: the engagement history is never missing a step.
    """

    full_name = text_column("full_name")
    email = text_column("email")
    title = text_column("title")
    unit = text_column("unit")
    phone = text_column("phone")
    relationship = choice_column("relationship", Relationship)
    power = fields.Field(attribute="power", column_name="power", widget=widgets.IntegerWidget())
    interest = fields.Field(
        attribute="interest", column_name="interest", widget=widgets.IntegerWidget()
    )
    current_engagement = choice_column("current_engagement", EngagementLevel)
    desired_engagement = choice_column("desired_engagement", EngagementLevel)
    relationship_owner = fields.Field(
        attribute="relationship_owner", column_name="relationship_owner",
        widget=StaffEmailWidget(),
    )
    notes = text_column("notes")
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=widgets.BooleanWidget(),
        saves_null_values=False,
    )
    quadrant = computed_column("quadrant")
    engagement_gap = computed_column("engagement_gap")

    identity_columns = ("email",)

    class Meta:
        model = Stakeholder
        fields = (
            "organization", "full_name", "email", "title", "unit", "phone", "relationship",
            "power", "interest", "current_engagement", "desired_engagement",
            "relationship_owner", "notes", "is_active", "quadrant", "engagement_gap",
        )
        import_id_fields = ("organization", "email")
        export_order = fields

    def get_queryset(self):
        return Stakeholder.objects.with_classification().select_related(
            "organization", "relationship_owner"
        ).order_by("organization__name", "full_name", "id")

    def dehydrate_quadrant(self, stakeholder: Stakeholder) -> str:
        return stakeholder.quadrant.value

    def dehydrate_engagement_gap(self, stakeholder: Stakeholder) -> int:
        return stakeholder.engagement_gap

    def import_data(self, dataset, *args, **kwargs):
        """Every row's change is announced to the apps reading the register once, for all
        the organizations of the file, at the end of the import's transaction."""
        with inputs_changed_deferred():
            return super().import_data(dataset, *args, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # A preview, or a file with a bad row, is rolled back whole: nothing to announce.
        if not (self._is_dry_run(kwargs) or result.has_errors()
                or result.has_validation_errors()):
            send_deferred(sender=Stakeholder)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if kwargs.get("user") is None:
            # Engagement assessments name their assessor; an anonymous import cannot.
            raise ValueError(
                "Importing stakeholders records engagement assessments: pass the importing "
                "user (import_data(..., user=...))."
            )

    def find_existing(self, organization: Organization, row) -> Stakeholder | None:
        email = self.row_text(row, "email")
        if not email:
            return None
        return Stakeholder.objects.filter(organization=organization, email__iexact=email).first()

    def row_identity_errors(self, organization: Organization, row, **kwargs) -> dict[str, str]:
        if not self.row_text(row, "email"):
            return {"email": "Give the stakeholder's e-mail: it identifies them in imports."}
        return super().row_identity_errors(organization, row, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        # Remember the engagement before the row changes it, to know whether it was reassessed.
        instance._engagement_before_import = (
            None if new else (instance.current_engagement, instance.desired_engagement)
        )
        super().after_init_instance(instance, new, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        from .services import engagement_assess

        super().after_save_instance(instance, row, **kwargs)
        announce_inputs_changed(sender=Stakeholder, organization_ids=[instance.organization_id])
        engagement = (instance.current_engagement, instance.desired_engagement)
        if getattr(instance, "_engagement_before_import", None) == engagement:
            return
        file_name = kwargs.get("file_name")
        engagement_assess(
            stakeholder=instance, actor=kwargs["user"], current=engagement[0],
            desired=engagement[1],
            note=f"Imported from {file_name}." if file_name else "Imported.",
        )

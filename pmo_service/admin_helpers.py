"""Helpers shared by the apps' admin packages (plumbing: no app imports here)."""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .exceptions import ConflictError


def error_text(error: ConflictError | ValidationError) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def apply_each(
    model_admin: admin.ModelAdmin,
    request,
    objects: Iterable,
    apply: Callable,
    *,
    done: str,
    label: Callable[[object], str] | None = None,
) -> None:
    """Run a service on each object; report the successes together and each refusal apart.

    Each service call is its own transaction, so one refusal does not undo the others.
    ``label`` names the object in a refusal whose message does not name it already.
    """
    succeeded = 0
    for obj in objects:
        try:
            apply(obj)
        except (ConflictError, ValidationError) as error:
            text = error_text(error)
            model_admin.message_user(
                request, f"{label(obj)}: {text}" if label else text, messages.ERROR
            )
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done.format(count=succeeded), messages.SUCCESS)


class ServiceModelForm(forms.ModelForm):
    """An admin form whose record is written by a service, where the rules live.

    After the form's own validation, the service call is rehearsed in a savepoint that is
    rolled back, so the service's refusals (a date in the future, a record of another
    organization, a demand past approval) show on the page like any other error. The admin's
    ``save_model`` then makes the call for real, once the inlines are valid too: saving from
    ``clean()`` would commit the record even when an inline sends the page back with errors.
    """

    service_admin: "ServiceAdminMixin"  # set per request by ServiceAdminMixin.get_form
    actor = None

    def service_data(self) -> dict:
        """The cleaned values of the form's fields, as the service's keyword arguments."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def stored_instance(self):
        """The record as stored (None on an add page): services compare against it."""
        if self.instance._state.adding:
            return None
        return type(self.instance)._default_manager.get(pk=self.instance.pk)

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            with transaction.atomic():
                self.service_admin.save_through_service(
                    actor=self.actor, instance=self.stored_instance(), data=self.service_data()
                )
                transaction.set_rollback(True)
        except ValidationError as error:
            self._add_service_error(error)
        except (ConflictError, PermissionDenied) as error:
            self.add_error(None, str(error))

    def _add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field in self.fields:
                self.add_error(field, errors)
            else:  # a rule about a field shown read-only here
                self.add_error(None, [f"{field.replace('_', ' ').capitalize()}: {message}"
                                      for item in errors for message in item.messages])


class ServiceAdminMixin:
    """A model admin whose saves are service calls (see :class:`ServiceModelForm`).

    Subclasses implement ``save_through_service(actor=, instance=, data=)``: ``instance`` is
    the stored record (None to create one), ``data`` the form's cleaned values; it returns the
    saved record. Many-to-many fields of the form are the service's to save; inlines are
    saved by their formsets as usual.
    """

    form = ServiceModelForm

    def save_through_service(self, *, actor, instance, data: dict):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # get_form builds a new class per request, so these stay with this request.
        form.service_admin = self
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        saved = self.save_through_service(
            actor=request.user, instance=form.stored_instance(), data=form.service_data()
        )
        # The admin goes on with ``obj`` (the inlines' parent, the log entry, the redirect).
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class StaffImportExportMixin(ImportExportMixin):
    """Bulk import and export in the admin (django-import-export), CSV and XLSX only.

    Importing needs the model's add and change permissions and exporting its view permission:
    on its own django-import-export lets anyone who reaches the admin do both.
    """

    formats = import_formats = export_formats = [CSV, XLSX]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


def foreign_rows(organization_id: int | None, rows: Iterable) -> list[str]:
    """The rows (by name) of ``rows`` that belong to another organization than the given one.

    Rows are organization-owned records: they have an ``organization_id`` attribute.
    """
    if organization_id is None:
        return []
    return [
        str(row) for row in rows
        if row is not None and row.organization_id != organization_id
    ]


class SameOrganizationInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows whose ``related_field`` (an organization-owned record) must belong to the
    parent's organization, e.g. the applications a demand is articulated on.

    The parent instance has its organization once the main form is valid (the admin validates
    the main form before the inlines), including on the add page. Staff pick records of any
    client in autocompletes; this catches a slip before it links two tenants' data.
    """

    related_field = ""

    def clean(self):
        super().clean()
        organization = getattr(self.instance, "organization", None)
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            related = form.cleaned_data.get(self.related_field)
            if organization is not None and foreign_rows(organization.pk, [related]):
                form.add_error(self.related_field, f"Not of {organization}: {related}.")
            elif form.has_changed() and self.instance.pk is not None:
                self._validate_constraints(form)

    @staticmethod
    def _validate_constraints(form) -> None:
        # Model forms leave out the constraints that involve the inline's foreign key (the
        # parent may not exist yet); on a saved parent they can be checked, so a row that
        # breaks one (a duplicate, a self-reference) is an error, not a database failure.
        try:
            form.instance.validate_constraints()
        except ValidationError as error:
            form.add_error(None, error.messages)


def admin_link(obj, text: str | None = None) -> str:
    """A link to ``obj``'s admin change page (its name by default)."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or str(obj))


def add_service_error(form: forms.BaseForm, error: Exception) -> None:
    """Show a service's refusal on ``form``: field errors beside their fields when the form
    has them, everything else above the form (or the inline row)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field in form.fields and field != NON_FIELD_ERRORS:
                form.add_error(field, errors)
            else:
                label = (
                    "" if field == NON_FIELD_ERRORS
                    else f"{field.replace('_', ' ').capitalize()}: "
                )
                form.add_error(None, [f"{label}{message}" for item in errors
                                      for message in item.messages])
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))


SERVICE_ERRORS = (ValidationError, ConflictError, PermissionDenied)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown for reference: recorded elsewhere, never edited on this page."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionCheckedFormMixin:
    """The admin form half of :class:`VersionCheckedAdminMixin` (mixed in per request).

    ``opened_version`` (hidden) is the record's version when the page was opened.
    """

    version_field = "version"
    opened_field = "opened_version"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(self.opened_field, getattr(self.instance, self.version_field))

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        opened = cleaned_data.get(self.opened_field)
        if opened is None:  # missing or tampered with; the field is hidden: say it above
            self._errors.pop(self.opened_field, None)
            self.add_error(None, "This page is out of date; reload it before saving.")
            return cleaned_data
        model = type(self.instance)
        # The admin saves in one transaction: the lock holds until this save commits, so a
        # second save of the same version waits here and then sees the raised version.
        current = (
            model._default_manager.select_for_update().filter(pk=self.instance.pk)
            .values_list(self.version_field, flat=True).first()
        )
        if current is not None and current != opened:
            self.add_error(None, stale_version_message(self.instance))
        return cleaned_data

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop(self.opened_field, None)  # the page's bookkeeping, not the record's
        return data


def stale_version_message(instance) -> str:
    """Who changed ``instance`` last and when (from its history, when it keeps one)."""
    history = getattr(instance, "history", None)
    latest = history.select_related("history_user").first() if history is not None else None
    name = instance._meta.verbose_name
    if latest is None:
        return f"This {name} was changed by someone else since you opened it; reload the page."
    who = latest.history_user or "someone else"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
    return (
        f"This {name} was changed by {who} at {when} since you opened it; reload the page to "
        "see their change, then make yours again. Nothing was saved."
    )


class VersionCheckedAdminMixin:
    """Change pages that refuse a save based on a stale version: no lost update.

    For models with a ``version`` their services raise on every change. The change form
    carries the version it was opened at in a hidden field; saving compares it, under a row
    lock, with the stored one and refuses with a form error naming who changed the record
    since. Place it before :class:`ServiceAdminMixin` in the bases.
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        # Here rather than in get_fieldsets, which admins override without calling super.
        adminform = context.get("adminform")
        name = VersionCheckedFormMixin.opened_field
        if obj is not None and adminform is not None and name in adminform.form.fields:
            hidden = (None, {"fields": [name], "classes": ["hidden"]})
            adminform.fieldsets = [*adminform.fieldsets, hidden]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            base = kwargs.get("form", self.form)
            field = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
            kwargs["form"] = type(
                f"VersionChecked{base.__name__}", (VersionCheckedFormMixin, base),
                {VersionCheckedFormMixin.opened_field: field},
            )
        return super().get_form(request, obj, change=change, **kwargs)

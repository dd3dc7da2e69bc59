"""Pieces shared by the engagements admin modules: inline rows written by services and the
culture-profile check of forms (links, read-only inlines and service errors are in
``pmo_service.admin_helpers``, shared by every app)."""

from collections.abc import Sequence

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction

from pmo_service.admin_helpers import SERVICE_ERRORS, add_service_error

from ..choices import CULTURE_TYPES


class ServiceInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows whose writes are service calls, so the rules the services guard (capacity,
    dates inside the engagement, who may write) hold on the admin pages too.

    ``clean()`` rehearses the calls (deletions first, then changes, then new rows, so freed
    capacity counts) in a savepoint that is rolled back, and puts each refusal on its row;
    ``save()``, run by the admin once the whole page is valid, makes them for real.
    Subclasses implement ``create_row``, ``update_row`` and, when rows can be deleted,
    ``delete_row``. On an add page the parent does not exist yet: rows are checked by their
    forms only, and the services still decide when they are saved.
    """

    actor = None  # set per request by ServiceInlineMixin.get_formset

    def create_row(self, form) -> object:
        raise NotImplementedError

    def update_row(self, form, stored, changes: dict) -> object:
        raise NotImplementedError

    def delete_row(self, form, stored) -> None:
        raise PermissionDenied("These rows cannot be deleted here.")

    # --- the calls, in order ---

    def _stored(self, form):
        return type(form.instance)._default_manager.get(pk=form.instance.pk)

    def _changes(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.changed_data
                if name in form.cleaned_data and name not in ("DELETE", "id")}

    def _planned(self) -> list[tuple[str, forms.Form]]:
        deleted = [("delete", form) for form in self.initial_forms
                   if self.can_delete and self._should_delete_form(form)]
        changed = [("update", form) for form in self.initial_forms
                   if not (self.can_delete and self._should_delete_form(form))
                   and form.has_changed()]
        added = [("create", form) for form in self.extra_forms
                 if form.has_changed() and not (self.can_delete and self._should_delete_form(form))]
        return [*deleted, *changed, *added]

    def _apply(self, kind: str, form) -> object:
        if kind == "delete":
            stored = self._stored(form)
            self.delete_row(form, stored)
            return stored
        if kind == "update":
            return self.update_row(form, self._stored(form), self._changes(form))
        return self.create_row(form)

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        with transaction.atomic():
            for kind, form in self._planned():
                try:
                    with transaction.atomic():
                        self._apply(kind, form)
                except SERVICE_ERRORS as error:
                    add_service_error(form, error)
            transaction.set_rollback(True)

    def save(self, commit: bool = True) -> list:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        saved = []
        for kind, form in self._planned():
            obj = self._apply(kind, form)
            if kind == "delete":
                self.deleted_objects.append(obj)
            elif kind == "update":
                self.changed_objects.append((obj, form.changed_data))
                saved.append(obj)
            else:
                self.new_objects.append(obj)
                saved.append(obj)
        return saved


class ServiceInlineMixin:
    """An inline whose formset is a :class:`ServiceInlineFormSet` acting for the request's user."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # a class built for this request only
        return formset


class ProfileFormMixin:
    """A model form with culture profiles (four fields ``<prefix>_<type>`` sharing 100 points).

    A profile that does not add up gets one error naming the profile and its actual total,
    instead of the database constraint's generic message (which is then not checked twice).
    """

    profile_prefixes: Sequence[tuple[str, str]] = ()  # (field prefix, label)

    def clean(self):
        cleaned_data = super().clean()
        self._bad_profiles = []
        for prefix, label in self.profile_prefixes:
            values = [cleaned_data.get(f"{prefix}_{kind}") for kind in CULTURE_TYPES]
            if any(value is None for value in values):
                continue  # a missing or invalid number already has its error
            total = sum(values)
            if total != 100:
                self._bad_profiles.append(prefix)
                self.add_error(None, (
                    f"{label}: clan, adhocracy, market and hierarchy must share exactly 100 "
                    f"points; they add up to {total:g}."
                ))
        return cleaned_data

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        for prefix in getattr(self, "_bad_profiles", ()):
            exclude.update(f"{prefix}_{kind}" for kind in CULTURE_TYPES)
        return exclude


def profile_fieldset(prefix: str, title: str, description: str) -> tuple[str, dict]:
    """An admin fieldset with the four types of a profile on one line."""
    return (title, {
        "description": description,
        "fields": [tuple(f"{prefix}_{kind}" for kind in CULTURE_TYPES)],
    })

"""The one tenant-scoping mechanism, as seen from the API and the portal.

Every model a client can reach has a manager whose queryset offers ``for_user(user)``
(stakeholders/tenancy.py). Views never filter by organization themselves: they start from
``base_queryset()`` and this module applies ``for_user``. Related-object inputs are checked
against the same scope, so a client cannot point a write at another organization's row.
"""

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from .exceptions import django_validation_error_detail


def scope_queryset(queryset: QuerySet, user: Any) -> QuerySet:
    """Restrict ``queryset`` to what ``user`` may see, or fail loudly if the model is unscoped."""
    for_user = getattr(queryset, "for_user", None)
    if for_user is None:
        raise ImproperlyConfigured(
            f"{queryset.model.__name__} has no for_user(); give its manager a tenant-scoped "
            "queryset (stakeholders.tenancy.TenantQuerySet) before exposing it."
        )
    return for_user(user)


class ScopedQuerysetMixin:
    """For DRF viewsets and Django class-based views: ``get_queryset()`` is always scoped.

    Subclasses implement ``base_queryset()`` (usually a selector with its
    ``select_related``/``prefetch_related`` applied) instead of overriding ``get_queryset``.
    """

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return scope_queryset(self.base_queryset(), self.request.user)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key input accepted only if the requesting user may see the referenced row.

    An out-of-scope key gets the same 400 as a nonexistent one, so nothing leaks.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            raise ImproperlyConfigured("Scoped related fields need the request in context.")
        return scope_queryset(queryset, request.user)

    def to_internal_value(self, data):
        # Booleans are ints in Python; huge or malformed numbers must not reach the database.
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= value <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(value)


class ScopedModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose relation fields are tenant-scoped and whose model constraints
    (``UniqueConstraint`` on expressions, ``CheckConstraint``) are checked as validation, so a
    violated invariant is a 400 with its ``violation_error_message``, not a database error.
    """

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def get_validators(self):
        # Model constraints are checked in validate() with their own messages; DRF's
        # generated unique-together validators would duplicate them with generic wording.
        return list(getattr(getattr(self, "Meta", None), "validators", []))

    def build_standard_field(self, field_name, model_field):
        # Same reason for the per-field validators DRF derives from conditional constraints.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if not getattr(model_field, "unique", False) and "validators" in kwargs:
            kwargs["validators"] = [
                validator
                for validator in kwargs["validators"]
                if not isinstance(validator, UniqueValidator)
            ]
        return field_class, kwargs

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        concrete = {field.name for field in model._meta.concrete_fields}
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name in concrete:
                setattr(candidate, name, value)
        try:
            candidate.validate_constraints()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_validation_error_detail(exc)) from exc
        return attrs

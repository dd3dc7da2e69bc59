"""Serializer base for records an organization owns (stakeholders, risks, applications, ...).

- ``organization`` is required from PMO staff (they write for any client) and defaults to the
  client user's own organization; a client naming another organization gets the scoped 400.
- Every related record the input names (single or many) must belong to that same
  organization. Scoping already keeps clients inside their own; this stops staff from wiring
  one client's risk to another client's stakeholder by mistake.
"""

from django.db import models
from rest_framework import serializers

from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField

from ..models import Organization
from ..tenancy import user_organization_id, user_sees_everything


def organization_of(instance) -> int | None:
    """The owning organization's id of a tenant row, following ``tenant_field`` if needed."""
    if hasattr(instance, "organization_id"):
        return instance.organization_id
    return None


class TenantOwnedSerializer(ScopedModelSerializer):
    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.clients(), required=False,
        help_text="Owning client organization. Staff must give it; clients get their own.",
    )

    def _user(self):
        return self.context["request"].user

    def validate(self, attrs):
        user = self._user()
        if self.instance is not None:
            moved = attrs.get("organization", self.instance.organization)
            if moved.pk != self.instance.organization_id:
                raise serializers.ValidationError(
                    {"organization": ["A record cannot move to another organization."]}
                )
            attrs["organization"] = self.instance.organization
        elif "organization" not in attrs:
            if user_sees_everything(user):
                raise serializers.ValidationError(
                    {"organization": ["PMO staff must say which organization this is for."]}
                )
            attrs["organization"] = Organization.objects.get(pk=user_organization_id(user))
        self._check_same_organization(attrs)
        return super().validate(attrs)

    def _check_same_organization(self, attrs) -> None:
        owner = attrs["organization"].pk
        errors = {}
        for name, value in attrs.items():
            if name == "organization":
                continue
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                if isinstance(item, models.Model):
                    item_owner = organization_of(item)
                    if item_owner is not None and item_owner != owner:
                        errors[name] = [
                            f"{item} belongs to another organization than this record."
                        ]
        if errors:
            raise serializers.ValidationError(errors)

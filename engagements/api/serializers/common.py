"""Pieces the engagements serializers share: staff-only fields, culture profiles and how
consultants are named in other resources."""

from decimal import Decimal

from rest_framework import serializers

from ...choices import CULTURE_TYPES, Seniority
from ...models import Consultant

NOTE_MAX_LENGTH = 4000
MIN_RATE = Decimal("0.01")


class StaffOnlyFieldsMixin:
    """The fields in ``Meta.staff_only_fields`` are absent from clients' answers (clients get
    the public serializer), so the schema must not call them required. Output-only
    serializers: they are never used to read input."""

    def get_fields(self):
        fields = super().get_fields()
        for name in self.Meta.staff_only_fields:
            fields[name].read_only = False
            fields[name].required = False
        return fields


def check_dates_in_order(serializer, attrs, start: str, end: str) -> None:
    """A 400 on the end field when the period ends before it starts (the database check
    would only say so without naming the field)."""
    instance = serializer.instance
    first = attrs.get(start, getattr(instance, start, None))
    last = attrs.get(end, getattr(instance, end, None))
    if first is not None and last is not None and last < first:
        raise serializers.ValidationError({end: ["The end cannot come before the start."]})


class WorkingStyleSerializer(serializers.Serializer):
    """A working-style profile: 100 whole points over the four Competing Values types."""

    clan = serializers.IntegerField(min_value=0, max_value=100)
    adhocracy = serializers.IntegerField(min_value=0, max_value=100)
    market = serializers.IntegerField(min_value=0, max_value=100)
    hierarchy = serializers.IntegerField(min_value=0, max_value=100)

    def validate(self, attrs):
        total = sum(attrs[kind] for kind in CULTURE_TYPES)
        if total != 100:
            raise serializers.ValidationError(
                f"The four types must share exactly 100 points, not {total}."
            )
        return attrs


class CultureProfileSerializer(serializers.Serializer):
    """A culture profile: 100 points (two decimals) over the four Competing Values types."""

    clan = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    adhocracy = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    market = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    hierarchy = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )

    def validate(self, attrs):
        total = sum(attrs[kind] for kind in CULTURE_TYPES)
        if total != 100:
            raise serializers.ValidationError(
                f"The four types must share exactly 100 points, not {total}."
            )
        return attrs


def profile_document(serializer_class, values) -> dict | None:
    if values is None or values[0] is None:
        return None
    return serializer_class(dict(zip(CULTURE_TYPES, values, strict=True))).data


class NamedReferenceSerializer(serializers.Serializer):
    """A catalog row (service, role) named by another resource."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsultantReferenceSerializer(serializers.Serializer):
    """A consultant named in a ranking or a proposal."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    seniority = serializers.ChoiceField(choices=Seniority.choices)


class ConsultantSummarySerializer(serializers.ModelSerializer):
    """The public face of a team member: what the client sees next to their role."""

    class Meta:
        model = Consultant
        fields = ["id", "full_name", "headline", "seniority"]
        read_only_fields = fields


def consultant_reference(consultant) -> dict | None:
    if consultant is None:
        return None
    return {"id": consultant.pk, "full_name": consultant.full_name,
            "seniority": consultant.seniority}

"""Serializers of the bench: consultants (public and staff views, staff input) and day
rates."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Certification, Skill
from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from stakeholders.choices import Sector
from stakeholders.models import User

from ...choices import CULTURE_TYPES, Language
from ...models import Consultant, DayRate
from .common import MIN_RATE, StaffOnlyFieldsMixin, WorkingStyleSerializer, profile_document

# --- Consultants ---------------------------------------------------------------------------------


class ConsultantSkillSerializer(serializers.Serializer):
    skill = serializers.IntegerField(source="skill_id", help_text="Skill id (catalog).")
    name = serializers.CharField(source="skill.name")
    proficiency = serializers.IntegerField(min_value=1, max_value=5)


class ConsultantCertificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="certification_id", help_text="Certification id.")
    code = serializers.CharField(source="certification.code")
    name = serializers.CharField(source="certification.name")


class ConsultantSectorSerializer(serializers.Serializer):
    sector = serializers.ChoiceField(choices=Sector.choices)
    years = serializers.IntegerField(min_value=1, max_value=50)


class DayRateSerializer(serializers.ModelSerializer):
    """A day rate (EUR) in force from ``valid_from`` until the next one starts."""

    amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=MIN_RATE, help_text="EUR per day."
    )

    class Meta:
        model = DayRate
        fields = ["id", "amount", "valid_from", "created_at"]
        read_only_fields = ["created_at"]


class ConsultantPublicSerializer(serializers.ModelSerializer):
    """A consultant as a client sees a member of their team."""

    skills = ConsultantSkillSerializer(many=True, read_only=True)
    certifications = ConsultantCertificationSerializer(many=True, read_only=True)
    languages = serializers.SerializerMethodField(help_text="Working languages (ISO 639-1).")
    sectors = ConsultantSectorSerializer(many=True, read_only=True)
    working_style = serializers.SerializerMethodField(
        help_text="100 points over clan, adhocracy, market and hierarchy."
    )

    class Meta:
        model = Consultant
        fields = [
            "id", "full_name", "headline", "seniority", "location", "remote_mode", "skills",
            "certifications", "languages", "sectors", "working_style",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Language.choices)))
    def get_languages(self, consultant) -> list[str]:
        return [row.language for row in consultant.languages.all()]

    @extend_schema_field(WorkingStyleSerializer)
    def get_working_style(self, consultant) -> dict:
        return profile_document(WorkingStyleSerializer, consultant.style_profile)


class ConsultantSerializer(StaffOnlyFieldsMixin, ConsultantPublicSerializer):
    """A consultant as PMO staff see it: the public profile plus e-mail, login, capacity,
    notes, the day rate in force today and the rate history (newest first)."""

    current_day_rate = serializers.DecimalField(
        source="day_rate_today", max_digits=9, decimal_places=2, allow_null=True,
        help_text="EUR per day in force today; null before the first rate starts.",
    )
    day_rates = DayRateSerializer(source="rates", many=True)
    # Plain text: the address is optional, and an empty one is no e-mail format.
    email = serializers.CharField(help_text="Work e-mail; empty when unknown.")

    class Meta(ConsultantPublicSerializer.Meta):
        staff_only_fields = [
            "user", "email", "capacity_percent", "is_active", "notes", "current_day_rate",
            "day_rates", "created_at", "updated_at",
        ]
        fields = [*ConsultantPublicSerializer.Meta.fields, *staff_only_fields]
        read_only_fields = fields


class SkillLevelSerializer(serializers.Serializer):
    skill = ScopedPrimaryKeyRelatedField(queryset=Skill.objects.all(), help_text="Skill id.")
    proficiency = serializers.IntegerField(min_value=1, max_value=5)


class ConsultantWriteSerializer(ScopedModelSerializer):
    """What staff say about a consultant. Each profile part sent (skills, languages,
    sectors, certifications) replaces the current one; parts left out stay as they are.
    Rates change through ``POST /consultants/{id}/rates/``; ``day_rate`` on creation
    records the first one, in force from today."""

    user = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True,
        help_text="Id of the consultant's login, if they use the product.",
    )
    working_style = WorkingStyleSerializer(required=False)
    skills = SkillLevelSerializer(many=True, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False,
        max_length=len(Language.values),
    )
    sectors = ConsultantSectorSerializer(many=True, required=False)
    certifications = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Certification.objects.all(),
        help_text="Ids of the certifications held.",
    )
    # A form that leaves the box out means "active", as the model's default does.
    is_active = serializers.BooleanField(default=True)
    day_rate = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=MIN_RATE, required=False, write_only=True,
        help_text="On creation only: the first day rate (EUR), in force from today.",
    )

    class Meta:
        model = Consultant
        fields = [
            "full_name", "user", "email", "headline", "seniority", "location", "remote_mode",
            "capacity_percent", "is_active", "notes", "working_style", "skills", "languages",
            "sectors", "certifications", "day_rate",
        ]

    def to_representation(self, instance):
        # Answer writes with the same document a retrieve gives.
        return ConsultantSerializer(instance, context=self.context).data

    def validate(self, attrs):
        if self.instance is not None and "day_rate" in attrs:
            raise serializers.ValidationError(
                {"day_rate": ["Rates are history: add one with POST /consultants/{id}/rates/."]}
            )
        style = attrs.pop("working_style", None)
        if style is not None:
            attrs.update({f"style_{kind}": style[kind] for kind in CULTURE_TYPES})
        errors = {}
        skills = attrs.get("skills")
        if skills is not None:
            attrs["skills"] = {row["skill"]: row["proficiency"] for row in skills}
            if len(attrs["skills"]) != len(skills):
                errors["skills"] = ["Each skill can be listed once."]
        sectors = attrs.get("sectors")
        if sectors is not None:
            attrs["sectors"] = {row["sector"]: row["years"] for row in sectors}
            if len(attrs["sectors"]) != len(sectors):
                errors["sectors"] = ["Each sector can be listed once."]
        languages = attrs.get("languages")
        if languages is not None and len(set(languages)) != len(languages):
            errors["languages"] = ["Each language can be listed once."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().validate(attrs)


class DayRateWriteSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=MIN_RATE, help_text="EUR per day."
    )
    valid_from = serializers.DateField(help_text="First day the rate applies.")

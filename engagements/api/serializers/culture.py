"""Serializers of client culture: OCAI-style assessments, as read and as recorded."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo_service.api.scoping import ScopedPrimaryKeyRelatedField
from stakeholders.api.serializers import person_name
from stakeholders.models import Organization
from stakeholders.tenancy import user_organization_id, user_sees_everything

from ...choices import CULTURE_TYPES, CultureQuestion
from ...classification import dominant_type
from ...models import CultureAssessment
from .common import (
    NOTE_MAX_LENGTH,
    CultureProfileSerializer,
    WorkingStyleSerializer,
    profile_document,
)


class PointsSerializer(WorkingStyleSerializer):
    """One answer's 100 whole points over the four types."""


class CultureAnswerSerializer(serializers.Serializer):
    question = serializers.ChoiceField(choices=CultureQuestion.choices)
    preferred = serializers.BooleanField(
        help_text="False: the culture as it is; true: as it should be."
    )
    points = PointsSerializer()

    def to_representation(self, answer):
        return {
            "question": answer.question, "preferred": answer.preferred,
            "points": {kind: getattr(answer, f"points_{kind}") for kind in CULTURE_TYPES},
        }


class CultureAssessmentSerializer(serializers.ModelSerializer):
    """One assessment of a client's culture: current and preferred profiles, their dominant
    types, and the questionnaire's answers when it was computed from them."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    current = serializers.SerializerMethodField()
    preferred = serializers.SerializerMethodField()
    current_dominant = serializers.SerializerMethodField()
    preferred_dominant = serializers.SerializerMethodField()
    assessed_by = serializers.SerializerMethodField()
    answers = CultureAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = CultureAssessment
        fields = [
            "id", "organization", "organization_name", "assessed_on", "source", "respondents",
            "current", "preferred", "current_dominant", "preferred_dominant", "note",
            "assessed_by", "answers", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CultureProfileSerializer)
    def get_current(self, assessment) -> dict:
        return profile_document(CultureProfileSerializer, assessment.current_profile)

    @extend_schema_field(CultureProfileSerializer)
    def get_preferred(self, assessment) -> dict:
        return profile_document(CultureProfileSerializer, assessment.preferred_profile)

    @extend_schema_field(serializers.ChoiceField(choices=list(CULTURE_TYPES)))
    def get_current_dominant(self, assessment) -> str:
        return dominant_type(assessment.current_profile)

    @extend_schema_field(serializers.ChoiceField(choices=list(CULTURE_TYPES)))
    def get_preferred_dominant(self, assessment) -> str:
        return dominant_type(assessment.preferred_profile)

    @extend_schema_field(serializers.CharField())
    def get_assessed_by(self, assessment) -> str:
        return person_name(assessment.assessed_by)


class CultureAssessmentWriteSerializer(serializers.Serializer):
    """Either ``current`` and ``preferred`` profiles, or the twelve ``answers`` (each of the
    six OCAI questions for the current and the preferred culture). Staff name the
    organization; a client records their own organization's culture."""

    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.clients(), required=False,
        help_text="Client organization. Staff must give it; clients get their own.",
    )
    assessed_on = serializers.DateField(required=False, help_text="Default: today.")
    respondents = serializers.IntegerField(min_value=1, max_value=32767, default=1)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    current = CultureProfileSerializer(required=False)
    preferred = CultureProfileSerializer(required=False)
    answers = CultureAnswerSerializer(many=True, required=False, max_length=12)

    def validate(self, attrs):
        user = self.context["request"].user
        if "organization" not in attrs:
            if user_sees_everything(user):
                raise serializers.ValidationError(
                    {"organization": ["PMO staff must say which organization this is for."]}
                )
            attrs["organization"] = Organization.objects.get(pk=user_organization_id(user))
        attrs.setdefault("assessed_on", timezone.localdate())
        profiles = [name for name in ("current", "preferred") if name in attrs]
        if "answers" in attrs:
            if profiles:
                raise serializers.ValidationError(
                    {"answers": ["Give either the answers or the two profiles, not both."]}
                )
            attrs["answers"] = [
                {"question": answer["question"], "preferred": answer["preferred"],
                 "points": tuple(answer["points"][kind] for kind in CULTURE_TYPES)}
                for answer in attrs["answers"]
            ]
        else:
            missing = {
                name: ["Give this profile, or answer the questionnaire (answers)."]
                for name in ("current", "preferred") if name not in profiles
            }
            if missing:
                raise serializers.ValidationError(missing)
            for name in profiles:
                attrs[name] = tuple(attrs[name][kind] for kind in CULTURE_TYPES)
        return attrs

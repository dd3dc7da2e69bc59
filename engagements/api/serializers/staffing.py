"""Serializers of staffing: needs, their ranked matches, global proposals and the
matching weights."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Role, Skill
from pmo_service.api.filters import MAX_ID
from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from stakeholders.api.serializers import person_name

from ...choices import MatchFactor
from ...models import Consultant, Engagement, StaffingNeed, StaffingProposal
from .common import (
    ConsultantReferenceSerializer,
    check_dates_in_order,
    consultant_reference,
)

# --- Staffing needs and matching -----------------------------------------------------------------


class NeedSkillSerializer(serializers.Serializer):
    skill = serializers.IntegerField(source="skill_id", help_text="Skill id (catalog).")
    name = serializers.CharField(source="skill.name")
    minimum_level = serializers.IntegerField(min_value=1, max_value=5)


class StaffingNeedSerializer(serializers.ModelSerializer):
    """An open role of an engagement: role, seniority, language, skills with minimum
    levels, allocation and dates. ``status`` moves to filled when someone is assigned from
    a match, to cancelled through ``cancel``."""

    engagement_title = serializers.CharField(source="engagement.title", read_only=True)
    organization = serializers.IntegerField(
        source="engagement.organization_id", read_only=True, help_text="Client organization id."
    )
    role_name = serializers.CharField(source="role.name", read_only=True)
    skills = NeedSkillSerializer(source="skill_requirements", many=True, read_only=True)

    class Meta:
        model = StaffingNeed
        fields = [
            "id", "engagement", "engagement_title", "organization", "role", "role_name",
            "seniority", "language", "allocation_percent", "start_on", "end_on", "status",
            "note", "skills", "created_at",
        ]
        read_only_fields = fields


class NeedSkillWriteSerializer(serializers.Serializer):
    skill = ScopedPrimaryKeyRelatedField(queryset=Skill.objects.all(), help_text="Skill id.")
    minimum_level = serializers.IntegerField(min_value=1, max_value=5)


class StaffingNeedWriteSerializer(ScopedModelSerializer):
    """What a need asks for. ``skills`` sent replace the current requirements. A need stays
    with its engagement."""

    engagement = ScopedPrimaryKeyRelatedField(queryset=Engagement.objects.all())
    role = ScopedPrimaryKeyRelatedField(queryset=Role.objects.all())
    skills = NeedSkillWriteSerializer(many=True, required=False)

    class Meta:
        model = StaffingNeed
        fields = [
            "engagement", "role", "seniority", "language", "allocation_percent", "start_on",
            "end_on", "note", "skills",
        ]

    def to_representation(self, instance):
        return StaffingNeedSerializer(instance, context=self.context).data

    def validate(self, attrs):
        instance = self.instance
        moved = attrs.pop("engagement", None) if instance is not None else None
        if moved is not None and moved.pk != instance.engagement_id:
            raise serializers.ValidationError(
                {"engagement": ["A staffing need cannot move to another engagement."]}
            )
        check_dates_in_order(self, attrs, "start_on", "end_on")
        skills = attrs.get("skills")
        if skills is not None:
            attrs["skills"] = {row["skill"]: row["minimum_level"] for row in skills}
            if len(attrs["skills"]) != len(skills):
                raise serializers.ValidationError({"skills": ["Each skill can be listed once."]})
        return super().validate(attrs)


class MatchWeightsQuerySerializer(serializers.Serializer):
    """Optional weight overrides for one ranking (0-100 each); the others stay in force."""

    def get_fields(self):
        return {
            factor: serializers.IntegerField(
                min_value=0, max_value=100, required=False,
                help_text=f"Weight of {label.lower()} for this ranking only.",
            )
            for factor, label in MatchFactor.choices
        }


class WeightsSerializer(serializers.Serializer):
    """The weight of each matching factor (0-100; only their proportions matter)."""

    def get_fields(self):
        return {
            factor: serializers.IntegerField(min_value=0, max_value=100, help_text=label)
            for factor, label in MatchFactor.choices
        }


class CandidateSerializer(serializers.Serializer):
    consultant = ConsultantReferenceSerializer()
    score = serializers.FloatField(help_text="0-100, one decimal: the weighted factors.")
    breakdown = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=1),
        help_text="Each factor's value in [0, 1] (factor names as the weights').",
    )
    assignable = serializers.BooleanField(
        help_text="Whether the consultant has the free capacity on every day of the need."
    )
    free_percent = serializers.IntegerField(
        help_text="Lowest free capacity (%) on any day of the need's window."
    )


class ExclusionConsultantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class ExclusionSerializer(serializers.Serializer):
    consultant = ExclusionConsultantSerializer()
    reason = serializers.CharField()


class MatchesSerializer(serializers.Serializer):
    """The ranking of every consultant for a need, best first, one page of candidates at a
    time; ``excluded`` is complete on every page."""

    need = serializers.IntegerField(help_text="Staffing need id.")
    weights = WeightsSerializer(help_text="The weights this ranking used.")
    count = serializers.IntegerField(help_text="Candidates ranked (excluded ones apart).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CandidateSerializer(many=True)
    excluded = ExclusionSerializer(many=True)


class AssignFromMatchSerializer(serializers.Serializer):
    consultant = ScopedPrimaryKeyRelatedField(
        queryset=Consultant.objects.all(), help_text="Consultant id to assign."
    )


# --- Staffing proposals --------------------------------------------------------------------------


class ProposalLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    need = serializers.IntegerField(source="need_id", help_text="Staffing need id.")
    engagement = serializers.IntegerField(source="need.engagement_id")
    engagement_title = serializers.CharField(source="need.engagement.title")
    role_name = serializers.CharField(source="need.role.name")
    consultant = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    breakdown = serializers.DictField(child=serializers.FloatField())
    greedy_consultant = serializers.SerializerMethodField(
        help_text="Who filling needs one by one would have picked (null: nobody)."
    )
    assignment = serializers.IntegerField(
        source="assignment_id", allow_null=True, help_text="Set once the line is accepted."
    )

    @extend_schema_field(ConsultantReferenceSerializer)
    def get_consultant(self, line) -> dict:
        return consultant_reference(line.consultant)

    @extend_schema_field(ConsultantReferenceSerializer(allow_null=True))
    def get_greedy_consultant(self, line) -> dict | None:
        return consultant_reference(line.greedy_consultant)


class StaffingProposalSerializer(serializers.ModelSerializer):
    """A global staffing proposal beside the greedy fill. ``improvement`` is the optimal
    total score minus the greedy one; ``improvement_percent`` the same relative to greedy
    (null when greedy scored nothing)."""

    improvement = serializers.SerializerMethodField()
    improvement_percent = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    weights = serializers.DictField(
        child=serializers.IntegerField(), read_only=True,
        help_text="The factor weights in force when it was computed.",
    )

    class Meta:
        model = StaffingProposal
        fields = [
            "id", "status", "total_score", "greedy_total_score", "improvement",
            "improvement_percent", "needs_considered", "needs_filled", "greedy_needs_filled",
            "weights", "solve_ms", "created_by", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_improvement(self, proposal) -> str:
        return f"{proposal.total_score - proposal.greedy_total_score:.2f}"

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_improvement_percent(self, proposal) -> float | None:
        if not proposal.greedy_total_score:
            return None
        gain = (proposal.total_score - proposal.greedy_total_score) / proposal.greedy_total_score
        return round(float(gain) * 100, 1)

    @extend_schema_field(serializers.CharField())
    def get_created_by(self, proposal) -> str:
        return person_name(proposal.created_by)


class StaffingProposalDetailSerializer(StaffingProposalSerializer):
    lines = ProposalLineSerializer(many=True, read_only=True)

    class Meta(StaffingProposalSerializer.Meta):
        fields = [*StaffingProposalSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class StaffingProposalCreateSerializer(serializers.Serializer):
    needs = ScopedPrimaryKeyRelatedField(
        many=True, required=False, allow_empty=False, queryset=StaffingNeed.objects.all(),
        help_text="Ids of the open needs to fill; leave out for every open need of "
        "engagements proposed, staffing or active.",
    )


class ProposalAcceptSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        allow_empty=False, max_length=10_000,
        help_text="Ids of the lines to apply; leave out to apply every line.",
    )


class AppliedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    need = serializers.IntegerField()
    consultant = serializers.IntegerField()
    assignment = serializers.IntegerField()


class FailedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class ProposalAcceptanceSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The proposal's status after this acceptance.")
    applied = AppliedLineSerializer(many=True)
    failed = FailedLineSerializer(many=True)


# --- Matching weights ----------------------------------------------------------------------------


class MatchingWeightsSerializer(WeightsSerializer):
    """The weights matching uses now, who changed them last and when."""

    def get_fields(self):
        fields = super().get_fields()
        fields["updated_by"] = serializers.CharField(allow_null=True, read_only=True)
        fields["updated_at"] = serializers.DateTimeField(allow_null=True, read_only=True)
        return fields


class MatchingWeightsUpdateSerializer(serializers.Serializer):
    """The weights to change (0-100 each); at least one must stay above zero."""

    def get_fields(self):
        return {
            factor: serializers.IntegerField(min_value=0, max_value=100, required=False)
            for factor in MatchFactor.values
        }

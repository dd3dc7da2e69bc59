"""Serializers of engagements, their teams (assignments) and outcomes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Role, Service, ServiceRequest
from pmo_service.api.rows import iso_date, iso_datetime, serializer_field
from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from portfolio.api.serializers import ApplicationReferenceSerializer
from portfolio.models import Application
from stakeholders.api.serializers import person_name
from stakeholders.api.tenant import TenantOwnedSerializer
from stakeholders.models import Stakeholder
from stakeholders.tenancy import user_sees_everything

from ... import services
from ...choices import EngagementStatus, Health
from ...models import Assignment, Consultant, Engagement, EngagementOutcome, StaffingNeed
from .common import (
    NOTE_MAX_LENGTH,
    ConsultantSummarySerializer,
    CultureProfileSerializer,
    NamedReferenceSerializer,
    StaffOnlyFieldsMixin,
    check_dates_in_order,
    profile_document,
)

# --- Engagements and the team --------------------------------------------------------------------


class EngagementSerializer(serializers.ModelSerializer):
    """An engagement as lists show it."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    scrum_master = ConsultantSummarySerializer(read_only=True, allow_null=True)
    health = serializers.SerializerMethodField(
        help_text="Overall health as last computed (the metrics endpoint gives the figures, the "
        "reasons and whether a recompute is on its way); null until first computed.",
    )
    team_size = serializers.SerializerMethodField(help_text="Assignments on the team.")
    version = serializers.IntegerField(
        read_only=True,
        help_text="Raised by every change; the detail's ETag. Send it back as If-Match to "
        "refuse your write (412) if someone changed the engagement since you read it.",
    )

    class Meta:
        model = Engagement
        fields = [
            "id", "organization", "organization_name", "title", "status", "health", "typology",
            "planned_start", "planned_end", "budget_at_completion", "service_request",
            "scrum_master", "team_size", "created_at", "updated_at", "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_team_size(self, engagement) -> int:
        return len(engagement.assignments.all())

    @extend_schema_field(serializers.ChoiceField(choices=Health.choices, allow_null=True))
    def get_health(self, engagement) -> str | None:
        # Querysets read the metrics row with the engagement (select_related("metrics")).
        metrics = getattr(engagement, "metrics", None)
        return (metrics.health or None) if metrics is not None else None


class EngagementRowSerializer(EngagementSerializer):
    """The API list written from ``selectors.engagement_api_rows()`` (plain rows, no models).

    The same document as ``EngagementSerializer`` gives for the same engagement, which
    describes it in the OpenAPI schema; one dict literal per row costs a fraction of model
    instances, the team prefetch and DRF's field-by-field walk (docs/benchmarks.md).
    tests/engagements/test_engagement_rows.py compares the two.
    """

    def to_representation(self, row: dict) -> dict:
        budget = row["budget_at_completion"]
        return {
            "id": row["id"],
            "organization": row["organization_id"],
            "organization_name": row["organization__name"],
            "title": row["title"],
            "status": row["status"],
            "health": row["metrics__health"] or None,
            "typology": row["typology"],
            "planned_start": iso_date(row["planned_start"]),
            "planned_end": iso_date(row["planned_end"]),
            # DRF's own decimal text (places, string or number as configured).
            "budget_at_completion": (
                None if budget is None
                else serializer_field(EngagementSerializer, "budget_at_completion")
                .to_representation(budget)
            ),
            "service_request": row["service_request_id"],
            "scrum_master": None if row["scrum_master_id"] is None else {
                "id": row["scrum_master_id"],
                "full_name": row["scrum_master__full_name"],
                "headline": row["scrum_master__headline"],
                "seniority": row["scrum_master__seniority"],
            },
            "team_size": row["team_size"],
            "created_at": iso_datetime(row["created_at"]),
            "updated_at": iso_datetime(row["updated_at"]),
            "version": row["version"],
        }


class TeamMemberSerializer(serializers.ModelSerializer):
    """One assignment of the team: who, in which role, how much, when."""

    consultant = ConsultantSummarySerializer(read_only=True)
    role = NamedReferenceSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "consultant", "role", "allocation_percent", "start_on", "end_on"]
        read_only_fields = fields


class StakeholderReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class EngagementTransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the first status.")
    to_status = serializers.ChoiceField(choices=EngagementStatus.choices)
    actor_name = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    note = serializers.CharField()

    @extend_schema_field(serializers.CharField())
    def get_actor_name(self, transition) -> str:
        return person_name(transition.actor)


class EngagementDetailSerializer(EngagementSerializer):
    """An engagement with its scope, people, team and status history.

    ``allowed_transitions`` are the statuses PMO staff may move it to now (empty for
    clients, who do not move engagements)."""

    services = NamedReferenceSerializer(many=True, read_only=True)
    applications = ApplicationReferenceSerializer(many=True, read_only=True)
    sponsor = StakeholderReferenceSerializer(read_only=True, allow_null=True)
    product_owner = StakeholderReferenceSerializer(read_only=True, allow_null=True)
    team = TeamMemberSerializer(source="assignments", many=True, read_only=True)
    transitions = EngagementTransitionSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(EngagementSerializer.Meta):
        fields = [
            *EngagementSerializer.Meta.fields, "description", "services", "applications",
            "sponsor", "product_owner", "team", "transitions", "allowed_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=EngagementStatus.choices))
    )
    def get_allowed_transitions(self, engagement) -> list[str]:
        request = self.context.get("request")
        if request is None or not user_sees_everything(request.user):
            return []
        return services.engagement_allowed_targets(engagement=engagement)


class EngagementWriteSerializer(TenantOwnedSerializer):
    """What staff say about an engagement. The status moves only through ``transition``;
    sponsor, Product Owner and applications belong to the engagement's organization."""

    services = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Service.objects.all(),
        help_text="Ids of the catalog services delivered.",
    )
    applications = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Application.objects.all(),
        help_text="Ids of the client's applications in scope.",
    )
    sponsor = ScopedPrimaryKeyRelatedField(
        queryset=Stakeholder.objects.all(), required=False, allow_null=True,
        help_text="Stakeholder id of the client's sponsor.",
    )
    product_owner = ScopedPrimaryKeyRelatedField(
        queryset=Stakeholder.objects.all(), required=False, allow_null=True,
        help_text="Stakeholder id of the client's Product Owner.",
    )
    scrum_master = ScopedPrimaryKeyRelatedField(
        queryset=Consultant.objects.all(), required=False, allow_null=True,
        help_text="Consultant id of the provider's Scrum Master.",
    )
    budget_at_completion = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="EUR."
    )

    class Meta:
        model = Engagement
        fields = [
            "organization", "title", "description", "services", "applications",
            "planned_start", "planned_end", "budget_at_completion", "typology", "sponsor",
            "product_owner", "scrum_master",
        ]

    def to_representation(self, instance):
        return EngagementDetailSerializer(instance, context=self.context).data

    def validate(self, attrs):
        check_dates_in_order(self, attrs, "planned_start", "planned_end")
        return super().validate(attrs)


class EngagementFromRequestSerializer(serializers.Serializer):
    service_request = ScopedPrimaryKeyRelatedField(
        queryset=ServiceRequest.objects.all(),
        help_text="Id of an accepted service request not used by another engagement.",
    )
    planned_start = serializers.DateField(required=False, help_text="Default: desired start.")
    planned_end = serializers.DateField(required=False)
    budget_at_completion = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs):
        start, end = attrs.get("planned_start"), attrs.get("planned_end")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError(
                {"planned_end": ["The end cannot come before the start."]}
            )
        return attrs


class EngagementTransitionRequestSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=EngagementStatus.choices, help_text="The status to move the engagement to."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH,
        help_text="Why; required to cancel.",
    )


class AssignmentSerializer(serializers.ModelSerializer):
    """A member of an engagement's team, as the client sees it."""

    engagement_title = serializers.CharField(source="engagement.title", read_only=True)
    consultant = ConsultantSummarySerializer(read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "engagement", "engagement_title", "consultant", "role", "role_name",
            "allocation_percent", "start_on", "end_on",
        ]
        read_only_fields = fields


class AssignmentStaffSerializer(StaffOnlyFieldsMixin, AssignmentSerializer):
    """An assignment as staff see it: with the staffing need it filled and its author."""

    created_by = serializers.SerializerMethodField()

    class Meta(AssignmentSerializer.Meta):
        staff_only_fields = ["staffing_need", "created_by", "created_at"]
        fields = [*AssignmentSerializer.Meta.fields, *staff_only_fields]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, assignment) -> str | None:
        return person_name(assignment.created_by)


class AssignmentWriteSerializer(ScopedModelSerializer):
    """Staff put a consultant on a team. The capacity check (409 when the consultant would
    exceed it on any day) runs in the service, under a lock. An assignment keeps its
    engagement, consultant and need (sending them back unchanged is fine): delete it and
    create another to move someone."""

    engagement = ScopedPrimaryKeyRelatedField(queryset=Engagement.objects.all())
    consultant = ScopedPrimaryKeyRelatedField(queryset=Consultant.objects.all())
    role = ScopedPrimaryKeyRelatedField(queryset=Role.objects.all())
    staffing_need = ScopedPrimaryKeyRelatedField(
        queryset=StaffingNeed.objects.all(), required=False, allow_null=True,
        help_text="Id of the engagement's staffing need this fills, if any.",
    )

    class Meta:
        model = Assignment
        fields = [
            "engagement", "consultant", "role", "allocation_percent", "start_on", "end_on",
            "staffing_need",
        ]

    def to_representation(self, instance):
        return AssignmentStaffSerializer(instance, context=self.context).data

    def validate(self, attrs):
        instance = self.instance
        if instance is not None:
            for name in ("engagement", "consultant", "staffing_need"):
                if name in attrs and getattr(attrs[name], "pk", None) != getattr(
                    instance, f"{name}_id"
                ):
                    label = name.replace("_", " ")
                    raise serializers.ValidationError({name: [
                        f"An assignment cannot change its {label}; delete it and create another."
                    ]})
                attrs.pop(name, None)
        check_dates_in_order(self, attrs, "start_on", "end_on")
        need = attrs.get("staffing_need")
        engagement_id = attrs["engagement"].pk if instance is None else instance.engagement_id
        if need is not None and need.engagement_id != engagement_id:
            raise serializers.ValidationError(
                {"staffing_need": ["This need belongs to another engagement."]}
            )
        return super().validate(attrs)


# --- Outcomes ------------------------------------------------------------------------------------


class FitRatingSerializer(serializers.Serializer):
    """The client's perceived fit of one team member (Cable & DeRue, 1-7 each)."""

    consultant = ConsultantSummarySerializer()
    values_match = serializers.IntegerField(min_value=1, max_value=7)
    values_fit = serializers.IntegerField(min_value=1, max_value=7)
    culture_fit = serializers.IntegerField(min_value=1, max_value=7)
    perceived_fit = serializers.DecimalField(
        max_digits=3, decimal_places=2, help_text="Mean of the three items."
    )
    comment = serializers.CharField()


class EngagementOutcomeSerializer(serializers.ModelSerializer):
    """What happened when an engagement closed, with the client's rating of each member."""

    engagement_title = serializers.CharField(source="engagement.title", read_only=True)
    organization = serializers.IntegerField(
        source="engagement.organization_id", read_only=True, help_text="Client organization id."
    )
    ratings = FitRatingSerializer(source="fit_ratings", many=True, read_only=True)

    class Meta:
        model = EngagementOutcome
        fields = [
            "id", "engagement", "engagement_title", "organization", "client_satisfaction",
            "on_time", "final_cpi", "final_spi", "ratings", "recorded_at",
        ]
        read_only_fields = fields


class EngagementOutcomeStaffSerializer(StaffOnlyFieldsMixin, EngagementOutcomeSerializer):
    """Staff also see the internal note, who recorded it and the client's culture at
    closing (the snapshot the track record compares against)."""

    culture_at_closing = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()

    class Meta(EngagementOutcomeSerializer.Meta):
        staff_only_fields = ["note", "culture_at_closing", "recorded_by"]
        fields = [*EngagementOutcomeSerializer.Meta.fields, *staff_only_fields]
        read_only_fields = fields

    @extend_schema_field(CultureProfileSerializer(allow_null=True))
    def get_culture_at_closing(self, outcome) -> dict | None:
        return profile_document(CultureProfileSerializer, outcome.culture_profile)

    @extend_schema_field(serializers.CharField())
    def get_recorded_by(self, outcome) -> str:
        return person_name(outcome.recorded_by)


class FitRatingWriteSerializer(serializers.Serializer):
    consultant = ScopedPrimaryKeyRelatedField(
        queryset=Consultant.objects.all(), help_text="Consultant id (a team member)."
    )
    values_match = serializers.IntegerField(min_value=1, max_value=7)
    values_fit = serializers.IntegerField(min_value=1, max_value=7)
    culture_fit = serializers.IntegerField(min_value=1, max_value=7)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class EngagementOutcomeWriteSerializer(serializers.Serializer):
    engagement = ScopedPrimaryKeyRelatedField(
        queryset=Engagement.objects.all(), help_text="Id of a closing or closed engagement."
    )
    client_satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    on_time = serializers.BooleanField()
    final_cpi = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    final_spi = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    ratings = FitRatingWriteSerializer(many=True, required=False, max_length=500)

    def validate_ratings(self, ratings):
        consultants = [rating["consultant"].pk for rating in ratings]
        if len(set(consultants)) != len(consultants):
            raise serializers.ValidationError("Each consultant can be rated once.")
        return ratings

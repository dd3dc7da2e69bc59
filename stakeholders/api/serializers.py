"""Serializers of the stakeholders API. Input validation is separate from output shape.

Password strength is checked by the services (one place for the API and the admin). Writes of
the register, communication and risks go through stakeholders.services (the serializers'
``create``/``update``), so the API follows the same rules as the portal. Computed values
(quadrant, engagement gap, due dates, risk score and rating) are read-only outputs: sent in a
request they are ignored.
"""

from django.db.models import Max
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from pmo_service.api.rows import iso_datetime
from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField

from .. import services
from ..choices import Channel, MembershipRole, Quadrant, RiskRating
from ..models import (
    Communication,
    CommunicationPlan,
    EngagementAssessment,
    Organization,
    Risk,
    Stakeholder,
    User,
)
from ..tenancy import user_sees_everything
from .tenant import TenantOwnedSerializer


class OrganizationSerializer(ScopedModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "kind", "sector", "is_public_administration", "country", "region",
            "contact_name", "contact_email", "contact_phone", "website", "is_active",
            "member_count", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OrganizationRowSerializer(OrganizationSerializer):
    """The API list written from ``selectors.organization_api_rows()`` (plain rows): the
    document ``OrganizationSerializer`` gives for the same organization, which describes it
    in the OpenAPI schema; tests/stakeholders/test_organization_rows.py compares the two."""

    def to_representation(self, row: dict) -> dict:
        return {
            "id": row["id"],
            "name": row["name"],
            "kind": row["kind"],
            "sector": row["sector"],
            "is_public_administration": row["is_public_administration"],
            "country": row["country"],
            "region": row["region"],
            "contact_name": row["contact_name"],
            "contact_email": row["contact_email"],
            "contact_phone": row["contact_phone"],
            "website": row["website"],
            "is_active": row["is_active"],
            "member_count": row["member_count"],
            "created_at": iso_datetime(row["created_at"]),
            "updated_at": iso_datetime(row["updated_at"]),
        }


class OrganizationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class OrganizationProfileSerializer(serializers.ModelSerializer):
    """An organization as its own members see it on their profile."""

    class Meta:
        model = Organization
        fields = [
            "id", "name", "kind", "sector", "is_public_administration", "country", "region",
        ]


class UserSerializer(serializers.ModelSerializer):
    """A user as staff see it, with the membership flattened in."""

    organization = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    invitation_sent_at = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id", "username", "email", "first_name", "last_name", "is_active", "is_staff",
            "organization", "role", "invitation_sent_at", "date_joined", "last_login",
        ]
        read_only_fields = fields

    @staticmethod
    def _membership(user):
        # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        return getattr(user, "membership", None)

    @extend_schema_field(OrganizationSummarySerializer(allow_null=True))
    def get_organization(self, user):
        membership = self._membership(user)
        return OrganizationSummarySerializer(membership.organization).data if membership else None

    @extend_schema_field(serializers.ChoiceField(choices=MembershipRole.choices, allow_null=True))
    def get_role(self, user):
        membership = self._membership(user)
        return membership.role if membership else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_invitation_sent_at(self, user):
        membership = self._membership(user)
        return membership.invitation_sent_at if membership else None


class UserCreateSerializer(serializers.Serializer):
    """Input for creating a user. Without a password, an invitation e-mail is sent."""

    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=150, help_text="Letters, digits and @/./+/-/_ only."
    )
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all())
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=False, max_length=128,
        style={"input_type": "password"},
        help_text="Leave out to send an invitation e-mail with a set-password link instead.",
    )
    is_staff = serializers.BooleanField(default=False)

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with this username already exists.")
        return value

    def validate_email(self, value):
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("A user with this e-mail already exists.")
        return value


class UserUpdateSerializer(serializers.Serializer):
    """Input for changing a user; every field is optional."""

    email = serializers.EmailField(required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False
    )
    role = serializers.ChoiceField(choices=MembershipRole.choices, required=False)
    password = serializers.CharField(
        write_only=True, required=False, max_length=128, style={"input_type": "password"}
    )

    def validate_email(self, value):
        others = User.objects.filter(email__iexact=value).exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("A user with this e-mail already exists.")
        return value


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user, their organization and role."""

    organization = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id", "username", "email", "first_name", "last_name", "is_staff", "organization",
            "role",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganizationProfileSerializer(allow_null=True))
    def get_organization(self, user):
        membership = self.context.get("membership")
        if membership is None:
            return None
        return OrganizationProfileSerializer(membership.organization).data

    @extend_schema_field(serializers.ChoiceField(choices=MembershipRole.choices, allow_null=True))
    def get_role(self, user):
        membership = self.context.get("membership")
        return membership.role if membership else None


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


# --- Stakeholder register, engagement, communication, risks ---------------------------------


def person_name(user: User | None) -> str | None:
    """How a user is named in answers: full name, else username (shared by every app)."""
    if user is None:
        return None
    return name_from_parts(user.first_name, user.last_name, user.username)


def name_from_parts(first_name: str, last_name: str, username: str) -> str:
    """``person_name`` from the three columns, for lists read as plain rows: the full name as
    ``User.get_full_name()`` joins it, else the username."""
    return f"{first_name} {last_name}".strip() or username


class RelationshipOwnerField(serializers.PrimaryKeyRelatedField):
    """The PMO staff member who owns a stakeholder relationship; only staff choose them.

    Staff users belong to no client, so the field is not tenant-scoped. A client user may send
    the current value back unchanged (a GET-edit-PUT round trip) but not a different one: they
    get a 400 on this field saying why, before any lookup, so ids of staff users do not leak.
    """

    def get_queryset(self):
        return User.objects.filter(is_staff=True, is_active=True).order_by("username")

    def run_validation(self, data=empty):
        request = self.context["request"]
        if data is not empty and not user_sees_everything(request.user):
            instance = self.parent.instance
            current = instance.relationship_owner_id if instance is not None else None
            try:
                wanted = None if data in (None, "") else int(data)
            except (TypeError, ValueError):
                wanted = data
            if wanted != current:
                raise serializers.ValidationError(services.RELATIONSHIP_OWNER_STAFF_ONLY)
        return super().run_validation(data)


class StakeholderSerializer(TenantOwnedSerializer):
    """A person in a client's stakeholder register with their grid quadrant and engagement gap.

    Changing ``current_engagement`` or ``desired_engagement`` records a new assessment dated
    today; use engagement-assessments to record a dated (or back-dated) one with a note.
    """

    quadrant = serializers.SerializerMethodField(
        help_text="Power/interest quadrant (Mendelow) under the configured thresholds."
    )
    engagement_gap = serializers.SerializerMethodField(
        help_text="Desired minus current on the PMBOK scale (unaware=1 ... leading=5); "
        "positive when engagement must grow."
    )
    relationship_owner = RelationshipOwnerField(
        required=False, allow_null=True,
        help_text="User id of the PMO staff member who owns the relationship (PMO staff only).",
    )
    relationship_owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Stakeholder
        fields = [
            "id", "organization", "full_name", "title", "unit", "email", "phone",
            "relationship", "power", "interest", "quadrant", "current_engagement",
            "desired_engagement", "engagement_gap", "relationship_owner",
            "relationship_owner_name", "notes", "is_active", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=Quadrant.choices))
    def get_quadrant(self, stakeholder) -> str:
        # Lists carry the SQL annotation; a bare instance computes the same in Python.
        return getattr(stakeholder, "quadrant_value", None) or stakeholder.quadrant

    @extend_schema_field(serializers.IntegerField(min_value=-4, max_value=4))
    def get_engagement_gap(self, stakeholder) -> int:
        value = getattr(stakeholder, "engagement_gap_value", None)
        return stakeholder.engagement_gap if value is None else value

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_relationship_owner_name(self, stakeholder) -> str | None:
        return person_name(stakeholder.relationship_owner)

    def create(self, validated_data):
        return services.stakeholder_create(actor=self._user(), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)
        return services.stakeholder_update(
            stakeholder=instance, actor=self._user(), **validated_data
        )


class EngagementAssessmentSerializer(ScopedModelSerializer):
    """One dated assessment of a stakeholder's current (C) and desired (D) engagement.

    The stakeholder's register values follow the latest assessment (by date, then creation);
    a back-dated one joins the trend without overwriting newer values.
    """

    organization = serializers.IntegerField(
        source="stakeholder.organization_id", read_only=True,
        help_text="The stakeholder's organization.",
    )
    assessed_on = serializers.DateField(
        required=False, help_text="Defaults to today; may be earlier, never later."
    )
    gap = serializers.SerializerMethodField(help_text="Desired minus current (PMBOK scale).")
    assessed_by = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="User id of who recorded it (the requester)."
    )
    assessed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EngagementAssessment
        fields = [
            "id", "stakeholder", "organization", "assessed_on", "current", "desired", "gap",
            "assessed_by", "assessed_by_name", "note", "created_at",
        ]
        read_only_fields = ["created_at"]

    @extend_schema_field(serializers.IntegerField(min_value=-4, max_value=4))
    def get_gap(self, assessment) -> int:
        return assessment.gap

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assessed_by_name(self, assessment) -> str | None:
        return person_name(assessment.assessed_by)

    def create(self, validated_data):
        return services.engagement_assess(
            actor=self.context["request"].user, **validated_data
        )


class CommunicationPlanSerializer(TenantOwnedSerializer):
    """A recurring communication to stakeholders and/or a named group (``audience``).

    ``next_due_on`` is derived: the last logged communication plus the frequency, or
    ``starts_on`` before the first; ad-hoc plans have none. An active plan past its due date
    is overdue.
    """

    last_held_on = serializers.SerializerMethodField(
        help_text="Date of the latest communication logged against the plan."
    )
    is_overdue = serializers.SerializerMethodField(
        help_text="Active and its next due date has passed."
    )
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = CommunicationPlan
        fields = [
            "id", "organization", "purpose", "audience", "stakeholders", "channel",
            "frequency", "owner", "owner_name", "starts_on", "next_due_on", "last_held_on",
            "is_overdue", "is_active", "created_at", "updated_at",
        ]
        read_only_fields = ["next_due_on", "created_at", "updated_at"]
        extra_kwargs = {
            "stakeholders": {"help_text": "Stakeholder ids; give these or an audience."},
            "owner": {"help_text": "User id of who makes sure it happens."},
        }

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_held_on(self, plan):
        if hasattr(plan, "last_held_on_value"):
            return plan.last_held_on_value
        return plan.communications.aggregate(last=Max("held_on"))["last"]

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, plan) -> bool:
        return plan.is_overdue(timezone.localdate())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner_name(self, plan) -> str | None:
        return person_name(plan.owner)

    def create(self, validated_data):
        return services.communication_plan_create(actor=self._user(), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)
        return services.communication_plan_update(
            plan=instance, actor=self._user(), **validated_data
        )


CHANNEL_REQUIRED = "Say how the communication was held, or choose its plan."


class CommunicationSerializer(TenantOwnedSerializer):
    """A communication that was held: the log. Entries are corrected, never deleted.

    Logging one against a plan moves the plan's next due date on.
    """

    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False,
        help_text="Defaults to the plan's channel when a plan is given.",
    )
    recorded_by = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="User id of who logged it."
    )
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Communication
        fields = [
            "id", "organization", "plan", "held_on", "channel", "participants",
            "other_participants", "summary", "agreed_actions", "recorded_by",
            "recorded_by_name", "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "held_on": {"help_text": "Today or earlier."},
            "participants": {"help_text": "Stakeholder ids of who took part."},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by_name(self, communication) -> str | None:
        return person_name(communication.recorded_by)

    def validate(self, attrs):
        # Filled here (as the service would) so the model constraints below see a channel.
        if self.instance is None and not attrs.get("channel"):
            if attrs.get("plan") is None:
                raise serializers.ValidationError({"channel": [CHANNEL_REQUIRED]})
            attrs["channel"] = attrs["plan"].channel
        return super().validate(attrs)

    def create(self, validated_data):
        return services.communication_record(actor=self._user(), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)
        return services.communication_update(
            communication=instance, actor=self._user(), **validated_data
        )


class RiskSerializer(TenantOwnedSerializer):
    """A threat or opportunity with its score (probability x impact) and rating.

    The response strategy must fit the kind (avoid, mitigate, transfer for threats; exploit,
    enhance, share for opportunities; accept and escalate for both). Risks are closed with a
    status, not deleted.
    """

    score = serializers.SerializerMethodField(help_text="Probability x impact, 1 to 25.")
    rating = serializers.SerializerMethodField(
        help_text="Rating of the score under the configured thresholds."
    )
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id", "organization", "title", "description", "cause", "effect", "category",
            "kind", "probability", "impact", "score", "rating", "response_strategy",
            "response_actions", "owner", "owner_name", "proximity", "status", "identified_on",
            "stakeholders", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "owner": {"help_text": "Stakeholder id of who is accountable for the response."},
            "stakeholders": {"help_text": "Stakeholder ids of who is concerned."},
        }

    @extend_schema_field(serializers.IntegerField(min_value=1, max_value=25))
    def get_score(self, risk) -> int:
        value = getattr(risk, "score_value", None)
        return risk.score if value is None else value

    @extend_schema_field(serializers.ChoiceField(choices=RiskRating.choices))
    def get_rating(self, risk) -> str:
        return getattr(risk, "rating_value", None) or risk.rating

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner_name(self, risk) -> str | None:
        return risk.owner.full_name if risk.owner else None

    def create(self, validated_data):
        return services.risk_create(actor=self._user(), **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)
        return services.risk_update(risk=instance, actor=self._user(), **validated_data)

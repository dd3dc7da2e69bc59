"""Serializers of the stakeholders API. Input validation is separate from output shape.

Password strength is checked by the services (one place for the API and the admin)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField

from ..choices import MembershipRole
from ..models import Organization, User


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

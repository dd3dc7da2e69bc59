"""Serializers of the catalog API. Input validation is separate from output shape.

A service's tiers, criteria, indicators and roles are read-only here: PMO staff manage them in
the admin, where they are edited together with the service.
"""

import json

from rest_framework import serializers

from pmo_service.api.rows import iso_datetime
from pmo_service.api.scoping import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    scope_queryset,
)

from .. import selectors
from ..models import (
    Category,
    Certification,
    Criterion,
    Indicator,
    Role,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ServiceRoleSkill,
    ServiceTier,
    Skill,
    ValueProcess,
)

# --- Taxonomies ------------------------------------------------------------------------------


class TaxonomyReferenceSerializer(serializers.Serializer):
    """A taxonomy entry as other resources show it."""

    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class ValueProcessSerializer(ScopedModelSerializer):
    class Meta:
        model = ValueProcess
        fields = ["id", "slug", "name", "description"]


class CategorySerializer(ScopedModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "description", "position"]


class SkillSerializer(ScopedModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "slug", "name", "category", "description"]


class RoleSerializer(ScopedModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "slug", "name", "description"]


class CertificationSerializer(ScopedModelSerializer):
    class Meta:
        model = Certification
        fields = ["id", "code", "name", "issuer"]


# --- Services: output ------------------------------------------------------------------------


class ServiceSummarySerializer(serializers.ModelSerializer):
    """The lean catalog row: only what the list shows, from two joined/prefetched tables."""

    category = TaxonomyReferenceSerializer(read_only=True)
    value_processes = TaxonomyReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id", "slug", "name", "summary", "typology", "category", "status",
            "typical_duration_weeks", "pricing_basis", "value_processes", "updated_at",
        ]
        read_only_fields = fields


class ServiceRowListSerializer(serializers.ListSerializer):
    """Gives every row its value processes: from the row itself (PostgreSQL), else with one
    query for the whole page."""

    def to_representation(self, data):
        rows = list(data)
        if rows and "value_process_json" in rows[0]:  # fetched with the rows (PostgreSQL)
            return [
                self.child.row_to_representation(row, json.loads(row["value_process_json"]))
                for row in rows
            ]
        processes = selectors.service_value_processes(service_ids=[row["id"] for row in rows])
        return [self.child.row_to_representation(row, processes.get(row["id"], [])) for row in rows]


class ServiceRowSerializer(ServiceSummarySerializer):
    """The catalog list, built from ``selectors.service_list_rows()`` (plain rows, no models).

    The catalog list is the most-read page of the API. Reading rows with ``values()`` and
    writing each as one dict literal costs a fraction of model instances, the generic prefetch
    and DRF's field-by-field walk (figures in docs/benchmarks.md). The document is the same as
    ``ServiceSummarySerializer`` gives for a model instance, which describes it in the OpenAPI
    schema; tests/catalog/test_api.py compares the two.
    """

    class Meta(ServiceSummarySerializer.Meta):
        list_serializer_class = ServiceRowListSerializer

    def to_representation(self, row: dict) -> dict:
        if "value_process_json" in row:
            return self.row_to_representation(row, json.loads(row["value_process_json"]))
        processes = selectors.service_value_processes(service_ids=[row["id"]])
        return self.row_to_representation(row, processes.get(row["id"], []))

    @staticmethod
    def row_to_representation(row: dict, value_processes: list[dict]) -> dict:
        return {
            "id": row["id"],
            "slug": row["slug"],
            "name": row["name"],
            "summary": row["summary"],
            "typology": row["typology"],
            "category": {
                "id": row["category_id"],
                "slug": row["category__slug"],
                "name": row["category__name"],
            },
            "status": row["status"],
            "typical_duration_weeks": row["typical_duration_weeks"],
            "pricing_basis": row["pricing_basis"],
            "value_processes": value_processes,
            "updated_at": iso_datetime(row["updated_at"]),
        }


class ServiceTierSerializer(serializers.ModelSerializer):
    includes = serializers.ListField(
        child=serializers.CharField(), source="included_items", read_only=True,
        help_text="What is included, one item per entry.",
    )
    commitments = serializers.ListField(
        child=serializers.CharField(), source="commitment_items", read_only=True,
        help_text="Service-level commitments, one per entry.",
    )

    class Meta:
        model = ServiceTier
        fields = ["id", "level", "headline", "includes", "commitments", "price"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "kind", "position", "text"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id", "name", "measures", "formula", "unit", "direction", "target",
            "green_threshold", "red_threshold", "frequency", "position",
        ]
        read_only_fields = fields


class CertificationReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certification
        fields = ["id", "code", "name"]
        read_only_fields = fields


class RequiredSkillSerializer(serializers.ModelSerializer):
    skill = TaxonomyReferenceSerializer(read_only=True)

    class Meta:
        model = ServiceRoleSkill
        fields = ["skill", "minimum_level"]
        read_only_fields = fields


class ServiceRoleSerializer(serializers.ModelSerializer):
    role = TaxonomyReferenceSerializer(read_only=True)
    certifications = CertificationReferenceSerializer(many=True, read_only=True)
    skills = RequiredSkillSerializer(source="skill_requirements", many=True, read_only=True)

    class Meta:
        model = ServiceRole
        fields = [
            "role", "seniority", "typical_allocation_percent", "responsibilities",
            "certifications", "skills",
        ]
        read_only_fields = fields


class ServiceDetailSerializer(ServiceSummarySerializer):
    """A service with everything a prospect needs to decide (see selectors.service_detail)."""

    price_unit = serializers.CharField(
        read_only=True, help_text="What tier prices are quoted per, from the pricing basis."
    )
    tiers = ServiceTierSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    roles = ServiceRoleSerializer(many=True, read_only=True)

    class Meta(ServiceSummarySerializer.Meta):
        fields = [
            *ServiceSummarySerializer.Meta.fields,
            "description", "pricing_notes", "price_unit", "published_at", "retired_at",
            "created_at", "tiers", "criteria", "indicators", "roles",
        ]
        read_only_fields = fields


# --- Services: input -------------------------------------------------------------------------


class ServiceWriteSerializer(ScopedModelSerializer):
    """What staff may set on a service. Status changes only through publish and retire."""

    class Meta:
        model = Service
        fields = [
            "name", "slug", "summary", "description", "typology", "category",
            "typical_duration_weeks", "pricing_basis", "pricing_notes", "value_processes",
        ]

    def to_representation(self, instance):
        # Answer writes with the same shape a retrieve gives.
        return ServiceDetailSerializer(instance, context=self.context).data


# --- Service requests ------------------------------------------------------------------------


class OrganizationReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ServiceReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "slug", "name", "status"]
        read_only_fields = fields


class TierReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceTier
        fields = ["id", "level", "headline"]
        read_only_fields = fields


class RequesterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, help_text="Username of who made the change."
    )

    class Meta:
        model = ServiceRequestTransition
        fields = ["from_status", "to_status", "actor", "note", "created_at"]
        read_only_fields = fields


class ServiceRequestSerializer(serializers.ModelSerializer):
    """A request with its status history, oldest change first."""

    organization = OrganizationReferenceSerializer(read_only=True)
    service = ServiceReferenceSerializer(read_only=True)
    tier = TierReferenceSerializer(read_only=True)
    requested_by = RequesterSerializer(read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "organization", "service", "tier", "requested_by", "desired_start", "context",
            "expected_outcomes", "status", "decision_reason", "created_at", "updated_at",
            "transitions",
        ]
        read_only_fields = fields


class VisibleTierField(ScopedPrimaryKeyRelatedField):
    """A tier of a service the user may see: tiers have no scope of their own, they follow
    their service's (so a draft service's tier is as unknown as a missing one)."""

    def get_queryset(self):
        request = self.context["request"]
        visible = scope_queryset(Service.objects.all(), request.user)
        return ServiceTier.objects.filter(service__in=visible)


class ServiceRequestCreateSerializer(serializers.Serializer):
    """Input for a client's request. The workflow rules live in catalog.services."""

    service = ScopedPrimaryKeyRelatedField(
        queryset=Service.objects.all(), help_text="A published service."
    )
    tier = VisibleTierField(
        queryset=ServiceTier.objects.all(), help_text="One of the service's tiers."
    )
    desired_start = serializers.DateField(help_text="Today or later, within two years.")
    context = serializers.CharField(help_text="The situation that makes the service needed.")
    expected_outcomes = serializers.CharField(help_text="What success looks like.")


class AcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Optional note to the client about the decision.",
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the request is declined; the client sees it.")

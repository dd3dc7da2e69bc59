"""Serializers of the portfolio API. Input validation is separate from output shape.

Writes go through portfolio.services (the views call them with ``validated_data``); these
classes check the input's shape and tenancy and describe what is returned. Computed values
(TIME class, fan-in, blast radius, WSJF priority, warnings) are read-only.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo_service.api.rows import iso_date, iso_datetime, serializer_field
from pmo_service.api.scoping import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from stakeholders.api.serializers import name_from_parts, person_name
from stakeholders.api.tenant import TenantOwnedSerializer
from stakeholders.tenancy import user_sees_everything

from .. import selectors, services
from ..choices import DemandStatus, DependencyKind, TimeClass
from ..models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandTransition,
    Objective,
)

OVERRIDE_STAFF_ONLY = (
    "Only PMO staff override the TIME class; ask them, with your rationale, to review it."
)


# --- Applications ----------------------------------------------------------------------------


class TechnologyNamesField(serializers.ListField):
    """Technologies as a list of names, in and out. Names are matched to the shared
    vocabulary case-insensitively; unknown ones are added to it (see the services)."""

    child = serializers.CharField(max_length=services.TECHNOLOGY_NAME_MAX_LENGTH)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", services.MAX_TECHNOLOGIES)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, data):
        # ``data`` is the related manager; the selectors prefetch it.
        return [technology.name for technology in data.all()]


class ApplicationSerializer(TenantOwnedSerializer):
    """An application of a client's portfolio with its TIME assessment.

    ``time_class`` is the final class (the staff override where there is one, else the class
    computed from the fits); ``time_computed`` is always the computed one. Only PMO staff set
    ``time_override``, and it needs ``time_override_rationale``; sending an empty override
    clears it. ``fan_in`` counts the applications that depend on this one directly.
    """

    time_computed = serializers.SerializerMethodField(
        help_text="TIME class computed from the fits; null until both fits are assessed."
    )
    time_class = serializers.SerializerMethodField(
        help_text="Final TIME class: the staff override, else the computed class."
    )
    time_overridden_by = serializers.SerializerMethodField(
        help_text="Name of the PMO staff member who set the override."
    )
    technologies = TechnologyNamesField(
        help_text=f"Technology names (at most {services.MAX_TECHNOLOGIES}); matched to the "
        "shared vocabulary in any case, new names are added to it."
    )
    fan_in = serializers.SerializerMethodField(
        help_text="How many applications depend on this one directly."
    )

    class Meta:
        model = Application
        fields = [
            "id", "organization", "name", "code", "description", "business_owner",
            "technical_owner", "lifecycle", "criticality", "functional_fit", "technical_fit",
            "time_computed", "time_class", "time_override", "time_override_rationale",
            "time_overridden_by", "time_overridden_at", "annual_run_cost", "user_count",
            "hosting", "technologies", "vendor", "contract_end", "fan_in", "created_at",
            "updated_at",
        ]
        read_only_fields = ["time_overridden_at", "created_at", "updated_at"]
        extra_kwargs = {
            "time_override": {"help_text": "PMO staff only: replaces the computed TIME class."},
            "time_override_rationale": {
                "help_text": "PMO staff only: why the override; required with one."
            },
        }

    @extend_schema_field(serializers.ChoiceField(choices=TimeClass.choices, allow_null=True))
    def get_time_computed(self, application) -> str | None:
        # Querysets carry the SQL annotation; a bare instance computes the same in Python.
        if hasattr(application, "time_computed_value"):
            return application.time_computed_value
        return application.time_computed

    @extend_schema_field(serializers.ChoiceField(choices=TimeClass.choices, allow_null=True))
    def get_time_class(self, application) -> str | None:
        if hasattr(application, "time_class_value"):
            return application.time_class_value
        return application.time_class

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_time_overridden_by(self, application) -> str | None:
        return person_name(application.time_overridden_by)

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_fan_in(self, application) -> int:
        if hasattr(application, "fan_in_value"):
            return application.fan_in_value
        return application.dependents.count()

    def validate(self, attrs):
        self._check_override(attrs)
        return super().validate(attrs)

    def _check_override(self, attrs) -> None:
        """Clients may send the override fields back unchanged (a GET-edit-PUT round trip),
        never a different value; staff give a rationale with every override."""
        instance = self.instance
        current = {
            name: getattr(instance, name) if instance is not None else ""
            for name in services.OVERRIDE_FIELDS
        }
        wanted = {name: attrs.get(name, current[name]) or "" for name in current}
        if not user_sees_everything(self.context["request"].user):
            changed = [name for name in current if wanted[name] != current[name]]
            if changed:
                raise serializers.ValidationError({changed[0]: [OVERRIDE_STAFF_ONLY]})
            return
        if wanted["time_override"] and not wanted["time_override_rationale"].strip():
            raise serializers.ValidationError({
                "time_override_rationale": ["Explain why the computed TIME class is overridden."]
            })
        if not wanted["time_override"] and attrs.get("time_override_rationale"):
            raise serializers.ValidationError({
                "time_override_rationale": [
                    "A rationale goes with a TIME override; choose one or leave both empty."
                ]
            })


class ApplicationRowListSerializer(serializers.ListSerializer):
    """Gives every row its technologies: from the row itself (PostgreSQL), else with one
    query for the whole page."""

    def to_representation(self, data):
        rows = list(data)
        write = self.child.row_to_representation
        if rows and "technology_names" in rows[0]:  # fetched with the rows (PostgreSQL)
            return [write(row, row["technology_names"]) for row in rows]
        names = selectors.application_technologies(application_ids=[row["id"] for row in rows])
        return [write(row, names.get(row["id"], [])) for row in rows]


class ApplicationRowSerializer(ApplicationSerializer):
    """The application list, built from ``selectors.application_api_rows()`` (plain rows).

    Reading rows with ``values()`` and writing each as one dict literal skips the model
    instances, the technologies prefetch and DRF's field-by-field walk, a quarter of the
    request (docs/benchmarks.md). The document is the one ``ApplicationSerializer`` gives for
    a model instance, which describes it in the OpenAPI schema;
    tests/portfolio/test_application_rows.py compares the two. Values DRF writes as they are
    (ids, choices, integers, text) are copied; dates, datetimes and decimals are formatted as
    DRF's fields format them.
    """

    class Meta(ApplicationSerializer.Meta):
        list_serializer_class = ApplicationRowListSerializer

    def to_representation(self, row: dict) -> dict:
        if "technology_names" in row:
            return self.row_to_representation(row, row["technology_names"])
        names = selectors.application_technologies(application_ids=[row["id"]])
        return self.row_to_representation(row, names.get(row["id"], []))

    @staticmethod
    def row_to_representation(row: dict, technologies: list[str]) -> dict:
        username = row["time_overridden_by__username"]
        cost = row["annual_run_cost"]
        return {
            "id": row["id"],
            "organization": row["organization_id"],
            "name": row["name"],
            "code": row["code"],
            "description": row["description"],
            "business_owner": row["business_owner_id"],
            "technical_owner": row["technical_owner_id"],
            "lifecycle": row["lifecycle"],
            "criticality": row["criticality"],
            "functional_fit": row["functional_fit"],
            "technical_fit": row["technical_fit"],
            "time_computed": row["time_computed_value"],
            "time_class": row["time_class_value"],
            "time_override": row["time_override"],
            "time_override_rationale": row["time_override_rationale"],
            "time_overridden_by": None if username is None else name_from_parts(
                row["time_overridden_by__first_name"], row["time_overridden_by__last_name"],
                username,
            ),
            "time_overridden_at": iso_datetime(row["time_overridden_at"]),
            "annual_run_cost": None if cost is None else (
                serializer_field(ApplicationSerializer, "annual_run_cost").to_representation(cost)
            ),
            "user_count": row["user_count"],
            "hosting": row["hosting"],
            "technologies": technologies,
            "vendor": row["vendor"],
            "contract_end": iso_date(row["contract_end"]),
            "fan_in": row["fan_in_value"],
            "created_at": iso_datetime(row["created_at"]),
            "updated_at": iso_datetime(row["updated_at"]),
        }


class ApplicationLinkSerializer(serializers.Serializer):
    """An application at the other end of a dependency."""

    dependency = serializers.IntegerField(help_text="Id of the dependency record.")
    id = serializers.IntegerField(help_text="Id of the application at the other end.")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DependencyKind.choices)


class ApplicationReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DemandReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=DemandStatus.choices)


class ObjectiveReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ApplicationDetailSerializer(ApplicationSerializer):
    """An application with its neighbourhood: what it depends on, what depends on it, how far
    an outage of it reaches (``blast_radius``: every application depending on it directly or
    through others), the dependency cycles it is part of, its demands and objectives."""

    depends_on = serializers.SerializerMethodField()
    depended_on_by = serializers.SerializerMethodField()
    blast_radius = serializers.SerializerMethodField(
        help_text="How many applications depend on this one, directly or transitively."
    )
    blast_radius_applications = serializers.SerializerMethodField(
        help_text="Those applications, by name."
    )
    dependency_cycles = serializers.SerializerMethodField(
        help_text="Dependency cycles this application is part of, each as its members' codes."
    )
    demands = serializers.SerializerMethodField()
    objectives = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields, "depends_on", "depended_on_by", "blast_radius",
            "blast_radius_applications", "dependency_cycles", "demands", "objectives",
        ]

    def _neighbourhood(self, application) -> dict:
        # Several fields read it; compute it once per application.
        cache = self.__dict__.setdefault("_neighbourhoods", {})
        if application.pk not in cache:
            cache[application.pk] = selectors.application_neighbourhood(application=application)
        return cache[application.pk]

    @staticmethod
    def _link(dependency, other) -> dict:
        return {
            "dependency": dependency.pk, "id": other.pk, "code": other.code,
            "name": other.name, "kind": dependency.kind,
        }

    @extend_schema_field(ApplicationLinkSerializer(many=True))
    def get_depends_on(self, application) -> list[dict]:
        return [
            self._link(dependency, dependency.target)
            for dependency in self._neighbourhood(application)["depends_on"]
        ]

    @extend_schema_field(ApplicationLinkSerializer(many=True))
    def get_depended_on_by(self, application) -> list[dict]:
        return [
            self._link(dependency, dependency.source)
            for dependency in self._neighbourhood(application)["depended_on_by"]
        ]

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_blast_radius(self, application) -> int:
        return len(self._neighbourhood(application)["blast_radius"])

    @extend_schema_field(ApplicationReferenceSerializer(many=True))
    def get_blast_radius_applications(self, application) -> list[dict]:
        return [
            {"id": reached.pk, "code": reached.code, "name": reached.name}
            for reached in self._neighbourhood(application)["blast_radius"]
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    )
    def get_dependency_cycles(self, application) -> list[list[str]]:
        return self._neighbourhood(application)["cycles"]

    @extend_schema_field(DemandReferenceSerializer(many=True))
    def get_demands(self, application) -> list[dict]:
        return [
            {"id": demand.pk, "title": demand.title, "status": demand.status}
            for demand in application.demands.all()
        ]

    @extend_schema_field(ObjectiveReferenceSerializer(many=True))
    def get_objectives(self, application) -> list[dict]:
        return [
            {"id": objective.pk, "title": objective.title}
            for objective in application.objectives.all()
        ]


# --- Dependencies ----------------------------------------------------------------------------


class ApplicationDependencySerializer(ScopedModelSerializer):
    """``source`` depends on ``target``: when the target fails or changes, the source is hit.
    Both belong to the same organization; cycles are allowed and reported on applications."""

    source_code = serializers.CharField(source="source.code", read_only=True)
    target_code = serializers.CharField(source="target.code", read_only=True)

    class Meta:
        model = ApplicationDependency
        fields = ["id", "source", "target", "source_code", "target_code", "kind", "description"]
        extra_kwargs = {
            "source": {"help_text": "Id of the application that depends on the target."},
            "target": {"help_text": "Id of the application depended on."},
        }


# --- Objectives ------------------------------------------------------------------------------


class ObjectiveSerializer(TenantOwnedSerializer):
    """A strategic objective of a client for a period, with the applications through which
    it is met; ``demand_count`` says how many demands serve it."""

    applications = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Application.objects.all(),
        help_text="Ids of the applications through which the objective is met.",
    )
    demand_count = serializers.SerializerMethodField(help_text="Demands serving the objective.")

    class Meta:
        model = Objective
        fields = [
            "id", "organization", "title", "description", "period_start", "period_end",
            "owner", "status", "applications", "demand_count", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_demand_count(self, objective) -> int:
        if hasattr(objective, "demand_count_value"):
            return objective.demand_count_value
        return objective.demands.count()

    def validate(self, attrs):
        instance = self.instance
        start = attrs.get("period_start", getattr(instance, "period_start", None))
        end = attrs.get("period_end", getattr(instance, "period_end", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError(
                {"period_end": ["The period cannot end before it starts."]}
            )
        return super().validate(attrs)


# --- Demand ----------------------------------------------------------------------------------


class DemandTransitionSerializer(serializers.ModelSerializer):
    """One status change, as stored: flow metrics are computed from these."""

    actor_name = serializers.SerializerMethodField(help_text="Who made the change.")

    class Meta:
        model = DemandTransition
        fields = ["from_status", "to_status", "actor_name", "at", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_actor_name(self, transition) -> str:
        return person_name(transition.actor)


class DemandSerializer(serializers.ModelSerializer):
    """A demand as lists show it. ``priority_score`` is WSJF: (business value + urgency + risk
    reduction) / effort, two decimals, highest first. ``warnings`` flag targeted applications
    that are to be tolerated or eliminated, or are sunsetting or retired.
    ``allowed_transitions`` are the statuses the requesting user may move it to now."""

    applications = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the applications it is articulated on."
    )
    objectives = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the objectives it serves."
    )
    status = serializers.ChoiceField(choices=DemandStatus.choices, read_only=True)
    priority_score = serializers.SerializerMethodField(help_text="WSJF priority score.")
    warnings = serializers.SerializerMethodField(
        help_text="Why work on the targeted applications may be wasted."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Statuses you may move this demand to now."
    )
    submitted_by = serializers.SerializerMethodField(help_text="Who submitted it.")
    version = serializers.IntegerField(
        read_only=True,
        help_text="Raised by every change; the detail's ETag. Send it back as If-Match to "
        "refuse your write (412) if someone changed the demand since you read it.",
    )

    class Meta:
        model = Demand
        fields = [
            "id", "organization", "title", "description", "demand_type", "applications",
            "objectives", "requester", "business_value", "urgency", "risk_reduction", "effort",
            "priority_score", "status", "target_date", "warnings", "allowed_transitions",
            "submitted_by", "created_at", "updated_at", "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_priority_score(self, demand) -> float:
        if hasattr(demand, "priority_value"):
            return demand.priority_value
        return demand.priority

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, demand) -> list[str]:
        return demand.application_warnings()

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=DemandStatus.choices))
    )
    def get_allowed_transitions(self, demand) -> list[str]:
        return services.demand_allowed_targets(demand=demand, user=self.context["request"].user)

    @extend_schema_field(serializers.CharField())
    def get_submitted_by(self, demand) -> str:
        return person_name(demand.submitted_by)


class DemandDetailSerializer(DemandSerializer):
    """A demand with its status history, oldest change first."""

    transitions = DemandTransitionSerializer(many=True, read_only=True)

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "transitions"]
        read_only_fields = fields


class DemandWriteSerializer(TenantOwnedSerializer):
    """What a requester says about a demand. Status moves only through ``transition``; the
    demand can be changed while it is submitted or assessed (409 afterwards)."""

    applications = ScopedPrimaryKeyRelatedField(
        many=True, allow_empty=False, queryset=Application.objects.all(),
        help_text="Ids of the applications the demand is articulated on (at least one).",
    )
    objectives = ScopedPrimaryKeyRelatedField(
        many=True, required=False, queryset=Objective.objects.all(),
        help_text="Ids of the objectives it serves.",
    )

    class Meta:
        model = Demand
        fields = [
            "organization", "title", "description", "demand_type", "applications",
            "objectives", "requester", "business_value", "urgency", "risk_reduction", "effort",
            "target_date",
        ]

    def to_representation(self, instance):
        # Answer writes with the same document a retrieve gives.
        return DemandDetailSerializer(instance, context=self.context).data


class DemandTransitionRequestSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=DemandStatus.choices, help_text="The status to move the demand to."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text="Why; required when rejecting.",
    )

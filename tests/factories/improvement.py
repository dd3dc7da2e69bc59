"""Factories for process maps and improvement actions."""

from decimal import Decimal

import factory

from improvement.choices import ActionSource
from improvement.models import ImprovementAction, ProcessMap, ProcessStep

from .stakeholders import OrganizationFactory


class ProcessMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessMap

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Permit request handling {n:04d}")
    description = "From the citizen's request to the permit sent."
    version = 1


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    process_map = factory.SubFactory(ProcessMapFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")
    performer = "Back office"
    process_time_hours = Decimal("2.00")
    wait_time_hours = Decimal("8.00")
    percent_complete_accurate = Decimal("90.00")
    capacity_per_week = Decimal("40.00")
    demand_per_week = Decimal("30.00")
    people = 2
    handoffs = 1


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementAction

    organization = factory.SubFactory(OrganizationFactory)
    source = ActionSource.RETROSPECTIVE
    title = factory.Sequence(lambda n: f"Shorten the approval loop ({n})")
    problem = "Requests wait days for a signature."
    proposal = "Delegate signatures under a threshold."
    business_value = 8
    time_criticality = 5
    risk_reduction = 3
    job_size = 5

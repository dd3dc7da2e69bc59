"""Factories for the applications portfolio."""

from datetime import date, timedelta

import factory

from portfolio.choices import (
    Criticality,
    DemandStatus,
    DemandType,
    DependencyKind,
    Hosting,
    Lifecycle,
)
from portfolio.models import (
    Application,
    ApplicationDependency,
    Demand,
    DemandTransition,
    Objective,
    Technology,
)

from .stakeholders import ClientUserFactory, OrganizationFactory


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Technology {n}")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Application {n:04d}")
    code = factory.Sequence(lambda n: f"APP-{n:04d}")
    description = "Keeps the records of a business process."
    lifecycle = Lifecycle.IN_PRODUCTION
    criticality = Criticality.MEDIUM
    functional_fit = 3
    technical_fit = 3
    hosting = Hosting.ON_PREMISES


class ApplicationDependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDependency

    source = factory.SubFactory(ApplicationFactory)
    target = factory.SubFactory(
        ApplicationFactory, organization=factory.SelfAttribute("..source.organization")
    )
    kind = DependencyKind.API


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Halve processing time of permits ({n})")
    period_start = factory.LazyFunction(lambda: date(date.today().year, 1, 1))
    period_end = factory.LazyFunction(lambda: date(date.today().year, 12, 31))


class DemandFactory(factory.django.DjangoModelFactory):
    """A submitted demand on one application of its organization, with its first transition."""

    class Meta:
        model = Demand
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Online appointment booking ({n})")
    description = "Citizens book appointments without calling."
    demand_type = DemandType.EVOLUTION
    submitted_by = factory.SubFactory(
        ClientUserFactory, membership__organization=factory.SelfAttribute("...organization")
    )
    target_date = factory.LazyFunction(lambda: date.today() + timedelta(days=90))

    @factory.post_generation
    def applications(self, create, extracted, **kwargs):
        if not create:
            return
        targets = extracted if extracted is not None else [
            ApplicationFactory(organization=self.organization)
        ]
        self.applications.set(targets)

    @factory.post_generation
    def submission(self, create, extracted, **kwargs):
        if create:
            DemandTransition.objects.create(
                demand=self, from_status="", to_status=DemandStatus.SUBMITTED,
                actor=self.submitted_by,
            )

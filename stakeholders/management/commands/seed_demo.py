"""Demo data: the provider, three public-administration clients, a user each, a staff user.

Then this app's own demo data (the clients' stakeholder registers, ``stakeholders.demo``),
which the others build on, and then every other app's: an app with a ``demo`` module exposing
``seed(*, stdout)`` is called in INSTALLED_APPS order (lowest app first). Found by name, so
this lower app never imports the apps built on it.

Idempotent: running it again updates nothing that exists and creates what is missing.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from stakeholders import demo as register_demo
from stakeholders.choices import MembershipRole, OrganizationKind, Sector
from stakeholders.models import Membership, Organization, User

PROVIDER = {
    "name": "Northwind PMO Services",
    "kind": OrganizationKind.PROVIDER,
    "sector": Sector.SERVICES,
    "country": "ES",
    "region": "Madrid",
    "contact_name": "PMO office",
    "contact_email": "office@northwind-pmo.example",
}

CLIENTS = [
    {
        "name": "City Council of Riverton",
        "sector": Sector.LOCAL,
        "region": "Valencia",
        "contact_name": "Laura Gómez",
        "contact_email": "it.office@riverton.example",
        "login": ("riverton.sponsor", "Laura", "Gómez", MembershipRole.SPONSOR),
    },
    {
        "name": "Eastmoor Regional Health Service",
        "sector": Sector.HEALTH,
        "region": "Castilla y León",
        "contact_name": "Javier Ruiz",
        "contact_email": "pmo@eastmoor-health.example",
        "login": ("eastmoor.member", "Javier", "Ruiz", MembershipRole.MEMBER),
    },
    {
        "name": "National Agency for Digital Government",
        "sector": Sector.GOVERNMENT,
        "region": "Madrid",
        "contact_name": "Marta Santos",
        "contact_email": "portfolio@digital-agency.example",
        "login": ("digital.viewer", "Marta", "Santos", MembershipRole.READ_ONLY),
    },
]

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo data, printed for the reader on purpose
STAFF_USERNAME = "pmo.staff"


class Command(BaseCommand):
    help = "Create (or complete) the demo organizations and logins. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", metavar="APP", default=None,
            help="Seed the organizations and logins plus only this app's demo data "
            "(repeatable, e.g. --only stakeholders --only portfolio). Default: every app.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        only = set(options["only"]) if options["only"] else None
        provider, _ = Organization.objects.get_or_create(
            kind=OrganizationKind.PROVIDER, defaults=PROVIDER
        )
        logins = []
        staff = self._user(STAFF_USERNAME, "Pat", "Morgan", is_staff=True)
        if not staff.is_superuser:
            staff.is_superuser = True
            staff.save(update_fields=["is_superuser"])
        Membership.objects.get_or_create(
            user=staff, defaults={"organization": provider, "role": MembershipRole.MEMBER}
        )
        logins.append((STAFF_USERNAME, "PMO staff (admin)", provider.name))
        for client in CLIENTS:
            spec = dict(client)
            username, first, last, role = spec.pop("login")
            organization, _ = Organization.objects.get_or_create(
                name=spec["name"],
                defaults={**spec, "kind": OrganizationKind.CLIENT, "country": "ES",
                          "is_public_administration": True},
            )
            user = self._user(username, first, last)
            Membership.objects.get_or_create(
                user=user, defaults={"organization": organization, "role": role}
            )
            logins.append((username, role.label, organization.name))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all: "
                                             f"{DEMO_PASSWORD}):"))
        for username, what, organization in logins:
            self.stdout.write(f"  {username:<18} {what:<20} {organization}")
        # The registers first: the other apps' demo data names their people (owners,
        # requesters), and needs the organizations and the staff login created above.
        if only is None or "stakeholders" in only:
            register_demo.seed(stdout=self.stdout)
        for label, module in self._app_demo_modules():
            if only is None or label in only:
                module.seed(stdout=self.stdout)

    @staticmethod
    def _app_demo_modules():
        """The ``demo`` modules of the other installed apps, in INSTALLED_APPS order."""
        for config in apps.get_app_configs():
            if config.name == "stakeholders":  # this app's data is seeded first, by handle()
                continue
            name = f"{config.name}.demo"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:  # the demo module exists but imports something missing
                    raise
                continue
            yield config.label, module

    @staticmethod
    def _user(username: str, first: str, last: str, *, is_staff: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.example",
                "is_staff": is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

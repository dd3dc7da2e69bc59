"""Demo data and the project's layout rules (app dependency direction)."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from stakeholders.models import Membership, Organization, User

ROOT = Path(__file__).resolve().parents[2]
# Allowed imports between apps: lower apps never import higher ones (docs/architecture.md).
ALLOWED = {
    "stakeholders": set(),
    "catalog": {"stakeholders"},
    "portfolio": {"stakeholders"},
    "engagements": {"stakeholders", "catalog", "portfolio"},
    "improvement": {"stakeholders", "catalog", "portfolio", "engagements"},
    "pmo_service": set(),
}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_the_demo_logins(capsys):
    call_command("seed_demo")
    counts = (Organization.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == (
        counts
    )
    # The provider, three demo clients with a login each, three former clients (engagements'
    # history for the track record).
    assert counts == (7, 4, 4)
    assert Organization.objects.filter(
        kind="client", memberships__isnull=False
    ).distinct().count() == 3
    assert User.objects.get(username="pmo.staff").is_staff
    for username in ("riverton.sponsor", "eastmoor.member", "digital.viewer"):
        user = User.objects.get(username=username)
        assert user.check_password("demo-password-2026")
        # The password shown in the README meets the policy it would be held to if typed in.
        validate_password("demo-password-2026", user=user)
    assert "riverton.sponsor" in capsys.readouterr().out


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
    return names & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependencies_run_one_way(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        # Every app may use the shared plumbing; pmo_service itself imports no app.
        extra = (_imported_apps(path) - {package, "pmo_service"}) - ALLOWED[package]
        if package == "pmo_service":
            extra = _imported_apps(path) - {"pmo_service"}
        if extra:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(extra)}")
    assert not offenders, "\n".join(offenders)

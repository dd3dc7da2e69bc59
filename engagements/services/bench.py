"""The bench: consultants, their profile (skills, languages, sectors, certifications) and
their day rates. PMO staff only."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.models import Certification, Skill
from pmo_service.exceptions import ConflictError
from stakeholders.choices import Sector
from stakeholders.models import User

from .. import selectors
from ..choices import CULTURE_TYPES, Language
from ..models import (
    Consultant,
    ConsultantCertification,
    ConsultantLanguage,
    ConsultantSector,
    ConsultantSkill,
    DayRate,
)
from ._rules import (
    assign,
    check_choices,
    check_date,
    check_integer,
    check_known_fields,
    check_levels,
    check_staff,
)

STYLE_FIELDS = tuple(f"style_{kind}" for kind in CULTURE_TYPES)
CONSULTANT_FIELDS = (
    "full_name", "seniority", "user", "email", "headline", "location", "remote_mode",
    "capacity_percent", *STYLE_FIELDS, "is_active", "notes",
)
MAX_DAY_RATE = Decimal("9999999.99")  # what the column holds


def _check_style(consultant: Consultant, fields: Mapping[str, Any]) -> None:
    """The working-style profile: four whole numbers 0-100 that share exactly 100 points."""
    for name in STYLE_FIELDS:
        if name in fields:
            check_integer(fields[name], 0, 100, name, "Points")
    total = sum(getattr(consultant, name) for name in STYLE_FIELDS)
    if total != 100:
        raise ValidationError(
            {"style": f"The working style must share exactly 100 points over clan, "
                      f"adhocracy, market and hierarchy, not {total}."}
        )


def _check_sectors(sectors: Mapping[str, Any]) -> dict[str, int]:
    if not isinstance(sectors, Mapping):
        raise ValidationError({"sectors": "Give a mapping of sector to years of experience."})
    for sector, years in sectors.items():
        if sector not in Sector.values:
            raise ValidationError({"sectors": f"“{sector}” is not a sector."})
        check_integer(years, 1, 50, "sectors", f"Years in {Sector(sector).label}")
    return dict(sectors)


def _checked_profile(
    skills: Mapping[Skill, int] | None,
    languages: Sequence[str] | None,
    sectors: Mapping[str, int] | None,
    certifications: Sequence[Certification] | None,
) -> dict[str, Any]:
    """Validate the profile parts that are given (None: leave that part as it is)."""
    checked: dict[str, Any] = {}
    if skills is not None:
        checked["skills"] = check_levels(skills, "skills", "Proficiency")
    if languages is not None:
        checked["languages"] = check_choices(languages, Language.values, "languages")
    if sectors is not None:
        checked["sectors"] = _check_sectors(sectors)
    if certifications is not None:
        checked["certifications"] = list(dict.fromkeys(certifications))
    return checked


def _replace_profile(consultant: Consultant, profile: Mapping[str, Any]) -> None:
    """Replace each given part of the profile by exactly what was given."""
    if "skills" in profile:
        consultant.skills.all().delete()
        ConsultantSkill.objects.bulk_create(
            ConsultantSkill(consultant=consultant, skill=skill, proficiency=level)
            for skill, level in profile["skills"].items()
        )
    if "languages" in profile:
        consultant.languages.all().delete()
        ConsultantLanguage.objects.bulk_create(
            ConsultantLanguage(consultant=consultant, language=language)
            for language in profile["languages"]
        )
    if "sectors" in profile:
        consultant.sectors.all().delete()
        ConsultantSector.objects.bulk_create(
            ConsultantSector(consultant=consultant, sector=sector, years=years)
            for sector, years in profile["sectors"].items()
        )
    if "certifications" in profile:
        wanted = {certification.pk for certification in profile["certifications"]}
        # Kept rows keep their obtained/expiry dates; only the set changes.
        consultant.certifications.exclude(certification_id__in=wanted).delete()
        held = set(consultant.certifications.values_list("certification_id", flat=True))
        ConsultantCertification.objects.bulk_create(
            ConsultantCertification(consultant=consultant, certification_id=pk)
            for pk in sorted(wanted - held)
        )


@transaction.atomic
def consultant_create(
    *,
    actor: User,
    full_name: str,
    seniority: str,
    skills: Mapping[Skill, int] = {},
    languages: Sequence[str] = (),
    sectors: Mapping[str, int] = {},
    certifications: Sequence[Certification] = (),
    day_rate: Decimal | None = None,
    **fields: Any,
) -> Consultant:
    """Add a consultant to the bench with their profile and, optionally, a day rate in force
    from today.

    ``skills`` maps catalog skills to proficiency 1-5; ``languages`` are ISO 639-1 codes;
    ``sectors`` maps sector codes to years of experience (1-50). The working style
    (``style_clan`` ... ``style_hierarchy``) shares exactly 100 points (25 each by default).
    """
    check_staff(actor, "manage the bench")
    check_known_fields(fields, CONSULTANT_FIELDS, "consultant_create")
    consultant = Consultant(full_name=full_name, seniority=seniority, **fields)
    _check_style(consultant, fields)
    profile = _checked_profile(skills, languages, sectors, certifications)
    amount = _checked_amount(day_rate) if day_rate is not None else None
    consultant.full_clean()
    consultant.save()
    _replace_profile(consultant, profile)
    if amount is not None:
        DayRate.objects.create(
            consultant=consultant, amount=amount, valid_from=timezone.localdate()
        )
    return consultant


@transaction.atomic
def consultant_update(
    *,
    consultant: Consultant,
    actor: User,
    skills: Mapping[Skill, int] | None = None,
    languages: Sequence[str] | None = None,
    sectors: Mapping[str, int] | None = None,
    certifications: Sequence[Certification] | None = None,
    **fields: Any,
) -> Consultant:
    """Change a consultant; each profile part given replaces the current one.

    Capacity can only go down to what the consultant is already committed to from today on
    (ConflictError otherwise): assignments never add up above capacity. Rates change through
    ``day_rate_set`` (they are history).
    """
    check_staff(actor, "manage the bench")
    check_known_fields(fields, CONSULTANT_FIELDS, "consultant_update")
    # The same lock as assignment_create: capacity and load are read together.
    consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
    assign(consultant, fields)
    _check_style(consultant, fields)
    profile = _checked_profile(skills, languages, sectors, certifications)
    consultant.full_clean()
    if "capacity_percent" in fields:
        _check_capacity_covers_commitments(consultant)
    consultant.save()
    _replace_profile(consultant, profile)
    return consultant


def _check_capacity_covers_commitments(consultant: Consultant) -> None:
    today = timezone.localdate()
    last_day = consultant.assignments.filter(end_on__gte=today).aggregate(
        last=Max("end_on")
    )["last"]
    if last_day is None:
        return
    loads = selectors.consultant_daily_load(
        consultant_id=consultant.pk, start=today, end=last_day
    )
    peak = max(loads)
    if peak > consultant.capacity_percent:
        day = date.fromordinal(today.toordinal() + loads.index(peak))
        raise ConflictError(
            f"{consultant.full_name} is committed at {peak}% on {day}; shorten or end "
            f"assignments before lowering their capacity to {consultant.capacity_percent}%."
        )


def _checked_amount(amount: Any) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal | str):
        raise ValidationError({"amount": "Give the day rate as a number of euros."})
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationError({"amount": "Give the day rate as a number of euros."}) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationError({"amount": "A day rate must be more than zero."})
    if value > MAX_DAY_RATE or value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": f"A day rate has at most two decimals and is below {MAX_DAY_RATE}."}
        )
    return value


@transaction.atomic
def day_rate_set(
    *, consultant: Consultant, actor: User, amount: Decimal, valid_from: date
) -> DayRate:
    """Record the consultant's day rate (EUR, more than zero) from ``valid_from`` on.

    Rates are history: a new rate is added from its date, the earlier ones stay in force
    before it. One rate per start date (a second one on the same date is refused on
    ``valid_from``; correct a typo in the admin).
    """
    check_staff(actor, "set day rates")
    value = _checked_amount(amount)
    check_date(valid_from, "valid_from", "Give the date the rate applies from.")
    # Serialise rate changes of one consultant, so the uniqueness check below holds.
    consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
    if consultant.rates.filter(valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": f"{consultant.full_name} already has a rate from {valid_from}."}
        )
    return DayRate.objects.create(consultant=consultant, amount=value, valid_from=valid_from)

"""Client culture: OCAI-style assessments, entered directly or computed from the answers."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stakeholders.models import Organization, User
from stakeholders.permissions import check_tenant_writer
from stakeholders.tenancy import user_organization_id, user_sees_everything

from ..choices import CULTURE_TYPES, CultureQuestion, CultureSource
from ..classification import ocai_profile
from ..models import CultureAnswer, CultureAssessment
from ._rules import check_client_organization, check_date, profile_points

QUESTIONS = tuple(CultureQuestion.values)
ANSWER_COUNT = 2 * len(QUESTIONS)  # each question, for the current and the preferred culture


def _check_writer(actor: User, organization: Organization) -> None:
    """Staff assess any client; a client user who may write assesses their own
    organization (the OCAI is often answered by the client's own people)."""
    check_tenant_writer(actor)
    if not user_sees_everything(actor) and user_organization_id(actor) != organization.pk:
        raise PermissionDenied("You can only assess your own organization's culture.")


def _answer_points(answer: Mapping[str, Any], number: int) -> tuple[int, int, int, int]:
    points = answer.get("points")
    if isinstance(points, str | bytes | Mapping) or not isinstance(points, Sequence) or (
        len(points) != 4
    ):
        raise ValidationError({"answers": f"Answer {number}: give four points: clan, "
                                          "adhocracy, market, hierarchy."})
    for value in points:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(
                {"answers": f"Answer {number}: points are whole numbers, not negative."}
            )
    if sum(points) != 100:
        raise ValidationError(
            {"answers": f"Answer {number}: the four types must share exactly 100 points, "
                        f"not {sum(points)}."}
        )
    return tuple(points)  # type: ignore[return-value]


def _checked_answers(answers: Any) -> list[tuple[int, bool, tuple[int, int, int, int]]]:
    """The twelve answers: each of the six questions once for the current and once for the
    preferred culture, each splitting 100 whole points over the four types."""
    if isinstance(answers, str | bytes | Mapping) or not isinstance(answers, Sequence):
        raise ValidationError({"answers": "Give the answers as a list."})
    if len(answers) != ANSWER_COUNT:
        raise ValidationError({"answers": f"Answer all {len(QUESTIONS)} questions for the "
                                          f"current and the preferred culture ({ANSWER_COUNT} "
                                          f"answers), not {len(answers)}."})
    checked, seen = [], set()
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, Mapping):
            raise ValidationError({"answers": f"Answer {number} is not an answer."})
        question, preferred = answer.get("question"), answer.get("preferred")
        if isinstance(question, bool) or not isinstance(question, int) or (
            question not in QUESTIONS
        ):
            raise ValidationError(
                {"answers": f"Answer {number}: the question is a number from 1 to 6."}
            )
        if not isinstance(preferred, bool):
            raise ValidationError(
                {"answers": f"Answer {number}: say whether it is the preferred culture."}
            )
        if (question, preferred) in seen:
            which = "preferred" if preferred else "current"
            raise ValidationError(
                {"answers": f"Question {question} ({which}) is answered twice."}
            )
        seen.add((question, preferred))
        checked.append((question, preferred, _answer_points(answer, number)))
    return checked


@transaction.atomic
def culture_assessment_record(
    *,
    organization: Organization,
    actor: User,
    assessed_on: date,
    current: Sequence | None = None,
    preferred: Sequence | None = None,
    answers: Sequence[Mapping] | None = None,
    respondents: int = 1,
    note: str = "",
) -> CultureAssessment:
    """Record a client organization's culture, current and preferred (OCAI, Competing Values).

    Either the two profiles directly (``current`` and ``preferred``: four numbers each,
    clan, adhocracy, market, hierarchy, sharing exactly 100 points, up to two decimals), or
    the questionnaire's twelve ``answers`` (``{"question": 1-6, "preferred": bool,
    "points": (clan, adhocracy, market, hierarchy)}``, each splitting 100 points), whose
    profiles are the means per type (``classification.ocai_profile``); the answers are kept.
    Past assessments stay; the newest is the culture in force.
    """
    _check_writer(actor, organization)
    check_client_organization(organization)
    check_date(assessed_on, "assessed_on", "Give the date of the assessment.")
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "An assessment cannot be dated in the future."})
    if answers is not None:
        if current is not None or preferred is not None:
            raise ValidationError({"answers": "Give either the answers or the two profiles, "
                                              "not both."})
        checked = _checked_answers(answers)
        current_points = ocai_profile([p for _, is_pref, p in checked if not is_pref])
        preferred_points = ocai_profile([p for _, is_pref, p in checked if is_pref])
        source = CultureSource.QUESTIONNAIRE
    else:
        missing = {
            name: "Give this profile, or answer the questionnaire."
            for name, value in (("current", current), ("preferred", preferred)) if value is None
        }
        if missing:
            raise ValidationError(missing)
        current_points = profile_points(current, "current")
        preferred_points = profile_points(preferred, "preferred")
        checked, source = [], CultureSource.DIRECT
    assessment = CultureAssessment(
        organization=organization, assessed_on=assessed_on, source=source,
        respondents=respondents, note=note, assessed_by=actor,
        **{f"current_{kind}": value for kind, value in zip(CULTURE_TYPES, current_points,
                                                            strict=True)},
        **{f"preferred_{kind}": value for kind, value in zip(CULTURE_TYPES, preferred_points,
                                                              strict=True)},
    )
    if isinstance(respondents, bool) or not isinstance(respondents, int):
        raise ValidationError({"respondents": "Give how many people answered."})
    assessment.full_clean()
    assessment.save()
    CultureAnswer.objects.bulk_create(
        CultureAnswer(
            assessment=assessment, question=question, preferred=is_preferred,
            **{f"points_{kind}": value for kind, value in zip(CULTURE_TYPES, points,
                                                               strict=True)},
        )
        for question, is_preferred, points in checked
    )
    return assessment

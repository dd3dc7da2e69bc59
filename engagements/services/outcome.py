"""Outcomes of engagements: what matching's track record learns from."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pmo_service.exceptions import ConflictError
from stakeholders.models import User

from .. import selectors
from ..choices import CULTURE_TYPES, EngagementStatus
from ..models import Consultant, ConsultantFitRating, Engagement, EngagementOutcome
from ._rules import check_integer, check_staff

RATING_ITEMS = ("values_match", "values_fit", "culture_fit")
OUTCOME_STATUSES = (EngagementStatus.CLOSING, EngagementStatus.CLOSED)


def _checked_ratings(engagement: Engagement, ratings: Any) -> list[dict[str, Any]]:
    """One rating per consultant who was on the team; each Cable & DeRue item 1-7."""
    if isinstance(ratings, str | bytes | Mapping) or not isinstance(ratings, Sequence):
        raise ValidationError({"ratings": "Give the ratings as a list."})
    team = set(engagement.assignments.values_list("consultant_id", flat=True))
    checked, seen = [], set()
    for rating in ratings:
        if not isinstance(rating, Mapping) or not isinstance(
            rating.get("consultant"), Consultant
        ):
            raise ValidationError({"ratings": "Each rating names a consultant."})
        consultant = rating["consultant"]
        if consultant.pk not in team:
            raise ValidationError(
                {"ratings": f"{consultant.full_name} was not on this engagement's team."}
            )
        if consultant.pk in seen:
            raise ValidationError({"ratings": f"{consultant.full_name} is rated twice."})
        seen.add(consultant.pk)
        values = {
            item: check_integer(rating.get(item), 1, 7, "ratings",
                                f"{consultant.full_name}'s {item.replace('_', ' ')}")
            for item in RATING_ITEMS
        }
        comment = rating.get("comment") or ""
        if not isinstance(comment, str):
            raise ValidationError({"ratings": "A comment is text."})
        checked.append({"consultant": consultant, **values, "comment": comment})
    return checked


@transaction.atomic
def outcome_record(
    *,
    engagement: Engagement,
    actor: User,
    client_satisfaction: int,
    on_time: bool,
    final_cpi: Decimal | None = None,
    final_spi: Decimal | None = None,
    note: str = "",
    ratings: Sequence[Mapping] = (),
) -> EngagementOutcome:
    """Record how an engagement ended, once, while it is closing or after it closed.

    ``client_satisfaction`` is 1-5; ``ratings`` are the client's perceived fit of each team
    member (``{"consultant", "values_match", "values_fit", "culture_fit"}``, 1-7, and an
    optional ``comment``), only for consultants who were assigned to it. The client's
    culture in force now is copied onto the outcome (empty when never assessed), so the
    track record compares like with like even after the client's culture changes.
    """
    check_staff(actor, "record engagement outcomes")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status not in OUTCOME_STATUSES:
        raise ConflictError(
            f"This engagement is {engagement.get_status_display().lower()}; outcomes are "
            "recorded while it is closing or once it is closed."
        )
    if EngagementOutcome.objects.filter(engagement=engagement).exists():
        raise ConflictError("This engagement's outcome is already recorded.")
    check_integer(client_satisfaction, 1, 5, "client_satisfaction", "Client satisfaction")
    if not isinstance(on_time, bool):
        raise ValidationError({"on_time": "Say whether it was delivered on time."})
    checked = _checked_ratings(engagement, ratings)
    culture = selectors.culture_in_force(organization_id=engagement.organization_id)
    snapshot = dict(zip(
        (f"culture_{kind}" for kind in CULTURE_TYPES),
        culture.current_profile if culture else (None,) * 4,
        strict=True,
    ))
    outcome = EngagementOutcome(
        engagement=engagement, client_satisfaction=client_satisfaction, on_time=on_time,
        final_cpi=final_cpi, final_spi=final_spi, note=note, recorded_by=actor, **snapshot,
    )
    outcome.full_clean()
    outcome.save()
    ConsultantFitRating.objects.bulk_create(
        ConsultantFitRating(outcome=outcome, **rating) for rating in checked
    )
    return outcome

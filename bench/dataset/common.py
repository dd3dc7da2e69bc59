"""Volumes, spreads and names shared by the steps of the scale dataset's builder."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from engagements.choices import EngagementStatus, Language
from stakeholders.choices import Sector

SEED = 20261208
STAFF_USERNAME = "bench-staff"
# The share of engagements in each status, and how much delivery each status carries
# (a proposal has a few planned deliverables and no time booked; a closed one has the most).
STATUS_MIX = {
    EngagementStatus.PROPOSED: (0.07, 0.3, 0.0),
    EngagementStatus.STAFFING: (0.08, 0.6, 0.1),
    EngagementStatus.ACTIVE: (0.50, 1.0, 1.0),
    EngagementStatus.CLOSING: (0.05, 1.0, 1.4),
    EngagementStatus.CLOSED: (0.25, 1.0, 1.5),
    EngagementStatus.CANCELLED: (0.05, 0.5, 0.3),
}
STAFFED = {EngagementStatus.ACTIVE, EngagementStatus.CLOSING, EngagementStatus.CLOSED}
LANGUAGE_SHARES = {Language.SPANISH: 0.8, Language.ENGLISH: 0.6, Language.CATALAN: 0.2,
                   Language.PORTUGUESE: 0.1, Language.FRENCH: 0.1}
PUBLIC_SECTORS = {Sector.GOVERNMENT, Sector.REGIONAL, Sector.LOCAL, Sector.JUSTICE}
CULTURE_TYPES = ("clan", "adhocracy", "market", "hierarchy")
PLACES = ["Móstoles", "Cádiz", "Logroño", "A Coruña", "Zaragoza", "Évora", "Lisboa",
          "Toulouse", "Ourense", "Castelló", "Getxo", "Jaén", "Bilbao", "Murcia", "Girona"]
PREFIXES = ["Ayuntamiento de", "Consejería de Salud de", "Hospital de", "Universidad de",
            "Autoridad Portuaria de", "Fundación", "Grupo", "Diputación de", "Cooperativa"]
FIRST_NAMES = ["Lucía", "Martín", "Nerea", "João", "Íñigo", "Chloé", "Pau", "Carmen", "Hugo",
               "Ana", "Jordi", "Maite", "Xabier", "Noa", "Rui", "Élodie", "Sven", "Oihane"]
LAST_NAMES = ["García", "Núñez", "Ferreira", "O'Neill", "Ibáñez", "Moreau", "Puig", "Ruiz",
              "Sánchez", "Etxeberria", "Costa", "Lefèvre", "Vidal", "Castro"]
SYSTEMS = ["ERP", "Payroll", "CRM", "Case management", "Document archive", "Portal",
           "Data warehouse", "Scheduling", "Billing", "Procurement", "HR", "GIS", "Intranet"]
VENDORS = ["", "", "SAP", "Oracle", "Microsoft", "Indra", "Salesforce", "In-house", "Axpe"]


@dataclass(frozen=True)
class Scale:
    """How much to build. Totals are exact; per-organization and per-engagement counts
    follow the organizations' sizes and the engagements' statuses."""

    organizations: int = 200
    applications: int = 20_000
    stakeholders: int = 50_000
    consultants: int = 10_000
    engagements: int = 5_000
    deliverables: int = 100_000
    time_entries: int = 500_000
    services: int = 300
    users_per_organization: int = 2
    iterations_per_engagement: int = 6
    expenses_per_engagement: int = 4
    risks_per_organization: int = 6
    plans_per_organization: int = 2
    skills: int = 40
    technologies: int = 60


ISSUE_SCALE = Scale()

def split(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """``total`` shared out in proportion to ``weights`` (largest remainders), each share
    at least ``minimum``; the shares add up to ``total`` exactly."""
    count = len(weights)
    if count == 0:
        return []
    spare = total - minimum * count
    if spare < 0:
        raise ValueError(f"cannot give {count} shares at least {minimum} out of {total}")
    weight_sum = sum(weights) or 1.0
    exact = [spare * weight / weight_sum for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(count), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: spare - sum(shares)]:
        shares[index] += 1
    return [share + minimum for share in shares]


def culture_profile(rng: random.Random) -> list[int]:
    """Four culture points adding up to 100, one type usually dominant."""
    weights = [rng.random() for _ in range(4)]
    weights[rng.randrange(4)] += 1.5
    points = [int(100 * w / sum(weights)) for w in weights]
    points[points.index(max(points))] += 100 - sum(points)
    return points


"""The demo bench, client cultures and engagements: the seeds' story in data.

Plain data read by ``engagements.demo``. Consultants are named by a key (their e-mail's local
part at the provider's domain); client people by their e-mail in the stakeholder register
(``stakeholders.demo_data``); services, roles, skills and certifications by their catalog
slug or code; applications by their portfolio code. Dates count in days from the day of
seeding (negative: in the past). Shapes:

- ``STORY_CONSULTANTS`` and :func:`bench`: dicts named after the Consultant fields, plus
  ``skills`` {skill slug: proficiency 1-5}, ``certifications`` [codes], ``sectors``
  {sector: years}, ``languages`` [ISO 639-1], ``style`` (clan, adhocracy, market,
  hierarchy; 100 points) and ``rates`` [(years back, month, EUR per day)], oldest first: the
  rate applies from the first of that month of ``this year - years back``.
- ``PAST_CLIENTS``: organizations the provider served before the demo clients, for the
  engagements the track record learns from.
- ``CULTURES``: per organization, its assessments oldest first: ``days`` ago, ``by`` (the
  client's own login when it may write, else PMO staff), and either ``current`` and
  ``preferred`` profiles or the questionnaire's ``answers`` {(question, preferred): points}.
- ``ENGAGEMENTS``: dicts; ``status`` is where the workflow ends; ``team`` is
  [(consultant, role slug, allocation %)] over the whole planned window; ``needs`` are
  staffing needs over the whole window, ``filled_by`` a consultant (or None: open) and
  ``cancelled`` True for a need dropped; ``outcome`` has the fit ratings per consultant as
  (values match, values fit, culture fit, comment), each 1-7.
"""

import random
import unicodedata

from stakeholders.choices import Sector

from .choices import CULTURE_TYPES, EngagementStatus, RemoteMode, Seniority

PROVIDER_DOMAIN = "northwind-pmo.example"
JUNIOR, MID, SENIOR, PRINCIPAL = (
    Seniority.JUNIOR, Seniority.MID, Seniority.SENIOR, Seniority.PRINCIPAL,
)
ON_SITE, HYBRID, REMOTE = RemoteMode.ON_SITE, RemoteMode.HYBRID, RemoteMode.REMOTE

RIVERTON = "City Council of Riverton"
EASTMOOR = "Eastmoor Regional Health Service"
AGENCY = "National Agency for Digital Government"
VALDEMORA = "Valdemora Provincial Treasury"
COSTA_NORTE = "Costa Norte Innovation Agency"
HARBOURLINE = "Harbourline Mutual Insurance"

# --- The consultants the story is about ------------------------------------------------------

STORY_CONSULTANTS = [
    {
        "key": "elena.navarro", "full_name": "Elena Navarro", "seniority": PRINCIPAL,
        "headline": "Programme manager for public-sector transformations",
        "location": "Madrid, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (15, 10, 25, 50),
        "skills": {"prince2-method": 5, "risk-management": 5, "earned-value-management": 5,
                   "stakeholder-engagement": 5, "governance-design": 5, "business-case": 4,
                   "public-procurement": 4, "public-budgeting": 4, "agile-delivery": 3,
                   "scrum": 3, "project-tooling": 4},
        "certifications": ["PMP", "PRINCE2-P", "MSP"],
        "sectors": {"local": 9, "government": 7, "regional": 5},
        "languages": ["es", "en"],
        "rates": [(4, 3, 950), (1, 4, 1020)],
        "notes": "Outstanding with stage-gated programmes and formal boards. The Costa Norte "
                 "lab programme went badly: she ran experiments through full plans and gates.",
    },
    {
        "key": "marc.puig", "full_name": "Marc Puig", "seniority": PRINCIPAL,
        "headline": "Agile delivery lead for digital services",
        "location": "Barcelona, ES", "remote_mode": REMOTE, "capacity_percent": 100,
        "style": (25, 45, 20, 10),
        "skills": {"agile-delivery": 5, "scrum": 5, "kanban": 4, "lean": 4,
                   "stakeholder-engagement": 5, "facilitation": 5, "coaching": 4,
                   "risk-management": 4, "change-management": 4, "governance-design": 3},
        "certifications": ["PSM I", "PMI-ACP", "SAFe SPC"],
        "sectors": {"government": 6, "services": 5, "regional": 3},
        "languages": ["ca", "es", "en"],
        "rates": [(5, 1, 880), (1, 1, 930)],
        "notes": "Thrives where teams experiment; found the Valdemora Treasury's approval "
                 "chain frustrating and it showed.",
    },
    {
        "key": "ainhoa.etxeberria", "full_name": "Ainhoa Etxeberria", "seniority": SENIOR,
        "headline": "Project manager for clinical and care-service change",
        "location": "Bilbao, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (45, 20, 10, 25),
        "skills": {"stakeholder-engagement": 5, "change-management": 5, "coaching": 4,
                   "facilitation": 4, "risk-management": 4, "agile-delivery": 4,
                   "prince2-method": 3, "scrum": 3},
        "certifications": ["PMP", "PSM I"],
        "sectors": {"health": 8, "regional": 4},
        "languages": ["eu", "es", "en"],
        "rates": [(3, 9, 760)],
        "notes": "Clinicians trust her; best where decisions are taken by consensus.",
    },
    {
        "key": "jorge.villalba", "full_name": "Jorge Villalba", "seniority": PRINCIPAL,
        "headline": "Portfolio and performance manager",
        "location": "Sevilla, ES", "remote_mode": ON_SITE, "capacity_percent": 100,
        "style": (10, 15, 50, 25),
        "skills": {"earned-value-management": 5, "business-case": 5,
                   "portfolio-prioritization": 5, "benefits-management": 4,
                   "risk-management": 4, "power-bi-reporting": 4, "stakeholder-engagement": 3,
                   "public-procurement": 3},
        "certifications": ["PMP", "MSP", "P3O"],
        "sectors": {"finance": 10, "utilities": 4, "government": 3},
        "languages": ["es", "en"],
        "rates": [(6, 2, 900), (1, 6, 990)],
        "notes": "Results-driven; excellent with targets and budgets, impatient with "
                 "consultation-heavy organizations.",
    },
    {
        "key": "irene.calvo", "full_name": "Irene Calvo", "seniority": SENIOR,
        "headline": "Project manager for municipal services",
        "location": "Valencia, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (20, 10, 20, 50),
        "skills": {"prince2-method": 4, "risk-management": 4, "project-tooling": 5,
                   "earned-value-management": 4, "public-budgeting": 4,
                   "stakeholder-engagement": 4, "process-mapping": 3},
        "certifications": ["PRINCE2-P", "CAPM"],
        "sectors": {"local": 7, "regional": 3},
        "languages": ["ca", "es", "en"],
        "rates": [(4, 5, 690), (1, 9, 740)],
    },
    {
        "key": "pablo.iriarte", "full_name": "Pablo Iriarte", "seniority": SENIOR,
        "headline": "Project manager for open data and APIs",
        "location": "Pamplona, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (20, 35, 25, 20),
        "skills": {"agile-delivery": 4, "scrum": 4, "risk-management": 4,
                   "stakeholder-engagement": 4, "data-analysis": 3, "project-tooling": 4,
                   "business-case": 3},
        "certifications": ["PMP", "PSM I"],
        "sectors": {"government": 5, "local": 3},
        "languages": ["es", "en"],
        "rates": [(3, 1, 720)],
    },
    {
        "key": "carlota.reyes", "full_name": "Carlota Reyes", "seniority": SENIOR,
        "headline": "Scrum Master for public-sector product teams",
        "location": "Madrid, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (30, 25, 15, 30),
        "skills": {"scrum": 5, "agile-delivery": 4, "facilitation": 5, "kanban": 4,
                   "coaching": 3, "project-tooling": 4},
        "certifications": ["PSM I", "PMI-ACP"],
        "sectors": {"local": 5, "government": 4},
        "languages": ["es", "en"],
        "rates": [(4, 10, 640), (1, 10, 690)],
    },
    {
        "key": "claire.dubois", "full_name": "Claire Dubois", "seniority": SENIOR,
        "headline": "Agile coach for government product teams",
        "location": "Toulouse, FR", "remote_mode": REMOTE, "capacity_percent": 60,
        "style": (30, 45, 10, 15),
        "skills": {"coaching": 5, "agile-delivery": 5, "scrum": 4, "lean": 4,
                   "facilitation": 5, "change-management": 4},
        "certifications": ["SAFe SPC", "PSM I"],
        "sectors": {"government": 6, "education": 3},
        "languages": ["fr", "en", "es"],
        "rates": [(3, 4, 780)],
        "notes": "Works three days a week for us.",
    },
    {
        "key": "nerea.galdos", "full_name": "Nerea Galdós", "seniority": MID,
        "headline": "Reporting analyst (Power BI)",
        "location": "Donostia-San Sebastián, ES", "remote_mode": REMOTE, "capacity_percent": 100,
        "style": (25, 20, 30, 25),
        "skills": {"power-bi-reporting": 5, "data-analysis": 5, "project-tooling": 3,
                   "earned-value-management": 2},
        "certifications": [],
        "sectors": {"local": 3, "health": 2},
        "languages": ["eu", "es", "en"],
        "rates": [(2, 2, 520), (1, 2, 560)],
    },
    {
        "key": "samuel.ortiz", "full_name": "Samuel Ortiz", "seniority": JUNIOR,
        "headline": "PMO analyst",
        "location": "Valencia, ES", "remote_mode": ON_SITE, "capacity_percent": 100,
        "style": (25, 15, 20, 40),
        "skills": {"project-tooling": 3, "data-analysis": 3, "power-bi-reporting": 2,
                   "risk-management": 2},
        "certifications": ["CAPM"],
        "sectors": {"local": 1},
        "languages": ["es", "en"],
        "rates": [(1, 9, 410)],
    },
    {
        "key": "david.ferreira", "full_name": "David Ferreira", "seniority": SENIOR,
        "headline": "PMO analyst for health and insurance programmes",
        "location": "Porto, PT", "remote_mode": REMOTE, "capacity_percent": 80,
        "style": (35, 15, 25, 25),
        "skills": {"project-tooling": 5, "data-analysis": 4, "earned-value-management": 4,
                   "risk-management": 4, "power-bi-reporting": 3},
        "certifications": ["P3O", "PMP"],
        "sectors": {"health": 5, "finance": 4},
        "languages": ["pt", "es", "en"],
        "rates": [(5, 6, 600), (1, 6, 630)],
        "notes": "Four days a week.",
    },
    {
        "key": "oriol.ferrer", "full_name": "Oriol Ferrer", "seniority": SENIOR,
        "headline": "Change manager for care-service redesign",
        "location": "Girona, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (40, 25, 10, 25),
        "skills": {"change-management": 5, "stakeholder-engagement": 5, "facilitation": 4,
                   "coaching": 4, "process-mapping": 3},
        "certifications": ["PMI-ACP"],
        "sectors": {"health": 6, "education": 2},
        "languages": ["ca", "es", "en", "fr"],
        "rates": [(4, 4, 700)],
    },
    {
        "key": "mikel.arrieta", "full_name": "Mikel Arrieta", "seniority": MID,
        "headline": "Business analyst and Scrum Master",
        "location": "Vitoria-Gasteiz, ES", "remote_mode": HYBRID, "capacity_percent": 100,
        "style": (30, 30, 20, 20),
        "skills": {"process-mapping": 4, "business-case": 3, "scrum": 4, "facilitation": 3,
                   "data-analysis": 3, "stakeholder-engagement": 3},
        "certifications": ["PSM I"],
        "sectors": {"local": 3, "regional": 2},
        "languages": ["eu", "es", "en"],
        "rates": [(3, 3, 540), (1, 3, 570)],
    },
    {
        "key": "raquel.soto", "full_name": "Raquel Soto", "seniority": MID,
        "headline": "Business analyst for permits and licensing",
        "location": "Madrid, ES", "remote_mode": HYBRID, "capacity_percent": 50,
        "style": (20, 15, 20, 45),
        "skills": {"process-mapping": 4, "business-case": 4, "stakeholder-engagement": 3,
                   "public-procurement": 3},
        "certifications": [],
        "sectors": {"local": 4},
        "languages": ["es", "en"],
        "rates": [(2, 1, 530)],
        "notes": "Part-time (mornings).",
    },
]

# --- The rest of the bench, generated (deterministically) ------------------------------------

BENCH_SEED = 2026
GENERATED_COUNT = 32

# Archetypes: (what they do, for the headline; skills at the seniority's base level ± 1;
# certifications one may hold; extra skills one may have at a lower level).
ARCHETYPES = [
    ("project manager",
     ["risk-management", "stakeholder-engagement", "prince2-method", "earned-value-management",
      "business-case", "project-tooling"],
     ["PMP", "PRINCE2-P", "CAPM"], ["agile-delivery", "public-procurement", "public-budgeting"]),
    ("agile project manager",
     ["agile-delivery", "scrum", "risk-management", "stakeholder-engagement", "kanban"],
     ["PMI-ACP", "PSM I", "PMP"], ["lean", "facilitation", "business-case"]),
    ("PMO analyst",
     ["project-tooling", "data-analysis", "risk-management", "earned-value-management"],
     ["CAPM", "P3O"], ["power-bi-reporting", "process-mapping"]),
    ("Scrum Master",
     ["scrum", "agile-delivery", "facilitation", "kanban"],
     ["PSM I", "PMI-ACP"], ["coaching", "lean", "project-tooling"]),
    ("agile coach",
     ["coaching", "agile-delivery", "facilitation", "lean", "change-management"],
     ["SAFe SPC", "PMI-ACP", "PSM I"], ["scrum", "kanban", "stakeholder-engagement"]),
    ("business analyst",
     ["process-mapping", "business-case", "data-analysis", "stakeholder-engagement"],
     [], ["facilitation", "public-procurement"]),
    ("reporting analyst",
     ["power-bi-reporting", "data-analysis", "project-tooling"],
     [], ["earned-value-management"]),
    ("portfolio manager",
     ["portfolio-prioritization", "benefits-management", "business-case", "governance-design",
      "public-budgeting"],
     ["MSP", "P3O", "PMP"], ["stakeholder-engagement", "risk-management"]),
    ("change manager",
     ["change-management", "stakeholder-engagement", "facilitation", "coaching"],
     ["PMI-ACP"], ["process-mapping"]),
    ("service management consultant",
     ["itil-service-management", "process-mapping", "risk-management"],
     ["ITIL4-F"], ["project-tooling", "lean"]),
]
SENIORITY_SHARES = [(JUNIOR, 6), (MID, 11), (SENIOR, 10), (PRINCIPAL, 5)]
BASE_LEVEL = {JUNIOR: 2, MID: 3, SENIOR: 4, PRINCIPAL: 4}
YEARS = {JUNIOR: (1, 2), MID: (2, 5), SENIOR: (4, 10), PRINCIPAL: (8, 18)}
RATE_RANGE = {JUNIOR: (380, 460), MID: (500, 620), SENIOR: (640, 820), PRINCIPAL: (850, 1050)}
ENGLISH_SHARE = {JUNIOR: 0.6, MID: 0.75, SENIOR: 0.9, PRINCIPAL: 1.0}  # who also speaks English
SERVICE_YEARS = {JUNIOR: (1, 2), MID: (2, 4), SENIOR: (3, 7), PRINCIPAL: (4, 9)}
SECTORS = [
    Sector.GOVERNMENT, Sector.REGIONAL, Sector.LOCAL, Sector.HEALTH, Sector.EDUCATION,
    Sector.JUSTICE, Sector.FINANCE, Sector.UTILITIES, Sector.TRANSPORT,
]
SECTOR_WORDS = {
    Sector.GOVERNMENT: "central government", Sector.REGIONAL: "regional government",
    Sector.LOCAL: "local government", Sector.HEALTH: "health", Sector.EDUCATION: "education",
    Sector.JUSTICE: "justice", Sector.FINANCE: "financial services",
    Sector.UTILITIES: "utilities", Sector.TRANSPORT: "transport",
}

# Where people come from decides their names, home languages and city: (weight, first
# names, surnames, languages, cities); many also speak English.
ORIGINS = [
    (19, ["Alejandro", "Lucía", "Sergio", "Marta", "Álvaro", "Paula", "Raúl", "Cristina",
          "Fernando", "Noelia", "Adrián", "Silvia", "Héctor", "Rocío", "Iván", "Alicia",
          "Rubén", "Lorena", "Gabriel", "Natalia", "Óscar", "Sara", "Víctor", "Eva"],
     ["García", "Martínez", "López", "Sánchez", "Pérez", "Díaz", "Moreno", "Muñoz",
      "Álvarez", "Gutiérrez", "Torres", "Ramos", "Gil", "Suárez", "Castillo", "Delgado",
      "Núñez", "Garrido", "Cortés", "Guerrero", "Méndez", "Gallego", "León", "Márquez",
      "Peña", "Flores", "Carrasco", "Caballero", "Nieto", "Montero", "Hidalgo", "Lorenzo"],
     ["es"],
     ["Madrid", "Valencia", "Sevilla", "Zaragoza", "Valladolid", "Málaga", "Murcia",
      "Salamanca", "A Coruña"]),
    (4, ["Jordi", "Montse", "Pau", "Núria", "Arnau", "Laia", "Xavier", "Mireia"],
     ["Vila", "Soler", "Casals", "Roca", "Pujol", "Serra", "Bosch", "Riera", "Font"],
     ["ca", "es"], ["Barcelona", "Tarragona", "Lleida"]),
    (3, ["Iker", "Leire", "Unai", "Amaia", "Asier", "Maialen", "Gorka", "Itziar"],
     ["Agirre", "Goikoetxea", "Urrutia", "Larrañaga", "Olabarria", "Bengoetxea", "Elorza"],
     ["eu", "es"], ["Bilbao", "Donostia-San Sebastián", "Vitoria-Gasteiz"]),
    (3, ["João", "Inês", "Tiago", "Mariana", "Rui", "Beatriz"],
     ["Silva", "Costa", "Almeida", "Carvalho", "Sousa", "Pereira"],
     ["pt", "es"], ["Lisbon", "Porto"]),
    (2, ["Julien", "Camille", "Mathieu", "Élodie", "Nicolas"],
     ["Martin", "Bernard", "Lefebvre", "Moreau", "Girard"],
     ["fr", "es"], ["Toulouse", "Bordeaux", "Montpellier"]),
    (1, ["Sarah", "Thomas", "Emma", "James"],
     ["Collins", "Reid", "Walsh", "Hughes"],
     ["en", "es"], ["Madrid", "Barcelona", "Málaga"]),
]
COUNTRY = {"Lisbon": "PT", "Porto": "PT", "Toulouse": "FR", "Bordeaux": "FR",
           "Montpellier": "FR"}


def consultant_key(full_name: str) -> str:
    """The e-mail local part for a name: lower case ASCII, ``first.last``."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    return ".".join(ascii_name.lower().split())


def _style(rng: random.Random, dominant: int) -> tuple[int, int, int, int]:
    """A working-style profile (multiples of 5, 100 points) led by the ``dominant`` type."""
    lead = rng.choice([35, 40, 40, 45, 50, 55])
    rest = 100 - lead
    while True:  # split the rest over the other three types, each below the lead
        cut_a, cut_b = sorted(rng.sample(range(5, rest, 5), 2))
        others = [cut_a, cut_b - cut_a, rest - cut_b]
        if max(others) < lead:
            break
    return (*others[:dominant], lead, *others[dominant:])  # type: ignore[return-value]


def _generated(rng: random.Random, index: int, names: set[str]) -> dict:
    weights = [origin[0] for origin in ORIGINS]
    _, firsts, lasts, home, cities = rng.choices(ORIGINS, weights=weights)[0]
    while True:
        full_name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        if full_name not in names:
            names.add(full_name)
            break
    seniority = rng.choices(
        [s for s, _ in SENIORITY_SHARES], weights=[w for _, w in SENIORITY_SHARES]
    )[0]
    headline, core, certificates, extras = ARCHETYPES[index % len(ARCHETYPES)]
    base = BASE_LEVEL[seniority] + (1 if seniority == PRINCIPAL and rng.random() < 0.5 else 0)
    skills = {slug: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for slug in core}
    for slug in rng.sample(extras, rng.randint(0, len(extras))):
        skills.setdefault(slug, rng.randint(1, max(1, base - 1)))
    held = [code for code in certificates if rng.random() < 0.2 + 0.15 * BASE_LEVEL[seniority]]
    career = rng.randint(*YEARS[seniority])
    chosen = rng.sample(SECTORS, min(career, rng.choice([1, 2, 2, 3])))
    sectors, left = {}, career
    for position, sector in enumerate(chosen):  # the years add up to the career's length
        later = len(chosen) - position - 1
        sectors[sector] = left if not later else rng.randint(1, left - later)
        left -= sectors[sector]
    languages = list(home)
    if "en" not in languages and rng.random() < ENGLISH_SHARE[seniority]:
        languages.append("en")
    city = rng.choice(cities)
    lowest, highest = RATE_RANGE[seniority]
    first_rate = rng.randrange(lowest, highest + 1, 10)
    first_year = rng.randint(*SERVICE_YEARS[seniority])
    rates = [(first_year, rng.randint(1, 12), first_rate)]
    if first_year >= 2 and rng.random() < 0.45:  # a raise last year
        rates.append((1, rng.randint(1, 12), int(round(first_rate * rng.uniform(1.04, 1.1), -1))))
    top_sector = max(sectors, key=lambda sector: (sectors[sector], sector))
    label = Seniority(seniority).label
    return {
        "key": consultant_key(full_name), "full_name": full_name, "seniority": seniority,
        "headline": f"{label} {headline}, {SECTOR_WORDS[top_sector]}",
        "location": f"{city}, {COUNTRY.get(city, 'ES')}",
        "remote_mode": rng.choices([ON_SITE, HYBRID, REMOTE], weights=[2, 5, 3])[0],
        "capacity_percent": rng.choices([100, 80, 60, 50], weights=[26, 2, 2, 2])[0],
        "style": _style(rng, dominant=index % len(CULTURE_TYPES)),
        "skills": skills, "certifications": held, "sectors": sectors, "languages": languages,
        "rates": rates,
    }


def bench() -> list[dict]:
    """Every demo consultant: the story's people, then the generated ones (same every run)."""
    rng = random.Random(BENCH_SEED)  # noqa: S311 - reproducible demo data, not security
    names = {spec["full_name"] for spec in STORY_CONSULTANTS}
    return [*STORY_CONSULTANTS, *(_generated(rng, i, names) for i in range(GENERATED_COUNT))]


# --- Past clients and client culture ---------------------------------------------------------

PAST_CLIENTS = [
    {"name": VALDEMORA, "sector": Sector.REGIONAL, "region": "Castilla-La Mancha",
     "is_public_administration": True, "is_active": False,
     "contact_name": "Revenue Directorate",
     "contact_email": "direccion@valdemora-tributos.example"},
    {"name": COSTA_NORTE, "sector": Sector.REGIONAL, "region": "Asturias",
     "is_public_administration": True, "is_active": True,
     "contact_name": "Innovation Lab office", "contact_email": "lab@costanorte-innova.example"},
    {"name": HARBOURLINE, "sector": Sector.FINANCE, "region": "Cantabria",
     "is_public_administration": False, "is_active": False,
     "contact_name": "Transformation Office", "contact_email": "tmo@harbourline.example"},
]

CULTURES = {
    RIVERTON: [
        {"days": 730, "by": "staff", "respondents": 4,
         "current": (12, 8, 20, 60), "preferred": (20, 15, 20, 45),
         "note": "Workshop with the heads of service before the tax platform programme."},
        {"days": 45, "by": "client", "respondents": 9,
         "answers": {
             (1, False): (15, 10, 20, 55), (2, False): (20, 10, 15, 55),
             (3, False): (20, 10, 20, 50), (4, False): (15, 10, 25, 50),
             (5, False): (10, 15, 25, 50), (6, False): (15, 10, 25, 50),
             (1, True): (25, 15, 20, 40), (2, True): (25, 20, 15, 40),
             (3, True): (30, 15, 15, 40), (4, True): (25, 15, 20, 40),
             (5, True): (20, 25, 20, 35), (6, True): (20, 20, 25, 35),
         },
         "note": "OCAI questionnaire answered by the council's management team: still a "
                 "rule-driven hierarchy, slowly opening up."},
    ],
    AGENCY: [
        {"days": 150, "by": "staff", "respondents": 6,
         "current": (22, 46, 17, 15), "preferred": (25, 50, 15, 10),
         "note": "Product teams that launch pilots fast and expect the PMO to keep up."},
    ],
    EASTMOOR: [
        {"days": 200, "by": "client", "respondents": 7,
         "current": (48, 14, 13, 25), "preferred": (52, 18, 12, 18),
         "note": "Clinical leadership by consensus; decisions are taken with the wards."},
    ],
    VALDEMORA: [
        {"days": 1150, "by": "staff", "respondents": 3,
         "current": (10, 7, 23, 60), "preferred": (14, 10, 22, 54),
         "note": "Procedure first: every step signed off by the revenue directorate."},
    ],
    COSTA_NORTE: [
        {"days": 1050, "by": "staff", "respondents": 5,
         "current": (20, 54, 16, 10), "preferred": (22, 55, 13, 10),
         "note": "A start-up culture inside the region: pilots, pivots and few rules."},
    ],
    HARBOURLINE: [
        {"days": 950, "by": "staff", "respondents": 4,
         "current": (12, 15, 56, 17), "preferred": (15, 20, 50, 15),
         "note": "Targets, league tables and quarterly results."},
    ],
}

# --- Engagements -------------------------------------------------------------------------------

PROPOSED, STAFFING, ACTIVE = (
    EngagementStatus.PROPOSED, EngagementStatus.STAFFING, EngagementStatus.ACTIVE,
)
CLOSING, CLOSED, CANCELLED = (
    EngagementStatus.CLOSING, EngagementStatus.CLOSED, EngagementStatus.CANCELLED,
)

# The story's twin needs: the same principal project manager asked for at a hierarchy-type
# and at an adhocracy-type client. Elena Navarro ranks first for the first, lower for the
# second: her track record at adhocracy-type clients is poor.
STORY_NEED_SKILLS = {"risk-management": 4, "stakeholder-engagement": 4, "agile-delivery": 3,
                     "governance-design": 3}


def _pm_need(note: str) -> dict:
    return {"role": "project-manager", "seniority": PRINCIPAL, "allocation": 80,
            "language": "es", "skills": STORY_NEED_SKILLS, "filled_by": None, "note": note}


ENGAGEMENTS = [
    # --- History at past clients (the track record learns from these) ----------------------
    {
        "organization": VALDEMORA, "title": "Revenue management system PMO",
        "description": "Programme office for the replacement of the provincial revenue "
                       "management system: stage gates, supplier control and reporting to the "
                       "revenue directorate.",
        "services": ["stage-gate-governance", "vendor-and-contract-delivery-control"],
        "typology": "directive", "budget": 410000, "start": -1100, "end": -720,
        "status": CLOSED,
        "team": [("elena.navarro", "project-manager", 100),
                 ("irene.calvo", "pmo-analyst", 50)],
        "outcome": {"satisfaction": 5, "on_time": True, "cpi": "1.040", "spi": "1.010",
                    "note": "Delivered on the day of the tax campaign, within budget.",
                    "ratings": {
                        "elena.navarro": (7, 6, 7, "Ran the steering committee like "
                                                   "clockwork; every gate was documented."),
                        "irene.calvo": (6, 6, 6, "Reliable reporting."),
                    }},
    },
    {
        "organization": COSTA_NORTE, "title": "Startup grants platform delivery",
        "description": "Agile delivery of the regional start-up grants platform in "
                       "two-week sprints with the innovation lab.",
        "services": ["agile-transformation-coaching"], "typology": "supportive",
        "budget": 260000, "start": -1000, "end": -760, "status": CLOSED,
        "team": [("marc.puig", "project-manager", 100)],
        "outcome": {"satisfaction": 5, "on_time": True, "cpi": "0.980", "spi": "1.030",
                    "note": "Launched a month early with the lab's own team.",
                    "ratings": {"marc.puig": (7, 7, 6, "One of us from the first week.")}},
    },
    {
        "organization": HARBOURLINE, "title": "Claims platform portfolio office",
        "description": "Portfolio office for the claims platform programme: benefits, "
                       "earned value and quarterly targets.",
        "services": ["portfolio-prioritization", "benefits-realization-tracking"],
        "typology": "controlling", "budget": 520000, "start": -900, "end": -660,
        "status": CLOSED,
        "team": [("jorge.villalba", "portfolio-manager", 100),
                 ("david.ferreira", "pmo-analyst", 80)],
        "outcome": {"satisfaction": 5, "on_time": True, "cpi": "1.060", "spi": "0.990",
                    "note": "Benefits case met in the first year.",
                    "ratings": {
                        "jorge.villalba": (6, 7, 6, "Spoke the board's language: numbers."),
                        "david.ferreira": (5, 6, 5, ""),
                    }},
    },
    {
        "organization": VALDEMORA, "title": "Cadastral valuation project office",
        "description": "Project office for the cadastral valuation update, with the "
                       "directorate's approval at every step.",
        "services": ["project-manager-on-demand"], "typology": "controlling",
        "budget": 230000, "start": -700, "end": -420, "status": CLOSED,
        "team": [("marc.puig", "project-manager", 80),
                 ("carlota.reyes", "scrum-master", 30)],
        "outcome": {"satisfaction": 3, "on_time": False, "cpi": "0.930", "spi": "0.840",
                    "note": "Two months late; the sprint cadence clashed with the approval "
                            "chain.",
                    "ratings": {
                        "marc.puig": (3, 2, 2, "Kept skipping the formal sign-offs we need."),
                        "carlota.reyes": (5, 5, 4, "Adapted the ceremonies to our rules."),
                    }},
    },
    {
        "organization": COSTA_NORTE, "title": "Open innovation lab programme",
        "description": "Programme management of the lab's open innovation calls: pilots with "
                       "start-ups, scaled or stopped every quarter.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 300000, "start": -500, "end": -200, "status": CLOSED,
        "team": [("elena.navarro", "project-manager", 100),
                 ("mikel.arrieta", "business-analyst", 50)],
        "outcome": {"satisfaction": 2, "on_time": False, "cpi": "0.860", "spi": "0.780",
                    "note": "Three pilots lost their window while plans were approved.",
                    "ratings": {
                        "elena.navarro": (2, 3, 2, "Insisted on full plans and stage gates "
                                                   "for experiments; the teams felt slowed "
                                                   "down."),
                        "mikel.arrieta": (6, 6, 6, "Quick to pick up our way of working."),
                    }},
    },
    # --- City Council of Riverton (hierarchy-type) ------------------------------------------
    {
        "organization": RIVERTON, "title": "Tax office process redesign",
        "description": "Redesign of the tax office's processes before the new tax platform.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 190000, "start": -560, "end": -260, "status": CLOSED,
        "sponsor": "daniel.ortega@riverton.example",
        "product_owner": "carmen.vidal@riverton.example", "scrum_master": "mikel.arrieta",
        "applications": ["TAX-LEG"],
        "team": [("pablo.iriarte", "project-manager", 100), ("irene.calvo", "pmo-analyst", 70),
                 ("mikel.arrieta", "business-analyst", 50)],
        "outcome": {"satisfaction": 4, "on_time": True, "cpi": "1.000", "spi": "0.970",
                    "note": "New processes in place; the committee wanted more formal reports.",
                    "ratings": {
                        "pablo.iriarte": (4, 4, 4, "Good work, a little informal for us."),
                        "irene.calvo": (7, 6, 7, "Exactly the reporting the council expects."),
                        "mikel.arrieta": (5, 5, 5, ""),
                    }},
    },
    {
        "organization": RIVERTON, "title": "Tax management platform rollout PMO",
        "description": "PMO for the rollout of the new tax management platform: plan, risks, "
                       "supplier follow-up and the steering committee's monthly report.",
        "services": ["project-manager-on-demand", "risk-and-issue-management-office"],
        "typology": "controlling", "budget": 350000, "start": -120, "end": 180,
        "status": ACTIVE,
        "sponsor": "daniel.ortega@riverton.example",
        "product_owner": "carmen.vidal@riverton.example", "scrum_master": "carlota.reyes",
        "applications": ["TAX-NEW", "TAX-LEG", "ERP-FIN"],
        "team": [("irene.calvo", "project-manager", 60), ("samuel.ortiz", "pmo-analyst", 100),
                 ("nerea.galdos", "reporting-analyst", 40),
                 ("carlota.reyes", "scrum-master", 30)],
    },
    {
        # Created from the catalog demo's accepted request when it exists (its dates follow
        # the request's desired start); directly otherwise.
        "organization": RIVERTON, "title": "Municipal portfolio reporting and dashboards",
        "from_request": "project-reporting-and-dashboards",
        "description": "One monthly portfolio report and live dashboards for the steering "
                       "committee, from the project managers' own data.",
        "services": ["project-reporting-and-dashboards"], "typology": "supportive",
        "budget": 80000, "start": 21, "end": 386, "status": STAFFING,
        "sponsor": "laura.gomez@riverton.example",
        "product_owner": "isabel.navarro@riverton.example", "scrum_master": "carlota.reyes",
        "applications": ["BI-DW", "ERP-FIN"],
        "team": [("carlota.reyes", "scrum-master", 20)],
        "needs": [{"role": "reporting-analyst", "seniority": MID, "allocation": 60,
                   "language": "es", "skills": {"power-bi-reporting": 4, "data-analysis": 3},
                   "filled_by": "nerea.galdos", "note": ""}],
    },
    {
        "organization": RIVERTON, "title": "Building permits digitalisation PMO",
        "description": "PMO for moving building permits online: the new online service, the "
                       "back office replacement and the GIS link, with monthly committee "
                       "reporting.",
        "services": ["project-manager-on-demand", "stage-gate-governance"],
        "typology": "controlling", "budget": 320000, "start": 28, "end": 330,
        "status": STAFFING,
        "sponsor": "tomas.herrera@riverton.example",
        "product_owner": "elena.prieto@riverton.example", "scrum_master": "mikel.arrieta",
        "applications": ["PRM-OLD", "PRM-ONL", "GIS-CORE"],
        "needs": [
            _pm_need("Leads the programme and reports to the urban planning committee."),
            {"role": "business-analyst", "seniority": MID, "allocation": 50, "language": "es",
             "skills": {"process-mapping": 4, "business-case": 3}, "filled_by": "raquel.soto",
             "note": ""},
            {"role": "pmo-analyst", "seniority": JUNIOR, "allocation": 50, "language": "es",
             "skills": {"project-tooling": 3}, "filled_by": None, "cancelled": True,
             "note": "The council's own analyst keeps the plan."},
        ],
    },
    {
        "organization": RIVERTON, "title": "Library management system replacement",
        "description": "Replacement of the library management system.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 60000, "start": 90, "end": 270, "status": CANCELLED,
        "cancel_reason": "The budget moved to the permits programme in the spring revision.",
        "sponsor": "laura.gomez@riverton.example",
        "product_owner": "elena.prieto@riverton.example", "applications": ["LIB-MGMT"],
        "needs": [{"role": "project-manager", "seniority": MID, "allocation": 50,
                   "language": "es", "skills": {"risk-management": 3}, "filled_by": None,
                   "note": ""}],
    },
    # --- National Agency for Digital Government (adhocracy-type) -----------------------------
    {
        "organization": AGENCY, "title": "Digital mailbox adoption sprint",
        "description": "Six months of sprints to make the digital mailbox the default "
                       "channel for notifications.",
        "services": ["agile-transformation-coaching"], "typology": "supportive",
        "budget": 170000, "start": -330, "end": -130, "status": CLOSED,
        "sponsor": "ricardo.alonso@digital-agency.example",
        "product_owner": "alberto.fuentes@digital-agency.example",
        "scrum_master": "claire.dubois", "applications": ["DMAIL", "NOTIF"],
        "team": [("marc.puig", "project-manager", 80), ("claire.dubois", "agile-coach", 60)],
        "outcome": {"satisfaction": 5, "on_time": True, "cpi": "1.020", "spi": "1.050",
                    "note": "Adoption target reached a month early.",
                    "ratings": {
                        "marc.puig": (6, 6, 7, "Moved at our pace and let the team decide."),
                        "claire.dubois": (7, 6, 7, ""),
                    }},
    },
    {
        "organization": AGENCY, "title": "Open data APIs delivery office",
        "description": "Delivery office for the open data APIs: backlog, releases and the "
                       "re-users' community.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 240000, "start": -90, "end": 150, "status": ACTIVE,
        "sponsor": "marta.santos@digital-agency.example",
        "product_owner": "patricia.moreno@digital-agency.example",
        "scrum_master": "carlota.reyes", "applications": ["OPEN-API", "OPEN-DATA"],
        "team": [("pablo.iriarte", "project-manager", 100),
                 ("carlota.reyes", "scrum-master", 50)],
    },
    {
        "organization": AGENCY, "title": "EU digital identity wallet pilot PMO",
        "description": "PMO for the EU digital identity wallet pilot: fast iterations with "
                       "the Commission's large-scale pilot partners.",
        "services": ["project-manager-on-demand", "agile-transformation-coaching"],
        "typology": "supportive", "budget": 360000, "start": 21, "end": 300,
        "status": STAFFING,
        "sponsor": "ricardo.alonso@digital-agency.example",
        "product_owner": "nuria.campos@digital-agency.example", "scrum_master": "mikel.arrieta",
        "applications": ["WALLET", "EID-PLAT"],
        "team": [("mikel.arrieta", "scrum-master", 20)],
        "needs": [
            _pm_need("Leads the pilot with the product owner; pilots change every month."),
            {"role": "agile-coach", "seniority": SENIOR, "allocation": 60, "language": "en",
             "skills": {"coaching": 4, "agile-delivery": 4}, "filled_by": "claire.dubois",
             "note": "Works with the pilot partners in English."},
        ],
    },
    {
        "organization": AGENCY, "title": "Citizen folder service redesign",
        "description": "Redesign of the citizen folder around life events.",
        "services": ["methodology-and-templates"], "typology": "supportive",
        "budget": 150000, "start": 60, "end": 240, "status": PROPOSED,
        "sponsor": "marta.santos@digital-agency.example",
        "product_owner": "sofia.cabrera@digital-agency.example",
        "applications": ["CL-FOLDER", "REG-CIT"],
        "needs": [
            {"role": "change-manager", "seniority": SENIOR, "allocation": 50, "language": "es",
             "skills": {"change-management": 4, "stakeholder-engagement": 4},
             "filled_by": None, "note": ""},
            {"role": "business-analyst", "seniority": MID, "allocation": 50, "language": "es",
             "skills": {"process-mapping": 3, "data-analysis": 3}, "filled_by": None,
             "note": ""},
        ],
    },
    # --- Eastmoor Regional Health Service (clan-type) ----------------------------------------
    {
        "organization": EASTMOOR, "title": "Primary care scheduling rollout",
        "description": "Rollout of the new appointment scheduling in the primary care "
                       "centres.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 280000, "start": -640, "end": -330, "status": CLOSED,
        "sponsor": "ana.beltran@eastmoor-health.example",
        "product_owner": "sergio.lara@eastmoor-health.example", "scrum_master": "oriol.ferrer",
        "applications": ["APPT", "PC-EHR"],
        "team": [("jorge.villalba", "project-manager", 100),
                 ("ainhoa.etxeberria", "change-manager", 60),
                 ("oriol.ferrer", "change-manager", 50)],
        "outcome": {"satisfaction": 3, "on_time": False, "cpi": "0.950", "spi": "0.880",
                    "note": "Live in every centre, six weeks late; staff felt rushed.",
                    "ratings": {
                        "jorge.villalba": (3, 3, 2, "Pushed deadlines and targets on clinical "
                                                    "teams who wanted to be consulted first."),
                        "ainhoa.etxeberria": (7, 7, 7, "Won the nurses over."),
                        "oriol.ferrer": (6, 6, 5, ""),
                    }},
    },
    {
        "organization": EASTMOOR, "title": "Electronic prescription rollout support",
        "description": "Support to the electronic prescription rollout in hospital "
                       "pharmacy and primary care.",
        "services": ["project-manager-on-demand"], "typology": "supportive",
        "budget": 300000, "start": -300, "end": 20, "status": CLOSING,
        "sponsor": "ana.beltran@eastmoor-health.example",
        "product_owner": "rosa.aguilar@eastmoor-health.example",
        "scrum_master": "oriol.ferrer", "applications": ["EPRESC", "PHARM"],
        "team": [("ainhoa.etxeberria", "project-manager", 100),
                 ("david.ferreira", "pmo-analyst", 80),
                 ("oriol.ferrer", "change-manager", 40)],
    },
    {
        "organization": EASTMOOR, "title": "Hospital digitalisation PMO set-up",
        "description": "Setting up the PMO of the hospital digitalisation programme once its "
                       "funding is approved.",
        "services": ["pmo-set-up-and-governance-design"], "typology": "directive",
        "budget": 450000, "start": 45, "end": 410, "status": PROPOSED,
        "sponsor": "ana.beltran@eastmoor-health.example",
        "product_owner": "javier.ruiz@eastmoor-health.example",
        "applications": ["EHR-HOSP", "EHR-LEG"],
        "needs": [
            {"role": "pmo-lead", "seniority": PRINCIPAL, "allocation": 100, "language": "es",
             "skills": {"governance-design": 4, "stakeholder-engagement": 4,
                        "change-management": 3}, "filled_by": None, "note": ""},
            {"role": "pmo-analyst", "seniority": MID, "allocation": 100, "language": "es",
             "skills": {"project-tooling": 3, "data-analysis": 3}, "filled_by": None,
             "note": ""},
        ],
    },
]

# --- Delivery: how each engagement in progress has gone so far -------------------------------
#
# Read by ``engagements.demo_delivery``. Per engagement title: ``pace`` (how fast the work
# moves along the plan: 1 on schedule, 0.8 means 8 planned days done every 10), ``cpi`` (the cost
# performance it is steered to: hours logged are scaled so actual cost is near earned value /
# cpi), ``expense_share`` (part of the actual cost that is expenses rather than time) and
# ``kpis``: the colour each catalog indicator's latest value ends on, by indicator name
# (earlier months drift toward it). ``documents`` are the documentary deliverables, one per
# iteration in turn; each catalog service of the engagement is launched mid-way.
DELIVERY_SEED = 6
ITERATION_DAYS = 14
DELIVERY_STORIES = {
    "Open data APIs delivery office": {  # on plan and on budget: green
        "pace": 1.0, "cpi": 1.03, "expense_share": 0.04,
        "kpis": {"Schedule performance index": "green", "Milestones on time": "green"},
        "documents": ["Project charter", "API governance model", "Stakeholder map",
                      "Delivery roadmap", "Data catalogue backlog", "Security review pack",
                      "Developer portal content plan", "Release readiness checklist"],
    },
    "Tax management platform rollout PMO": {  # behind and over spending: red
        "pace": 0.78, "cpi": 0.74, "expense_share": 0.08,
        "kpis": {"Schedule performance index": "red", "Milestones on time": "red",
                 "Overdue risk actions": "amber", "Risk review coverage": "green"},
        "documents": ["Project charter", "Integrated master schedule", "Risk register baseline",
                      "Data migration strategy", "Cut-over plan", "Training plan",
                      "Vendor performance report", "Go-live readiness review"],
    },
    "Electronic prescription rollout support": {  # slipping schedule, one KPI off: amber
        "pace": 0.88, "cpi": 0.97, "expense_share": 0.06,
        "kpis": {"Schedule performance index": "green", "Milestones on time": "red"},
        "documents": ["Rollout charter", "Pharmacy onboarding plan", "Clinical safety case",
                      "Prescriber training plan", "Regional rollout wave plan",
                      "Interoperability test report", "Benefits baseline",
                      "Handover and support model"],
    },
}
EXPENSES = [  # (category, description, share of the month's expenses)
    ("travel", "Travel to client sites", 55), ("licences", "Planning tool licences", 30),
    ("training", "Workshop materials", 15),
]

"""The published parameters of the matching formulas (docs/matching.md): the factors, the
neutral value, the seniority and sector tables, the track record's sharpness and prior, and
the weights of an outcome's signal."""

from stakeholders.choices import Sector

from ..choices import MatchFactor

FACTORS: tuple[str, ...] = tuple(MatchFactor.values)
NEUTRAL = 0.5  # the value of a factor nothing is known about
# Seniority fit by (consultant rank - required rank); further below the requirement: 0.
SENIORITY_FIT = {-1: 0.4, 0: 1.0, 1: 0.8, 2: 0.6, 3: 0.4}
SECTOR_FULL_YEARS = 5  # years of experience that earn full sector credit
PUBLIC_SECTORS = (Sector.GOVERNMENT, Sector.REGIONAL, Sector.LOCAL)
PUBLIC_SECTOR_CREDIT = 0.6  # share of credit public-sector years earn at any public body
# Track record: how sharply outcomes at dissimilar clients are discounted (fit ** SHARPNESS),
# and how many outcomes' worth of neutral evidence every consultant starts with.
SHARPNESS = 8
PRIOR = 0.5
# Outcome signal: perceived fit (1-7), client satisfaction (1-5), delivered on time.
SIGNAL_WEIGHTS = {"perceived_fit": 0.6, "satisfaction": 0.25, "on_time": 0.15}

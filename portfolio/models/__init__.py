"""Models of the portfolio app."""

from .applications import Application, ApplicationDependency, Technology
from .demand import (
    Demand,
    DemandApplication,
    DemandObjective,
    DemandTransition,
    Objective,
    ObjectiveApplication,
)

__all__ = [
    "Application",
    "ApplicationDependency",
    "Demand",
    "DemandApplication",
    "DemandObjective",
    "DemandTransition",
    "Objective",
    "ObjectiveApplication",
    "Technology",
]

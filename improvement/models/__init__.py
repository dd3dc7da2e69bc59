"""Models of the improvement app."""

from .actions import ImprovementAction, ImprovementActionTransition
from .process import ProcessMap, ProcessStep

__all__ = ["ImprovementAction", "ImprovementActionTransition", "ProcessMap", "ProcessStep"]

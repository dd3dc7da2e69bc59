"""Staff interface of the applications portfolio: applications with their dependencies both
ways and the technology vocabulary; objectives; demand with its workflow actions.

Saves go through ``portfolio.services``, so the admin follows the rules of the API and the
portal; applications and dependencies are imported and exported in bulk (CSV, XLSX) with a
dry-run preview and row-level errors. Every model with an audit history shows it read-only.
"""

from . import applications, demand

__all__ = ["applications", "demand"]

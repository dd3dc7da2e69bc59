"""Helpers shared by the catalog admin modules."""

from django.contrib import admin

# The history admin and the per-row action helper are shared with the other apps' admins.
from pmo_service.admin_helpers import apply_each, error_text
from pmo_service.admin_history import NoRevertHistoryAdmin

__all__ = ["NoRevertHistoryAdmin", "apply_each", "error_text", "usage_column"]


def usage_column(description: str):
    """A list column showing the ``usage_count`` annotation of the admin's queryset."""

    @admin.display(description=description, ordering="usage_count")
    def usage_count(self, obj) -> int:
        return obj.usage_count

    return usage_count


# --- Taxonomies --------------------------------------------------------------------------------

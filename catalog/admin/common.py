"""Helpers shared by the catalog admin modules."""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from pmo_service.exceptions import ConflictError


def error_text(error: ConflictError | ValidationError) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def apply_each(
    model_admin: admin.ModelAdmin,
    request,
    objects: Iterable,
    apply: Callable,
    *,
    done: str,
    label: Callable[[object], str] | None = None,
) -> None:
    """Run a service on each object; report the successes together and each refusal apart.

    Each service call is its own transaction, so one refusal does not undo the others.
    ``label`` names the object in a refusal whose message does not name it already.
    """
    succeeded = 0
    for obj in objects:
        try:
            apply(obj)
        except (ConflictError, ValidationError) as error:
            text = error_text(error)
            model_admin.message_user(
                request, f"{label(obj)}: {text}" if label else text, messages.ERROR
            )
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done.format(count=succeeded), messages.SUCCESS)


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, not to revert: a revert would restore an old status and bypass the rules
    of publishing and of the request workflow, so the revert form is view-only."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be viewed, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def usage_column(description: str):
    """A list column showing the ``usage_count`` annotation of the admin's queryset."""

    @admin.display(description=description, ordering="usage_count")
    def usage_count(self, obj) -> int:
        return obj.usage_count

    return usage_count


# --- Taxonomies --------------------------------------------------------------------------------

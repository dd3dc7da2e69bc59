"""The history admin every app uses for models tracked by django-simple-history.

Plumbing shared by the apps' admin packages (it imports no app): staff read who changed what
and when, but never restore an old version.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, not to revert.

    A revert would write an old version back with a plain ``save()``: it would restore an old
    status and bypass the services that hold the rules (publishing, the request and demand
    workflows, the engagement assessments that must follow every change of C or D). So the
    revert form is view-only and a POST to it is refused.
    """

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be viewed, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)

"""Permission classes shared by the API. Visibility is scoping's job; these decide *actions*."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyUnlessStaff(BasePermission):
    """Authenticated users read what their scope shows; only PMO staff change it."""

    message = "Only PMO staff can change this resource."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_staff


class IsStaff(BasePermission):
    """PMO staff only (Django staff users)."""

    message = "Only PMO staff can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class PublicReadStaffWrite(BasePermission):
    """Anyone, anonymous included, reads; only active PMO staff change.

    For shared reference data such as the published catalog: it is the provider's shop
    window, so prospects browse it without an account, while its content is staff-managed.
    Anonymous writes get 401 (DRF answers NotAuthenticated when no credentials were sent).
    """

    message = "Only PMO staff can change this resource."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)

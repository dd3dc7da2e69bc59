"""Routes of the stakeholders API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MeView, OrganizationViewSet, TokenView, UserViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]

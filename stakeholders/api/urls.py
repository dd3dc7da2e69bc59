"""Routes of the stakeholders API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CommunicationPlanViewSet,
    CommunicationViewSet,
    EngagementAssessmentViewSet,
    MeView,
    OrganizationViewSet,
    RiskViewSet,
    StakeholderViewSet,
    TokenView,
    UserViewSet,
)

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("users", UserViewSet, basename="user")
router.register("stakeholders", StakeholderViewSet, basename="stakeholder")
router.register(
    "engagement-assessments", EngagementAssessmentViewSet, basename="engagement-assessment"
)
router.register("communication-plans", CommunicationPlanViewSet, basename="communication-plan")
router.register("communications", CommunicationViewSet, basename="communication")
router.register("risks", RiskViewSet, basename="risk")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]

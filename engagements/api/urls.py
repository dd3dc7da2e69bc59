"""Routes of the engagements API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AssignmentViewSet,
    ConsultantViewSet,
    CultureAssessmentViewSet,
    EngagementOutcomeViewSet,
    EngagementViewSet,
    MatchingWeightsView,
    StaffingNeedViewSet,
    StaffingProposalViewSet,
)

router = SimpleRouter()
router.register("consultants", ConsultantViewSet, basename="consultant")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("staffing-needs", StaffingNeedViewSet, basename="staffing-need")
router.register("staffing-proposals", StaffingProposalViewSet, basename="staffing-proposal")
router.register("culture-assessments", CultureAssessmentViewSet, basename="culture-assessment")
router.register("engagement-outcomes", EngagementOutcomeViewSet, basename="engagement-outcome")

urlpatterns = [
    path("matching-weights/", MatchingWeightsView.as_view(), name="matching-weights"),
    *router.urls,
]

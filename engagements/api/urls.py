"""Routes of the engagements API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AssignmentViewSet,
    ConsultantViewSet,
    CultureAssessmentViewSet,
    DeliverableViewSet,
    EngagementOutcomeViewSet,
    EngagementViewSet,
    ExpenseViewSet,
    IterationViewSet,
    KpiMeasurementViewSet,
    MatchingWeightsView,
    StaffingNeedViewSet,
    StaffingProposalViewSet,
    TimeEntryViewSet,
)

router = SimpleRouter()
router.register("consultants", ConsultantViewSet, basename="consultant")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("staffing-needs", StaffingNeedViewSet, basename="staffing-need")
router.register("staffing-proposals", StaffingProposalViewSet, basename="staffing-proposal")
router.register("culture-assessments", CultureAssessmentViewSet, basename="culture-assessment")
router.register("engagement-outcomes", EngagementOutcomeViewSet, basename="engagement-outcome")
router.register("iterations", IterationViewSet, basename="iteration")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("kpi-measurements", KpiMeasurementViewSet, basename="kpi-measurement")

urlpatterns = [
    path("matching-weights/", MatchingWeightsView.as_view(), name="matching-weights"),
    *router.urls,
]

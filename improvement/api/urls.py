"""Routes of the improvement API, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    DemandFlowViewSet,
    ImprovementActionViewSet,
    ImprovementSuggestionViewSet,
    ProcessMapViewSet,
)

router = SimpleRouter()
router.register("process-maps", ProcessMapViewSet, basename="process-map")
router.register("improvement-actions", ImprovementActionViewSet, basename="improvement-action")
router.register(
    "improvement-suggestions", ImprovementSuggestionViewSet, basename="improvement-suggestion"
)

urlpatterns = [
    *router.urls,
    # The flow belongs to an organization; stakeholders (the lowest app) cannot know it.
    path(
        "organizations/<int:pk>/demand-flow/",
        DemandFlowViewSet.as_view({"get": "retrieve"}),
        name="organization-demand-flow",
    ),
    path(
        "organizations/<int:pk>/demand-flow/suggest/",
        DemandFlowViewSet.as_view({"post": "suggest"}),
        name="organization-demand-flow-suggest",
    ),
]

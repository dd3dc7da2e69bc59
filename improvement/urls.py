"""Portal routes of the improvement app: process maps, demand flow, board, benefits."""

from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path(
        "improvement/process-maps/", views.ProcessMapListView.as_view(),
        name="process-map-list",
    ),
    path(
        "improvement/process-maps/<int:pk>/", views.ProcessMapDetailView.as_view(),
        name="process-map-detail",
    ),
    path("improvement/demand-flow/", views.DemandFlowView.as_view(), name="demand-flow"),
    path("improvement/actions/", views.ActionBoardView.as_view(), name="action-list"),
    path(
        "improvement/actions/<int:pk>/", views.ActionDetailView.as_view(),
        name="action-detail",
    ),
    path("improvement/benefits/", views.BenefitsView.as_view(), name="benefits"),
]

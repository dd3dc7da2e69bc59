"""Portal routes of the stakeholders app."""

from django.urls import path

from .views import (
    CommunicationsView,
    EngagementMatrixView,
    HomeView,
    RiskDetailView,
    RiskListView,
    StakeholderDetailView,
    StakeholderGridView,
)

app_name = "portal"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("stakeholders/", StakeholderGridView.as_view(), name="stakeholder-grid"),
    path(
        "stakeholders/<int:pk>/", StakeholderDetailView.as_view(), name="stakeholder-detail"
    ),
    path(
        "stakeholders/engagement/", EngagementMatrixView.as_view(), name="engagement-matrix"
    ),
    path("communications/", CommunicationsView.as_view(), name="communications"),
    path("risks/", RiskListView.as_view(), name="risk-list"),
    path("risks/<int:pk>/", RiskDetailView.as_view(), name="risk-detail"),
]

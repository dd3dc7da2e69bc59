"""Portal routes of the engagements app: a client's engagements, their dashboards, team and
culture."""

from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("engagements/", views.EngagementListView.as_view(), name="engagement-list"),
    path(
        "engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement-detail"
    ),
    path(
        "engagements/<int:pk>/dashboard/", views.EngagementDashboardView.as_view(),
        name="engagement-dashboard",
    ),
    path("culture/", views.CultureView.as_view(), name="culture"),
]

"""Portal routes of the portfolio app: applications, demand and objectives."""

from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("portfolio/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        "portfolio/applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path("demands/", views.DemandBoardView.as_view(), name="demand-board"),
    path("demands/new/", views.DemandCreateView.as_view(), name="demand-create"),
    path("demands/<int:pk>/", views.DemandDetailView.as_view(), name="demand-detail"),
    path("objectives/", views.ObjectiveListView.as_view(), name="objective-list"),
    path(
        "objectives/<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective-detail"
    ),
]

"""Portal routes of the catalog: the public catalog and the client's service requests."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.CatalogView.as_view(), name="home"),
    path("catalog/<slug:slug>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path(
        "catalog/<slug:slug>/request/",
        views.ServiceRequestCreateView.as_view(),
        name="service-request",
    ),
    path("requests/", views.RequestListView.as_view(), name="request-list"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request-detail"),
]

"""Portal routes of the stakeholders app."""

from django.urls import path

from .views import HomeView

app_name = "portal"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]

"""Routes of the portfolio API, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import (
    ApplicationDependencyViewSet,
    ApplicationViewSet,
    DemandViewSet,
    ObjectiveViewSet,
)

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register(
    "application-dependencies", ApplicationDependencyViewSet, basename="application-dependency"
)
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("demands", DemandViewSet, basename="demand")

urlpatterns = [*router.urls]

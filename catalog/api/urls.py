"""Routes of the catalog API, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import (
    CategoryViewSet,
    CertificationViewSet,
    RoleViewSet,
    ServiceRequestViewSet,
    ServiceViewSet,
    SkillViewSet,
    ValueProcessViewSet,
)

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("value-processes", ValueProcessViewSet, basename="value-process")
router.register("categories", CategoryViewSet, basename="category")
router.register("skills", SkillViewSet, basename="skill")
router.register("roles", RoleViewSet, basename="role")
router.register("certifications", CertificationViewSet, basename="certification")

urlpatterns = router.urls

"""Routes of the catalog API, mounted under /api/v1/."""

urlpatterns = []

"""Portal routes of the catalog: the public catalog and the client's service requests."""

app_name = "catalog"

urlpatterns = []

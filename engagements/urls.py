"""Portal routes of the engagements app: a client's engagements, team and culture."""

app_name = "engagements"

urlpatterns: list = []

"""Annual organizational-life plans (included from meetings.urls under /meetings/plans/)."""

urlpatterns: list = []

"""Excel import/export URLs for people and organizations (included from orgs.urls)."""

urlpatterns: list = []

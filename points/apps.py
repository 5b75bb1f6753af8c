from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "党员量化积分与党员先锋"

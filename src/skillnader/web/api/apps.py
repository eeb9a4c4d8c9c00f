from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "skillnader.web.api"
    label = "api"
    verbose_name = "Read-only API"

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "skillnader.web.public"
    label = "public"
    verbose_name = "Public site"

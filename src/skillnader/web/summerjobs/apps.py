from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummerJobsConfig(AppConfig):
    """Summer jobs (*feriejobb*): applications, the city-wide allocation and its report."""

    name = "skillnader.web.summerjobs"
    label = "summerjobs"
    verbose_name = _("Summer jobs")
    default_auto_field = "django.db.models.BigAutoField"

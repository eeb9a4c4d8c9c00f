from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    """Goals, targets, judgements and measures: the city's steering chain."""

    name = "skillnader.web.steering"
    label = "steering"
    verbose_name = _("Goals and measures")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataConfig(AppConfig):
    name = "skillnader.web.data"
    label = "data"
    verbose_name = _("Statistics")

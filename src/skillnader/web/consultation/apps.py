from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    """Consultations (*remisser*): send questions to the city's boards, collect and compile."""

    name = "skillnader.web.consultation"
    label = "consultation"
    verbose_name = _("Consultations")
    default_auto_field = "django.db.models.BigAutoField"

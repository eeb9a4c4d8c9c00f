from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    """Goals, targets, judgements and measures: the city's steering chain."""

    name = "skillnader.web.steering"
    label = "steering"
    verbose_name = _("Goals and measures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the city report's "Måluppfyllelse" chapter comes from this app; registering it here
        # keeps the reports free of an import of the goals app
        from skillnader.reports import sections
        from skillnader.web.steering.report import fulfilment_section

        sections.register("fulfilment", fulfilment_section)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DibaoConfig(AppConfig):
    name = "shegong.dibao"
    label = "dibao"
    verbose_name = _("低保与特困")

    def ready(self) -> None:
        from . import home_panels, panels

        panels.register()
        home_panels.register()

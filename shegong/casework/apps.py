from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "shegong.casework"
    label = "casework"
    verbose_name = _("个案工作")

    def ready(self) -> None:
        from . import panels

        panels.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "shegong.workforce"
    label = "workforce"
    verbose_name = _("人才队伍")

    def ready(self) -> None:
        from shegong.core.organisations import register_organisation_choices

        from .selectors import organisation_choices

        register_organisation_choices(organisation_choices)

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shegong.core"
    label = "core"
    verbose_name = _("基础平台")

    def ready(self) -> None:
        # Each app declares its rule-set kinds in its own rulesets.py (see core.rulesets),
        # its home-page charts in its own charts.py (see core.charts) and how its audit
        # events read in its own trail.py (see core.audit_fields).
        autodiscover_modules("rulesets")
        autodiscover_modules("charts")
        autodiscover_modules("trail")

"""How the registry's audit events read (see core.audit_fields).

Household events carry their own fields (read from the household model) and their members'
(a member added, removed or moved, the flags a refresh changed), declared here from the
person model.
"""

from django.utils.translation import gettext_lazy as _

from shegong.core import audit

from .models import Person

audit.register_model_fields("registry.household", Person)
audit.register_fields(
    "registry.household",
    {
        "reason": _("变更原因"),
        "person": _("成员"),
        "removed": _("减少的成员"),
        "absorbed": _("并入的户"),
        "members": (_("成员"), audit.LIST),
        "flags": (_("三留守标识变化"), audit.LIST),
        "review": _("复核"),
        "from": _("迁出户"),
        "to": _("迁入户"),
        "head": _("户主"),
    },
)

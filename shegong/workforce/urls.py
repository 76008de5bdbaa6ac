from django.utils.translation import gettext_lazy as _

from shegong.core.navigation import NAV, NavItem
from shegong.core.roles import Perm
from shegong.core.routing import route

from . import views
from .models import Organisation, Supervision

app_name = "workforce"

urlpatterns = [
    route(
        "organisations/",
        views.organisation_list_view,
        name="organisation_list",
        kind="list",
        perm=Perm.VIEW_ORGANISATIONS,
    ),
    route(
        "organisations/new/",
        views.organisation_create_view,
        name="organisation_create",
        kind="list",
        perm=Perm.MANAGE_ORGANISATIONS,
    ),
    route(
        "organisations/<int:pk>/",
        views.organisation_detail_view,
        name="organisation_detail",
        kind="object",
        model=Organisation,
        perm=Perm.VIEW_ORGANISATIONS,
    ),
    route(
        "supervision/",
        views.supervision_list_view,
        name="supervision_list",
        kind="list",
        perm=Perm.MANAGE_SUPERVISION,
    ),
    route(
        "supervision/<int:pk>/end/",
        views.supervision_end_view,
        name="supervision_end",
        kind="object",
        model=Supervision,
        perm=Perm.MANAGE_SUPERVISION,
        post_only=True,
    ),
]

NAV.append(
    NavItem(
        _("督导关系"),
        "workforce:supervision_list",
        Perm.MANAGE_SUPERVISION,
        _("人才队伍"),
        _("为本机构社工指派督导,结束督导关系"),
    )
)

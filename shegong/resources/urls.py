from shegong.core.roles import Perm
from shegong.core.routing import route

from . import views
from .models import Institution

app_name = "resources"

urlpatterns = [
    route(
        "",
        views.institution_list_view,
        name="institution_list",
        kind="list",
        perm=Perm.VIEW_RESOURCES,
    ),
    route(
        "new/",
        views.institution_create_view,
        name="institution_create",
        kind="list",
        perm=Perm.MANAGE_RESOURCES,
    ),
    route(
        "<int:pk>/",
        views.institution_detail_view,
        name="institution_detail",
        kind="object",
        model=Institution,
        perm=Perm.VIEW_RESOURCES,
    ),
    route(
        "<int:pk>/edit/",
        views.institution_edit_view,
        name="institution_edit",
        kind="object",
        model=Institution,
        perm=Perm.MANAGE_RESOURCES,
    ),
    route(
        "<int:pk>/deactivate/",
        views.institution_deactivate_view,
        name="institution_deactivate",
        kind="object",
        model=Institution,
        perm=Perm.MANAGE_RESOURCES,
        post_only=True,
    ),
    route(
        "<int:pk>/reactivate/",
        views.institution_reactivate_view,
        name="institution_reactivate",
        kind="object",
        model=Institution,
        perm=Perm.MANAGE_RESOURCES,
        post_only=True,
    ),
]

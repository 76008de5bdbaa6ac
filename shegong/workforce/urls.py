from shegong.core.roles import Perm
from shegong.core.routing import route

from . import views
from .models import Organisation

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
]

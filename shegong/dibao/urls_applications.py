"""Routes of the Dibao pages: applications (joined in `dibao.urls`)."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Application
from .procedure import APPLICATION_ACTIONS
from .views import applications

urlpatterns: list[URLPattern] = [
    route(
        "applications/",
        applications.application_list_view,
        name="application_list",
        kind="list",
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "applications/new/",
        applications.application_new_view,
        name="application_new",
        kind="list",
        perm=Perm.HANDLE_DIBAO,
    ),
    route(
        "applications/<int:pk>/",
        applications.application_detail_view,
        name="application_detail",
        kind="object",
        model=Application,
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "applications/<int:pk>/evidence/",
        applications.evidence_view,
        name="application_evidence",
        kind="object",
        model=Application,
        perm=Perm.VIEW_DIBAO,
    ),
    # One POST-only route per action of the application page: dibao:application_visit_add, ...
    *(
        route(
            f"applications/<int:pk>/{action.replace('_', '-')}/",
            applications.action_view(action),
            name=f"application_{action}",
            kind="object",
            model=Application,
            perm=Perm.VIEW_DIBAO,
            post_only=True,
        )
        for action in sorted(APPLICATION_ACTIONS)
    ),
]

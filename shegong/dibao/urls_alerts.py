"""Routes of the Dibao pages: monitoring alerts (joined in `dibao.urls`)."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Alert
from .views import alerts

urlpatterns: list[URLPattern] = [
    route("alerts/", alerts.alert_list_view, name="alert_list", kind="list", perm=Perm.VIEW_DIBAO),
    route(
        "alerts/<int:pk>/",
        alerts.alert_detail_view,
        name="alert_detail",
        kind="object",
        model=Alert,
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "alerts/<int:pk>/close/",
        alerts.alert_close_view,
        name="alert_close",
        kind="object",
        model=Alert,
        perm=Perm.VIEW_DIBAO,
        post_only=True,
    ),
]

"""Routes of the Dibao pages: evaluation (joined in `dibao.urls`)."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .views.evaluation import evaluation_view

urlpatterns: list[URLPattern] = [
    route("evaluation/", evaluation_view, name="evaluation", kind="list", perm=Perm.VIEW_DIBAO),
]

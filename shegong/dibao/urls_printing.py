"""Routes of the Dibao pages: printing (joined in `dibao.urls`): one per form,
`applications/<pk>/print/<form>/` named `print_<form>`."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Application
from .views.printouts import VIEWS

urlpatterns: list[URLPattern] = [
    route(
        f"applications/<int:pk>/print/{form}/",
        view,
        name=f"print_{form}",
        kind="object",
        model=Application,
        perm=Perm.VIEW_DIBAO,
    )
    for form, view in VIEWS.items()
]

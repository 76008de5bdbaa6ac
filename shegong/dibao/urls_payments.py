"""Routes of the Dibao pages: payments (joined in `dibao.urls`)."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import PaymentList
from .views import payments

urlpatterns: list[URLPattern] = [
    route(
        "payments/",
        payments.payment_list_index_view,
        name="payment_list_index",
        kind="list",
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "payments/build/",
        payments.payment_list_build_view,
        name="payment_list_build",
        kind="list",
        perm=Perm.DECIDE_DIBAO,
    ),
    route(
        "payments/<int:pk>/",
        payments.payment_list_detail_view,
        name="payment_list_detail",
        kind="object",
        model=PaymentList,
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "payments/<int:pk>/finalise/",
        payments.payment_list_finalise_view,
        name="payment_list_finalise",
        kind="object",
        model=PaymentList,
        perm=Perm.DECIDE_DIBAO,
        post_only=True,
    ),
    route(
        "payments/<int:pk>/rebuild/",
        payments.payment_list_rebuild_view,
        name="payment_list_rebuild",
        kind="object",
        model=PaymentList,
        perm=Perm.DECIDE_DIBAO,
        post_only=True,
    ),
    route(
        "payments/<int:pk>/export/",
        payments.payment_list_export_view,
        name="payment_list_export",
        kind="object",
        model=PaymentList,
        perm=Perm.VIEW_DIBAO,
        post_only=True,
    ),
]

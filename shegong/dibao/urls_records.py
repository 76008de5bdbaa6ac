"""Routes of the Dibao pages: standards, county policy, awards with their reviews and job
offers, and the officer's overdue and nearly-due steps (joined in `dibao.urls`)."""

from django.urls import URLPattern

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Award, CountyPolicy
from .views import records

urlpatterns: list[URLPattern] = [
    route(
        "standards/",
        records.standard_list_view,
        name="standard_list",
        kind="list",
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "standards/new/",
        records.standard_new_view,
        name="standard_new",
        kind="list",
        perm=Perm.SET_DIBAO_STANDARDS,
    ),
    # A county's own choices; the key is the county's code (the policy may not exist yet).
    route(
        "policy/<str:pk>/",
        records.policy_edit_view,
        name="policy_edit",
        kind="object",
        model=CountyPolicy,
        perm=Perm.SET_DIBAO_STANDARDS,
    ),
    route("awards/", records.award_list_view, name="award_list", kind="list", perm=Perm.VIEW_DIBAO),
    route(
        "awards/<int:pk>/",
        records.award_detail_view,
        name="award_detail",
        kind="object",
        model=Award,
        perm=Perm.VIEW_DIBAO,
    ),
    route(
        "awards/<int:pk>/review/",
        records.award_review_view,
        name="award_review",
        kind="object",
        model=Award,
        perm=Perm.VIEW_DIBAO,
        post_only=True,
    ),
    route(
        "awards/<int:pk>/job-offer/",
        records.award_job_offer_view,
        name="award_job_offer",
        kind="object",
        model=Award,
        perm=Perm.VIEW_DIBAO,
        post_only=True,
    ),
    route("due/", records.due_list_view, name="due_list", kind="list", perm=Perm.VIEW_DIBAO),
]

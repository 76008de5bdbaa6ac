"""Routes of the Dibao pages: third-party checks (joined in `dibao.urls`)."""

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import CheckContract, CheckSample
from .views import checks

urlpatterns = [
    # Seen by the county (by region) and by an evaluator (their contracts only).
    route("checks/", checks.check_list_view, name="check_list", kind="list"),
    route(
        "checks/new/", checks.check_new_view, name="check_new", kind="list", perm=Perm.DECIDE_DIBAO
    ),
    route(
        "checks/<int:pk>/",
        checks.check_detail_view,
        name="check_detail",
        kind="object",
        model=CheckContract,
    ),
    route(
        "checks/<int:pk>/return/",
        checks.check_return_view,
        name="check_return",
        kind="object",
        model=CheckContract,
        post_only=True,
    ),
    route(
        "checks/samples/<int:pk>/verdict/",
        checks.check_verdict_view,
        name="check_verdict",
        kind="object",
        model=CheckSample,
        post_only=True,
    ),
]

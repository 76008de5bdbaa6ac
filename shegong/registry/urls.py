from django.urls import include, path

from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Household, Person
from .views import flags, households

app_name = "registry"

CHANGE_PATHS = {
    "member_add": "members/add",
    "member_remove": "members/remove",
    "member_move": "members/move",
    "head": "head",
    "split": "split",
    "exit": "exit",
    "relapse": "relapse-risk",
}

urlpatterns = [
    route(
        "",
        households.household_list_view,
        name="household_list",
        kind="list",
        perm=Perm.VIEW_REGISTRY,
    ),
    route(
        "persons/",
        households.person_list_view,
        name="person_list",
        kind="list",
        perm=Perm.VIEW_REGISTRY,
    ),
    route(
        "households/<int:pk>/",
        households.household_detail_view,
        name="household_detail",
        kind="object",
        model=Household,
        perm=Perm.VIEW_REGISTRY,
    ),
    route(
        "households/<int:pk>/reveal/",
        households.household_reveal_view,
        name="household_reveal",
        kind="object",
        model=Household,
        perm=Perm.REVEAL_ID_NUMBER,
        post_only=True,
    ),
    # One route per change of a household: GET gives its form, POST makes the change.
    *(
        route(
            f"households/<int:pk>/{segment}/",
            households.change_view(change),
            name=f"household_{change}",
            kind="object",
            model=Household,
            perm=Perm.EDIT_REGISTRY,
        )
        for change, segment in CHANGE_PATHS.items()
    ),
    route(
        "persons/<int:pk>/",
        households.person_detail_view,
        name="person_detail",
        kind="object",
        model=Person,
        perm=Perm.VIEW_REGISTRY,
    ),
    route(
        "left-behind-reviews/",
        flags.left_behind_review_list_view,
        name="left_behind_review_list",
        kind="list",
        perm=Perm.CONFIRM_LEFT_BEHIND,
    ),
    path("imports/", include("shegong.registry.urls_import")),
    path("duplicates/", include("shegong.registry.urls_duplicates")),
]

from .models import AuditEvent, Membership, Region, TaskProgress, User
from .roles import Perm
from .routing import route
from .views import accounts, audit, auth, calendar, home, regions, tasks

app_name = "core"

urlpatterns = [
    route("", home.home, name="home", kind="list"),
    route("login/", auth.login_view, name="login", kind="public"),
    route("logout/", auth.logout_view, name="logout", kind="public"),
    route("password/", auth.password_change_view, name="password_change", kind="list"),
    route("healthz", home.healthz, name="healthz", kind="public"),
    route("regions/", regions.region_list, name="region_list", kind="list"),
    route(
        "regions/picker/", regions.region_picker_options, name="region_picker_options", kind="list"
    ),
    route(
        "regions/<str:code>/",
        regions.region_detail,
        name="region_detail",
        kind="object",
        model=Region,
    ),
    route(
        "regions/<str:code>/designate/",
        regions.region_designate_view,
        name="region_designate",
        kind="object",
        model=Region,
        perm=Perm.DESIGNATE_REGIONS,
        post_only=True,
    ),
    route("users/", accounts.user_list_view, name="user_list", kind="list", perm=Perm.MANAGE_USERS),
    route(
        "users/new/",
        accounts.user_create_view,
        name="user_create",
        kind="list",
        perm=Perm.MANAGE_USERS,
    ),
    route(
        "users/<int:pk>/",
        accounts.user_detail_view,
        name="user_detail",
        kind="object",
        model=User,
        perm=Perm.MANAGE_USERS,
    ),
    route(
        "memberships/<int:pk>/remove/",
        accounts.membership_remove_view,
        name="membership_remove",
        kind="object",
        model=Membership,
        perm=Perm.MANAGE_USERS,
        post_only=True,
    ),
    route("audit/", audit.audit_list_view, name="audit_list", kind="list", perm=Perm.VIEW_AUDIT),
    route(
        "audit/<int:pk>/",
        audit.audit_detail_view,
        name="audit_detail",
        kind="object",
        model=AuditEvent,
        perm=Perm.VIEW_AUDIT,
    ),
    route(
        "audit/export/",
        audit.audit_export_view,
        name="audit_export",
        kind="list",
        perm=Perm.VIEW_AUDIT,
    ),
    route("calendar/", calendar.calendar_view, name="calendar", kind="list"),
    route("tasks/", tasks.task_list_view, name="task_list", kind="list"),
    route(
        "tasks/<uuid:pk>/",
        tasks.task_detail_view,
        name="task_detail",
        kind="object",
        model=TaskProgress,
    ),
    route(
        "tasks/<uuid:pk>/download/",
        tasks.task_download_view,
        name="task_download",
        kind="object",
        model=TaskProgress,
    ),
]

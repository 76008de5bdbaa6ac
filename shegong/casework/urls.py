from shegong.core.roles import Perm
from shegong.core.routing import route

from .models import Case, CaseStudy, PlanTask, Referral
from .rules import CASE_ACTIONS
from .views import case_page, cases, printouts, studies, work

app_name = "casework"

urlpatterns = [
    route("", work.my_work_view, name="my_work", kind="list", perm=Perm.VIEW_TASKS),
    route("cases/", cases.case_list_view, name="case_list", kind="list", perm=Perm.VIEW_CASES),
    route("cases/new/", cases.case_new_view, name="case_new", kind="list", perm=Perm.VIEW_CASES),
    route(
        "cases/<int:pk>/",
        case_page.case_detail_view,
        name="case_detail",
        kind="object",
        model=Case,
        perm=Perm.VIEW_CASES,
    ),
    # One POST-only route per action of the case page: casework:case_edit, case_move, ...
    *(
        route(
            f"cases/<int:pk>/{action.replace('_', '-')}/",
            case_page.action_view(action),
            name=f"case_{action}",
            kind="object",
            model=Case,
            perm=Perm.VIEW_CASES,
            post_only=True,
        )
        for action in sorted(CASE_ACTIONS)
    ),
    route(
        "reminders/read/",
        work.reminders_read_view,
        name="reminders_read",
        kind="list",
        perm=Perm.VIEW_TASKS,
        post_only=True,
    ),
    route(
        "cases/<int:pk>/print/",
        printouts.case_print_view,
        name="case_print",
        kind="object",
        model=Case,
        perm=Perm.VIEW_CASES,
    ),
    route(
        "referrals/<int:pk>/print/",
        printouts.referral_print_view,
        name="referral_print",
        kind="object",
        model=Referral,
        perm=Perm.VIEW_CASES,
    ),
    route("summary/", cases.summary_view, name="summary", kind="list", perm=Perm.VIEW_CASES),
    route("tasks/", work.task_list_view, name="task_list", kind="list", perm=Perm.VIEW_TASKS),
    route(
        "tasks/<int:pk>/",
        work.task_detail_view,
        name="task_detail",
        kind="object",
        model=PlanTask,
        perm=Perm.VIEW_TASKS,
    ),
    route(
        "studies/",
        studies.study_list_view,
        name="study_list",
        kind="list",
        perm=Perm.VIEW_CASE_STUDIES,
    ),
    route(
        "studies/<int:pk>/",
        studies.study_detail_view,
        name="study_detail",
        kind="object",
        model=CaseStudy,
        perm=Perm.VIEW_CASE_STUDIES,
    ),
    route(
        "studies/<int:pk>/edit/",
        studies.study_edit_view,
        name="study_edit",
        kind="object",
        model=CaseStudy,
        perm=Perm.WORK_CASES,
    ),
    route(
        "cases/<int:pk>/study/",
        studies.study_new_view,
        name="study_new",
        kind="object",
        model=Case,
        perm=Perm.WORK_CASES,
    ),
]

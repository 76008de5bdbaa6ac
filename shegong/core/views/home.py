from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from ..charts import home_charts
from ..navigation import home_sections
from ..panels import panels
from ..scoping import memberships_of
from ..selectors import my_recent_actions, task_list


@login_required
def home(request):
    actor = request.user
    context = {
        "memberships": memberships_of(actor),
        "sections": home_sections(request),
        "charts": home_charts(actor),
        "tasks": task_list(actor=actor)[:5],
        # The user's own recent actions: their own trail, not anyone else's.
        "recent": my_recent_actions(actor=actor),
        # What the modules put on the home page (core.panels): each decides who sees it.
        "panels": panels("core.home", actor=actor, target=None),
    }
    return render(request, "core/home.html", context)


def healthz(request):
    return JsonResponse({"status": "ok"})

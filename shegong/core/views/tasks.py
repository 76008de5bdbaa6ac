from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from ..models import TaskStatus
from ..selectors import task_get, task_list


@login_required
def task_list_view(request):
    return render(request, "core/task_list.html", {"tasks": task_list(actor=request.user)[:100]})


@login_required
def task_detail_view(request, pk):
    progress = task_get(actor=request.user, pk=pk)
    template = (
        "core/_task_progress.html" if request.headers.get("HX-Request") else "core/task_detail.html"
    )
    return render(request, template, {"task": progress})


@login_required
def task_download_view(request, pk):
    progress = task_get(actor=request.user, pk=pk)
    if progress.status != TaskStatus.DONE or not progress.result_file:
        raise Http404
    path = settings.EXPORT_DIR / progress.result_file
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{progress.title}-{progress.created_at:%Y%m%d}{path.suffix}",
    )

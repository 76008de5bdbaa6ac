from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ..forms import AuditFilterForm
from ..pagination import keyset_page
from ..roles import Perm
from ..scoping import can
from ..selectors import audit_get, audit_list
from ..services_audit import audit_event_reveal, event_shown, reveal_prefixes
from ..tasks import audit_export, job_start


def _require(request):
    if not can(request.user, Perm.VIEW_AUDIT):
        raise PermissionDenied(_("您无权查看审计日志。"))


@login_required
def audit_list_view(request):
    _require(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = keyset_page(audit_list(actor=request.user, filters=filters), request, size=50)
    # Personal numbers are masked for everyone; a row that hides some offers its reveal.
    prefixes = reveal_prefixes(request.user)
    rows = [event_shown(event, prefixes=prefixes) for event in page.items]
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "core/audit_list.html", context)


@require_safe
@login_required
def audit_detail_view(request, pk):
    """One event, masked; a viewer who may reveal ID numbers in its region sees it whole with
    a button (`audit_reveal_view`)."""
    _require(request)
    event = audit_get(actor=request.user, pk=pk)
    shown = event_shown(event, prefixes=reveal_prefixes(request.user))
    return render(request, "core/audit_detail.html", {"row": shown})


@require_POST
@login_required
def audit_reveal_view(request, pk):
    """The event whole, which writes an access event."""
    _require(request)
    event = audit_get(actor=request.user, pk=pk)
    shown = audit_event_reveal(actor=request.user, event=event)
    return render(request, "core/audit_detail.html", {"row": shown})


@require_POST
@login_required
def audit_export_view(request):
    _require(request)
    # The filters come in the query string of the page being exported (the POST carries
    # only the CSRF token, which must never end up in a URL).
    form = AuditFilterForm({**request.GET.dict(), **request.POST.dict()})
    if not form.is_valid():
        messages.error(request, _("筛选条件有误,请修改后再导出。"))
        return redirect("core:audit_list")
    filters = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in form.cleaned_data.items()
        if v
    }
    progress = job_start(
        owner=request.user,
        kind="audit_export",
        title=_("导出审计日志"),
        job=audit_export,
        args=(filters,),
    )
    return redirect("core:task_detail", pk=progress.pk)

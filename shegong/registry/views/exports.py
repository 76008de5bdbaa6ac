"""Registry export (导出): CSV streamed on the spot, .xlsx through a background task."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.tasks import job_start

from .. import exports

LIST_PAGES = {"households": "registry:household_list", "persons": "registry:person_list"}


def _require(request) -> None:
    if not can(request.user, Perm.EXPORT_REGISTRY):
        raise PermissionDenied(_("您无权导出建档立卡信息。"))


def _request_filters(request) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The list page's filters, from the query string or a posted form; None when invalid."""
    data = {**request.GET.dict(), **request.POST.dict()}
    data.pop("csrfmiddlewaretoken", None)
    return data, exports.parse_filters(data, actor=request.user)


def _invalid(request, scope: str, data: dict[str, str]) -> HttpResponse:
    messages.error(request, _("筛选条件有误,请修改后再导出。"))
    response = redirect(LIST_PAGES[scope])
    response["Location"] += "?" + urlencode(data)
    return response


def _csv(request, scope: str) -> HttpResponse | StreamingHttpResponse:
    _require(request)
    data, filters = _request_filters(request)
    if filters is None:
        return _invalid(request, scope, data)
    response = StreamingHttpResponse(
        exports.csv_lines(actor=request.user, scope=scope, filters=filters),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{exports.export_title(scope)}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _xlsx(request, scope: str) -> HttpResponse:
    _require(request)
    data, filters = _request_filters(request)
    if filters is None:
        return _invalid(request, scope, data)
    progress = job_start(
        owner=request.user,
        kind="registry_export",
        title=exports.export_title(scope),
        job=exports.registry_export_xlsx,
        args=(scope, filters),
    )
    return redirect("core:task_detail", pk=progress.pk)


@require_GET
@login_required
def households_csv_view(request):
    return _csv(request, "households")


@require_GET
@login_required
def persons_csv_view(request):
    return _csv(request, "persons")


@require_POST
@login_required
def households_xlsx_view(request):
    return _xlsx(request, "households")


@require_POST
@login_required
def persons_xlsx_view(request):
    return _xlsx(request, "persons")

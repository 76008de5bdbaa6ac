"""Pages of the registry import: upload, progress and result, past batches, template."""

from __future__ import annotations

import datetime
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from shegong.core.params import datetime_param
from shegong.core.roles import Perm
from shegong.core.scoping import can

from ..importer import services
from ..importer.template import template_bytes
from ..selectors import import_get, import_list

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("导入文件"),
        help_text=gettext_lazy("Excel(.xlsx)或 CSV 文件,每行一人,表头见导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    region = forms.ChoiceField(label=gettext_lazy("导入范围"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("仅检查,不写入"),
        required=False,
        help_text=gettext_lazy("先看看有多少行会被拒绝,系统数据不变。"),
    )

    def __init__(self, *args, regions, initial_region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name}({r.code})") for r in regions]
        if initial_region:
            self.fields["region"].initial = initial_region

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            services.check_upload(upload.name, upload.size)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload


def _require(request) -> None:
    if not can(request.user, Perm.IMPORT_REGISTRY):
        raise PermissionDenied(_("您无权导入建档立卡数据。"))


@require_GET
@login_required
def import_list_view(request):
    _require(request)
    services.imports_mark_interrupted()  # a killed import must not show as running
    qs = import_list(actor=request.user).order_by("-started_at", "-pk")
    before = datetime_param(request.GET.get("before", ""))
    if before is not None:
        qs = qs.filter(started_at__lt=before)
    rows = list(qs[: PAGE_SIZE + 1])
    batches = rows[:PAGE_SIZE]
    next_cursor = batches[-1].started_at.isoformat() if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "registry/import_list.html",
        {"batches": batches, "next_cursor": next_cursor, "is_first": before is None},
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_upload_view(request):
    _require(request)
    regions = services.batch_regions(request.user)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        regions=regions,
        initial_region=services.default_region(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.start_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                region_code=form.cleaned_data["region"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # a message for the file goes next to the file field
        else:
            return redirect("registry:import_detail", pk=batch.pk)
    return render(request, "registry/import_upload.html", {"form": form})


@require_GET
@login_required
def import_template_view(request):
    _require(request)
    response = HttpResponse(template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("建档立卡导入模板") + ".xlsx"
    )
    return response


@require_GET
@login_required
def import_detail_view(request, pk):
    batch = import_get(actor=request.user, pk=pk)
    if services.is_interrupted(batch):
        services.imports_mark_interrupted()
        batch.refresh_from_db()
    context = {
        "batch": batch,
        "task": batch.progress,
        "finished": services.is_finished(batch),
        "has_report": services.report_path(batch) is not None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "registry/import_progress.html", context)
    return render(request, "registry/import_detail.html", context)


@require_GET
@login_required
def import_report_view(request, pk):
    batch = import_get(actor=request.user, pk=pk)
    path = services.report_path(batch)
    if path is None:
        return render(request, "registry/import_no_report.html", {"batch": batch})
    stem = Path(batch.file_name).stem or "import"
    day = (batch.finished_at or batch.started_at or datetime.datetime.now()).strftime("%Y%m%d")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{stem}-错误报告-{day}.xlsx",
        content_type=XLSX,
    )

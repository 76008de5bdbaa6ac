from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import DesignationForm
from ..region_lookup import region_matches
from ..regions import is_code
from ..roles import Perm
from ..scoping import can
from ..selectors import region_ancestors, region_children, region_get, region_roots, region_search
from ..services import region_designate


def _require_view(request) -> None:
    # The same rule as /api/v1/regions/: volunteers and reporters have no use for the tree.
    if not can(request.user, Perm.VIEW_REGIONS):
        raise PermissionDenied(_("您无权查看区划。"))


@login_required
def region_list(request):
    _require_view(request)
    actor = request.user
    query = request.GET.get("q", "").strip()[:50]
    results = region_search(actor=actor, query=query) if query else None
    roots = region_roots(actor, Perm.VIEW_REGIONS)
    return render(
        request, "core/region_list.html", {"roots": roots, "results": results, "query": query}
    )


@login_required
def region_detail(request, code):
    _require_view(request)
    actor = request.user
    region = region_get(actor=actor, code=code, perm=Perm.VIEW_REGIONS)
    context = {
        "region": region,
        "ancestors": region_ancestors(region),
        "children": region_children(actor=actor, parent_code=region.code, perm=Perm.VIEW_REGIONS),
        "can_designate": can(actor, Perm.DESIGNATE_REGIONS, region.code),
        "form": DesignationForm(
            initial={
                "is_sanqu": region.is_sanqu,
                "is_poverty_county": region.is_poverty_county,
                "is_pilot_community": region.is_pilot_community,
            }
        ),
    }
    return render(request, "core/region_detail.html", context)


@require_POST
@login_required
def region_designate_view(request, code):
    region = region_get(actor=request.user, code=code)
    form = DesignationForm(request.POST)
    if not form.is_valid():  # checkboxes cannot be invalid, but never trust input
        raise Http404
    region_designate(actor=request.user, region=region, **form.cleaned_data)
    messages.success(request, _("区划标识已保存。"))
    return redirect("core:region_detail", code=region.code)


@login_required
def region_picker_options(request):
    """htmx fragment: the <option>s under a parent, for the next select of the picker."""
    name = request.GET.get("name", "region")[:40]
    try:
        level = max(2, min(5, int(request.GET.get("level", "2"))))
    except ValueError:
        level = 2
    parent = request.GET.get(f"{name}_l{level - 1}", "").strip()
    children = []
    if is_code(parent):
        children = list(
            region_children(actor=request.user, parent_code=parent, perm=Perm.VIEW_REGIONS)
        )
    return render(
        request,
        "core/widgets/_region_options.html",
        {"children": children, "level": level, "next": level + 1, "name": name},
    )


@login_required
def region_search_view(request):
    """htmx fragment: the <option>s of the places matching what is typed in a region filter
    (`?field=<input name>`), each labelled with its township and county."""
    field = request.GET.get("field", "region")[:40]
    matches = region_matches(actor=request.user, text=request.GET.get(field, ""))
    return render(request, "core/widgets/_region_matches.html", {"matches": matches})

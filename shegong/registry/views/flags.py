"""The township's list of confirmed left-behind flags to look at again (待复核的留守标识)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from shegong.core.pagination import keyset_page
from shegong.core.roles import Perm
from shegong.core.scoping import can

from ..selectors import left_behind_reviews


@login_required
def left_behind_review_list_view(request):
    if not can(request.user, Perm.CONFIRM_LEFT_BEHIND):
        raise PermissionDenied(_("您无权核实三留守信息。"))
    page = keyset_page(left_behind_reviews(actor=request.user), request, size=50)
    return render(request, "registry/left_behind_reviews.html", {"page": page})

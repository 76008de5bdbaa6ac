from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..forms import apply_validation_error
from ..forms_rulesets import RuleSetForm
from ..roles import Perm
from ..scoping import can
from ..selectors import ruleset_overview
from ..services_rulesets import PROVINCE, ruleset_enter


@login_required
def ruleset_view(request):
    """Every kind of rule set and its versions; the province administrator enters a new one."""
    may_edit = can(request.user, Perm.MANAGE_RULES, PROVINCE)
    chosen = str(request.POST.get("kind") or request.GET.get("kind") or "")[:40]
    overview = ruleset_overview(actor=request.user, kind=chosen)
    form = None
    if overview.kind is not None:
        form = RuleSetForm(
            request.POST if request.method == "POST" else None,
            kind=overview.kind,
            current=overview.current,
        )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("只有省民政厅管理员可以录入规则。"))
        if form is not None and form.is_valid():
            try:
                entered = ruleset_enter(
                    actor=request.user,
                    kind=overview.kind.code,
                    valid_from=form.cleaned_data["valid_from"],
                    values=form.cleaned_data["values"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已录入第 %(version)s 版,自 %(date)s 起生效。")
                    % {"version": entered.version, "date": entered.valid_from.isoformat()},
                )
                return redirect(f"{reverse('core:rulesets')}?kind={entered.kind}")
    context = {"overview": overview, "form": form, "may_edit": may_edit}
    return render(request, "core/rulesets.html", context)

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..forms import CalendarYearForm, apply_validation_error
from ..models import CalendarDay, CalendarYear
from ..roles import Perm
from ..scoping import can
from ..services import calendar_year_enter


@login_required
def calendar_view(request):
    """Known years and their exceptions; the province administrator enters a new year."""
    may_edit = can(request.user, Perm.MANAGE_CALENDAR)
    form = CalendarYearForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("您无权维护工作日历。"))
        if form.is_valid():
            try:
                calendar_year_enter(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    holidays=form.cleaned_data["holidays"],
                    workdays=form.cleaned_data["workdays"],
                    source=form.cleaned_data["source"],
                    confirm_no_statutory_holidays=form.cleaned_data[
                        "confirm_no_statutory_holidays"
                    ],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("工作日历已保存。"))
                return redirect("core:calendar")
    this_year = timezone.localdate().year
    years = list(CalendarYear.objects.all())
    known = {y.year for y in years}
    try:
        shown = int(request.GET.get("year", this_year))
    except ValueError:
        shown = this_year
    days = CalendarDay.objects.filter(
        date__gte=datetime.date(max(1, min(shown, 9998)), 1, 1),
        date__lt=datetime.date(max(2, min(shown + 1, 9999)), 1, 1),
    )
    context = {
        "years": years,
        "days": days,
        "shown": shown,
        # Only those who can enter the year are asked to: everyone else could do nothing about it.
        "missing_next": may_edit and (this_year + 1) not in known,
        "next_year": this_year + 1,
        "form": form,
        "may_edit": may_edit,
    }
    return render(request, "core/calendar.html", context)

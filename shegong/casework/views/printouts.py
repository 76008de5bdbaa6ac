"""Printable case documents: the case record and the referral form (转介单).

The same page prints from the browser; `?format=pdf` returns it as a PDF. A printout is a read
of the case like opening its page, and is logged the same way.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shegong.core.printing import pdf_response

from .. import documents, services


def _respond(request, template: str, context: dict, filename: str):
    if request.GET.get("format") == "pdf":
        return pdf_response(template, context, filename=filename)
    return render(request, template, context)


@login_required
def case_print_view(request, pk):
    record = documents.case_record(actor=request.user, pk=pk)
    services.record_read(actor=request.user, case=record.case)
    return _respond(
        request, "casework/print_case.html", {"doc": record}, f"{record.case.number}.pdf"
    )


@login_required
def referral_print_view(request, pk):
    form = documents.referral_form(actor=request.user, pk=pk)
    services.record_read(actor=request.user, case=form.case)
    return _respond(
        request,
        "casework/print_referral.html",
        {"doc": form},
        f"{form.case.number}-referral-{form.referral.pk}.pdf",
    )

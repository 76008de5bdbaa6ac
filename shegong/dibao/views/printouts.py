"""The six printable Dibao forms (`dibao:print_<form>`): the page prints from the browser,
`?format=pdf` returns it as a PDF, `?reveal=1` (the application and the verification form, for
a role that may reveal there) prints full ID numbers and logs the reveal. A form the
application's stage does not give (a refusal notice for an approved one) is a page saying so,
with the forms that can be printed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from shegong.core.printing import pdf_response

from .. import documents


def _back(pk) -> str:
    try:
        return reverse("dibao:application_detail", args=[pk])
    except NoReverseMatch:
        return ""


def _view(form: str):
    @login_required
    def view(request, pk):
        try:
            doc = documents.document(
                actor=request.user, pk=pk, form=form, reveal=request.GET.get("reveal") == "1"
            )
        except documents.FormUnavailable as exc:
            return render(
                request,
                "dibao/print_unavailable.html",
                {"unavailable": exc, "title": documents.FORMS[form], "back_url": _back(pk)},
            )
        context = {"doc": doc, "back_url": _back(doc.application.pk)}
        template = f"dibao/print_{form}.html"
        if request.GET.get("format") == "pdf":
            return pdf_response(template, context, filename=f"{doc.application.number}-{form}.pdf")
        return render(request, template, context)

    view.__name__ = f"print_{form}_view"
    view.__qualname__ = view.__name__
    return view


VIEWS = {form: _view(form) for form in documents.FORMS}

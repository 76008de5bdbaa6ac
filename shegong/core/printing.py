"""Printable documents as PDF: one small function every module's printouts reuse.

A printout is an ordinary template extending `print_base.html` (A4, Chinese fonts, running
header, page numbers, signature lines); the same page prints from the browser, and
`render_pdf` lays it out with WeasyPrint. While rendering, only the app's own static files
can be fetched: a document never reaches the network or other files, whatever a user typed
into it.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

BASE_URL = "file:///"


def _static_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            prefix = BASE_URL + settings.STATIC_URL.strip("/") + "/"
            path = url.split("?")[0][len(prefix) :] if url.startswith(prefix) else ""
            found = finders.find(path) if path and ".." not in path else None
            if not found:
                raise ValueError(f"not a static file: {url}")
            kind = mimetypes.guess_type(str(found))[0] or "application/octet-stream"
            with open(str(found), "rb") as fh:
                return URLFetcherResponse(url, fh.read(), headers={"Content-Type": kind})

    return StaticOnly()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered as a PDF document (bytes starting with %PDF)."""
    import weasyprint  # imported here: it loads Pango, which only printing needs

    html = render_to_string(template, context)
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=_static_fetcher())
    return document.write_pdf()


def pdf_response(template: str, context: dict[str, Any], *, filename: str) -> HttpResponse:
    """The PDF, opened in the browser's viewer and saved under `filename`."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

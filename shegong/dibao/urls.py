"""Dibao routes. Each part of the module declares its own (the jurisdiction harness tests each
one): applications and their steps, standards / awards / reviews / alerts, printable forms,
payment lists and evaluation."""

from . import urls_applications, urls_payments, urls_printing, urls_records

app_name = "dibao"

urlpatterns = [
    *urls_applications.urlpatterns,
    *urls_records.urlpatterns,
    *urls_printing.urlpatterns,
    *urls_payments.urlpatterns,
]

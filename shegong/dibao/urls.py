"""Dibao routes. Each part of the module declares its own (the jurisdiction harness tests each
one): applications and their steps; standards, county policy, awards and reviews; printable
forms; payment lists; monitoring alerts; evaluation; third-party checks."""

from . import (
    urls_alerts,
    urls_applications,
    urls_checks,
    urls_evaluation,
    urls_payments,
    urls_printing,
    urls_records,
)

app_name = "dibao"

urlpatterns = [
    *urls_applications.urlpatterns,
    *urls_records.urlpatterns,
    *urls_printing.urlpatterns,
    *urls_payments.urlpatterns,
    *urls_alerts.urlpatterns,
    *urls_evaluation.urlpatterns,
    *urls_checks.urlpatterns,
]

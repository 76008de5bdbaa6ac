"""A refused request (403) logs one line, without a traceback; a real error keeps its own."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_403_logs_one_line_without_a_traceback(client, gushi_officer, caplog):
    client.force_login(gushi_officer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(reverse("core:calendar"), {"year": "2030"})
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refusals] == ["Forbidden (Permission denied): /calendar/"]
    assert refusals[0].exc_info is None
    assert caplog.text.count("\n") == 1
    assert "Traceback" not in caplog.text


def test_the_filter_leaves_other_records_alone():
    from shegong.core.logfilters import RefusalsOnOneLine

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", (), info)
    record.status_code = 500
    assert RefusalsOnOneLine().filter(record) is True
    assert record.exc_info == info

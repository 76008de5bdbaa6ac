"""One parser for what requests carry: ASCII digits that fit the column, dates in range."""

from __future__ import annotations

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

import shegong
from shegong.core.models import AuditEvent
from shegong.core.params import (
    BIGINT_MAX,
    BoundedDateField,
    date_param,
    datetime_param,
    id_param,
    int_param,
    validate_date_range,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        ("0", None),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        (str(2**64), None),
        (str(10**30), None),
        (2**63, None),
        ("²", None),
        ("٣", None),
        ("９９", None),
        ("-1", None),
        ("1.5", None),
        ("1e5", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_id_param_accepts_only_ascii_digits_a_bigint_holds(value, expected):
    assert id_param(value) == expected


def test_int_param_keeps_to_its_bounds():
    assert int_param("12", min=1, max=12) == 12
    assert int_param("13", min=1, max=12) is None
    assert int_param("0", min=1, max=12) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-28", datetime.date(2026, 2, 28)),
        ("1900-01-01", datetime.date(1900, 1, 1)),
        ("2100-12-31", datetime.date(2100, 12, 31)),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("1899-12-31", None),
        ("2026-02-30", None),
        ("２０２６-０１-０１", None),
        ("abc", None),
        (datetime.date(9999, 12, 31), None),
    ],
)
def test_date_param_keeps_to_1900_to_2100(value, expected):
    assert date_param(value) == expected


def test_datetime_param_bounds_the_date_and_reads_naive_times_in_shanghai():
    parsed = datetime_param("2026-03-01T10:00:00")
    assert parsed is not None and parsed.utcoffset() == datetime.timedelta(hours=8)
    assert datetime_param("0001-01-01T00:00:00") is None
    assert datetime_param("9999-12-31T23:59:59") is None
    assert datetime_param("²") is None


def test_a_date_out_of_range_is_refused_with_a_chinese_message():
    form_field = BoundedDateField()
    with pytest.raises(forms.ValidationError) as exc:
        form_field.clean("9999-12-31")
    assert exc.value.messages == ["日期应在 1900-01-01 至 2100-12-31 之间。"]
    validate_date_range(datetime.date(2100, 12, 31))  # the last day is fine


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _import_everything():
    for module in pkgutil.walk_packages(shegong.__path__, "shegong."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        if module.name.rsplit(".", 1)[-1] in {"forms", "serializers", "api", "api_base"}:
            importlib.import_module(module.name)


def test_every_form_date_field_in_the_project_is_bounded():
    _import_everything()
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _all_subclasses(forms.BaseForm)
        if form.__module__.startswith("shegong.")
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.DateField) and not isinstance(field, BoundedDateField)
    ]
    assert unbounded == []


def test_every_api_input_date_field_in_the_project_is_bounded():
    _import_everything()
    unbounded = [
        f"{ser.__module__}.{ser.__name__}.{name}"
        for ser in _all_subclasses(serializers.Serializer)
        if ser.__module__.startswith("shegong.")
        for name, field in getattr(ser, "_declared_fields", {}).items()
        if isinstance(field, serializers.DateField)
        and not field.read_only
        and validate_date_range not in field.validators
    ]
    assert unbounded == []


# --- the named cases, through the pages and the API -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["core:audit_list", "registry:household_list"])
def test_a_superscript_cursor_shows_the_first_page(client, province_admin, url):
    client.force_login(province_admin)
    response = client.get(reverse(url), {"before": "²"})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "field"), [("9999-12-31", "date_to"), ("0001-01-01", "date_from")]
)
def test_audit_dates_at_the_ends_of_the_calendar_are_refused_next_to_the_field(
    client, province_admin, value, field
):
    client.force_login(province_admin)
    response = client.get(reverse("core:audit_list"), {field: value})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: ["日期应在 1900-01-01 至 2100-12-31 之间。"]}
    api = client.get("/api/v1/audit-events/", {field: value})
    assert api.status_code == 400
    assert api.json() == {field: ["日期应在 1900-01-01 至 2100-12-31 之间。"]}


@pytest.mark.django_db
def test_the_audit_selector_ignores_a_date_no_form_would_pass(province_admin):
    from shegong.core.selectors import audit_list

    AuditEvent.objects.create(action="test.one", actor_name="x", region_id="411525000000")
    qs = audit_list(
        actor=province_admin,
        filters={"date_from": datetime.date(1, 1, 1), "date_to": datetime.date(9999, 12, 31)},
    )
    assert [e.action for e in qs] == ["test.one"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/cases/", "worker"),
        ("/api/v1/service-records/", "case"),
        ("/api/v1/referrals/", "case"),
        ("/api/v1/follow-ups/", "case"),
    ],
)
@pytest.mark.parametrize("value", [str(2**63), str(2**64), str(10**30)])
def test_an_id_filter_no_column_can_hold_is_a_400(client, gushi_officer, url, param, value):
    client.force_login(gushi_officer)
    response = client.get(url, {param: value})
    assert response.status_code == 400
    assert response.json() == {param: [f"请确保该值小于或者等于 {BIGINT_MAX}。"]}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_an_import_cursor_at_the_ends_of_the_calendar_shows_the_first_page(
    client, gushi_officer, value
):
    client.force_login(gushi_officer)
    response = client.get(reverse("registry:import_list"), {"before": value})
    assert response.status_code == 200
    assert response.context["is_first"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [2**63, 2**64, 10**30])
def test_an_id_in_the_path_no_column_can_hold_is_a_404(client, gushi_officer, pk):
    client.force_login(gushi_officer)
    assert client.get(reverse("core:user_detail", kwargs={"pk": pk})).status_code == 404
    assert client.get(f"/api/v1/cases/{pk}/").status_code == 404
    assert client.get(f"/api/v1/households/{pk}/").status_code == 404

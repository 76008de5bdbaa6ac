"""One rule per field: the importer, the forms and the API refuse the same values with the same
message, change nothing, and accept the same good values."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.forms import PersonAddForm, SplitForm
from shegong.registry.importer.rows import COLUMNS, RowChecker, map_headers
from shegong.registry.importer.testing import person_row
from shegong.registry.models import Household, Person
from shegong.registry.tests.factories import make_household, make_id_number, make_person
from shegong.resources.forms import InstitutionForm
from shegong.resources.models import Institution
from shegong.resources.tests.factories import make_institution

INVISIBLE = "姓名不能包含控制字符、零宽字符或文字方向控制符。"
PHONE = "联系电话“%s”格式不正确,应为手机号(如 13812345678)或带区号的固定电话(如 0376-4912345)。"
NUMBER = "户编号“%s”格式不正确,应为 6 至 32 位数字或字母。"

# (model field, importer column or None, form field or None, bad value, message)
BAD = [
    ("person.name", "姓名", "name", "张\u200b伟", INVISIBLE),
    ("person.name", "姓名", "name", "张\u200f伟", INVISIBLE),
    ("person.name", "姓名", "name", "张\u202e伟", INVISIBLE),
    ("person.name", "姓名", "name", "张\u2066伟", INVISIBLE),
    ("person.name", "姓名", "name", "张\x07伟", INVISIBLE),
    ("person.name", "姓名", "name", "\ufeff张伟", INVISIBLE),
    ("person.phone", "联系电话", None, "12345", PHONE % "12345"),
    ("person.phone", "联系电话", None, "2345678901", PHONE % "2345678901"),
    ("household.phone", None, None, "12345", PHONE % "12345"),
    (
        "household.helper_phone",
        None,
        None,
        "abc",
        PHONE.replace("联系电话", "帮扶责任人电话") % "abc",
    ),
    (
        "household.net_income_per_person",
        "家庭年人均纯收入",
        None,
        "-5",
        "家庭年人均纯收入“-5”应为不小于 0 的数字。",
    ),
    ("household.income_wages", None, None, "-0.01", "工资性收入“-0.01”应为不小于 0 的数字。"),
    ("household.distance_to_town_km", None, None, "-1.5", "距乡镇距离“-1.5”应为不小于 0 的数字。"),
    ("household.year_identified", None, None, 9999, "识别年度应在 1949 至 2100 年之间。"),
    ("household.helper_name", None, None, "李\u202d四", INVISIBLE.replace("姓名", "帮扶责任人")),
    ("household.number", "户编号", "new_number", "../etc/passwd", NUMBER % "../etc/passwd"),
    ("household.number", "户编号", "new_number", "4115/25001", NUMBER % "4115/25001"),
    ("institution.name", None, "name", "救助站\u200b", INVISIBLE.replace("姓名", "机构名称")),
    ("institution.contact_person", None, None, "王\u2067五", INVISIBLE.replace("姓名", "联系人")),
]
# (model field, importer column or None, form field or None, good value)
GOOD = [
    ("person.name", "姓名", "name", "欧阳·娜娜"),
    ("person.phone", "联系电话", None, "13812345678"),
    ("person.phone", "联系电话", None, "0376-4912345"),
    ("household.phone", None, None, "03764912345转123"),
    ("household.phone", None, None, "010-12345678"),
    ("household.net_income_per_person", "家庭年人均纯收入", None, "0"),
    ("household.distance_to_town_km", None, None, "0.0"),
    ("household.year_identified", None, None, 2014),
    ("household.number", "户编号", "new_number", "411525-0012001"),
    ("institution.name", None, "name", "固始县社会救助服务中心"),
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


def _import_errors(column: str, value) -> list[str]:
    checker = RowChecker(
        map_headers(list(COLUMNS)),
        region_problem=lambda code: None,
        today=datetime.date(2025, 6, 1),
    )
    row = person_row("4115250012001", "411525100200", "户主", "张伟", make_id_number("411525"))
    row[column] = value
    *_ignored, errors = checker.check([row.get(h, "") for h in COLUMNS])
    return errors


def _form_errors(model_field: str, form_field: str, value) -> list[str]:
    form: object
    if model_field.startswith("person."):
        form = PersonAddForm({form_field: value})
    elif model_field.startswith("household."):
        form = SplitForm({form_field: value}, members=Person.objects.none())
    else:
        form = InstitutionForm({form_field: value}, regions=Region.objects.none(), roots=[])
    form.is_valid()  # type: ignore[attr-defined]
    return form.errors.get(form_field, [])  # type: ignore[attr-defined]


def _api(model_field: str, value, officer, village):
    """Send the value through the API; (response, field name, the object before, after)."""
    api = APIClient()
    api.force_authenticate(officer)
    kind, field = model_field.split(".")
    if kind == "household" and field == "number":
        before = Household.objects.count()
        response = api.post(
            "/api/v1/households/",
            {
                "number": value,
                "region": village,
                "head_name": "张伟",
                "head_id_number": make_id_number("411525", "19800101"),
            },
            format="json",
        )
        return response, field, before, Household.objects.count()
    if kind == "household":
        obj = make_household(village)
        url = f"/api/v1/households/{obj.pk}/"
    elif kind == "person":
        obj = make_person(make_household(village), "李娟")
        url = f"/api/v1/persons/{obj.pk}/"
    else:
        obj = make_institution(region_code=village)
        url = f"/api/v1/institutions/{obj.pk}/"
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).values(field, "version").get()
    response = api.patch(url, {field: value, "version": obj.version}, format="json")
    return response, field, before, model.objects.filter(pk=obj.pk).values(field, "version").get()


@pytest.mark.parametrize(("model_field", "column", "form_field", "value", "message"), BAD)
def test_importer_form_and_api_refuse_alike(
    model_field, column, form_field, value, message, gushi_officer, village
):
    if column is not None:
        assert message in _import_errors(column, value)
    if form_field is not None:
        assert _form_errors(model_field, form_field, value) == [message]
    events = AuditEvent.objects.count()
    response, field, before, after = _api(model_field, value, gushi_officer, village)
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}
    assert after == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("model_field", "column", "form_field", "value"), GOOD)
def test_importer_form_and_api_accept_alike(
    model_field, column, form_field, value, gushi_officer, village
):
    if column is not None:
        assert _import_errors(column, value) == []
    if form_field is not None:
        assert _form_errors(model_field, form_field, value) == []
    response, field, before, after = _api(model_field, value, gushi_officer, village)
    assert response.status_code in (200, 201), response.content
    assert after != before


def test_a_year_no_column_could_hold_is_refused_and_changes_nothing(gushi_officer, village):
    response, field, before, after = _api(
        "household.year_identified", 99999, gushi_officer, village
    )
    assert response.status_code == 400
    assert "识别年度应在 1949 至 2100 年之间。" in response.json()[field]
    assert after == before


def test_a_head_name_with_a_bidi_override_is_refused_at_registration(gushi_officer, village):
    api = APIClient()
    api.force_authenticate(gushi_officer)
    response = api.post(
        "/api/v1/households/",
        {
            "number": "4115250012009",
            "region": village,
            "head_name": "张\u202e伟",
            "head_id_number": make_id_number("411525", "19800101"),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"head_name": [INVISIBLE]}
    assert Household.objects.filter(number="4115250012009").count() == 0
    assert Institution.objects.count() == 0

"""The rules between fields (causes of poverty; health, disability grade, work and months away)
are decided by one function each, `record_rules.cause_problems` and `person_problems`: the
import, the page and the API refuse the same cases with the same message next to the same
field, change nothing, and accept the same good cases. An edit that does not touch those
fields is never refused for what is already stored."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry import services
from shegong.registry.codes import Cause, Health, WorkStatus
from shegong.registry.importer.rows import COLUMNS, RowChecker, map_headers
from shegong.registry.importer.services import report_path
from shegong.registry.importer.testing import import_rows, person_row
from shegong.registry.models import Household, Person
from shegong.registry.record_rules import cause_problems, person_problems
from shegong.registry.tests.factories import make_household, make_id_number, make_person

pytestmark = pytest.mark.django_db

SAME = "其他致贫原因不能与主要致贫原因相同。"
NO_MAIN = "填写了其他致贫原因,请同时填写主要致贫原因。"
REPEATED = "其他致贫原因不能重复填写。"
TOO_MANY = "其他致贫原因最多 2 项,当前为 3 项。"

# (main, secondary, the problems)
CAUSES_BAD = [
    ("illness", ["illness"], {"secondary_causes": [SAME]}),
    ("illness", ["disability", "illness"], {"secondary_causes": [SAME]}),
    ("", ["disability"], {"main_cause": [NO_MAIN]}),
    ("illness", ["disability", "disability"], {"secondary_causes": [REPEATED]}),
    ("illness", ["disability", "schooling", "disaster"], {"secondary_causes": [TOO_MANY]}),
]
CAUSES_GOOD = [
    ("illness", ["disability", "schooling"]),
    ("illness", ["disability"]),
    ("illness", []),
    ("", []),
]

GRADE_HEALTH = "健康状况为“残疾”时才能填写残疾等级。"
GRADE_RANGE = "残疾等级应为 1 至 4 级。"
HOME_MONTHS = "务工状况为“无”时,务工时间只能为 0 或不填。"

# (fields, the problems, whether the import file can say it: it has no disability grade column)
PERSON_BAD = [
    ({"health": "healthy", "disability_grade": 2}, {"disability_grade": [GRADE_HEALTH]}, False),
    ({"health": "", "disability_grade": 1}, {"disability_grade": [GRADE_HEALTH]}, False),
    ({"health": "disabled", "disability_grade": 5}, {"disability_grade": [GRADE_RANGE]}, False),
    ({"health": "disabled", "disability_grade": 0}, {"disability_grade": [GRADE_RANGE]}, False),
    (
        {"work_status": "county", "months_away": 13},
        {"months_away": ["务工时间应为 0 至 12 个月,不能为 13。"]},
        True,
    ),
    (
        {"work_status": "county", "months_away": -1},
        {"months_away": ["务工时间应为 0 至 12 个月,不能为 -1。"]},
        True,
    ),
    ({"work_status": "none", "months_away": 1}, {"months_away": [HOME_MONTHS]}, True),
]
PERSON_GOOD = [
    ({"health": "disabled", "disability_grade": 1}, False),
    ({"health": "disabled", "disability_grade": 4}, False),
    ({"health": "disabled"}, True),
    ({"work_status": "county", "months_away": 12}, True),
    ({"work_status": "county", "months_away": 0}, True),
    ({"work_status": "none", "months_away": 0}, True),
    ({"work_status": "township", "months_away": 1}, True),
    ({"months_away": 6}, True),
]


@pytest.fixture
def village(db):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


def api(actor) -> APIClient:
    client = APIClient()
    client.force_authenticate(actor)
    return client


def row_errors(**cells) -> list[str]:
    checker = RowChecker(
        map_headers(list(COLUMNS)),
        region_problem=lambda code: None,
        today=datetime.date(2025, 6, 1),
    )
    row = person_row("4115250012001", "411525100200", "户主", "张伟", make_id_number(), **cells)
    *_ignored, errors = checker.check([row.get(h, "") for h in COLUMNS])
    return errors


def cause_cells(main: str, secondary: list[str]) -> dict[str, str]:
    return {
        "主要致贫原因": str(Cause(main).label) if main else "",
        "其他致贫原因": "、".join(str(Cause(c).label) for c in secondary),
    }


def person_cells(fields: dict) -> dict[str, str]:
    cells = {}
    if fields.get("health"):
        cells["健康状况"] = str(Health(fields["health"]).label)
    if fields.get("work_status"):
        cells["务工状况"] = str(WorkStatus(fields["work_status"]).label)
    if "months_away" in fields:
        cells["务工月数"] = str(fields["months_away"])
    return cells


def flat(problems: dict) -> list[str]:
    return [m for found in problems.values() for m in found]


# -- causes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("main", "secondary", "problems"), CAUSES_BAD)
def test_bad_causes_are_refused_alike_by_import_service_and_api(
    main, secondary, problems, gushi_officer, village
):
    assert cause_problems(main, secondary) == problems
    assert row_errors(**cause_cells(main, secondary)) == flat(problems)

    household = make_household(village, main_cause="lack_capital", secondary_causes=[])
    before = Household.objects.filter(pk=household.pk).values().get()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.household_update(
            actor=gushi_officer,
            household=household,
            version=household.version,
            main_cause=main,
            secondary_causes=secondary,
        )
    assert exc.value.message_dict == problems

    response = api(gushi_officer).patch(
        f"/api/v1/households/{household.pk}/",
        {"main_cause": main, "secondary_causes": secondary, "version": household.version},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == problems

    households = Household.objects.count()
    response = api(gushi_officer).post(
        "/api/v1/households/",
        {
            "number": "411525001277777",
            "region": village,
            "head_name": "赵刚",
            "head_id_number": make_id_number("411525", "19700101"),
            "main_cause": main,
            "secondary_causes": secondary,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == problems
    assert Household.objects.count() == households
    assert Household.objects.filter(pk=household.pk).values().get() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("main", "secondary"), CAUSES_GOOD)
def test_good_causes_are_accepted_alike(main, secondary, gushi_officer, village):
    assert cause_problems(main, secondary) == {}
    assert row_errors(**cause_cells(main, secondary)) == []
    household = make_household(village, main_cause="lack_capital", secondary_causes=["other"])
    response = api(gushi_officer).patch(
        f"/api/v1/households/{household.pk}/",
        {"main_cause": main, "secondary_causes": secondary, "version": household.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert (household.main_cause, household.secondary_causes) == (main, secondary)


@pytest.mark.parametrize(
    ("secondary", "message"),
    [
        ({"a": 1}, "其他致贫原因应为致贫原因代码的列表。"),
        ([1, 2], "其他致贫原因应为致贫原因代码的列表。"),
        ("illness", "其他致贫原因应为致贫原因代码的列表。"),
        (["rich"], "未知的致贫原因“rich”。"),
    ],
)
def test_causes_a_client_cannot_mean_are_refused_not_an_error(
    secondary, message, gushi_officer, village
):
    household = make_household(village, main_cause="illness")
    response = api(gushi_officer).patch(
        f"/api/v1/households/{household.pk}/",
        {"secondary_causes": secondary, "version": household.version},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"secondary_causes": [message]}
    household.refresh_from_db()
    assert household.secondary_causes == []


def test_stored_causes_from_before_the_rule_do_not_block_other_edits(gushi_officer, village):
    household = make_household(village, main_cause="illness", secondary_causes=["illness"])
    household = services.household_update(
        actor=gushi_officer, household=household, version=household.version, address="村东三号"
    )
    assert household.address == "村东三号"
    with pytest.raises(ValidationError) as exc:
        services.household_update(
            actor=gushi_officer,
            household=household,
            version=household.version,
            secondary_causes=["illness", "schooling"],
        )
    assert exc.value.message_dict == {"secondary_causes": [SAME]}
    # Changing the main cause alone is judged with the stored secondary causes.
    household = services.household_update(
        actor=gushi_officer, household=household, version=household.version, main_cause="disaster"
    )
    assert (household.main_cause, household.secondary_causes) == ("disaster", ["illness"])


def import_reasons(batch) -> dict[str, str]:
    ws = load_workbook(report_path(batch)).active
    rows = list(ws.values)
    header = list(rows[0])
    return {r[header.index("姓名")]: r[header.index("错误原因")] for r in rows[1:]}


def test_the_import_judges_a_cause_it_gives_with_the_cause_the_registry_keeps(
    tmp_path, gushi_officer, village
):
    household = make_household(
        village, number="411525001200001", main_cause="illness", secondary_causes=["disability"]
    )
    head = household.members.get()
    row = person_row(
        household.number, village, "户主", head.name, head.id_number, 主要致贫原因="因残"
    )
    batch = import_rows(gushi_officer, tmp_path, [row])
    assert (batch.rows, batch.rejected) == (1, 1)
    assert import_reasons(batch) == {head.name: SAME}
    household.refresh_from_db()
    assert (household.main_cause, household.secondary_causes) == ("illness", ["disability"])
    # The same file with a main cause that fits is taken.
    row["主要致贫原因"] = "因学"
    batch = import_rows(gushi_officer, tmp_path, [row], name="again.xlsx")
    assert (batch.rows, batch.updated, batch.rejected) == (1, 1, 0)
    household.refresh_from_db()
    assert (household.main_cause, household.secondary_causes) == ("schooling", ["disability"])


# -- persons -----------------------------------------------------------------------------------


def add_member_on_the_page(client, household, **fields):
    data = {
        "name": "张小红",
        "id_number": make_id_number("411525", "19900101", sex="female"),
        "relation": "daughter",
        "reason": "出生",
        **{k: "" if v is None else v for k, v in fields.items()},
    }
    return client.post(f"/registry/households/{household.pk}/members/add/", data)


@pytest.mark.parametrize(("fields", "problems", "in_file"), PERSON_BAD)
def test_bad_person_fields_are_refused_alike_by_import_page_and_api(
    fields, problems, in_file, client, gushi_officer, village
):
    assert person_problems(**fields) == problems
    if in_file:
        assert row_errors(**person_cells(fields)) == flat(problems)

    household = make_household(village)
    member = make_person(household, "李娟", relation="spouse", sex="female")
    before = Person.objects.filter(pk=member.pk).values().get()
    persons, events = Person.objects.count(), AuditEvent.objects.count()

    client.force_login(gushi_officer)
    response = add_member_on_the_page(client, household, **fields)
    assert response.status_code == 200
    form = response.context["form"]
    assert {f: list(e) for f, e in form.errors.items()} == problems

    response = api(gushi_officer).post(
        "/api/v1/persons/",
        {
            "household": household.pk,
            "name": "张小红",
            "id_number": make_id_number("411525", "19900101", sex="female"),
            "relation": "daughter",
            "reason": "出生",
            **fields,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == problems

    response = api(gushi_officer).patch(
        f"/api/v1/persons/{member.pk}/", {**fields, "version": member.version}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == problems

    assert Person.objects.count() == persons
    assert Person.objects.filter(pk=member.pk).values().get() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("fields", "in_file"), PERSON_GOOD)
def test_good_person_fields_are_accepted_alike(fields, in_file, client, gushi_officer, village):
    assert person_problems(**fields) == {}
    if in_file:
        assert row_errors(**person_cells(fields)) == []
    household = make_household(village)
    client.force_login(gushi_officer)
    response = add_member_on_the_page(client, household, **fields)
    assert response.status_code == 302
    added = household.members.get(name="张小红")
    assert {f: getattr(added, f) for f in fields} == fields
    member = make_person(household, "李娟", relation="spouse", sex="female")
    response = api(gushi_officer).patch(
        f"/api/v1/persons/{member.pk}/", {**fields, "version": member.version}, format="json"
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert {f: getattr(member, f) for f in fields} == fields


def test_a_stored_mismatch_blocks_only_edits_of_those_fields(gushi_officer, village):
    person = make_person(make_household(village), "李娟", health="healthy", disability_grade=2)
    person = services.person_update(
        actor=gushi_officer, person=person, version=person.version, phone="13812345678"
    )
    assert person.phone == "13812345678"
    with pytest.raises(ValidationError) as exc:
        services.person_update(
            actor=gushi_officer, person=person, version=person.version, health="chronic"
        )
    assert exc.value.message_dict == {"disability_grade": [GRADE_HEALTH]}
    person = services.person_update(
        actor=gushi_officer,
        person=person,
        version=person.version,
        health="chronic",
        disability_grade=None,
    )
    assert (person.health, person.disability_grade) == ("chronic", None)


def test_the_import_judges_work_it_gives_with_months_the_registry_keeps(
    tmp_path, gushi_officer, village
):
    household = make_household(village, number="411525001200002")
    head = household.members.get()
    Person.objects.filter(pk=head.pk).update(work_status="county", months_away=8)
    row = person_row(household.number, village, "户主", head.name, head.id_number, 务工状况="无")
    batch = import_rows(gushi_officer, tmp_path, [row])
    assert (batch.rows, batch.rejected) == (1, 1)
    assert import_reasons(batch) == {head.name: HOME_MONTHS}
    head.refresh_from_db()
    assert (head.work_status, head.months_away) == ("county", 8)
    row["务工月数"] = "0"
    batch = import_rows(gushi_officer, tmp_path, [row], name="again.xlsx")
    assert (batch.rows, batch.updated, batch.rejected) == (1, 1, 0)
    head.refresh_from_db()
    assert (head.work_status, head.months_away) == ("none", 0)

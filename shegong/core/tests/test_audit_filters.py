"""The audit trail's action filter: a select of the registered Chinese labels."""

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI, _township
from shegong.core import audit
from shegong.core.testing import make_village


@pytest.fixture
def village(db):
    return make_village(_township(GUSHI)).code


def _events(client, **params):
    response = client.get(reverse("core:audit_list"), params)
    assert response.status_code == 200
    return [row.event for row in response.context["rows"]]


def test_the_action_filter_is_a_select_of_chinese_labels(client, gushi_officer, village):
    audit.record(actor=gushi_officer, action="user.create", region_id=GUSHI, changes={})
    audit.record(
        actor=gushi_officer,
        action="casework.case_close",
        target=make_case(region_code=village),
        changes={},
    )
    client.force_login(gushi_officer)
    page = client.get(reverse("core:audit_list")).content.decode()
    assert '<option value="casework.case_close">结案</option>' in page
    assert '<optgroup label="个案工作">' in page
    assert '<option value="casework.">个案工作 全部</option>' in page
    assert [e.action for e in _events(client, action="casework.case_close")] == [
        "casework.case_close"
    ]
    assert [e.action for e in _events(client, action="casework.")] == ["casework.case_close"]
    bad = client.get(reverse("core:audit_list"), {"action": "<script>"})
    assert bad.status_code == 200
    assert bad.context["form"].errors == {"action": ["请从列表中选择操作。"]}


def _trail(client, village, officer):
    """Events on two households, a person of one of them, and a case, as their pages write them."""
    from shegong.registry.tests.factories import make_household, make_person

    first = make_household(village, number="410101000000000011")
    second = make_household(village, number="410101000000000022")
    person = make_person(first, "李秀英")
    case = make_case(region_code=village)
    for target in (first, second, person, case):
        audit.record(actor=officer, action="registry.household_update", target=target, changes={})
    client.force_login(officer)
    return first, second, person, case


def _targets(client, **params):
    return sorted(e.target_repr for e in _events(client, **params))


def test_record_number_filter_takes_the_number_as_shown_or_its_start(
    client, gushi_officer, village
):
    first, second, _person, case = _trail(client, village, gushi_officer)
    assert _targets(client, target=first.number) == [first.number]
    # The start of a number: both households share it, the case and the person do not.
    assert _targets(client, target="4101010000000000") == sorted([first.number, second.number])
    assert _targets(client, target=case.number) == [case.number]
    # A number nobody has finds nothing: it never drops the filter and lists everything.
    assert _events(client, target="4109") == []


def test_person_filter_takes_the_full_name(client, gushi_officer, village):
    _first, _second, person, _case = _trail(client, village, gushi_officer)
    found = _events(client, person="李秀英")
    assert [(e.target_type, e.target_id) for e in found] == [("registry.person", str(person.pk))]
    assert _events(client, person="李秀") == []  # a part of a name is not a person
    assert _events(client, person="王五") == []


def test_api_takes_the_same_filters(client, gushi_officer, village):
    first, _second, _person, _case = _trail(client, village, gushi_officer)
    answer = client.get("/api/v1/audit-events/", {"target": first.number[:-1], "person": ""})
    assert answer.status_code == 200
    reprs = sorted(row["target_repr"] for row in answer.json()["results"])
    assert first.number in reprs and "李秀英" not in reprs
    named = client.get("/api/v1/audit-events/", {"person": "李秀英"}).json()["results"]
    assert [row["target_repr"] for row in named] == ["李秀英"]

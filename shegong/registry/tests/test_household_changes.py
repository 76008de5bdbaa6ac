import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent, Region
from shegong.core.services import StaleEdit
from shegong.core.testing import make_village
from shegong.registry import services
from shegong.registry.models import Household, Person
from shegong.registry.rules import ExitChecks
from shegong.registry.tests.factories import make_household, make_id_number, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def village():
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def household(village):
    hh = make_household(village, number="411525001200001", head_name="张伟")
    make_person(hh, "李娟", relation="spouse", sex="female", birth="19820305")
    make_person(hh, "张小明", relation="son", birth="20100101")
    hh.member_count = 3
    hh.save()
    return hh


def heads(hh):
    return list(Person.objects.filter(household=hh, relation="head").values_list("name", flat=True))


def test_add_member_derives_sex_and_birth_from_the_id(gushi_officer, household):
    number = make_id_number("411525", "20150607", sex="female")
    person = services.person_add(
        actor=gushi_officer,
        household=household,
        name="张小红",
        id_number=number.lower(),
        relation="daughter",
        reason="出生",
    )
    assert (person.sex, person.birth_date) == ("female", datetime.date(2015, 6, 7))
    assert person.region_id == household.region_id
    household.refresh_from_db()
    assert household.member_count == 4
    event = AuditEvent.objects.get(action="registry.person_add")
    assert event.changes["reason"] == "出生"


def test_add_member_refuses_a_bad_id_and_changes_nothing(gushi_officer, household):
    with pytest.raises(ValidationError) as exc:
        services.person_add(
            actor=gushi_officer,
            household=household,
            name="错",
            id_number="411525201506070001",
            relation="son",
            reason="出生",
        )
    assert "id_number" in exc.value.message_dict
    assert Person.objects.filter(household=household).count() == 3


def test_a_change_needs_a_reason(gushi_officer, household):
    with pytest.raises(ValidationError):
        services.person_add(
            actor=gushi_officer,
            household=household,
            name="张三",
            id_number=make_id_number(),
            relation="son",
            reason=" ",
        )


def test_head_change_keeps_exactly_one_head(gushi_officer, household):
    spouse = Person.objects.get(household=household, name="李娟")
    services.head_change(
        actor=gushi_officer,
        household=household,
        new_head=spouse,
        old_head_relation="spouse",
        reason="户主外出",
    )
    assert heads(household) == ["李娟"]
    assert Person.objects.get(name="张伟").relation == "spouse"


def test_head_cannot_be_removed_while_others_remain(gushi_officer, household):
    head = Person.objects.get(household=household, relation="head")
    with pytest.raises(ValidationError):
        services.person_remove(actor=gushi_officer, person=head, reason="死亡")
    assert heads(household) == ["张伟"]


def test_remove_keeps_the_record_in_the_audit_trail(gushi_officer, household):
    son = Person.objects.get(name="张小明")
    services.person_remove(actor=gushi_officer, person=son, reason="参军")
    assert not Person.objects.filter(pk=son.pk).exists()
    removed = AuditEvent.objects.get(action="registry.person_remove").changes["removed"]
    assert removed["id_number"] == son.id_number and removed["name"] == "张小明"


def test_move_between_households(gushi_officer, household, village):
    other = make_household(village, number="411525001200002", head_name="王强")
    son = Person.objects.get(name="张小明")
    services.person_move(
        actor=gushi_officer, person=son, to_household=other, relation="other", reason="投亲"
    )
    son.refresh_from_db()
    household.refresh_from_db()
    other.refresh_from_db()
    assert son.household_id == other.pk
    assert (household.member_count, other.member_count) == (2, 2)
    assert AuditEvent.objects.filter(action="registry.person_move").count() == 1


def test_split_and_merge(gushi_officer, household):
    son = Person.objects.get(name="张小明")
    new = services.household_split(
        actor=gushi_officer,
        household=household,
        members=[son],
        new_number="411525001200009",
        new_head=son,
        reason="分家",
    )
    assert heads(new) == ["张小明"] and heads(household) == ["张伟"]
    kept = services.households_merge(
        actor=gushi_officer, keep=household, absorb=new, reason="重复建档"
    )
    assert kept.member_count == 3
    assert heads(kept) == ["张伟"]
    assert not Household.objects.filter(number="411525001200009").exists()


def test_split_refuses_taking_the_head_away(gushi_officer, household):
    head = Person.objects.get(name="张伟")
    with pytest.raises(ValidationError):
        services.household_split(
            actor=gushi_officer,
            household=household,
            members=[head],
            new_number="411525001200010",
            new_head=head,
            reason="分家",
        )
    assert Household.objects.count() == 1


def _checks(**over):
    d = datetime.date(2020, 9, 1)
    data = dict(
        net_income_per_person=5000,
        food_clothing_secure=True,
        schooling_assured=True,
        medical_assured=True,
        housing_assured=True,
        village_review_date=d,
        verification_date=d,
        household_agreed=True,
        notice_start=d,
        notice_end=d + datetime.timedelta(days=6),
        objections="",
        announced_date=d + datetime.timedelta(days=8),
    )
    data.update(over)
    return ExitChecks(**data)


def test_exit_uses_the_years_poverty_line(gushi_officer, household):
    with pytest.raises(ValidationError) as exc:
        services.household_exit(
            actor=gushi_officer,
            household=household,
            year=2020,
            checks=_checks(net_income_per_person=3999),
        )
    assert "4000" in str(exc.value)
    record = services.household_exit(
        actor=gushi_officer, household=household, year=2020, checks=_checks()
    )
    household.refresh_from_db()
    assert (household.poverty_status, household.year_out) == ("out", 2020)
    assert record.poverty_line == 4000


def test_relapse_risk_and_stale_version(gushi_officer, household):
    stale = household.version
    services.household_mark_relapse_risk(
        actor=gushi_officer, household=household, reason="因病", version=stale
    )
    with pytest.raises(StaleEdit):
        services.household_exit(
            actor=gushi_officer, household=household, year=2020, checks=_checks(), version=stale
        )


def test_xincai_officer_cannot_change_a_gushi_household(xincai_officer, household):
    with pytest.raises(PermissionDenied):
        services.household_mark_relapse_risk(actor=xincai_officer, household=household, reason="x")
    household.refresh_from_db()
    assert household.poverty_status == "not_out"


def test_social_worker_may_view_but_not_change(client, gushi_worker, household):
    client.force_login(gushi_worker)
    url = reverse("registry:household_detail", args=[household.pk])
    assert client.get(url).status_code == 200
    relapse = reverse("registry:household_relapse", args=[household.pk])
    response = client.post(relapse, {"reason": "x", "version": household.version})
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.poverty_status == "not_out"


def test_household_page_masks_ids_and_reveal_is_logged(client, gushi_officer, household):
    client.force_login(gushi_officer)
    url = reverse("registry:household_detail", args=[household.pk])
    head = Person.objects.get(name="张伟")
    body = client.get(url).content.decode()
    assert head.id_number not in body and "*" * 16 + head.id_number[-2:] in body
    reveal = reverse("registry:household_reveal", args=[household.pk])
    body = client.post(reveal).content.decode()
    assert head.id_number in body
    event = AuditEvent.objects.get(action="registry.reveal_id", actor=gushi_officer)
    members = sorted(household.members.values_list("pk", flat=True))
    assert (event.target_id, event.changes) == (
        str(household.pk),
        {"via": "page", "persons": members, "count": 3},
    )


def test_household_page_change_through_the_form(client, gushi_officer, household):
    client.force_login(gushi_officer)
    url = reverse("registry:household_detail", args=[household.pk])
    add = reverse("registry:household_member_add", args=[household.pk])
    response = client.post(
        add,
        {
            "name": "张小红",
            "relation": "daughter",
            "id_number": make_id_number("411525", "20150607", sex="female"),
            "reason": "出生",
            "ethnicity": "汉族",
        },
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "张小红" in body and "出生" in body
    bad = client.post(add, {"name": "x", "relation": "son", "id_number": "123", "reason": "出生"})
    assert "18" in bad.content.decode()


def test_search_by_pinyin_initials_id_and_number(client, gushi_officer, household, village):
    make_household(village, number="411525001200003", head_name="赵伟")
    client.force_login(gushi_officer)
    url = reverse("registry:person_list")
    body = client.get(url, {"q": "zw"}).content.decode()
    assert "张伟" in body and "赵伟" in body and "李娟" not in body
    head = Person.objects.get(name="张伟")
    body = client.get(url, {"q": head.id_number.lower()}).content.decode()
    assert "张伟" in body and "赵伟" not in body
    body = client.get(reverse("registry:household_list"), {"q": "411525001200003"}).content.decode()
    assert "赵伟" in body and "张伟" not in body


def test_household_list_is_scoped_and_query_count_is_flat(client, gushi_officer, village):
    xincai_township = Region.objects.filter(parent_id=XINCAI).order_by("code").first()
    xv = make_village(xincai_township.code).code
    make_household(xv, number="411729001200001", head_name="新蔡户主")
    make_household(village, number="411525001200011", head_name="固始户主")
    client.force_login(gushi_officer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("registry:household_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        body = client.get(url).content.decode()
    assert "固始户主" in body and "新蔡户主" not in body
    for n in range(10):
        make_household(village, number=f"4115250012001{n:02d}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_change_forms_load_on_demand_and_only_for_editors(
    client, gushi_officer, gushi_worker, household
):
    url = reverse("registry:household_detail", args=[household.pk])
    head = reverse("registry:household_head", args=[household.pk])
    client.force_login(gushi_officer)
    page = client.get(url).content.decode()
    assert 'name="reason"' not in page  # forms are not rendered up front
    assert f'hx-get="{head}"' in page
    fragment = client.get(head, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="new_head"' in fragment and "<html" not in fragment
    assert f'action="{head}"' in fragment
    full = client.get(head).content.decode()
    assert 'name="new_head"' in full and "<html" in full
    assert client.get(f"{url}nope/").status_code == 404
    client.force_login(gushi_worker)
    assert client.get(head).status_code == 404


def test_child_director_confirms_a_left_behind_child(client, household):
    from shegong.conftest import make_user

    director = make_user("director", "child_director", household.region_id)
    child = Person.objects.get(name="张小明")
    client.force_login(director)
    url = reverse("registry:person_detail", args=[child.pk])
    assert client.post(url, {"group": "child"}).status_code == 302
    child.refresh_from_db()
    assert (child.left_behind, child.left_behind_confirmed) == ("child", True)


def test_volunteer_cannot_confirm_and_nothing_changes(client, volunteer, household):
    child = Person.objects.get(name="张小明")
    client.force_login(volunteer)
    response = client.post(reverse("registry:person_detail", args=[child.pk]), {"group": "child"})
    assert response.status_code == 404
    child.refresh_from_db()
    assert (child.left_behind, child.left_behind_confirmed) == ("", False)


def test_derivation_leaves_confirmed_flags_alone(gushi_officer, household):
    Person.objects.filter(name__in=["张伟", "李娟"]).update(
        work_status="out_of_province", months_away=10
    )
    Person.objects.filter(name="张小明").update(birth_date=datetime.date(2015, 3, 1))
    assert services.household_derive_left_behind(household=household) == 1
    child = Person.objects.get(name="张小明")
    assert child.left_behind == "child"
    services.person_confirm_left_behind(actor=gushi_officer, person=child, group="")
    assert services.household_derive_left_behind(household=household) == 0
    child.refresh_from_db()
    assert (child.left_behind, child.left_behind_confirmed) == ("", True)

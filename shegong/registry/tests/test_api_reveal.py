"""`/api/v1/persons/?reveal=1`: full ID numbers only when asked, only for roles that may reveal,
and one access event naming exactly the persons revealed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from shegong.conftest import GUSHI, XINCAI, make_user
from shegong.core.idnumbers import age_on
from shegong.core.models import AuditEvent, Membership, Region
from shegong.core.testing import make_village
from shegong.registry.models import Person
from shegong.registry.tests.factories import make_household, make_person

pytestmark = pytest.mark.django_db

REVEAL = "registry.reveal_id"


def _village(county: str, nth: int = 0) -> str:
    township = Region.objects.filter(parent_id=county).order_by("code")[nth]
    return make_village(township.code).code


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def gushi_people():
    """Two households in two townships of 固始, three persons."""
    one = make_household(_village(GUSHI, 0), head_name="张伟")
    make_person(one, "李娟", sex="female", birth="19820305")
    make_household(_village(GUSHI, 1), head_name="赵强")
    return list(Person.objects.order_by("pk"))


def _masked(number: str) -> str:
    return "*" * 16 + number[-2:]


def _by_id(response) -> dict[int, dict]:
    return {r["id"]: r for r in response.json()["results"]}


def test_officer_asking_to_reveal_gets_full_numbers_and_one_event_naming_them(
    api, gushi_officer, gushi_people
):
    api.force_authenticate(gushi_officer)
    response = api.get("/api/v1/persons/", {"reveal": "1"})
    assert response.status_code == 200
    shown = _by_id(response)
    assert {pk: r["id_number"] for pk, r in shown.items()} == {
        p.pk: p.id_number for p in gushi_people
    }
    event = AuditEvent.objects.get(action=REVEAL)
    assert (event.actor, event.region_id, event.target_id, event.changes) == (
        gushi_officer,
        "411525000000",  # the two townships' county: the narrowest region holding them all
        "",
        {"via": "api", "persons": [p.pk for p in gushi_people], "count": 3},
    )


def test_officer_revealing_one_person_logs_that_person(api, gushi_officer, gushi_people):
    person = gushi_people[1]
    api.force_authenticate(gushi_officer)
    response = api.get(f"/api/v1/persons/{person.pk}/", {"reveal": "1"})
    assert response.json()["id_number"] == person.id_number
    event = AuditEvent.objects.get(action=REVEAL)
    assert (event.target_type, event.target_id, event.region_id, event.changes) == (
        "registry.person",
        str(person.pk),
        person.region_id,
        {"via": "api", "persons": [person.pk], "count": 1},
    )


def test_without_reveal_the_officer_sees_masks_and_the_birth_date(api, gushi_officer, gushi_people):
    api.force_authenticate(gushi_officer)
    shown = _by_id(api.get("/api/v1/persons/"))
    today = timezone.localdate()
    assert {pk: (r["id_number"], r["birth_date"], r["age"]) for pk, r in shown.items()} == {
        p.pk: (_masked(p.id_number), p.birth_date.isoformat(), age_on(p.birth_date, today))
        for p in gushi_people
    }
    assert not AuditEvent.objects.filter(action=REVEAL).exists()


@pytest.mark.parametrize("url", ["/api/v1/persons/", "detail"])
def test_a_social_worker_asking_to_reveal_is_refused_and_nothing_is_logged(
    api, gushi_worker, gushi_people, url
):
    person = gushi_people[0]
    api.force_authenticate(gushi_worker)
    target = f"/api/v1/persons/{person.pk}/" if url == "detail" else url
    refused = api.get(target, {"reveal": "1"})
    assert refused.status_code == 403
    assert person.id_number not in refused.content.decode()
    assert not AuditEvent.objects.filter(action=REVEAL).exists()
    # Without asking: masked, the age but no birth date.
    record = api.get(f"/api/v1/persons/{person.pk}/").json()
    assert (record["id_number"], record["birth_date"], record["age"]) == (
        _masked(person.id_number),
        None,
        age_on(person.birth_date, timezone.localdate()),
    )


def test_a_bad_reveal_value_is_refused_next_to_the_parameter(api, gushi_officer, gushi_people):
    api.force_authenticate(gushi_officer)
    response = api.get("/api/v1/persons/", {"reveal": "yes"})
    assert response.status_code == 400
    assert response.json() == {"reveal": ["reveal 只能是 1 或 0。"]}
    assert not AuditEvent.objects.filter(action=REVEAL).exists()


def test_only_the_persons_in_the_reveal_jurisdiction_are_revealed_and_named(api, gushi_people):
    # An officer in 固始 who is also a social worker in 新蔡 sees both, may reveal only 固始.
    from shegong.conftest import make_org

    user = make_user("two_hats", "township_officer", GUSHI)
    Membership.objects.create(
        user=user, role="social_worker", region_id=XINCAI, organisation=make_org("新蔡机构", XINCAI)
    )
    xincai = make_household(_village(XINCAI), head_name="孙丽").members.get()
    api.force_authenticate(user)
    shown = _by_id(api.get("/api/v1/persons/", {"reveal": "1"}))
    assert shown[xincai.pk]["id_number"] == _masked(xincai.id_number)
    assert shown[xincai.pk]["birth_date"] is None
    assert {pk: r["id_number"] for pk, r in shown.items() if pk != xincai.pk} == {
        p.pk: p.id_number for p in gushi_people
    }
    event = AuditEvent.objects.get(action=REVEAL)
    assert event.changes["persons"] == [p.pk for p in gushi_people]


def test_the_page_reveal_goes_through_the_same_service(client, gushi_officer, gushi_people):
    head = gushi_people[0]
    client.force_login(gushi_officer)
    url = reverse("registry:household_detail", args=[head.household_id])
    assert head.id_number not in client.get(url).content.decode()
    reveal = reverse("registry:household_reveal", args=[head.household_id])
    body = client.post(reveal).content.decode()
    assert head.id_number in body and gushi_people[1].id_number in body
    event = AuditEvent.objects.get(action=REVEAL)
    assert (event.target_type, event.target_id, event.changes) == (
        "registry.household",
        str(head.household_id),
        {"via": "page", "persons": [head.pk, gushi_people[1].pk], "count": 2},
    )


def test_a_social_worker_cannot_reveal_on_the_page_either(client, gushi_worker, gushi_people):
    head = gushi_people[0]
    client.force_login(gushi_worker)
    url = reverse("registry:household_reveal", args=[head.household_id])
    response = client.post(url)
    assert response.status_code == 403
    assert head.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=REVEAL).exists()


def test_the_schema_documents_the_reveal_parameter(api, gushi_officer):
    api.force_authenticate(gushi_officer)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/persons/", "/api/v1/persons/{id}/"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert params["reveal"]["in"] == "query"
        assert params["reveal"]["schema"] == {"type": "boolean"}
    fields = schema["components"]["schemas"]["Person"]["properties"]
    assert fields["birth_date"]["nullable"] is True
    assert fields["age"]["type"] == "integer"

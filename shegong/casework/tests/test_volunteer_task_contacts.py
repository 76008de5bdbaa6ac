"""A volunteer's task says how to reach the household and the worker who gave it, and nothing
more about the household."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case, make_plan, make_task
from shegong.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_a_volunteers_task_shows_the_household_phone_and_the_workers_name_and_phone(
    client, volunteer, gushi_worker, village
):
    gushi_worker.phone = "13837612345"
    gushi_worker.save(update_fields=["phone"])
    case = make_case(region_code=village, owner=gushi_worker)
    case.household.phone = "0376-4912345"
    case.household.save(update_fields=["phone"])
    make_person(case.household, "王小红", relation="daughter", birth="20120101")
    plan = make_plan(region_code=village, case=case)
    task = make_task(region_code=village, plan=plan, owner=volunteer, marker="陪同就医")
    client.force_login(volunteer)
    body = client.get(reverse("casework:task_detail", args=[task.pk])).content.decode()
    assert '<a href="tel:0376-4912345">0376-4912345</a>' in body
    assert '测试gushi_worker · <a href="tel:13837612345">13837612345</a>' in body
    for person in case.household.members.all():
        assert person.id_number not in body and person.id_number[-4:] not in body
        assert person.name not in body
    assert case.household.number not in body


def test_a_task_without_phones_says_none_is_on_file(client, volunteer, gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker)
    case.household.phone = ""
    case.household.save(update_fields=["phone"])
    plan = make_plan(region_code=village, case=case)
    task = make_task(region_code=village, plan=plan, owner=volunteer)
    client.force_login(volunteer)
    body = client.get(reverse("casework:task_detail", args=[task.pk])).content.decode()
    assert "<dd>未登记</dd>" in body
    assert "<dd>测试gushi_worker</dd>" in body

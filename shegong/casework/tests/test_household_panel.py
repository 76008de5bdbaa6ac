"""The household page's cases panel: casework decides who sees it and what it offers."""

from __future__ import annotations

from django.urls import reverse

from shegong.conftest import GUSHI, make_user


def _page(client, user, household) -> str:
    client.force_login(user)
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_worker_sees_the_case_and_may_open_one(client, gushi_worker, case):
    body = _page(client, gushi_worker, case.household)
    assert body.count('id="cases"') == 1
    assert case.number in body
    assert f"{reverse('casework:case_new')}?household={case.household.pk}" in body


def test_a_township_officer_sees_the_case_but_may_not_open_one(client, case):
    officer = make_user("panel_township", "township_officer", case.household.region.parent_id)
    body = _page(client, officer, case.household)
    assert body.count('id="cases"') == 1
    assert case.number in body
    assert reverse("casework:case_new") not in body


def test_a_child_director_sees_the_household_without_a_cases_panel(client, case):
    director = make_user("panel_director", "child_director", GUSHI)
    body = _page(client, director, case.household)
    assert 'id="cases"' not in body
    assert case.number not in body
    assert case.household.number in body

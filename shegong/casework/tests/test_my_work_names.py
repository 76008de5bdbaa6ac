"""我的工作 names whom each follow-up, task and referral is for: the case number and the
client's name, read in the same queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.casework.selectors import my_work
from shegong.casework.tests.factories import (
    make_case,
    make_follow_up,
    make_plan,
    make_referral,
    make_task,
)

pytestmark = pytest.mark.django_db


def test_follow_ups_tasks_and_referrals_show_the_case_number_and_the_clients_name(
    client, gushi_worker, village
):
    case = make_case(region_code=village, owner=gushi_worker, marker="李桂兰")
    follow = make_follow_up(region_code=village, case=case)
    follow.assigned_to = gushi_worker
    follow.save(update_fields=["assigned_to"])
    make_task(
        region_code=village, plan=make_plan(region_code=village, case=case), owner=gushi_worker
    )
    make_referral(region_code=village, case=case)
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:my_work")).content.decode()
    assert body.count(f"· {case.number} · 李桂兰") == 3


def test_the_names_come_in_the_same_query_as_the_rows(gushi_worker, village):
    for name in ("李桂兰", "王秀英", "张翠花"):
        case = make_case(region_code=village, owner=gushi_worker, marker=name)
        follow = make_follow_up(region_code=village, case=case)
        follow.assigned_to = gushi_worker
        follow.save(update_fields=["assigned_to"])
    with CaptureQueriesContext(connection) as queries:
        work = my_work(actor=gushi_worker)
        names = sorted(f.head_name for f in work.follow_ups)
    assert names == ["张翠花", "李桂兰", "王秀英"]
    assert len(queries) == 4

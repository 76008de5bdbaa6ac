"""Reminders reach the worker's my-work page: one line per item, only their own, dismissable."""

import datetime

import pytest
from django.utils import timezone

from shegong.casework.models import Reminder
from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI
from shegong.core.models import Region
from shegong.core.testing import make_village

pytestmark = pytest.mark.django_db


def _remind(user, case, object_id, message, days_ago=0):
    return Reminder.objects.create(
        user=user,
        case=case,
        kind="follow_up",
        object_id=object_id,
        due_on=timezone.localdate(),
        message=message,
        created_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def test_my_work_shows_the_newest_reminder_per_item_and_dismisses_them(
    client, gushi_worker, xincai_worker
):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first().code
    case = make_case(region_code=make_village(township).code, owner=gushi_worker)
    _remind(gushi_worker, case, 1, "回访甲,已逾期2天", days_ago=1)
    _remind(gushi_worker, case, 1, "回访甲,已逾期3天")
    _remind(xincai_worker, case, 2, "别人的提醒")
    client.force_login(gushi_worker)
    page = client.get("/casework/").content.decode()
    assert "回访甲,已逾期3天" in page
    assert "回访甲,已逾期2天" not in page
    assert "别人的提醒" not in page
    assert client.post("/casework/reminders/read/").status_code == 302
    assert "回访甲" not in client.get("/casework/").content.decode()
    assert Reminder.objects.filter(user=xincai_worker, read_at__isnull=True).count() == 1

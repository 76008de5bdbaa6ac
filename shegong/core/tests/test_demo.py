import pytest

from shegong.core.demo import DEMO_PASSWORD, load_demo
from shegong.core.models import Membership, Region, User
from shegong.registry.models import DuplicateCandidate, Household, Person
from shegong.workforce.models import Supervision

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_marked_and_idempotent():
    first = load_demo()
    assert first["users"] == 9 and first["households"] > 600
    assert first["cases"] == 7
    assert User.objects.get(username="gushi_officer").check_password(DEMO_PASSWORD)
    villages = Region.objects.filter(level="village")
    assert villages.exists() and not villages.filter(is_synthetic=False).exists()
    heads = Person.objects.filter(relation="head").count()
    assert heads == Household.objects.count()
    assert DuplicateCandidate.objects.count() == 1
    # The workforce step: agency memberships and the supervision link.
    agencies = sorted(
        Membership.objects.filter(organisation__isnull=False).values_list(
            "user__username", "organisation__name"
        )
    )
    assert agencies == [
        ("gushi_orgadmin", "固始县阳光社会工作服务中心(演示)"),
        ("gushi_supervisor", "固始县阳光社会工作服务中心(演示)"),
        ("gushi_worker", "固始县阳光社会工作服务中心(演示)"),
        ("xincai_worker", "新蔡县同心社会工作服务中心(演示)"),
    ]
    assert Membership.objects.count() == 9
    assert (
        Supervision.objects.filter(
            supervisor__username="gushi_supervisor", supervisee__username="gushi_worker"
        ).count()
        == 1
    )
    second = load_demo()
    assert second == {
        "villages": 0,
        "users": 0,
        "households": 0,
        "cases": 0,
        "dibao_standards": 0,
        "dibao_applications": 0,
    }
    assert Person.objects.filter(relation="head").count() == heads
    assert Membership.objects.count() == 9

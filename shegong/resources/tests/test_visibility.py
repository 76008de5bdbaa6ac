"""Who sees which institution, and which institutions a case can be referred to."""

import pytest

from shegong.conftest import GUSHI, PROVINCE, XINCAI, make_user
from shegong.core.scoping import memberships_of
from shegong.core.testing import make_village
from shegong.resources.models import Institution, InstitutionKind
from shegong.resources.selectors import institution_list, institutions_for_case
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

XINYANG = "411500000000"  # the city above 固始
ZHUMADIAN = "411700000000"  # the city above 新蔡
GUSHI_TOWN = "411525101000"  # 陈淋子镇
GUSHI_TOWN2 = "411525102000"  # 黎集镇


@pytest.fixture
def directory(db):
    """One institution at every level above and inside both counties."""
    return {
        "province": make_institution(region_code=PROVINCE, marker="省残疾人康复中心"),
        "xinyang": make_institution(region_code=XINYANG, marker="信阳市救助管理站"),
        "zhumadian": make_institution(region_code=ZHUMADIAN, marker="驻马店市儿童福利院"),
        "gushi": make_institution(region_code=GUSHI, marker="固始县社会福利院"),
        "gushi_town": make_institution(region_code=GUSHI_TOWN, marker="陈淋子镇中心学校"),
        "gushi_town2": make_institution(region_code=GUSHI_TOWN2, marker="黎集镇卫生院"),
        "xincai": make_institution(region_code=XINCAI, marker="新蔡县社会福利中心"),
    }


def _names(qs):
    return sorted(i.name for i in qs)


def _visible(actor):
    return _names(Institution.objects.visible_to(actor))


def test_county_staff_see_their_county_and_the_city_and_province_above(
    directory, gushi_officer, gushi_worker
):
    expected = [
        "信阳市救助管理站",
        "固始县社会福利院",
        "省残疾人康复中心",
        "陈淋子镇中心学校",
        "黎集镇卫生院",
    ]
    assert _visible(gushi_officer) == sorted(expected)
    assert _visible(gushi_worker) == sorted(expected)


def test_xincai_staff_see_nothing_of_gushi_or_its_city(directory, xincai_officer, xincai_worker):
    expected = sorted(["新蔡县社会福利中心", "省残疾人康复中心", "驻马店市儿童福利院"])
    assert _visible(xincai_officer) == expected
    assert _visible(xincai_worker) == expected


def test_the_province_sees_every_institution(directory, province_admin):
    assert len(_visible(province_admin)) == len(directory)


def test_a_township_sees_the_institutions_that_serve_it(directory):
    """A township's jurisdiction is served by every institution of its county (see `serves`)
    and by those above; other counties stay out."""
    officer = make_user("liaocheng", "township_officer", GUSHI_TOWN)
    assert _visible(officer) == _visible(make_user("gushi2", "civil_affairs_officer", GUSHI))
    assert "新蔡县社会福利中心" not in _visible(officer)


def test_the_volunteer_sees_no_institution(directory, volunteer):
    assert _visible(volunteer) == []
    assert list(institution_list(actor=volunteer)) == []


def test_anonymous_sees_nothing(directory):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(AnonymousUser()) == []


def test_list_is_active_only_unless_asked(directory, gushi_officer):
    directory["gushi"].is_active = False
    directory["gushi"].save()
    assert "固始县社会福利院" not in _names(institution_list(actor=gushi_officer))
    everything = institution_list(actor=gushi_officer, filters={"include_inactive": True})
    assert "固始县社会福利院" in _names(everything)


def test_list_filters_by_kind_region_and_text(directory, gushi_officer):
    make_institution(
        region_code=GUSHI,
        marker="固始县人民医院",
        kind=InstitutionKind.HEALTH,
        services="大病救治、先诊疗后付费",
    )
    health = institution_list(actor=gushi_officer, filters={"kind": InstitutionKind.HEALTH})
    assert _names(health) == ["固始县人民医院"]
    town = institution_list(actor=gushi_officer, filters={"region": GUSHI_TOWN})
    assert _names(town) == ["陈淋子镇中心学校"]
    by_service = institution_list(actor=gushi_officer, filters={"q": "先诊疗"})
    assert _names(by_service) == ["固始县人民医院"]
    by_name = institution_list(actor=gushi_officer, filters={"q": "福利院"})
    assert _names(by_name) == ["固始县社会福利院"]


def test_a_region_filter_cannot_widen_the_view(directory, gushi_officer):
    assert list(institution_list(actor=gushi_officer, filters={"region": XINCAI})) == []


# --- institutions_for_case ------------------------------------------------------------------


@pytest.fixture
def village(db):
    return make_village(GUSHI_TOWN).code


def test_a_case_reaches_its_county_township_neighbours_and_the_levels_above(
    directory, gushi_worker, village
):
    found = institutions_for_case(actor=gushi_worker, region_code=village)
    assert _names(found) == sorted(
        [
            "省残疾人康复中心",
            "信阳市救助管理站",
            "固始县社会福利院",
            "陈淋子镇中心学校",
            "黎集镇卫生院",
        ]
    )
    # The same rule as the model's own `serves`, institution by institution.
    assert all(i.serves(village) for i in found)
    others = Institution.objects.exclude(pk__in=[i.pk for i in found])
    assert not any(i.serves(village) for i in others)


def test_another_countys_institution_is_never_offered(
    directory, gushi_worker, province_admin, village
):
    assert directory["xincai"] not in institutions_for_case(actor=gushi_worker, region_code=village)
    # Not even to someone who can see it: it does not serve the case.
    assert directory["xincai"] not in institutions_for_case(
        actor=province_admin, region_code=village
    )
    assert directory["zhumadian"] not in institutions_for_case(
        actor=province_admin, region_code=village
    )


def test_inactive_institutions_are_not_offered(directory, gushi_worker, village):
    directory["gushi"].is_active = False
    directory["gushi"].save()
    assert directory["gushi"] not in institutions_for_case(actor=gushi_worker, region_code=village)


def test_a_case_in_a_county_the_actor_cannot_see_gets_nothing(directory, xincai_worker, village):
    """A 新蔡 worker asking about a 固始 case learns nothing of 固始's directory."""
    found = _names(institutions_for_case(actor=xincai_worker, region_code=village))
    assert found == ["省残疾人康复中心"]


def test_for_case_filters_by_kind_and_text_and_orders_by_kind_then_name(gushi_worker, village):
    make_institution(region_code=GUSHI, marker="第二医院", kind=InstitutionKind.HEALTH)
    make_institution(region_code=GUSHI, marker="第一医院", kind=InstitutionKind.HEALTH)
    make_institution(region_code=GUSHI, marker="县福利院", kind=InstitutionKind.ELDERLY_WELFARE)
    found = institutions_for_case(actor=gushi_worker, region_code=village)
    # Policy order: elderly welfare comes before health.
    assert [i.name for i in found] == ["县福利院", "第一医院", "第二医院"]
    health = institutions_for_case(actor=gushi_worker, region_code=village, kind="health")
    assert [i.name for i in health] == ["第一医院", "第二医院"]
    assert [
        i.name for i in institutions_for_case(actor=gushi_worker, region_code=village, q="第一")
    ] == ["第一医院"]


def test_for_case_refuses_a_malformed_region(directory, gushi_worker):
    assert list(institutions_for_case(actor=gushi_worker, region_code="4115")) == []


def test_for_case_runs_one_query(directory, gushi_worker, village, django_assert_num_queries):
    memberships_of(gushi_worker)  # loaded once per request, before any list
    with django_assert_num_queries(1):
        rows = list(institutions_for_case(actor=gushi_worker, region_code=village))
        assert [i.region.name for i in rows]

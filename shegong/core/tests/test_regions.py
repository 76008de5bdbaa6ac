import pytest
from django.urls import reverse

from shegong.conftest import GUSHI, PASSWORD, XINCAI
from shegong.core.models import AuditEvent, Region
from shegong.core.regions import level_of, minimal_prefixes, prefix_bounds, prefix_of

pytestmark = pytest.mark.django_db


def test_henan_divisions_are_loaded_in_full():
    assert Region.objects.filter(level="province").count() == 1
    assert Region.objects.filter(level="city").count() == 18
    assert Region.objects.filter(level="county").count() == 181
    assert Region.objects.filter(level="township").count() == 2586
    assert Region.objects.get(code=GUSHI).name == "固始县"
    assert Region.objects.get(code=GUSHI).parent_id == "411500000000"


def test_every_region_sits_under_its_parent_code():
    for code, parent in Region.objects.exclude(level="province").values_list("code", "parent_id"):
        assert code.startswith(prefix_of(parent)), code


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("410000000000", "province", "41"),
        ("411500000000", "city", "4115"),
        ("411525000000", "county", "411525"),
        ("411525100000", "township", "411525100"),
        ("411525100201", "village", "411525100201"),
    ],
)
def test_prefix_follows_the_level(code, level, prefix):
    assert level_of(code) == level
    assert prefix_of(code) == prefix


def test_prefix_bounds_are_half_open_and_carry():
    assert prefix_bounds("411525") == ("411525", "411526")
    assert prefix_bounds("4119") == ("4119", "4120")
    assert prefix_bounds("419") == ("419", "420")
    low, high = prefix_bounds("411525")
    assert low <= "411525999999" < high
    assert not (high > "411526000000")


def test_minimal_prefixes_drop_covered_ones():
    assert minimal_prefixes(["411525", "4115", "411729100"]) == ["4115", "411729100"]


def test_scoping_by_range_matches_prefix(gushi_officer):
    visible = Region.objects.visible_to(gushi_officer)
    codes = list(visible.values_list("code", flat=True))
    assert codes and all(c.startswith("411525") for c in codes)
    assert len(codes) == Region.objects.filter(code__startswith="411525").count()


def test_region_page_shows_children(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.get(reverse("core:region_detail", args=[GUSHI]))
    assert response.status_code == 200
    first_township = Region.objects.filter(parent_id=GUSHI).first()
    assert first_township.name in response.content.decode()


def test_malformed_region_code_is_404_not_500(client, gushi_officer):
    client.force_login(gushi_officer)
    for bad in ["abc", "4115", "<script>", "41152500000000000"]:
        assert client.get(f"/regions/{bad}/").status_code == 404


def test_picker_lists_children_inside_jurisdiction_only(client, gushi_officer):
    client.force_login(gushi_officer)
    url = reverse("core:region_picker_options")
    inside = client.get(url, {"name": "region", "level": 2, "region_l1": GUSHI})
    assert inside.status_code == 200
    assert Region.objects.filter(parent_id=GUSHI).first().name in inside.content.decode()
    outside = client.get(url, {"name": "region", "level": 2, "region_l1": XINCAI})
    assert Region.objects.filter(parent_id=XINCAI).first().name not in outside.content.decode()
    assert "<option" not in outside.content.decode()


def test_province_admin_designates_a_county(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        reverse("core:region_designate", args=[GUSHI]),
        {"is_sanqu": "on", "is_poverty_county": "on"},
    )
    assert response.status_code == 302
    region = Region.objects.get(code=GUSHI)
    assert (region.is_sanqu, region.is_poverty_county, region.is_pilot_community) == (
        True,
        True,
        False,
    )
    event = AuditEvent.objects.get(action="region.designate")
    assert event.changes == {"is_poverty_county": [False, True], "is_sanqu": [False, True]}
    assert event.actor == province_admin


def test_county_officer_cannot_designate_and_nothing_changes(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.post(reverse("core:region_designate", args=[GUSHI]), {"is_sanqu": "on"})
    assert response.status_code == 403
    assert Region.objects.get(code=GUSHI).is_sanqu is False
    assert not AuditEvent.objects.filter(action="region.designate").exists()


def test_region_search_by_name_and_code(client, gushi_officer):
    client.force_login(gushi_officer)
    township = Region.objects.filter(parent_id=GUSHI).first()
    body = client.get(reverse("core:region_list"), {"q": township.name}).content.decode()
    assert township.code in body
    body = client.get(reverse("core:region_list"), {"q": "411729"}).content.decode()
    assert "411729" not in body.split("搜索结果")[1].split("我的辖区")[0]


def test_login_password_is_checked(client, gushi_officer):
    assert client.login(username="gushi_officer", password=PASSWORD)

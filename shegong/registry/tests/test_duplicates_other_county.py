"""A pair across counties shows each office the other county's person only as far as deciding
the pair needs: name, sex, birth year, masked number, county. Its own side is shown whole."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shegong.conftest import GUSHI, XINCAI
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry import duplicates
from shegong.registry.duplicates import find_duplicates
from shegong.registry.models import DuplicateCandidate, Household
from shegong.registry.tests.factories import make_household, make_person

pytestmark = pytest.mark.django_db

BIRTH = "19850315"


def _village(county):
    township = Region.objects.filter(parent_id=county).order_by("code").values_list("code")[0][0]
    return make_village(township).code


def _side_of(county, head, relative, address, phone, person_phone, wages):
    household = make_household(
        _village(county),
        head_name=head,
        address=address,
        phone=phone,
        income_wages=Decimal(wages),
    )
    Household.objects.filter(pk=household.pk).update(member_count=3)
    make_person(household, relative, relation="child", birth="20100601")
    person = make_person(household, "王秀英", birth=BIRTH, phone=person_phone)
    # The head's birth date differs from everyone's, so only the two 王秀英 pair.
    household.members.filter(relation="head").update(birth_date="1930-01-01")
    return person


@pytest.fixture
def pair():
    gushi = _side_of(
        GUSHI,
        "固始户主",
        "固始家属",
        "固始县段集镇王庄12号",
        "0376-4811111",
        "13700001111",
        "8765.43",
    )
    xincai = _side_of(
        XINCAI,
        "新蔡户主",
        "新蔡家属",
        "新蔡县佛阁寺镇李庄8号",
        "0396-5922222",
        "13900002222",
        "12345.67",
    )
    find_duplicates()
    candidate = DuplicateCandidate.objects.get()
    return candidate, gushi, xincai


def _sections(body, candidate, gushi):
    """The page's two sides, 固始's first."""
    first = body.index("<h2>人员甲</h2>")
    second = body.index("<h2>人员乙</h2>")
    end = body.index("</div>", second)
    a, b = body[first:second], body[second:end]
    return (a, b) if candidate.person_a_id == gushi.pk else (b, a)


def _secrets(person):
    """What the other county's side must never show."""
    household = person.household
    return [
        household.number,
        household.address,
        household.phone,
        person.phone,
        "12345.67",
        "新蔡户主",
        "新蔡家属",
        "1985-03-15",
        person.id_number,
        person.region_id,
    ]


def test_gushi_officer_sees_xincai_side_only_as_far_as_deciding_needs(client, pair, gushi_officer):
    candidate, gushi, xincai = pair
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).content.decode()
    ours, theirs = _sections(body, candidate, gushi)

    for text in ["王秀英", "女" if xincai.sex == "female" else "男", "1985", "新蔡县"]:
        assert text in theirs
    assert mask_citizen_id(xincai.id_number) in theirs
    for secret in _secrets(xincai):
        assert secret not in theirs, secret
    # Nowhere else on the page either (the keep choice, links).
    for secret in [xincai.household.number, xincai.household.address, "新蔡家属", xincai.phone]:
        assert secret not in body, secret
    assert reverse("registry:household_detail", args=[xincai.household_id]) not in body

    # 固始's own side is whole.
    for text in [
        gushi.household.number,
        "固始县段集镇王庄12号",
        "13700001111",
        "固始家属",
        "固始户主",
        "1985-03-15",
        mask_citizen_id(gushi.id_number),
    ]:
        assert text in ours, text


def test_xincai_officer_sees_the_mirror_image(client, pair, xincai_officer):
    candidate, gushi, xincai = pair
    client.force_login(xincai_officer)
    body = client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).content.decode()
    ours, theirs = _sections(body, candidate, gushi)
    assert gushi.household.number not in body
    assert "固始家属" not in body
    assert "固始县段集镇王庄12号" not in body
    assert "1985-03-15" not in ours and "1985" in ours and "固始县" in ours
    assert xincai.household.number in theirs and "新蔡家属" in theirs


def test_province_admin_sees_both_sides_whole(client, pair, province_admin):
    candidate, gushi, xincai = pair
    client.force_login(province_admin)
    body = client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).content.decode()
    ours, theirs = _sections(body, candidate, gushi)
    for side, person, relative in [(ours, gushi, "固始家属"), (theirs, xincai, "新蔡家属")]:
        assert person.household.number in side
        assert person.household.address in side
        assert person.phone in side
        assert relative in side
        assert "1985-03-15" in side


def test_queue_lists_the_other_county_by_name_birth_year_and_county(client, pair, gushi_officer):
    candidate, gushi, xincai = pair
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:duplicate_list")).content.decode()
    assert gushi.household.number in body
    assert xincai.household.number not in body
    assert body.count("1985-03-15") == 1  # 固始's person only
    assert "新蔡县" in body


def test_reveal_never_opens_the_other_countys_number(client, pair, gushi_officer):
    candidate, gushi, xincai = pair
    client.force_login(gushi_officer)
    url = reverse("registry:duplicate_reveal", args=[candidate.pk])
    body = client.post(url).content.decode()
    ours, theirs = _sections(body, candidate, gushi)
    assert gushi.id_number in ours
    assert xincai.id_number not in body
    assert mask_citizen_id(xincai.id_number) in theirs


def test_a_merge_by_the_other_county_shows_the_removed_person_limited(
    client, pair, gushi_officer, xincai_officer, province_admin
):
    candidate, gushi, xincai = pair
    number = xincai.household.number
    duplicates.duplicate_merge(actor=xincai_officer, candidate=candidate, keep_id=gushi.pk)
    url = reverse("registry:duplicate_detail", args=[candidate.pk])

    client.force_login(gushi_officer)
    body = client.get(url).content.decode()
    _ours, removed = _sections(body, candidate, gushi)
    assert "王秀英" in removed and "1985" in removed and "新蔡县" in removed
    assert mask_citizen_id(xincai.id_number) in removed
    assert number not in body
    assert "1985-03-15" not in removed

    client.force_login(province_admin)
    body = client.get(url).content.decode()
    _ours, removed = _sections(body, candidate, gushi)
    assert number in removed and "1985-03-15" in removed

"""The directory's pages: list, detail, create, edit, stop and restart."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.conftest import GUSHI, PROVINCE, XINCAI
from shegong.core.models import AuditEvent
from shegong.resources.models import Institution
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

LIST = reverse("resources:institution_list")
NEW = reverse("resources:institution_create")


def _form(**over):
    data = {
        "name": "固始县人民医院",
        "kind": "health",
        "region_l1": GUSHI,
        "services": "门诊住院、大病救治",
        "capacity": "",
        "contact_person": "医务科",
        "phone": "0376-4924567",
        "address": "固始县蓼城街道",
        "opening_hours": "门诊 8:00-17:30",
    }
    data.update(over)
    return data


def _snapshot():
    return list(Institution.objects.order_by("id").values()), AuditEvent.objects.count()


def _field_error(response, field):
    """The error text shown inside the field's own block."""
    html = response.content.decode()
    start = html.index(f'name="{field}')
    block_start = html.rindex('<div class="field', 0, start)
    block_end = (
        html.index('<div class="field', start) if '<div class="field' in html[start:] else None
    )
    block = html[block_start:block_end]
    assert "has-error" in block, block
    return block


@pytest.fixture
def welfare_home(db):
    return make_institution(
        region_code=GUSHI,
        marker="固始县社会福利院",
        kind="elderly_welfare",
        services="特困老人集中供养\n失能老人照护",
        capacity=200,
        contact_person="陈院长",
        phone="0376-4921234",
        address="固始县蓼城街道",
        opening_hours="全天",
    )


def test_the_list_shows_the_directory_with_ancestors_and_hides_other_counties(client, gushi_worker):
    make_institution(region_code=GUSHI, marker="固始县社会福利院")
    make_institution(region_code=PROVINCE, marker="河南省残疾人康复中心")
    make_institution(region_code=XINCAI, marker="新蔡县社会福利中心")
    client.force_login(gushi_worker)
    html = client.get(LIST).content.decode()
    assert "固始县社会福利院" in html
    assert "河南省残疾人康复中心" in html
    assert "新蔡县社会福利中心" not in html
    assert NEW not in html  # a social worker only reads the directory


def test_the_list_filters_and_pages(client, gushi_officer):
    for n in range(55):
        make_institution(region_code=GUSHI, marker=f"服务站{n:02d}")
    make_institution(region_code=GUSHI, marker="固始县人民医院", kind="health")
    client.force_login(gushi_officer)
    first = client.get(LIST)
    assert NEW in first.content.decode()
    page = first.context["page"]
    assert len(page.items) == 50
    second = client.get(LIST, {"before": page.next_cursor})
    assert len(second.context["page"].items) == 6
    assert second.context["page"].next_cursor is None
    health = client.get(LIST, {"kind": "health"}).context["page"].items
    assert [i.name for i in health] == ["固始县人民医院"]
    found = client.get(LIST, {"q": "服务站07"}).context["page"].items
    assert [i.name for i in found] == ["服务站07"]


def test_the_list_costs_the_same_for_many_rows(client, gushi_officer):
    client.force_login(gushi_officer)
    make_institution(region_code=GUSHI, marker="一")
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(20):
        make_institution(region_code=GUSHI, marker=f"机构{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_detail_shows_contacts_hours_capacity_and_services(client, gushi_worker, welfare_home):
    client.force_login(gushi_worker)
    html = client.get(
        reverse("resources:institution_detail", args=[welfare_home.pk])
    ).content.decode()
    for text in [
        "陈院长",
        "0376-4921234",
        "全天",
        "200",
        "特困老人集中供养<br>失能老人照护",
        "养老服务机构",
    ]:
        assert text in html
    assert reverse("resources:institution_edit", args=[welfare_home.pk]) not in html
    assert "停用" not in html


def test_the_detail_offers_changes_to_those_who_manage(client, gushi_officer, welfare_home):
    client.force_login(gushi_officer)
    html = client.get(
        reverse("resources:institution_detail", args=[welfare_home.pk])
    ).content.decode()
    assert reverse("resources:institution_edit", args=[welfare_home.pk]) in html
    assert reverse("resources:institution_deactivate", args=[welfare_home.pk]) in html


def test_a_provincial_institution_is_read_only_to_a_county(client, gushi_officer):
    inst = make_institution(region_code=PROVINCE, marker="河南省残疾人康复中心")
    client.force_login(gushi_officer)
    response = client.get(reverse("resources:institution_detail", args=[inst.pk]))
    assert response.status_code == 200
    assert reverse("resources:institution_edit", args=[inst.pk]) not in response.content.decode()
    assert client.get(reverse("resources:institution_edit", args=[inst.pk])).status_code == 403


def test_another_countys_institution_answers_404(client, xincai_officer, welfare_home):
    client.force_login(xincai_officer)
    for name in ["institution_detail", "institution_edit"]:
        assert client.get(reverse(f"resources:{name}", args=[welfare_home.pk])).status_code == 404
    before = _snapshot()
    url = reverse("resources:institution_deactivate", args=[welfare_home.pk])
    assert client.post(url, {"version": 1}).status_code == 404
    assert _snapshot() == before


def test_an_officer_enters_an_institution(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.post(NEW, _form())
    inst = Institution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resources:institution_detail", args=[inst.pk])
    assert (inst.name, inst.region_id, inst.capacity) == ("固始县人民医院", GUSHI, None)
    assert AuditEvent.objects.filter(action="institution.create").count() == 1


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"name": ""}, "name", "该字段是必填项。"),
        ({"phone": "请打电话"}, "phone", "请填写有效的联系电话"),
        ({"capacity": "-3"}, "capacity", "大于或等于0"),
        ({"region_l1": XINCAI}, "region", "该区划不在您的管辖范围内。"),
        ({"kind": "casino"}, "kind", "选择一个有效的选项"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(
    client, gushi_officer, over, field, message
):
    client.force_login(gushi_officer)
    before = _snapshot()
    response = client.post(NEW, _form(**over))
    assert response.status_code == 200
    assert message in _field_error(response, field)
    assert _snapshot() == before


def test_the_same_name_again_is_shown_next_to_the_name(client, gushi_officer, welfare_home):
    client.force_login(gushi_officer)
    before = _snapshot()
    response = client.post(NEW, _form(name="固始县社会福利院"))
    assert "该区划已登记同名机构。" in _field_error(response, "name")
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["gushi_worker", "volunteer"])
def test_those_who_do_not_manage_cannot_enter_and_nothing_changes(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = _snapshot()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form()).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["gushi_worker", "volunteer"])
def test_those_who_do_not_manage_cannot_edit_or_stop_and_nothing_changes(
    client, request, persona, welfare_home
):
    client.force_login(request.getfixturevalue(persona))
    before = _snapshot()
    edit = reverse("resources:institution_edit", args=[welfare_home.pk])
    assert client.post(edit, _form(name="改名", version=1)).status_code == 403
    stop = reverse("resources:institution_deactivate", args=[welfare_home.pk])
    assert client.post(stop, {"version": 1}).status_code == 403
    assert _snapshot() == before


def test_anonymous_is_sent_to_sign_in(client, welfare_home):
    assert client.get(LIST).status_code == 302
    before = _snapshot()
    assert client.post(NEW, _form()).status_code == 302
    assert _snapshot() == before


def test_an_edit_saves_and_a_second_edit_from_the_same_form_is_refused(
    client, gushi_officer, welfare_home
):
    client.force_login(gushi_officer)
    url = reverse("resources:institution_edit", args=[welfare_home.pk])
    form = client.get(url)
    assert form.context["form"].initial["version"] == 1
    assert client.post(url, _form(name="固始县社会福利中心", version=1)).status_code == 302
    before = _snapshot()
    second = client.post(url, _form(name="另一个名字", version=1))
    assert "已被他人修改" in second.content.decode()
    assert _snapshot() == before
    welfare_home.refresh_from_db()
    assert (welfare_home.name, welfare_home.version) == ("固始县社会福利中心", 2)


def test_stop_and_restart_from_the_detail_page(client, gushi_officer, welfare_home):
    client.force_login(gushi_officer)
    detail = reverse("resources:institution_detail", args=[welfare_home.pk])
    stop = reverse("resources:institution_deactivate", args=[welfare_home.pk])
    assert client.post(stop, {"version": 1})["Location"] == detail
    welfare_home.refresh_from_db()
    assert not welfare_home.is_active
    assert "固始县社会福利院" not in client.get(LIST).content.decode()
    assert "固始县社会福利院" in client.get(LIST, {"include_inactive": "on"}).content.decode()
    stale = client.post(stop, {"version": 1}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    restart = reverse("resources:institution_reactivate", args=[welfare_home.pk])
    client.post(restart, {"version": 2})
    welfare_home.refresh_from_db()
    assert (welfare_home.is_active, welfare_home.version) == (True, 3)


def test_the_menu_has_the_directory(client, gushi_worker, volunteer):
    client.force_login(gushi_worker)
    assert LIST in client.get(reverse("core:home")).content.decode()
    client.force_login(volunteer)
    assert LIST not in client.get(reverse("core:home")).content.decode()


def test_every_field_error_shows_at_once(client, gushi_officer):
    """A bad phone is reported in the same answer as a missing name, not on a second try."""
    client.force_login(gushi_officer)
    response = client.post(NEW, _form(name="", phone="请打电话"))
    assert "该字段是必填项。" in _field_error(response, "name")
    assert "请填写有效的联系电话" in _field_error(response, "phone")
    assert not Institution.objects.exists()


def test_the_create_form_starts_at_the_officers_county(client, gushi_officer):
    client.force_login(gushi_officer)
    assert client.get(NEW).context["form"].initial == {"region": GUSHI}

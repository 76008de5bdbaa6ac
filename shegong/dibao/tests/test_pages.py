"""The application pages: the list and its filters, a new application, each action's own route
for the right level and refused (nothing changed) for others, stale forms, the household panel."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, _township, make_user
from shegong.core.models import AuditEvent
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household, make_person

from .. import procedure, services
from ..models import Application, Evidence, Income, Stage
from .factories import award_factory, investigate, make_application, make_standard, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, a, action, data):
    url = reverse(f"dibao:application_{action}", kwargs={"pk": a.pk})
    return client.post(url, data)


def _ids(html: str) -> list[str]:
    found = re.findall(r'\sid="([^"]+)"', html)
    return sorted({i for i in found if found.count(i) > 1})


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_applications_with_their_next_deadline(village):
    township, county = officers(village)
    a = make_application(village, marker="甲")
    make_application(village, marker="乙", programme="hardship")
    response = _client(county).get(reverse("dibao:application_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert a.number in html and "启动家庭经济状况调查" in html and "共 2 条" in html


def test_the_list_filters_by_stage_programme_and_overdue(village):
    township, county = officers(village)
    old = make_application(village, marker="旧", accepted_on=timezone.localdate() - 30 * DAY)
    new = make_application(village, marker="新", programme="hardship")
    c = _client(county)
    url = reverse("dibao:application_list")
    html = c.get(url, {"programme": "hardship"}).content.decode()
    assert new.number in html and old.number not in html
    html = c.get(url, {"overdue": "on"}).content.decode()
    assert old.number in html and new.number not in html and "已逾期" in html
    html = c.get(url, {"stage": "investigating"}).content.decode()
    assert old.number not in html and "没有符合条件的申请" in html


def test_the_list_filters_by_region_and_says_when_a_place_is_unknown(village):
    _township_officer, county = officers(village)
    here = make_application(village, marker="此村")
    there = make_application(make_village(_township(GUSHI)).code, marker="彼村")
    c = _client(county)
    url = reverse("dibao:application_list")
    html = c.get(url, {"region": village}).content.decode()
    assert here.number in html and there.number not in html
    html = c.get(url, {"region": "不存在的地方"}).content.decode()
    assert here.number not in html and "找不到" in html


def test_the_list_pages_by_keyset(village):
    township, county = officers(village)
    made = [make_application(village, marker=f"页{i}") for i in range(3)]
    c = _client(county)
    url = reverse("dibao:application_list")
    response = c.get(url, {"before": made[1].pk})
    html = response.content.decode()
    assert made[0].number in html and made[2].number not in html


def test_the_list_reads_in_as_many_queries_for_3_rows_as_for_12(village):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _township_officer, county = officers(village)
    c = _client(county)
    url = reverse("dibao:application_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        make_application(village, marker=f"数{i}", programme="hardship" if i else "dibao")
    few = count()
    for i in range(9):
        make_application(village, marker=f"多{i}", programme="hardship" if i % 2 else "dibao")
    assert count() == few


def test_the_list_refuses_a_volunteer(volunteer):
    assert _client(volunteer).get(reverse("dibao:application_list")).status_code == 403


def test_the_list_shows_nothing_of_another_county(village):
    make_application(village, marker="固始")
    other = make_village(_township(XINCAI)).code
    _t, xincai_county = officers(other)
    html = _client(xincai_county).get(reverse("dibao:application_list")).content.decode()
    assert "固始王建国" not in html and "共 0 条" in html


# --- a new application ------------------------------------------------------------------------


def _household(village):
    make_standard(village)
    household = make_household(village, head_name="赵大山")
    make_person(household, "赵二妹", relation="spouse")
    return household


def _new_data(household, **over):
    head = household.members.get(relation="head")
    data = {
        "applicant": head.pk,
        "programme": "dibao",
        "area": "rural",
        "channel": "written",
        "applied_by": "household",
        "consent_data_matching": "on",
        "reasons": "户主患病,无稳定收入",
        "accepted_on": timezone.localdate().isoformat(),
        "materials_missing": "",
    }
    data.update(over)
    return data


def test_a_township_officer_accepts_an_application(village):
    township, _county = officers(village)
    household = _household(village)
    c = _client(township)
    url = reverse("dibao:application_new") + f"?household={household.number}"
    page = c.get(url)
    assert page.status_code == 200 and "赵大山" in page.content.decode()
    assert _ids(page.content.decode()) == []
    response = c.post(url, _new_data(household, materials_missing="户口簿复印件\n收入证明"))
    a = Application.objects.get(household=household)
    assert response.status_code == 302 and response["Location"].endswith(f"/{a.pk}/")
    assert a.materials_missing == "户口簿复印件\n收入证明" and a.stage == Stage.ACCEPTED


def test_without_consent_the_consent_form_is_listed_as_missing(village):
    township, _county = officers(village)
    household = _household(village)
    url = reverse("dibao:application_new") + f"?household={household.number}"
    _client(township).post(url, _new_data(household, consent_data_matching=""))
    assert "核对授权书" in Application.objects.get(household=household).materials_missing


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"reasons": ""}, "reasons", "必填项"),
        ({"applied_by": "village", "authorisation": ""}, "authorisation", "代为申请须写明"),
        ({"applies_alone": "on", "alone_reason": ""}, "alone_reason", "单独提出申请须写明理由"),
        (
            {"separately_registered": "on", "relation_to_staff": ""},
            "relation_to_staff",
            "须写明与经办人员或村干部的关系",
        ),
        ({"accepted_on": "2999-01-01"}, "accepted_on", ""),
        ({"accepted_on": "不是日期"}, "accepted_on", ""),
        ({"applicant": "999999999"}, "applicant", ""),
        ({"programme": "x"}, "programme", ""),
    ],
)
def test_a_bad_input_is_shown_next_to_its_field_and_nothing_is_stored(
    village, over, field, message
):
    township, _county = officers(village)
    household = _household(village)
    url = reverse("dibao:application_new") + f"?household={household.number}"
    response = _client(township).post(url, _new_data(household, **over))
    html = response.content.decode()
    assert response.status_code == 200
    assert not Application.objects.filter(household=household).exists()
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert "户主患病" in html or field == "reasons"  # what was typed is kept


def test_a_household_of_another_township_is_not_found(village):
    township, _county = officers(village)
    other_township = make_village(_township(GUSHI)[:6] + "002000")
    household = make_household(other_township.code, head_name="钱多多")
    response = _client(township).get(
        reverse("dibao:application_new"), {"household": household.number}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "找不到户编号" in html and "钱多多" not in html


def test_a_county_officer_cannot_accept(village):
    _township_officer, county = officers(village)
    assert _client(county).get(reverse("dibao:application_new")).status_code == 403


# --- the application page and its actions -----------------------------------------------------


def test_the_page_masks_id_numbers_and_repeats_no_id(village):
    township, county = officers(village)
    a = investigate(make_application(village, accepted_on=timezone.localdate() - 3 * DAY))
    for user in (township, county):
        html = _client(user).get(reverse("dibao:application_detail", args=[a.pk])).content
        text = html.decode()
        assert a.applicant.id_number not in text and "****" in text
        assert _ids(text) == []
    text = _client(township).get(reverse("dibao:application_detail", args=[a.pk])).content.decode()
    assert "乡镇初审并公示" in text and "低保审核确认程序 第 2 版" in text


def test_the_township_starts_the_investigation_with_an_excluded_member(village):
    township, _county = officers(village)
    a = make_application(village)
    son = a.household.members.exclude(relation="head").first()
    data = {
        "version": a.version,
        "on": a.accepted_on.isoformat(),
        f"exclusion_{son.pk}": "prison",
        f"note_{son.pk}": "服刑",
    }
    response = _act(_client(township), a, "investigation_start", data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.stage == Stage.INVESTIGATING
    assert a.members.get(person=son).exclusion == "prison"


def test_an_action_is_refused_to_the_county_and_another_township(village):
    township, county = officers(village)
    a = make_application(village)
    other = make_village(_township(GUSHI)[:6] + "002000").code
    other_township, _ = officers(other)
    events = AuditEvent.objects.count()
    data = {"version": a.version, "on": a.accepted_on.isoformat()}
    assert _act(_client(county), a, "investigation_start", data).status_code == 403
    assert _act(_client(other_township), a, "investigation_start", data).status_code == 404
    a.refresh_from_db()
    assert a.stage == Stage.ACCEPTED and AuditEvent.objects.count() == events


@pytest.mark.parametrize("action", sorted(procedure.APPLICATION_ACTIONS))
def test_each_action_is_refused_to_the_wrong_level_and_to_other_places(village, action):
    township, county = officers(village)
    a = investigate(make_application(village))
    other_township, _c = officers(make_village(_township(GUSHI)[:6] + "002000").code)
    _t, other_county = officers(make_village(_township(XINCAI)).code)
    wrong_level = county if action in procedure.TOWNSHIP_ACTIONS else township
    elsewhere = other_township if action in procedure.TOWNSHIP_ACTIONS else other_county
    events, version = AuditEvent.objects.count(), a.version
    data = {"version": a.version, "on": a.accepted_on.isoformat(), "note": "试", "reason": "试"}
    assert _act(_client(wrong_level), a, action, data).status_code == 403
    assert _act(_client(elsewhere), a, action, data).status_code == 404
    a.refresh_from_db()
    assert a.version == version and AuditEvent.objects.count() == events


def test_a_county_step_is_refused_to_the_township(village):
    township, county = officers(village)
    a = make_application(village)
    a = services.investigation_start(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )
    a = services.matching_request(
        actor=township, application=a, on=a.accepted_on, version=a.version
    )
    data = {"version": a.version, "on": a.accepted_on.isoformat(), "findings": "无"}
    assert _act(_client(township), a, "matching_result", data).status_code == 403
    a.refresh_from_db()
    assert a.matching_result_on is None
    assert _act(_client(county), a, "matching_result", data).status_code == 302
    a.refresh_from_db()
    assert a.matching_findings == "无"


def test_a_stale_form_is_refused_and_keeps_what_was_typed(village):
    township, _county = officers(village)
    a = investigate(make_application(village))
    data = {"version": a.version - 1, "source": "business", "yearly": "1234.50", "note": "养鸡"}
    response = _act(_client(township), a, "income_add", data)
    html = response.content.decode()
    assert response.status_code == 200 and "已被他人修改" in html and "养鸡" in html
    assert not Income.objects.filter(application=a, source="business").exists()


def test_a_bad_amount_is_shown_next_to_its_field(village):
    township, _county = officers(village)
    a = investigate(make_application(village))
    response = _act(
        _client(township),
        a,
        "income_add",
        {"version": a.version, "source": "wages", "yearly": "-5"},
    )
    assert response.status_code == 200
    assert "yearly" in response.context["forms"]["income_add"]["form"].errors
    assert Income.objects.filter(application=a).count() == 1


def test_an_action_the_stage_does_not_allow_changes_nothing(village):
    township, _county = officers(village)
    a = make_application(village)
    response = _act(_client(township), a, "form_sign", {"version": a.version, "on": "2026-01-01"})
    assert response.status_code == 200 and "不能办理这一步" in response.content.decode()
    a.refresh_from_db()
    assert a.form_signed_on is None


def test_an_income_is_removed_by_its_own_row_form(village):
    township, _county = officers(village)
    a = investigate(make_application(village))
    income = Income.objects.get(application=a)
    page = _client(township).get(reverse("dibao:application_detail", args=[a.pk])).content
    assert f'id="id_rm_income{income.pk}_item"' in page.decode()
    response = _act(
        _client(township),
        a,
        "item_remove",
        {"version": a.version, "kind": "income", "item": income.pk},
    )
    assert response.status_code == 302 and not Income.objects.filter(pk=income.pk).exists()


def test_evidence_is_uploaded_and_downloaded_by_those_who_may_see_it(village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    township, county = officers(village)
    a = investigate(make_application(village))
    upload = SimpleUploadedFile("shouru.txt", b"income proof", content_type="text/plain")
    response = _client(township).post(
        reverse("dibao:application_evidence_add", args=[a.pk]),
        {"version": a.version, "description": "收入证明", "file": upload},
    )
    assert response.status_code == 302
    e = Evidence.objects.get(application=a)
    url = reverse("dibao:application_evidence", args=[a.pk]) + f"?item={e.pk}"
    got = _client(county).get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"income proof"
    other = make_village(_township(XINCAI)).code
    _t, xincai_county = officers(other)
    assert _client(xincai_county).get(url).status_code == 404


def test_the_procedure_runs_through_the_pages(village):
    township, county = officers(village)
    start = timezone.localdate() - 20 * DAY
    a = investigate(make_application(village, accepted_on=start), on=start)
    t, c = _client(township), _client(county)
    r = _act(
        t,
        a,
        "opinion_give",
        {
            "version": a.version,
            "on": start.isoformat(),
            "opinion": "approve",
            "reasons": "收入低于标准",
            "notice_from": start.isoformat(),
            "notice_to": (start + 6 * DAY).isoformat(),
        },
    )
    assert r.status_code == 302, r.context["forms"]["opinion_give"]["form"].errors
    a.refresh_from_db()
    r = _act(t, a, "to_county", {"version": a.version, "on": (start + 8 * DAY).isoformat()})
    assert r.status_code == 302
    a.refresh_from_db()
    if a.spot_check:
        services.county_visit(
            actor=county,
            application=a,
            visited_on=start + 9 * DAY,
            investigators="赵五, 钱六",
            members_present="王建国",
            findings="属实",
            signed=True,
            version=a.version,
        )
        a.refresh_from_db()
    r = _act(
        c,
        a,
        "decide",
        {"version": a.version, "on": (start + 10 * DAY).isoformat(), "decision": "approve"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.stage == Stage.APPROVED and a.amount == Decimal("440.01")
    html = c.get(reverse("dibao:application_detail", args=[a.pk])).content.decode()
    assert "保障情况" in html and "440.01" in html


# --- the household panel ----------------------------------------------------------------------


def test_the_household_panel_shows_to_dibao_viewers_and_not_to_a_volunteer(village, volunteer):
    township, county = officers(village)
    a = make_application(village, marker="面板")
    url = reverse("registry:household_detail", args=[a.household.pk])
    for user in (township, county):
        html = _client(user).get(url).content.decode()
        assert "低保与特困供养" in html and a.number in html
    vol = make_user("vol_panel", "volunteer", village)
    response = _client(vol).get(url)
    assert a.number not in response.content.decode()


# --- demo data --------------------------------------------------------------------------------


def test_the_demo_makes_standards_and_applications_at_several_steps_once():
    from shegong.core.demo import load_demo

    first = load_demo()
    assert first["dibao_standards"] == 2 and first["dibao_applications"] == 6
    stages = set(Application.objects.values_list("stage", flat=True))
    assert stages == {"accepted", "investigating", "notice", "county", "approved"}
    assert all("演示数据" in r for r in Application.objects.values_list("reasons", flat=True))
    again = load_demo()
    assert again["dibao_standards"] == 0 and again["dibao_applications"] == 0


def test_the_page_reads_in_chinese_with_unique_ids_at_every_step(village):
    from shegong.core.tests.test_chinese_forms import english_runs

    township, county = officers(village)
    start = timezone.localdate() - 20 * DAY
    a = make_application(village, accepted_on=start, consent=False, programme="hardship")
    pages = [a]
    b = investigate(make_application(village, marker="二", accepted_on=start), on=start)
    pages.append(b)
    b = services.opinion_give(
        actor=township,
        application=b,
        on=start,
        opinion="approve",
        reasons="符合条件",
        notice_from=start,
        notice_to=start + 6 * DAY,
        version=b.version,
    )
    pages.append(award_factory(region_code=village, marker="三").application)
    for application in pages:
        for user in (township, county):
            html = (
                _client(user)
                .get(reverse("dibao:application_detail", args=[application.pk]))
                .content.decode()
            )
            assert _ids(html) == [] and english_runs(html) == [], application.stage

"""The record pages: standards (entered by the county, refused below the special-hardship
minimum), the county's policy (bands line by line, stale forms), the awards as decided with
their reviews and job offers, the overdue and nearly-due steps and the home panel; each for
the right people and refused, nothing changed, for others."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, _township, make_user
from shegong.core.models import AuditEvent
from shegong.core.testing import make_village
from shegong.registry.models import Person

from ..models import Award, AwardStatus, CountyPolicy, JobRefusal, Review, Standard
from .factories import make_application, make_award, make_standard, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def xincai_village():
    return make_village(_township(XINCAI)).code


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _ids(html: str) -> list[str]:
    found = re.findall(r'\sid="([^"]+)"', html)
    return sorted({i for i in found if found.count(i) > 1})


def _standard_data(**over):
    data = {
        "region": GUSHI,
        "area": "rural",
        "valid_from": "2016-07-01",
        "monthly": "",
        "yearly": "2960",
        "hardship_basic": "321",
        "care_self": "50",
        "care_partial": "150",
        "care_full": "300",
        "note": "豫民〔2016〕5号",
    }
    data.update(over)
    return data


# --- standards ---------------------------------------------------------------------------------


def test_a_county_officer_enters_henans_2016_rural_standard(gushi_officer):
    c = _client(gushi_officer)
    page = c.get(reverse("dibao:standard_new"))
    assert page.status_code == 200 and "固始县" in page.content.decode()
    assert _ids(page.content.decode()) == []
    response = c.post(reverse("dibao:standard_new"), _standard_data())
    assert response.status_code == 302
    s = Standard.objects.get(region_id=GUSHI)
    # The yearly figure given, the monthly derived.
    assert (s.monthly, s.yearly, s.hardship_basic) == (
        Decimal("246.67"),
        Decimal("2960.00"),
        Decimal("321.00"),
    )
    assert s.entered_by == gushi_officer
    html = c.get(response["Location"]).content.decode()
    assert "246.67" in html and "2960.00" in html and "321.00" in html
    assert "豫民〔2016〕5号" in html and gushi_officer.display_name in html
    # The near-poor line: 1.5 × 246.67.
    assert "370.01" in html and "× 1.5" in html


def test_a_hardship_standard_below_the_minimum_is_refused_with_the_minimum(gushi_officer):
    c = _client(gushi_officer)
    response = c.post(reverse("dibao:standard_new"), _standard_data(hardship_basic="300"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "至少 320.67 元" in html  # 1.3 × 246.67
    assert 'value="300"' in html and 'value="豫民〔2016〕5号"' in html
    assert Standard.objects.count() == 0


@pytest.mark.parametrize(
    "over, field_text",
    [
        ({"yearly": "abc"}, "输入一个数字"),
        ({"yearly": "", "monthly": ""}, "请填写月标准或年标准"),
        ({"monthly": "200", "yearly": "2960"}, "不一致"),
        ({"care_full": "-5"}, "金额须大于 0"),
        ({"note": ""}, "必填"),
        ({"region": XINCAI}, "请从列表中选择您所辖的县"),
    ],
)
def test_bad_standard_input_is_shown_next_to_its_field(gushi_officer, over, field_text):
    response = _client(gushi_officer).post(reverse("dibao:standard_new"), _standard_data(**over))
    assert response.status_code == 200
    assert field_text in response.content.decode()
    assert Standard.objects.count() == 0


def test_a_second_standard_from_the_same_day_is_refused(gushi_officer):
    c = _client(gushi_officer)
    assert c.post(reverse("dibao:standard_new"), _standard_data()).status_code == 302
    response = c.post(
        reverse("dibao:standard_new"), _standard_data(yearly="3000", hardship_basic="400")
    )
    assert "该县该日期起的标准已录入" in response.content.decode()
    assert Standard.objects.count() == 1


def test_a_social_worker_and_a_volunteer_cannot_enter_standards(gushi_worker, volunteer):
    for user in (gushi_worker, volunteer):
        c = _client(user)
        assert c.get(reverse("dibao:standard_new")).status_code == 403
        assert c.post(reverse("dibao:standard_new"), _standard_data()).status_code == 403
    assert Standard.objects.count() == 0
    assert not AuditEvent.objects.filter(action="dibao.standard_enter").exists()


def test_the_standards_list_is_scoped_and_a_volunteer_sees_nothing(
    village, xincai_village, gushi_worker, xincai_officer, volunteer
):
    make_standard(village)
    make_standard(xincai_village, yearly=Decimal("3120"))
    worker_html = _client(gushi_worker).get(reverse("dibao:standard_list")).content.decode()
    assert "固始县" in worker_html and "2960.00" in worker_html
    assert "新蔡县" not in worker_html and "3120.00" not in worker_html
    assert "录入新标准" not in worker_html  # a social worker reads, never enters
    xincai_html = _client(xincai_officer).get(reverse("dibao:standard_list")).content.decode()
    assert "3120.00" in xincai_html and "2960.00" not in xincai_html
    assert _client(volunteer).get(reverse("dibao:standard_list")).status_code == 403


def test_the_standards_list_filters_by_county(village, xincai_village, province_admin):
    make_standard(village)
    make_standard(xincai_village, yearly=Decimal("3120"))
    c = _client(province_admin)
    html = c.get(reverse("dibao:standard_list"), {"region": GUSHI}).content.decode()
    assert "2960.00" in html and "3120.00" not in html
    assert reverse("dibao:policy_edit", kwargs={"pk": GUSHI}) in html
    bad = c.get(reverse("dibao:standard_list"), {"region": "找不到的地方"})
    assert bad.status_code == 200 and "2960.00" not in bad.content.decode()


# --- county policy -----------------------------------------------------------------------------


def _policy_url(code: str = GUSHI) -> str:
    return reverse("dibao:policy_edit", kwargs={"pk": code})


def test_a_county_sets_bands_and_sees_them(gushi_officer):
    c = _client(gushi_officer)
    page = c.get(_policy_url())
    assert page.status_code == 200 and "本县尚未设置" in page.content.decode()
    response = c.post(
        _policy_url(),
        {
            "amount_method": "bands",
            "bands": "收入低于100元: 每人200元\n\n150：120\n",
            "review_every_case": "on",
            "asset_limit_per_person": "30000",
        },
    )
    assert response.status_code == 302
    p = CountyPolicy.objects.get(region_id=GUSHI)
    assert p.amount_method == "bands" and p.review_every_case and not p.abc_schedule
    assert p.bands == [{"below": "100", "amount": "200"}, {"below": "150", "amount": "120"}]
    assert p.asset_limit_per_person == Decimal("30000")
    html = c.get(_policy_url()).content.decode()
    assert "月人均收入低于 100 元:每人每月 200 元" in html
    assert "100: 200\n150: 120" in html  # the form shows the lines back
    assert _ids(html) == []


def test_a_band_line_that_cannot_be_read_is_named_and_nothing_is_stored(gushi_officer):
    response = _client(gushi_officer).post(
        _policy_url(), {"amount_method": "bands", "bands": "100: 200\n一百: 三百\n150 x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行“一百: 三百”无法识别" in html and "第 3 行“150 x”无法识别" in html
    assert "一百: 三百" in html  # what was typed is kept
    assert not CountyPolicy.objects.exists()


def test_bands_are_required_for_the_band_method(gushi_officer):
    response = _client(gushi_officer).post(_policy_url(), {"amount_method": "bands", "bands": ""})
    assert "按分档计算时至少填写一档" in response.content.decode()
    assert not CountyPolicy.objects.exists()


def test_a_stale_policy_form_is_refused_with_the_input_kept(gushi_officer):
    c = _client(gushi_officer)
    c.post(_policy_url(), {"amount_method": "gap"})
    policy = CountyPolicy.objects.get(region_id=GUSHI)
    seen = policy.version
    c.post(_policy_url(), {"amount_method": "gap", "abc_schedule": "on", "version": seen})
    response = c.post(
        _policy_url(),
        {"amount_method": "gap", "asset_limit_per_person": "45678", "version": seen},
    )
    html = response.content.decode()
    assert "县级政策已被他人修改" in html and 'value="45678"' in html
    policy.refresh_from_db()
    assert policy.version == seen + 1 and policy.asset_limit_per_person is None


def test_another_countys_policy_is_not_found_and_a_worker_is_refused(xincai_officer, gushi_worker):
    assert _client(xincai_officer).get(_policy_url()).status_code == 404
    assert _client(xincai_officer).post(_policy_url(), {"amount_method": "gap"}).status_code == 404
    assert _client(gushi_worker).post(_policy_url(), {"amount_method": "gap"}).status_code == 403
    # A township's code is not a county.
    assert _client(xincai_officer).get(_policy_url(_township(XINCAI))).status_code == 404
    assert not CountyPolicy.objects.exists()


# --- awards ------------------------------------------------------------------------------------


def test_the_award_page_shows_the_snapshot_not_todays_registry(village):
    award = make_award(village, marker="甲")
    _township_officer, county = officers(village)
    head = Person.objects.get(household=award.household, relation="head")
    old_name = head.name
    head.name = "改名后的户主"
    head.save()
    response = _client(county).get(reverse("dibao:award_detail", kwargs={"pk": award.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert old_name in html and "改名后的户主" not in html
    assert award.snapshot["standard"] in html and award.snapshot["amount"] in html
    assert "计入 3 人,不计入 0 人" in html
    assert "工资性收入" in html and "3600" in html
    award.refresh_from_db()
    assert award.snapshot["members"][0]["name"] == old_name
    assert _ids(html) == []


def test_the_award_list_filters_and_flags_an_overdue_review(village, xincai_village):
    award = make_award(village, marker="甲")
    other = make_award(village, marker="乙")
    outside = make_award(xincai_village, marker="越界")
    Award.objects.filter(pk=award.pk).update(next_review_on=timezone.localdate() - DAY)
    _t, county = officers(village)
    c = _client(county)
    html = c.get(reverse("dibao:award_list")).content.decode()
    assert award.application.number in html and other.application.number in html
    assert outside.application.number not in html and "共 2 条" in html
    assert "已逾期" in html
    due = c.get(reverse("dibao:award_list"), {"review_due": "on"}).content.decode()
    assert award.application.number in due and other.application.number not in due
    stopped = c.get(reverse("dibao:award_list"), {"status": "terminated"}).content.decode()
    assert "没有符合条件的保障对象" in stopped
    elsewhere = c.get(reverse("dibao:award_list"), {"region": XINCAI}).content.decode()
    assert "不在" in elsewhere or "找不到" in elsewhere
    assert award.application.number not in elsewhere


def test_the_award_list_reads_in_a_fixed_number_of_queries(village, django_assert_num_queries):
    _t, county = officers(village)
    c = _client(county)
    make_award(village, marker="一")
    c.get(reverse("dibao:award_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        c.get(reverse("dibao:award_list"))
    for n in range(3):
        make_award(village, marker=f"多{n}")
    with CaptureQueriesContext(connection) as four:
        c.get(reverse("dibao:award_list"))
    assert len(four.captured_queries) == len(one.captured_queries)


def _review_url(award):
    return reverse("dibao:award_review", kwargs={"pk": award.pk})


def test_a_township_officer_adjusts_the_amount(village):
    award = make_award(village)
    township, _county = officers(village)
    c = _client(township)
    response = c.post(
        _review_url(award),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "outcome": "adjust",
            "reason": "户主务工收入增加",
            "amount_after": "300",
            "version": award.version,
        },
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.amount == Decimal("300")
    review = Review.objects.get(award=award)
    html = c.get(reverse("dibao:award_detail", kwargs={"pk": award.pk})).content.decode()
    assert "户主务工收入增加" in html and "440.01 → 300.00" in html
    assert f"第 {review.rules.version} 版" in html


def test_an_adjustment_without_an_amount_is_refused_next_to_the_field(village):
    award = make_award(village)
    township, _county = officers(village)
    response = _client(township).post(
        _review_url(award),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "outcome": "adjust",
            "reason": "收入变化",
            "version": award.version,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "调整金额须填写新的保障金额" in html and "收入变化" in html
    assert 'id="id_review_amount_after"' in html and _ids(html) == []
    assert not Review.objects.exists()
    award.refresh_from_db()
    assert award.amount == Decimal("440.01")


def test_a_termination_with_a_gradual_exit(village):
    award = make_award(village)
    _township, county = officers(village)
    response = _client(county).post(
        _review_url(award),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "outcome": "terminate",
            "reason": "务工收入超过低保标准",
            "gradual_exit": "on",
            "version": award.version,
        },
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.GRADUAL_EXIT and award.gradual_exit_to is not None


def test_a_stale_review_is_refused(village):
    award = make_award(village)
    township, _county = officers(village)
    data = {
        "reviewed_on": timezone.localdate().isoformat(),
        "outcome": "continue",
        "reason": "情况无变化",
        "version": award.version - 1 if award.version > 1 else award.version + 5,
    }
    response = _client(township).post(_review_url(award), data)
    assert "已被他人修改" in response.content.decode()
    assert not Review.objects.exists()


def test_others_cannot_review(village, gushi_worker, xincai_officer, volunteer):
    award = make_award(village)
    data = {
        "reviewed_on": timezone.localdate().isoformat(),
        "outcome": "suspend",
        "reason": "不应由我复核",
        "version": award.version,
    }
    assert _client(xincai_officer).post(_review_url(award), data).status_code == 404
    assert _client(volunteer).post(_review_url(award), data).status_code == 404
    # A social worker sees the award but may not review it: the page shows no form.
    page = _client(gushi_worker).get(reverse("dibao:award_detail", kwargs={"pk": award.pk}))
    assert page.status_code == 200 and "记录复核结果" not in page.content.decode()
    refused = _client(gushi_worker).post(_review_url(award), data)
    assert refused.status_code == 200
    assert "只有保障对象所在乡镇或县级民政部门" in refused.content.decode()
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE and not Review.objects.exists()
    assert (
        _client(xincai_officer)
        .get(reverse("dibao:award_detail", kwargs={"pk": award.pk}))
        .status_code
        == 404
    )


def _job_url(award):
    return reverse("dibao:award_job_offer", kwargs={"pk": award.pk})


def test_three_refusals_in_a_row_stop_the_members_share(village):
    award = make_award(village)
    township, _county = officers(village)
    c = _client(township)
    son = next(m for m in award.snapshot["members"] if m["relation"] == "son")
    for n in range(3):
        award.refresh_from_db()
        response = c.post(
            _job_url(award),
            {
                "person": son["person"],
                "offered_on": (timezone.localdate() - (5 - n) * DAY).isoformat(),
                "job": f"县城物流园装卸工{n}",
                "refused": "on",
                "version": award.version,
            },
        )
        assert response.status_code == 302
    award.refresh_from_db()
    assert JobRefusal.objects.filter(award=award).count() == 3
    assert award.members == 2
    html = c.get(reverse("dibao:award_detail", kwargs={"pk": award.pk})).content.decode()
    assert "已停发本人保障金" in html and "县城物流园装卸工2" in html


def test_a_job_offer_for_someone_not_counted_is_refused(village):
    award = make_award(village)
    township, _county = officers(village)
    stranger = make_application(village, marker="外人").applicant
    response = _client(township).post(
        _job_url(award),
        {
            "person": stranger.pk,
            "offered_on": timezone.localdate().isoformat(),
            "job": "保洁员",
            "version": award.version,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请从计入保障的家庭成员中选择" in html
    assert 'value="保洁员"' in html and _ids(html) == []
    assert not JobRefusal.objects.exists()


# --- due steps and the home panel -------------------------------------------------------------


def test_overdue_steps_are_listed_in_working_days(village):
    township, county = officers(village)
    late = make_application(village, marker="迟", accepted_on=timezone.localdate() - 20 * DAY)
    html = _client(township).get(reverse("dibao:due_list")).content.decode()
    assert late.number in html and "启动家庭经济状况调查" in html
    assert "已逾期" in html and "个工作日" in html
    # Starting the investigation is the township's step, not the county's; the county answers
    # for the whole procedure's 30 working days, overdue on an application 50 days old.
    county_html = _client(county).get(reverse("dibao:due_list")).content.decode()
    assert late.number not in county_html
    older = make_application(village, marker="久", accepted_on=timezone.localdate() - 50 * DAY)
    county_html = _client(county).get(reverse("dibao:due_list")).content.decode()
    assert older.number in county_html and "全程办结" in county_html


def test_a_deadline_in_a_year_without_a_calendar_says_it_is_estimated(village):
    from shegong.core.models import CalendarYear

    township, _county = officers(village)
    late = make_application(village, marker="迟", accepted_on=timezone.localdate() - 20 * DAY)
    CalendarYear.objects.filter(year__gte=late.accepted_on.year).delete()
    html = _client(township).get(reverse("dibao:due_list")).content.decode()
    assert "估算" in html and "法定节假日安排尚未录入" in html


def test_the_due_list_for_those_who_do_not_act(gushi_worker, volunteer):
    html = _client(gushi_worker).get(reverse("dibao:due_list")).content.decode()
    assert "您没有需要办理的低保特困环节" in html
    assert _client(volunteer).get(reverse("dibao:due_list")).status_code == 403


def test_the_home_panel_is_shown_to_officers_only(village, gushi_worker, volunteer):
    township, county = officers(village)
    late = make_application(village, marker="迟", accepted_on=timezone.localdate() - 20 * DAY)
    html = _client(township).get(reverse("core:home")).content.decode()
    assert "低保特困:到期与逾期事项" in html and late.number in html
    assert "低保特困:到期与逾期事项" in _client(county).get(reverse("core:home")).content.decode()
    for user in (gushi_worker, volunteer):
        other = _client(user).get(reverse("core:home")).content.decode()
        assert "低保特困:到期与逾期事项" not in other and late.number not in other


def test_a_xincai_officer_sees_no_gushi_step(village):
    make_application(village, marker="迟", accepted_on=timezone.localdate() - 20 * DAY)
    xincai = make_user("xc_township", "township_officer", _township(XINCAI))
    html = _client(xincai).get(reverse("dibao:due_list")).content.decode()
    assert "没有逾期或即将到期的办理环节" in html


def test_a_city_officer_gets_no_live_panel_but_the_due_list(village):
    """Above a county a live list would read a whole city's applications on every visit."""
    late = make_application(village, marker="迟", accepted_on=timezone.localdate() - 50 * DAY)
    city = make_user("xinyang_dibao", "civil_affairs_officer", GUSHI[:4] + "00000000")
    c = _client(city)
    assert "低保特困:到期与逾期事项" not in c.get(reverse("core:home")).content.decode()
    assert late.number in c.get(reverse("dibao:due_list")).content.decode()


def test_the_province_reaches_a_citys_county_policies_by_filtering(province_admin):
    c = _client(province_admin)
    whole = c.get(reverse("dibao:standard_list")).content.decode()
    assert "按县筛选后可设置该县的低保政策" in whole
    city = c.get(reverse("dibao:standard_list"), {"region": GUSHI[:4] + "00000000"})
    html = city.content.decode()
    assert _policy_url(GUSHI) in html and _policy_url(XINCAI) not in html


def test_the_standards_list_reads_in_a_fixed_number_of_queries(village, xincai_village):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user("prov_std", "province_admin", "410000000000")
    c = _client(admin)
    make_standard(village)
    c.get(reverse("dibao:standard_list"))
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("dibao:standard_list"))
    make_standard(xincai_village)
    make_standard(village, valid_from=datetime.date(2017, 1, 1), yearly=Decimal("3300"))
    with CaptureQueriesContext(connection) as three:
        html = c.get(reverse("dibao:standard_list")).content.decode()
    assert len(three.captured_queries) == len(one.captured_queries)
    # The newer standard is the one in force; the 2016 one is history.
    assert html.count("现行") == 2  # 固始 2017 and 新蔡 2016


def test_repeated_bands_are_refused_by_band_number(gushi_officer):
    response = _client(gushi_officer).post(
        _policy_url(), {"amount_method": "bands", "bands": "100: 200\n100: 150"}
    )
    html = response.content.decode()
    assert "第 2 档的收入上限与前面的档重复" in html and "100: 150" in html
    assert not CountyPolicy.objects.exists()


def test_a_volunteer_sees_no_award(village, volunteer):
    award = make_award(village)
    c = _client(volunteer)
    assert c.get(reverse("dibao:award_list")).status_code == 403
    assert c.get(reverse("dibao:award_detail", kwargs={"pk": award.pk})).status_code == 404
    assert c.get(_policy_url()).status_code == 403
    home = c.get(reverse("core:home")).content.decode()
    assert award.application.number not in home


def test_the_home_panel_reads_in_chinese_with_ids_once(village):
    from shegong.core.tests.test_chinese_forms import english_runs

    township, _county = officers(village)
    make_application(village, marker="迟", accepted_on=timezone.localdate() - 20 * DAY)
    html = _client(township).get(reverse("core:home")).content.decode()
    assert english_runs(html) == [] and _ids(html) == []

"""The six printed Dibao forms: offered by stage (another says why not), the same access as
the application (another county's 404, a volunteer refused), Chinese text in the HTML and the
PDF, masked ID numbers unless a role that may reveal asks (logged), and a public notice
holding only the name, the number of members and the amount."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from shegong.conftest import GUSHI, XINCAI, _township, make_user
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import AuditEvent
from shegong.core.testing import make_village

from .. import services
from ..models import Application, Stage
from .factories import make_application, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 11, 2)  # a Monday
ADDRESS = "张楼村东街十八号"
PHONE = "13912345678"
ALL_FORMS = ("application", "verification", "review", "notice", "approval", "refusal")


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages)


def url(form: str, a: Application, **query: str) -> str:
    path = reverse(f"dibao:print_{form}", args=[a.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _investigated(village: str, marker: str) -> Application:
    """An application with a member excluded, counted and excluded income, a deduction, an
    asset, a neighbour interview, a visit by two investigators and a democratic review, on
    notice with an approving first opinion."""
    township, county = officers(village)
    a = make_application(village, accepted_on=START, marker=marker, members=3)
    household = a.household
    household.address, household.phone = ADDRESS, PHONE
    household.save()
    son = household.members.get(relation="son")
    a = services.investigation_start(
        actor=township,
        application=a,
        on=START,
        exclusions={son.pk: ("not_co_resident", "已成年在外地独立生活")},
        version=a.version,
    )
    for step in (
        lambda a: services.visit_add(
            actor=township,
            application=a,
            visited_on=START,
            investigators="张三, 李四",
            members_present=f"{marker}王建国",
            findings="住房简陋,户主患病",
            signed=True,
            version=a.version,
        ),
        lambda a: services.interview_add(
            actor=township,
            application=a,
            on=START,
            who="邻居 赵大妈",
            said="户主常年生病",
            version=a.version,
        ),
        lambda a: services.income_add(
            actor=township, application=a, source="wages", yearly="3000", version=a.version
        ),
        lambda a: services.income_add(
            actor=township, application=a, source="scholarship", yearly="1000", version=a.version
        ),
        lambda a: services.deduction_add(
            actor=township,
            application=a,
            description="慢性病自付药费",
            yearly="600",
            version=a.version,
        ),
        lambda a: services.asset_add(
            actor=township,
            application=a,
            kind="property",
            value="50000",
            exempt=True,
            note="唯一住房",
            version=a.version,
        ),
    ):
        step(a)
        a.refresh_from_db()
    a = services.form_sign(actor=township, application=a, on=START, version=a.version)
    a = services.matching_request(actor=township, application=a, on=START, version=a.version)
    a = services.matching_result(
        actor=county,
        application=a,
        on=START,
        findings="未发现车辆",
        assets_flagged=False,
        version=a.version,
    )
    services.review_record(
        actor=township,
        application=a,
        held_on=START + DAY,
        members=9,
        present=7,
        in_favour=6,
        against=1,
        record="评议小组一致认为该户生活困难",
        version=a.version,
    )
    a.refresh_from_db()
    return services.opinion_give(
        actor=township,
        application=a,
        on=START + 2 * DAY,
        opinion="approve",
        reasons="家庭人均收入低于标准",
        notice_from=START + 2 * DAY,
        notice_to=START + 8 * DAY,
        version=a.version,
    )


def _decided(village: str, marker: str, *, approve: bool) -> Application:
    township, county = officers(village)
    a = _investigated(village, marker)
    a = services.to_county(actor=township, application=a, on=START + 9 * DAY, version=a.version)
    if a.spot_check or a.separately_registered:
        services.county_visit(
            actor=county,
            application=a,
            visited_on=START + 9 * DAY,
            investigators="赵五, 钱六",
            members_present="王建国",
            findings="属实",
            signed=True,
            version=a.version,
        )
        a.refresh_from_db()
    return services.decide(
        actor=county,
        application=a,
        on=START + 10 * DAY,
        approve=approve,
        refusal_reasons="" if approve else "家庭成员名下有机动车辆\n存款超过本县规定的限额",
        version=a.version,
    )


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def approved(village):
    return _decided(village, "甲", approve=True)


@pytest.fixture
def refused(village):
    return _decided(village, "乙", approve=False)


def test_forms_are_offered_by_stage_and_others_say_why_not(client, village, approved, refused):
    township, county = officers(village)
    accepted = make_application(village, accepted_on=START, marker="丙")
    client.force_login(county)
    expected = {
        accepted: {"application"},
        approved: {"application", "verification", "review", "notice", "approval"},
        refused: {"application", "verification", "review", "notice", "refusal"},
    }
    for a, offered in expected.items():
        for form in ALL_FORMS:
            for query in ({}, {"format": "pdf"}):
                response = client.get(url(form, a, **query))
                assert response.status_code == 200, (a.stage, form)
                shown = response["Content-Type"] == "application/pdf" or (
                    'class="sheet"' in response.content.decode()
                )
                assert shown == (form in offered), (a.stage, form, query)
                if form not in offered:
                    html = response.content.decode()
                    assert f"目前处于“{a.get_stage_display()}”环节,不能打印" in html
                    assert reverse("dibao:print_application", args=[a.pk]) in html
    html = client.get(url("application", approved)).content.decode()
    assert reverse("dibao:print_approval", args=[approved.pk]) in html
    assert reverse("dibao:print_refusal", args=[approved.pk]) not in html
    html = client.get(url("refusal", approved)).content.decode()
    assert "救济途径" not in html and "行政复议" not in html


@pytest.mark.parametrize("form", ["application", "verification", "review", "notice", "approval"])
def test_each_form_prints_for_the_township_the_county_and_a_social_worker(
    client, village, approved, form, gushi_worker
):
    township, county = officers(village)
    titles = {
        "application": "最低生活保障申请书",
        "verification": "家庭经济状况核查表",
        "review": "民主评议记录",
        "notice": "最低生活保障公示",
        "approval": "最低生活保障审核确认表",
    }
    for actor in (township, county, gushi_worker):
        client.force_login(actor)
        response = client.get(url(form, approved))
        assert response.status_code == 200, (actor.username, form)
        html = response.content.decode()
        assert titles[form] in html and "甲王建国" in html


def test_the_application_form_lists_members_reasons_consent_and_signers(client, village):
    township, _county = officers(village)
    a = make_application(village, accepted_on=START, marker="丁", consent=False)
    Application.objects.filter(pk=a.pk).update(
        applied_by="village", authorisation="村委会代为申请说明"
    )
    client.force_login(township)
    html = client.get(url("application", a)).content.decode()
    for text in (
        "丁因病致贫",
        "书面申请",
        "村(居)民委员会代为申请",
        "村委会代为申请说明",
        "尚未签署核对授权书",
        "核对授权书",
        "待调查认定",
        "申请人(签字)",
        "代为申请人(签字)",
    ):
        assert text in html, text
    head = a.household.members.get(relation="head")
    assert mask_citizen_id(head.id_number) in html and head.id_number not in html


def test_the_verification_form_shows_the_figures_and_a_signature_line_per_person(
    client, village, approved
):
    township, _county = officers(village)
    client.force_login(township)
    html = client.get(url("verification", approved)).content.decode()
    # 3000 wages less 600 costs, the scholarship not counted, over 12 months and 2 members.
    assert "100.00" in html
    for text in (
        "已成年在外地独立生活",
        "不计入",
        "奖学金、助学金(不计入)",
        "慢性病自付药费",
        "唯一住房",
        "邻居 赵大妈",
        "未发现车辆",
        "2026年11月2日",
        "调查人员 张三(签字)",
        "调查人员 李四(签字)",
        "在场家庭成员 甲王建国(签字)",
    ):
        assert text in html, text
    assert html.count('class="signature"') == 3


def test_the_review_record_states_the_two_thirds_rule_and_the_votes(client, village, approved):
    township, _county = officers(village)
    client.force_login(township)
    html = client.get(url("review", approved)).content.decode()
    assert "到会人数不少于评议小组成员的 2/3 方为有效" in html
    assert "同意票不少于到会人数的 2/3 方为通过" in html
    assert "评议小组一致认为该户生活困难" in html and "有效" in html and "通过" in html
    assert "主持人(签字)" in html and "记录人(签字)" in html
    assert html.count("<td>") >= 8  # a name box for each of the 7 present, two to a row


def test_the_public_notice_holds_only_the_name_the_members_and_the_amount(
    client, village, approved
):
    township, county = officers(village)
    client.force_login(township)
    response = client.get(url("notice", approved))
    html = response.content.decode()
    assert "甲王建国" in html and "拟保障金额" in html
    assert str(approved.proposed_amount) in html
    assert "2026年11月4日 至 2026年11月10日" in html and "共 7 天" in html
    for person in approved.household.members.all():
        assert person.id_number not in html
        assert mask_citizen_id(person.id_number) not in html
        assert person.id_number[-4:] not in html
    assert ADDRESS not in html and PHONE not in html
    assert approved.household.number not in html and approved.number not in html
    assert "甲因病致贫" not in html  # the reasons
    assert "3000" not in html and "慢性病" not in html  # incomes, costs
    assert "甲王0" not in html and "甲王1" not in html  # the other members' names
    pdf = client.get(url("notice", approved, format="pdf"))
    _pages, text = pdf_text(pdf.content)
    assert "甲王建国" in text and ADDRESS not in text and PHONE not in text
    assert approved.household.number not in text


def test_the_approval_form_has_the_decision_the_rule_version_and_the_seal(
    client, village, approved
):
    _township_officer, county = officers(village)
    client.force_login(county)
    html = client.get(url("approval", approved)).content.decode()
    assert str(approved.amount) in html and "2026年12月" in html  # paid from the next month
    assert "第 2 版(2021-07-01 起施行)" in html
    assert "固始县民政局(盖章)" in html and "县级民政部门负责人(签字)" in html


def test_the_refusal_notice_gives_the_reasons_and_the_remedies(client, village, refused):
    _township_officer, county = officers(village)
    client.force_login(county)
    html = client.get(url("refusal", refused)).content.decode()
    assert "家庭成员名下有机动车辆" in html and "存款超过本县规定的限额" in html
    assert "行政复议" in html and "行政诉讼" in html
    assert "受送达人(签字)" in html


def test_another_county_and_a_volunteer_are_refused_and_see_nothing(
    client, approved, xincai_officer, xincai_worker, volunteer
):
    other_township = make_user("xc_tsp", "township_officer", _township(XINCAI))
    for actor in (xincai_officer, xincai_worker, other_township, volunteer):
        client.force_login(actor)
        for form in ("application", "notice", "approval"):
            for query in ({}, {"format": "pdf"}):
                response = client.get(url(form, approved, **query))
                assert response.status_code in (403, 404), (actor.username, form)
                assert "甲王建国" not in response.content.decode(errors="replace")
    client.logout()
    response = client.get(url("application", approved))
    assert response.status_code == 302


def test_unknown_ids_and_odd_parameters_answer_without_a_server_error(client, village, approved):
    _township_officer, county = officers(village)
    client.force_login(county)
    assert client.get(f"/dibao/applications/{2**63}/print/application/").status_code == 404
    for query in ({"format": "xls"}, {"reveal": "yes"}, {"reveal": "1", "format": "docx"}):
        assert client.get(url("notice", approved, **query)).status_code == 200


@pytest.mark.parametrize("form", ["application", "verification", "notice", "approval", "refusal"])
def test_the_pdf_is_a_chinese_a4_document_with_page_numbers(client, village, form, request):
    a = request.getfixturevalue("refused" if form == "refusal" else "approved")
    township, county = officers(village)
    client.force_login(county)
    response = client.get(url(form, a, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert response["Content-Disposition"] == f'inline; filename="{a.number}-{form}.pdf"'
    pages, text = pdf_text(response.content)
    assert "王建国" in text and "第 1 页 共" in text
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_full_numbers_only_on_request_by_a_role_that_may_reveal_and_logged(
    client, village, approved, gushi_worker
):
    township, county = officers(village)
    people = list(approved.household.members.order_by("id"))
    before = AuditEvent.objects.filter(action="registry.reveal_id").count()
    client.force_login(township)
    html = client.get(url("verification", approved)).content.decode()
    assert all(p.id_number not in html for p in people)
    assert "?reveal=1" in html
    html = client.get(url("verification", approved, reveal="1")).content.decode()
    assert all(p.id_number in html for p in people)
    event = AuditEvent.objects.filter(action="registry.reveal_id").latest("id")
    assert event.changes["persons"] == [p.pk for p in people]
    assert event.changes["via"] == "dibao.print_verification"
    pdf = client.get(url("application", approved, reveal="1", format="pdf"))
    assert people[0].id_number in pdf_text(pdf.content)[1]
    assert AuditEvent.objects.filter(action="registry.reveal_id").count() == before + 2
    # The notice and the approval form never reveal; a social worker never may.
    html = client.get(url("approval", approved, reveal="1")).content.decode()
    assert all(p.id_number not in html for p in people)
    client.force_login(gushi_worker)
    html = client.get(url("application", approved, reveal="1")).content.decode()
    assert all(p.id_number not in html for p in people) and "?reveal=1" not in html
    assert AuditEvent.objects.filter(action="registry.reveal_id").count() == before + 2


def test_a_long_verification_form_numbers_every_page(client, village):
    township, county = officers(village)
    a = make_application(village, accepted_on=START, marker="戊")
    a = services.investigation_start(actor=township, application=a, on=START, version=a.version)
    client.force_login(county)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("verification", a)).status_code == 200
    for k in range(40):
        services.income_add(
            actor=township,
            application=a,
            source="business",
            yearly=Decimal(100 + k),
            note=f"第{k}笔零星经营收入,种植养殖",
            version=a.version,
        )
        a.refresh_from_db()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("verification", a)).status_code == 200
    assert len(many) == len(few)  # the form reads its lists in a fixed number of queries
    pages, text = pdf_text(client.get(url("verification", a, format="pdf")).content)
    assert pages >= 2
    for n in range(1, pages + 1):
        assert f"第 {n} 页 共 {pages} 页" in text
    assert a.stage == Stage.INVESTIGATING


def test_a_special_hardship_application_prints_under_its_own_title(client, village):
    township, _county = officers(village)
    a = make_application(village, accepted_on=START, marker="己", programme="hardship", members=1)
    client.force_login(township)
    html = client.get(url("application", a)).content.decode()
    assert "特困人员救助供养申请书" in html and "最低生活保障申请书" not in html
    _pages, text = pdf_text(client.get(url("application", a, format="pdf")).content)
    assert "特困人员救助供养申请书" in text

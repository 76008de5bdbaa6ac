"""Monthly payment lists: who is paid, how much, never twice, totals, finalising, the pages and
the bank's spreadsheet."""

from __future__ import annotations

import datetime
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import GUSHI, XINCAI, _township, make_org, make_user
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village

from .. import services
from ..models import Award, AwardStatus, ListStatus, PaymentLine, PaymentList, PaymentPerson
from ..selectors_payments import first_of_month, next_month
from ..services.payments import payment_list_build, payment_list_finalise
from .factories import days_ago, make_award, officers

pytestmark = pytest.mark.django_db


def _prev(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


THIS_MONTH = first_of_month(timezone.localdate())
LAST_MONTH = _prev(THIS_MONTH)
NEXT_MONTH = next_month(THIS_MONTH)


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def xincai_village():
    return make_village(_township(XINCAI)).code


def county(code: str) -> Region:
    return Region.objects.get(code=code[:6] + "000000")


def _award(village: str, marker: str = "", **fields) -> Award:
    """An award paying from last month (decided 50 days ago), then changed by `fields`."""
    award = make_award(village, marker=marker, accepted_on=days_ago(60))
    award.payment_from = LAST_MONTH
    for key, value in fields.items():
        setattr(award, key, value)
    award.save()
    return award


def build(village: str, month: datetime.date = THIS_MONTH) -> PaymentList:
    _township_officer, county_officer = officers(village)
    return payment_list_build(actor=county_officer, county=county(village), month=month)


def test_one_line_per_paying_award_and_none_for_the_others(village):
    paying = _award(village, "甲")
    exiting = _award(
        village, "乙", status=AwardStatus.GRADUAL_EXIT, payment_to=NEXT_MONTH
    )  # gradual exit: paid until its last month
    _award(village, "丙", status=AwardStatus.SUSPENDED)
    _award(village, "丁", status=AwardStatus.TERMINATED, payment_to=LAST_MONTH)
    _award(village, "戊", payment_from=NEXT_MONTH)  # not yet started
    ended = _award(village, "己", status=AwardStatus.GRADUAL_EXIT, payment_to=LAST_MONTH)
    pl = build(village)
    lines = {line.award_id: line for line in pl.lines.all()}
    assert set(lines) == {paying.pk, exiting.pk}
    line = lines[paying.pk]
    assert line.amount == paying.amount and line.members == paying.members
    assert line.snapshot["application"] == paying.application.number
    assert line.snapshot["award"] == paying.pk
    assert Decimal(line.snapshot["amount"]) == paying.amount
    assert line.snapshot["head"].startswith("甲")
    assert len(line.snapshot["persons"]) == paying.members
    assert PaymentPerson.objects.filter(line=line).count() == paying.members
    # A gradual exit is paid up to its last month, not after.
    assert ended.pk in set(build(village, LAST_MONTH).lines.values_list("award_id", flat=True))
    assert exiting.pk in set(build(village, NEXT_MONTH).lines.values_list("award_id", flat=True))


def test_totals_match_the_lines(village):
    a, b = _award(village, "甲"), _award(village, "乙", amount=Decimal("123.45"), members=2)
    pl = build(village)
    assert pl.households == 2
    assert pl.persons == a.members + 2
    assert pl.total == a.amount + Decimal("123.45")
    assert isinstance(pl.total, Decimal)
    stored = PaymentList.objects.get(pk=pl.pk)
    assert stored.total == pl.total and stored.status == ListStatus.DRAFT
    event = AuditEvent.objects.filter(action="dibao.payment_list_build").latest("id")
    assert event.changes["month"] == f"{THIS_MONTH:%Y-%m}"
    assert b.pk in set(stored.lines.values_list("award_id", flat=True))


def test_an_adjusted_amount_is_paid_from_its_effective_month(village):
    award = _award(village, "甲")
    old = award.amount
    township, _county = officers(village)
    # Reviewed last month: the new amount from this month (the month after the review).
    review = services.award_review(
        actor=township,
        award=award,
        reviewed_on=max(LAST_MONTH, award.application.decided_on),
        outcome="adjust",
        reason="家庭收入增加",
        amount_after=Decimal("200.50"),
        version=award.version,
    )
    assert review.effective_from == THIS_MONTH
    last = build(village, LAST_MONTH).lines.get()
    now = build(village, THIS_MONTH).lines.get()
    assert last.amount == old
    assert now.amount == Decimal("200.50")
    assert Decimal(last.snapshot["amount"]) == old


def test_a_later_registry_edit_does_not_rewrite_what_was_paid(village):
    award = _award(village, "甲")
    pl = build(village)
    head = award.household.members.get(relation="head")
    head.name = "改名后"
    head.save()
    line = pl.lines.get()
    assert line.snapshot["head"].startswith("甲")


def test_rebuilding_a_draft_replaces_it_and_a_final_list_cannot_change(village):
    _award(village, "甲")
    pl = build(village)
    _award(village, "乙")
    again = build(village)
    assert again.pk == pl.pk and again.households == 2
    assert PaymentLine.objects.filter(payment_list=pl).count() == 2
    _township_officer, county_officer = officers(village)
    final = payment_list_finalise(actor=county_officer, payment_list=again)
    assert final.status == ListStatus.FINAL
    _award(village, "丙")
    with pytest.raises(ValidationError, match="已确认"):
        build(village)
    with pytest.raises(ValidationError, match="已确认"):
        payment_list_finalise(actor=county_officer, payment_list=final)
    assert PaymentLine.objects.filter(payment_list=pl).count() == 2
    assert AuditEvent.objects.filter(action="dibao.payment_list_finalise").count() == 1


def test_the_same_household_in_another_countys_list_is_refused(village, xincai_village):
    gushi = _award(village, "甲")
    xincai = _award(xincai_village, "乙")
    build(village)
    # The Xincai award names the Gushi household (a data error): refused, naming both.
    Award.objects.filter(pk=xincai.pk).update(household=gushi.household)
    with pytest.raises(ValidationError) as refused:
        build(xincai_village)
    message = " ".join(refused.value.messages)
    assert gushi.household.number in message and "固始县" in message
    assert not PaymentLine.objects.filter(award=xincai).exists()


def test_the_same_person_in_another_countys_list_is_refused(village, xincai_village):
    gushi = _award(village, "甲")
    xincai = _award(xincai_village, "乙")
    build(village)
    person = gushi.household.members.get(relation="head")
    snapshot = xincai.snapshot
    snapshot["members"].append({"person": person.pk, "name": person.name, "counted": True})
    Award.objects.filter(pk=xincai.pk).update(snapshot=snapshot)
    with pytest.raises(ValidationError) as refused:
        build(xincai_village)
    message = " ".join(refused.value.messages)
    assert person.name in message and "固始县" in message
    assert not PaymentLine.objects.filter(award=xincai).exists()


def test_two_paying_awards_of_one_household_are_refused(village):
    a = _award(village, "甲")
    b = _award(village, "乙")
    Award.objects.filter(pk=b.pk).update(household=a.household)
    with pytest.raises(ValidationError, match=a.household.number):
        build(village)


def test_only_the_county_builds_and_finalises(village, xincai_village):
    _award(village, "甲")
    township, county_officer = officers(village)
    _t, xincai_county = officers(xincai_village)
    with pytest.raises(PermissionDenied):
        payment_list_build(actor=township, county=county(village), month=THIS_MONTH)
    with pytest.raises(PermissionDenied):
        payment_list_build(actor=xincai_county, county=county(village), month=THIS_MONTH)
    pl = payment_list_build(actor=county_officer, county=county(village), month=THIS_MONTH)
    with pytest.raises(PermissionDenied):
        payment_list_finalise(actor=xincai_county, payment_list=pl)
    with pytest.raises(PermissionDenied):
        payment_list_finalise(actor=township, payment_list=pl)
    assert PaymentList.objects.get(pk=pl.pk).status == ListStatus.DRAFT


def test_a_month_is_its_first_day_and_at_most_next_month(village):
    with pytest.raises(ValidationError):
        build(village, THIS_MONTH.replace(day=2))
    with pytest.raises(ValidationError):
        build(village, next_month(NEXT_MONTH))
    _township_officer, county_officer = officers(village)
    with pytest.raises(ValidationError):
        payment_list_build(
            actor=county_officer, county=Region.objects.get(code=village), month=THIS_MONTH
        )


def test_an_empty_list_cannot_be_finalised(village):
    pl = build(village)
    assert pl.households == 0 and pl.total == 0
    _township_officer, county_officer = officers(village)
    with pytest.raises(ValidationError):
        payment_list_finalise(actor=county_officer, payment_list=pl)


def test_the_build_takes_the_same_queries_for_one_award_or_four(village, xincai_village):
    _award(village, "甲")
    _township_officer, county_officer = officers(village)
    payment_list_build(actor=county_officer, county=county(village), month=LAST_MONTH)
    with CaptureQueriesContext(connection) as one:
        payment_list_build(actor=county_officer, county=county(village), month=THIS_MONTH)
    for k in range(4):
        _award(xincai_village, f"新{k}")
    _t, xincai_county = officers(xincai_village)
    payment_list_build(actor=xincai_county, county=county(xincai_village), month=LAST_MONTH)
    with CaptureQueriesContext(connection) as four:
        payment_list_build(actor=xincai_county, county=county(xincai_village), month=THIS_MONTH)
    assert PaymentLine.objects.filter(month=THIS_MONTH, region_id__gte="411729").count() == 4
    assert len(four) == len(one)


# --- pages and the bank's spreadsheet ----------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_build_show_and_finalise_a_list(village, xincai_village):
    award = _award(village, "甲")
    township, county_officer = officers(village)
    _t, xincai_county = officers(xincai_village)
    client = _client(county_officer)
    index = client.get(reverse("dibao:payment_list_index"))
    assert index.status_code == 200 and "编制发放名册" in index.content.decode()
    response = client.post(
        reverse("dibao:payment_list_build"),
        {"county": county(village).code, "month": f"{THIS_MONTH:%Y-%m}"},
    )
    pl = PaymentList.objects.get(region=county(village), month=THIS_MONTH)
    assert response.status_code == 302
    assert response["Location"] == reverse("dibao:payment_list_detail", args=[pl.pk])
    page = client.get(response["Location"]).content.decode()
    assert award.household.number in page and "甲王建国" in page and str(award.amount) in page
    assert "核对无误" in page
    # Another county's officer: 404, as for a list that does not exist; a township: refused.
    assert _client(xincai_county).get(response["Location"]).status_code == 404
    assert (
        _client(xincai_county)
        .post(reverse("dibao:payment_list_finalise", args=[pl.pk]))
        .status_code
        == 404
    )
    assert (
        _client(township)
        .post(
            reverse("dibao:payment_list_build"),
            {"county": county(village).code, "month": f"{THIS_MONTH:%Y-%m}"},
        )
        .status_code
        == 403
    )
    # A bad month is a form error, not a server error.
    bad = client.post(reverse("dibao:payment_list_build"), {"county": "x", "month": "2026-13"})
    assert bad.status_code == 400
    done = client.post(reverse("dibao:payment_list_finalise", args=[pl.pk]))
    assert done.status_code == 302
    assert PaymentList.objects.get(pk=pl.pk).status == ListStatus.FINAL
    page = client.get(response["Location"]).content.decode()
    assert "确认名册" not in page and "重新编制草稿" not in page
    again = client.post(reverse("dibao:payment_list_rebuild", args=[pl.pk]), follow=True)
    assert "已确认" in again.content.decode()


def _export(client: Client, pl: PaymentList, **data) -> Path:
    from django.conf import settings
    from django.test import TestCase

    from shegong.core.models import TaskProgress

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("dibao:payment_list_export", args=[pl.pk]), data)
    assert response.status_code == 302
    progress = TaskProgress.objects.filter(kind="dibao_payment_export").latest("created_at")
    assert progress.result_file, progress.message
    return settings.EXPORT_DIR / progress.result_file


def test_the_bank_spreadsheet_has_decimal_amounts_and_masked_numbers(village):
    from openpyxl import load_workbook

    a = _award(village, "甲", amount=Decimal("440.01"))
    b = _award(village, "乙", amount=Decimal("0.10"), members=1)
    _award(village, "丙", amount=Decimal("0.20"), members=2)
    pl = build(village)
    assert pl.total == Decimal("440.31")
    _township_officer, county_officer = officers(village)
    path = _export(_client(county_officer), pl)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["序号", "户编号", "户主姓名", "身份证号", "人数", "金额(元)", "村"]
    body = rows[1:-1]
    assert [r[0] for r in body] == [1, 2, 3]
    by_number = {r[1]: r for r in body}
    head = a.household.members.get(relation="head")
    row = by_number[a.household.number]
    assert row[2] == head.name and row[4] == a.members
    assert row[3] != head.id_number and row[3].endswith(head.id_number[-2:])
    assert {Decimal(str(r[5])) for r in body} == {
        Decimal("440.01"),
        Decimal("0.10"),
        Decimal("0.20"),
    }
    assert by_number[b.household.number][5] == pytest.approx(0.1)
    total = rows[-1]
    assert total[0] == "合计" and Decimal(str(total[5])) == Decimal("440.31")
    assert all(sheet.cell(row=n, column=6).number_format == "#,##0.00" for n in (2, 3, 4, 5))
    # The stored numbers are the decimals as written, never a float's digits (0.30000000000004).
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    values = re.findall(r"<v>([^<]*)</v>", xml)
    assert "440.31" in values
    assert "0.1" in values or "0.10" in values
    assert not [v for v in values if re.fullmatch(r"\d+\.\d{3,}", v)]
    note = [r for r in book.worksheets[1].iter_rows(values_only=True)]
    assert any("银行账号" in str(r[0]) for r in note)
    event = AuditEvent.objects.filter(action="dibao.payment_list_export").latest("id")
    assert event.changes["rows"] == 3 and event.changes["full_id_numbers"] is False


def test_full_id_numbers_only_when_asked_and_allowed(village):
    from openpyxl import load_workbook

    a = _award(village, "甲")
    pl = build(village)
    head = a.household.members.get(relation="head")
    _township_officer, county_officer = officers(village)
    path = _export(_client(county_officer), pl, full_ids="on")
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[1][3] == head.id_number
    assert (
        AuditEvent.objects.filter(action="dibao.payment_list_export")
        .latest("id")
        .changes["full_id_numbers"]
    )
    # A social worker of the county may see the list but not reveal numbers.
    worker = make_user("pay_worker", "social_worker", GUSHI, make_org("固始发放测试机构", GUSHI))
    path = _export(_client(worker), pl, full_ids="on")
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[1][3] != head.id_number


def test_the_list_page_takes_the_same_queries_for_one_line_or_three(village, xincai_village):
    _award(village, "甲")
    for k in range(3):
        _award(xincai_village, f"新{k}")
    one, three = build(village), build(xincai_village)
    counts = []
    for pl in (one, three):
        _township_officer, county_officer = officers(pl.region_id)
        client = _client(county_officer)
        url = reverse("dibao:payment_list_detail", args=[pl.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

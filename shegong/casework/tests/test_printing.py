"""The printed case record and referral form: the same access as the case, logged like a read,
Chinese text in the PDF, and never the confidential notes."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from shegong.casework.tests.factories import make_case, make_note, make_referral, make_service
from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent

pytestmark = pytest.mark.django_db
NOTE = "家暴线索,勿外传"


@pytest.fixture
def case(gushi_worker):
    case = make_case(region_code=GUSHI, owner=gushi_worker, marker="李桂兰")
    make_note(region_code=GUSHI, case=case, marker=NOTE)
    return case


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages)


def reads(case) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="casework.case_read", target_id=str(case.pk))
        .order_by("id")
        .values_list("actor__username", flat=True)
    )


def test_the_case_record_prints_with_signature_lines_and_without_the_notes(client, case):
    client.force_login(case.worker)
    response = client.get(reverse("casework:case_print", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "个案服务记录" in html
    assert case.number in html
    assert html.count('class="signature"') == 2
    assert "经办社工(签字)" in html
    assert "服务对象(签字)" in html
    assert NOTE not in html


def test_the_case_record_pdf_has_the_chinese_title_and_case_number_and_not_the_notes(client, case):
    client.force_login(case.worker)
    response = client.get(reverse("casework:case_print", args=[case.pk]), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{case.number}.pdf"'
    assert response.content[:5] == b"%PDF-"
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "个案服务记录" in text
    assert case.number in text
    assert "李桂兰" in text
    assert "第 1 页 共 1 页" in text
    assert NOTE not in text


def test_a_long_case_record_numbers_every_page(client, case):
    for i in range(30):
        make_service(region_code=GUSHI, case=case, marker=f"第{i}次入户走访,了解家庭生活状况" * 3)
    client.force_login(case.worker)
    response = client.get(reverse("casework:case_print", args=[case.pk]), {"format": "pdf"})
    pages, text = pdf_text(response.content)
    assert pages == 3
    for n in range(1, pages + 1):
        assert f"第 {n} 页 共 {pages} 页" in text


def test_printing_a_case_logs_the_same_read_as_opening_it(client, case, gushi_officer):
    client.force_login(gushi_officer)
    client.get(reverse("casework:case_print", args=[case.pk]))
    client.get(reverse("casework:case_print", args=[case.pk]), {"format": "pdf"})
    assert reads(case) == ["gushi_officer", "gushi_officer"]


def test_another_countys_case_and_referral_answer_404(client, xincai_officer):
    other = make_case(region_code=XINCAI, marker="张翠花")
    referral = make_referral(region_code=XINCAI, case=other)
    client.force_login(xincai_officer)
    assert client.get(reverse("casework:case_print", args=[other.pk])).status_code == 200
    client.logout()
    from shegong.conftest import make_user

    gushi = make_user("gushi_reader", "civil_affairs_officer", GUSHI)
    client.force_login(gushi)
    for url in (
        reverse("casework:case_print", args=[other.pk]),
        reverse("casework:referral_print", args=[referral.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "pdf"}).status_code == 404
    assert reads(other) == ["xincai_officer"]


def test_the_referral_form_prints_who_refers_whom_to_whom(client, case, gushi_officer):
    referral = make_referral(region_code=GUSHI, case=case, marker="申请临时救助和医疗救助")
    client.force_login(gushi_officer)
    url = reverse("casework:referral_print", args=[referral.pk])
    html = client.get(url).content.decode()
    assert "转介单" in html
    assert referral.institution.name in html
    assert "申请临时救助和医疗救助" in html
    assert html.count('class="signature"') == 3
    assert "接收机构经办人(签字)" in html
    assert NOTE not in html
    response = client.get(url, {"format": "pdf"})
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "转介单" in text
    assert case.number in text
    assert NOTE not in text
    assert reads(case) == ["gushi_officer", "gushi_officer"]

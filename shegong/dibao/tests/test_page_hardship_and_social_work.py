"""The application page's special-hardship facts and the social worker's assessment: shown to
those who take them, refused to others with nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from shegong.casework.models import Case
from shegong.casework.tests.factories import make_assessment, make_case
from shegong.conftest import GUSHI, _township
from shegong.core.testing import make_village

from ..models import Application
from .factories import investigate, make_application, make_hardship_application, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, a, action, data):
    return client.post(reverse(f"dibao:application_{action}", kwargs={"pk": a.pk}), data)


def test_the_township_records_the_hardship_facts_on_the_page(village):
    township, county = officers(village)
    a = make_hardship_application(village, birth=datetime.date(1950, 3, 1))
    a = investigate(a, on=a.accepted_on)
    page = _client(township).get(reverse("dibao:application_detail", args=[a.pk])).content
    assert "特困认定情况" in page.decode()
    data = {
        "version": a.version,
        "supporters": "无子女,配偶已故",
        "disability_kind": "",
        "support_mode": "home",
    }
    assert _act(_client(county), a, "hardship_facts", data).status_code == 403
    assert Application.objects.get(pk=a.pk).supporter_able is None
    response = _act(_client(township), a, "hardship_facts", data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.supporter_able is False and a.supporters == "无子女,配偶已故"


def test_a_dibao_application_offers_no_hardship_facts(village):
    township, _county = officers(village)
    a = investigate(make_application(village))
    page = _client(township).get(reverse("dibao:application_detail", args=[a.pk])).content
    assert "特困认定情况" not in page.decode()


def test_the_social_worker_attaches_an_assessment_on_the_page(village):
    a = make_application(village)
    case = make_case(region_code=village)
    Case.objects.filter(pk=case.pk).update(household=a.household)
    assessment = make_assessment(region_code=village, case=Case.objects.get(pk=case.pk))
    worker = case.worker
    client = _client(worker)
    page = client.get(reverse("dibao:application_detail", args=[a.pk])).content.decode()
    assert "附上社工需求与能力评估" in page
    response = _act(
        client,
        a,
        "assessment_attach",
        {"version": a.version, "assessment": assessment.pk, "note": "有就业意愿"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.assessment == assessment
    shown = client.get(reverse("dibao:application_detail", args=[a.pk])).content.decode()
    assert "有就业意愿" in shown
    township, _county = officers(village)
    refused = _act(
        _client(township),
        a,
        "assessment_attach",
        {"version": a.version, "assessment": assessment.pk, "note": "改"},
    )
    assert refused.status_code in (403, 200)
    a.refresh_from_db()
    assert a.assessment_note == "有就业意愿"

"""The less travelled actions of the case page: assigning, transferring, closing with a
supervisor's approval, reopening, and publishing a case study."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.casework.models import Case, CaseStudy, Stage
from shegong.casework.tests.factories import (
    make_assessment,
    make_case,
    make_case_study,
    make_evaluation,
    make_referral,
)
from shegong.conftest import GUSHI, make_user
from shegong.core.models import Region
from shegong.registry.tests.factories import make_household
from shegong.workforce.models import Supervision

pytestmark = pytest.mark.django_db


@pytest.fixture
def village():
    from shegong.core.testing import make_village

    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    return make_village(township.code).code


def _post(client, case, action, **data):
    return client.post(reverse(f"casework:case_{action}", args=[case.pk]), data)


def test_an_officer_opens_a_case_for_a_worker(client, gushi_officer, gushi_worker, village):
    household = make_household(village)
    client.force_login(gushi_officer)
    url = reverse("casework:case_new") + f"?household={household.pk}"
    assert "测试gushi_worker" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "source": "referral",
            "priority": "urgent",
            "presenting_problem": "乡镇转介:老人独居无人照料",
            "worker": gushi_worker.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(household=household)
    assert (case.worker, case.priority) == (gushi_worker, "urgent")


def test_a_worker_cannot_pick_another_worker(client, gushi_worker, village):
    household = make_household(village)
    client.force_login(gushi_worker)
    url = reverse("casework:case_new") + f"?household={household.pk}"
    assert 'name="worker"' not in client.get(url).content.decode()


def test_a_worker_hands_a_case_to_a_colleague(client, gushi_worker, gushi_org, village):
    colleague = make_user("colleague", "social_worker", GUSHI, gushi_org)
    case = make_case(region_code=village, owner=gushi_worker)
    client.force_login(gushi_worker)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "测试colleague" in page
    response = _post(
        client, case, "transfer", to_worker=colleague.pk, reason="工作调整", version=case.version
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.worker == colleague


def test_a_transfer_without_a_reason_shows_the_message(client, gushi_worker, gushi_org, village):
    colleague = make_user("colleague", "social_worker", GUSHI, gushi_org)
    case = make_case(region_code=village, owner=gushi_worker)
    client.force_login(gushi_worker)
    response = _post(client, case, "transfer", to_worker=colleague.pk, version=case.version)
    assert "请填写转案原因。" in response.content.decode()
    case.refresh_from_db()
    assert case.worker == gushi_worker


def test_closure_waits_for_the_supervisor(client, gushi_worker, gushi_org, village):
    gushi_org.closures_need_approval = True
    gushi_org.save()
    sup = make_user("sup", "supervisor", GUSHI, gushi_org)
    Supervision.objects.create(organisation=gushi_org, supervisor=sup, supervisee=gushi_worker)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.EVALUATION)
    make_evaluation(region_code=village, case=case)
    client.force_login(gushi_worker)
    response = _post(client, case, "close", reason="goals_met", version=case.version)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.closure_pending) == (Stage.EVALUATION, True)
    # Only the supervisor sees the approval form.
    assert (
        "结案审批"
        not in client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    )
    client.force_login(sup)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "结案审批" in page
    response = _post(client, case, "closure_review", decision="return", version=case.version)
    assert "退回时请填写意见。" in response.content.decode()
    response = _post(client, case, "closure_review", decision="approve", version=case.version)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_a_closed_case_is_reopened_with_a_reason(client, gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.CLOSED)
    client.force_login(gushi_worker)
    response = _post(client, case, "reopen", reason="", version=case.version)
    assert "请填写重新开案的原因。" in response.content.decode()
    response = _post(client, case, "reopen", reason="户主再次患病", version=case.version)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.times_reopened) == (Stage.ASSESSMENT, 1)


def test_an_overdue_referral_is_marked(client, gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    referral = make_referral(region_code=village, case=case)
    referral.due_on = timezone.localdate() - datetime.timedelta(days=2)
    referral.save()
    client.force_login(gushi_worker)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "已逾期" in page
    work = client.get(reverse("casework:my_work")).content.decode()
    assert referral.institution.name in work and "已逾期" in work


def test_a_stale_referral_update_is_refused(client, gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    referral = make_referral(region_code=village, case=case)
    client.force_login(gushi_worker)
    response = _post(
        client, case, "referral_update", referral=referral.pk, status="accepted", version=99
    )
    assert "该转介已被他人更新" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_clean_study_is_published_and_found(client, gushi_worker, gushi_officer, village):
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.CLOSED)
    make_assessment(region_code=village, case=case)
    study = make_case_study(region_code=village, case=case)
    client.force_login(gushi_worker)
    response = client.post(
        reverse("casework:study_detail", args=[study.pk]), {"version": study.version}
    )
    assert response.status_code == 302
    assert CaseStudy.objects.get(pk=study.pk).status == "published"
    client.force_login(gushi_officer)
    listing = client.get(
        reverse("casework:study_list"), {"need": "income", "service_type": "resource_linking"}
    ).content.decode()
    assert study.title in listing
    assert (
        study.title
        not in client.get(
            reverse("casework:study_list"), {"service_type": "counselling"}
        ).content.decode()
    )


def test_only_the_author_edits_a_study(client, gushi_worker, gushi_org, village):
    other = make_user("other", "social_worker", GUSHI, gushi_org)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.CLOSED)
    study = make_case_study(region_code=village, case=case)
    client.force_login(other)
    url = reverse("casework:study_edit", args=[study.pk])
    assert client.post(url, {"title": "改"}).status_code in (403, 404)
    assert CaseStudy.objects.get(pk=study.pk).title == study.title

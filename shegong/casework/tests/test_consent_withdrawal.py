"""Consent withdrawn during the work: a recorded event that stops new services and referrals
until consent is given again; the case page shows it with a "重新取得同意" action."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.casework import rules, services
from shegong.casework.models import Case, CaseLog, Referral, ServiceRecord
from shegong.casework.tests.test_services import TODAY, fresh, to_intervention
from shegong.core.models import AuditEvent
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("withdrawn_on", "on", "what", "expected"),
    [
        (None, D(2026, 5, 1), "service", ""),
        (D(2026, 5, 1), D(2026, 4, 30), "service", ""),  # work done before: may be written up
        (
            D(2026, 5, 1),
            D(2026, 5, 1),
            "service",
            "服务对象已于 2026-05-01 撤回同意,重新取得同意前不能记录新的服务。",
        ),
        (
            D(2026, 5, 1),
            D(2026, 5, 2),
            "service",
            "服务对象已于 2026-05-01 撤回同意,重新取得同意前不能记录新的服务。",
        ),
        (D(2026, 5, 1), D(2026, 4, 30), "referral", ""),
        (
            D(2026, 5, 1),
            D(2026, 5, 1),
            "referral",
            "服务对象已于 2026-05-01 撤回同意,重新取得同意前不能转介。",
        ),
    ],
)
def test_the_withdrawal_rule(withdrawn_on, on, what, expected):
    assert rules.withdrawn_consent_problem(withdrawn_on, on, what) == expected


def _withdraw(case, worker, **over):
    data = {"note": "服务对象表示暂不需要服务", "version": fresh(case).version}
    data.update(over)
    return services.consent_withdraw(actor=worker, case=fresh(case), **data)


def _service(case, worker, served_on=TODAY):
    return services.service_add(
        actor=worker,
        case=fresh(case),
        service_type="counselling",
        served_on=served_on,
        duration_minutes=60,
        place="服务对象家中",
        content="情绪疏导",
    )


def test_withdrawal_is_recorded_and_stops_services_and_referrals(case, gushi_worker):
    to_intervention(case, gushi_worker)
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY - datetime.timedelta(days=5))
    institution = make_institution(region_code=case.region_id[:6] + "000000")
    withdrawn = _withdraw(case, gushi_worker)
    assert (withdrawn.consent, withdrawn.consent_withdrawn_on) == (False, TODAY)
    log = CaseLog.objects.get(case=case, kind="consent_withdrawn")
    assert (log.to_value, log.note) == (str(TODAY), "服务对象表示暂不需要服务")
    event = AuditEvent.objects.get(action="casework.consent_withdraw")
    assert event.actor == gushi_worker
    with pytest.raises(ValidationError) as err:
        _service(case, gushi_worker)
    assert err.value.messages == [f"服务对象已于 {TODAY} 撤回同意,重新取得同意前不能记录新的服务。"]
    with pytest.raises(ValidationError) as err:
        services.referral_add(
            actor=gushi_worker,
            case=fresh(case),
            institution=institution,
            need="助学",
            consent_on=TODAY,
        )
    assert err.value.messages == [f"服务对象已于 {TODAY} 撤回同意,重新取得同意前不能转介。"]
    assert ServiceRecord.objects.filter(case=case).count() == 0
    assert Referral.objects.filter(case=case).count() == 0
    # Work done the day before the withdrawal may still be written up.
    assert _service(case, gushi_worker, served_on=TODAY - datetime.timedelta(days=1)).pk
    # Given again: services go on.
    regained = services.consent_regain(
        actor=gushi_worker, case=fresh(case), version=fresh(case).version, note="家访后同意"
    )
    assert (regained.consent, regained.consent_withdrawn_on) == (True, None)
    assert _service(case, gushi_worker).pk
    assert ServiceRecord.objects.filter(case=case).count() == 2
    assert list(
        CaseLog.objects.filter(case=case, kind__startswith="consent").values_list("kind", flat=True)
    ) == ["consent_regained", "consent_withdrawn"]


def test_only_the_case_worker_records_a_withdrawal(case, gushi_worker, gushi_officer):
    before = (fresh(case).consent, fresh(case).version)
    with pytest.raises(PermissionDenied):
        _withdraw(case, gushi_officer)
    assert (fresh(case).consent, fresh(case).version) == before
    assert not AuditEvent.objects.filter(action="casework.consent_withdraw").exists()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"note": " "}, "note", "请记录服务对象撤回同意的情况。"),
        ({"on": TODAY + datetime.timedelta(days=1)}, "on", "日期不能晚于今天。"),
        ({"on": TODAY - datetime.timedelta(days=1)}, "on", f"日期不能早于接案日期({TODAY})。"),
    ],
)
def test_a_bad_withdrawal_changes_nothing(case, gushi_worker, over, field, message):
    with pytest.raises(ValidationError) as err:
        _withdraw(case, gushi_worker, **over)
    assert err.value.message_dict == {field: [message]}
    assert (fresh(case).consent, fresh(case).consent_withdrawn_on) == (True, None)
    assert not CaseLog.objects.filter(case=case, kind="consent_withdrawn").exists()


def test_withdrawing_twice_or_regaining_without_withdrawal_is_refused(case, gushi_worker):
    with pytest.raises(ValidationError, match="服务对象没有撤回同意。"):
        services.consent_regain(actor=gushi_worker, case=fresh(case), version=None)
    _withdraw(case, gushi_worker)
    with pytest.raises(ValidationError, match="已于"):
        _withdraw(case, gushi_worker)
    with pytest.raises(ValidationError) as err:
        services.consent_regain(
            actor=gushi_worker,
            case=fresh(case),
            version=None,
            on=TODAY - datetime.timedelta(days=1),
        )
    assert err.value.message_dict == {"on": [f"日期不能早于撤回同意的日期({TODAY})。"]}
    assert fresh(case).consent_withdrawn_on == TODAY


def test_the_edit_form_cannot_tick_consent_back(case, gushi_worker):
    _withdraw(case, gushi_worker)
    with pytest.raises(ValidationError) as err:
        services.case_update(
            actor=gushi_worker, case=fresh(case), version=fresh(case).version, consent=True
        )
    assert err.value.message_dict == {
        "consent": ["服务对象已撤回同意:请使用“重新取得同意”记录再次同意。"]
    }
    assert fresh(case).consent is False


def test_the_case_page_shows_the_banner_and_regains_consent(client, case, gushi_worker):
    to_intervention(case, gushi_worker)
    client.force_login(gushi_worker)
    url = reverse("casework:case_detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert "服务对象撤回同意" in body and "记录一次服务" in body
    r = client.post(
        reverse("casework:case_consent_withdraw", args=[case.pk]),
        {"note": "不愿继续", "version": fresh(case).version},
    )
    assert r.status_code == 302
    body = client.get(url).content.decode()
    assert f"服务对象于 {TODAY} 撤回同意。重新取得同意前,不能记录新的服务,也不能转介。" in body
    assert "重新取得同意" in body
    assert "记录一次服务" not in body and "转介到机构" not in body
    regain = reverse("casework:case_consent_regain", args=[case.pk])
    r = client.post(regain, {"version": fresh(case).version})
    assert r.status_code == 302
    assert fresh(case).consent is True
    body = client.get(url).content.decode()
    assert "服务对象已撤回知情同意" not in body and "记录一次服务" in body

"""The casework API: same reach and same rules as the pages, answers in Chinese."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shegong.casework.models import (
    Case,
    FollowUp,
    FollowUpStatus,
    Referral,
    ReferralStatus,
    ServiceRecord,
    Stage,
)
from shegong.casework.tests.factories import (
    make_assessment,
    make_case,
    make_evaluation,
    make_follow_up,
    make_goal,
    make_plan,
    make_referral,
    make_service,
    make_worker,
)
from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db


def _village(county: str) -> str:
    township = Region.objects.filter(parent_id=county).order_by("code").first()
    return make_village(township.code).code


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def gushi_case(gushi_worker):
    return make_case(region_code=_village(GUSHI), owner=gushi_worker, marker="张桂兰")


@pytest.fixture
def xincai_case(xincai_worker):
    return make_case(region_code=_village(XINCAI), owner=xincai_worker, marker="李建国")


def _as(api, user):
    api.force_authenticate(user)
    return api


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _same(case):
    """The stored state of a case, to show a refused request changed nothing."""
    c = Case.objects.get(pk=case.pk)
    return (c.stage, c.version, c.worker_id, c.presenting_problem, c.priority)


# --- reading ----------------------------------------------------------------------------------


def test_each_persona_lists_exactly_the_cases_the_pages_show(
    api, gushi_case, xincai_case, gushi_worker, xincai_worker, gushi_officer, volunteer
):
    assert _ids(_as(api, gushi_worker).get("/api/v1/cases/")) == [gushi_case.pk]
    assert _ids(_as(api, xincai_worker).get("/api/v1/cases/")) == [xincai_case.pk]
    assert _ids(_as(api, gushi_officer).get("/api/v1/cases/")) == [gushi_case.pk]
    assert _as(api, volunteer).get("/api/v1/cases/").status_code == 403


def test_the_case_payload_names_the_household_but_no_one_in_it(api, gushi_case, gushi_worker):
    row = _as(api, gushi_worker).get(f"/api/v1/cases/{gushi_case.pk}/").json()
    assert row["household"] == gushi_case.household_id
    assert row["household_number"] == gushi_case.household.number
    assert row["number"] == gushi_case.number
    assert row["stage"] == "intake"
    assert row["stage_label"] == "接案"
    assert row["version"] == 1
    text = str(row)
    assert "id_number" not in text
    assert "张桂兰" not in text
    assert gushi_case.household.members.get().id_number not in text


def test_filters_narrow_the_list(api, gushi_worker, gushi_org, gushi_officer):
    village = _village(GUSHI)
    mine = make_case(region_code=village, owner=gushi_worker, stage=Stage.ASSESSMENT)
    colleague, _org = make_worker(GUSHI, gushi_org)
    theirs = make_case(region_code=village, owner=colleague)
    api = _as(api, gushi_worker)
    assert _ids(api.get("/api/v1/cases/")) == [theirs.pk, mine.pk]
    assert _ids(api.get("/api/v1/cases/", {"mine": "true"})) == [mine.pk]
    assert _ids(api.get("/api/v1/cases/", {"stage": "assessment"})) == [mine.pk]
    assert _ids(api.get("/api/v1/cases/", {"worker": colleague.pk})) == [theirs.pk]
    assert _ids(api.get("/api/v1/cases/", {"region": village[:9] + "000"})) == [theirs.pk, mine.pk]
    assert _ids(api.get("/api/v1/cases/", {"region": "411729000000"})) == []


def test_a_bad_filter_is_400_in_chinese(api, gushi_worker):
    response = _as(api, gushi_worker).get("/api/v1/cases/", {"stage": "nowhere"})
    assert response.status_code == 400
    assert response.json() == {"stage": ["“nowhere” 不是合法选项。"]}


def test_a_case_outside_answers_404_like_a_missing_one(api, gushi_worker, xincai_case):
    api = _as(api, gushi_worker)
    assert api.get(f"/api/v1/cases/{xincai_case.pk}/").status_code == 404
    assert api.get("/api/v1/cases/999999/").status_code == 404


def test_an_officer_reading_a_case_is_logged(api, gushi_case, gushi_officer, gushi_worker):
    assert _as(api, gushi_worker).get(f"/api/v1/cases/{gushi_case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="casework.case_read").count() == 0
    assert _as(api, gushi_officer).get(f"/api/v1/cases/{gushi_case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="casework.case_read", actor=gushi_officer).count() == 1


@pytest.mark.parametrize("count", [3, 20])
def test_the_case_list_costs_the_same_for_3_or_20_cases(
    api, gushi_worker, count, django_assert_num_queries
):
    village = _village(GUSHI)
    for _i in range(count):
        make_case(region_code=village, owner=gushi_worker)
    api = _as(api, gushi_worker)
    # memberships, cases with household, person, worker, agency and region in one join
    with django_assert_num_queries(2):
        response = api.get("/api/v1/cases/")
    assert len(response.json()["results"]) == count


# --- opening and editing ------------------------------------------------------------------------


def test_a_worker_opens_a_case_in_their_county(api, gushi_worker):
    household = make_household(_village(GUSHI))
    head = household.members.get()
    response = _as(api, gushi_worker).post(
        "/api/v1/cases/",
        {
            "household": household.pk,
            "person": head.pk,
            "source": "outreach",
            "presenting_problem": "因病致贫",
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.worker_id, case.person_id, case.stage) == (gushi_worker.pk, head.pk, "intake")
    assert response.json()["person"] == head.pk


def test_an_officer_opens_a_case_for_a_worker(api, gushi_officer, gushi_worker):
    household = make_household(_village(GUSHI))
    response = _as(api, gushi_officer).post(
        "/api/v1/cases/",
        {
            "household": household.pk,
            "source": "registry",
            "presenting_problem": "建档立卡派案",
            "worker": gushi_worker.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get().worker_id == gushi_worker.pk


@pytest.mark.parametrize("who", ["xincai_worker", "volunteer", "gushi_officer"])
def test_others_cannot_open_a_case_for_themselves_in_gushi(api, personas, who):
    household = make_household(_village(GUSHI))
    response = _as(api, personas[who]).post(
        "/api/v1/cases/",
        {"household": household.pk, "source": "outreach", "presenting_problem": "求助"},
        format="json",
    )
    assert (
        response.status_code
        == {
            "xincai_worker": 400,
            "volunteer": 403,
            "gushi_officer": 400,
        }[who]
    )
    assert Case.objects.count() == 0
    if who == "xincai_worker":
        assert response.json() == {"household": ["该户不存在或不在您的管辖范围内。"]}
    if who == "gushi_officer":
        assert response.json() == {"worker": ["负责社工须是在该户所在区域服务的社会工作者。"]}


def test_bad_input_is_400_per_field_in_chinese(api, gushi_worker):
    household = make_household(_village(GUSHI))
    other = make_household(_village(GUSHI))
    api = _as(api, gushi_worker)
    blank = api.post(
        "/api/v1/cases/",
        {"household": household.pk, "source": "outreach", "presenting_problem": "  "},
        format="json",
    )
    assert blank.status_code == 400
    assert blank.json() == {"presenting_problem": ["请填写求助问题。"]}
    stranger = api.post(
        "/api/v1/cases/",
        {
            "household": household.pk,
            "person": other.members.get().pk,
            "source": "outreach",
            "presenting_problem": "求助",
        },
        format="json",
    )
    assert stranger.json() == {"person": ["服务对象须是该户的成员。"]}
    missing = api.post("/api/v1/cases/", {"household": household.pk}, format="json")
    assert missing.json() == {
        "source": ["该字段是必填项。"],
        "presenting_problem": ["该字段是必填项。"],
    }
    assert Case.objects.count() == 0


def test_the_worker_edits_with_the_version_they_read(api, gushi_case, gushi_worker):
    api = _as(api, gushi_worker)
    url = f"/api/v1/cases/{gushi_case.pk}/"
    response = api.patch(url, {"priority": "urgent", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["priority"], response.json()["version"]) == ("urgent", 2)
    stale = api.patch(url, {"priority": "normal", "version": 1}, format="json")
    assert stale.status_code == 400
    assert stale.json() == {
        "version": ["该个案已被他人修改,请刷新页面后重新操作。您填写的内容尚未保存。"]
    }
    unversioned = api.patch(url, {"priority": "normal"}, format="json")
    assert unversioned.json() == {"version": ["请提供版本号,以免覆盖他人的修改。"]}
    assert Case.objects.get(pk=gushi_case.pk).priority == "urgent"


@pytest.mark.parametrize(
    ("who", "code"), [("gushi_officer", 403), ("xincai_worker", 404), ("volunteer", 403)]
)
def test_no_one_else_edits_a_case(api, personas, gushi_case, who, code):
    before = _same(gushi_case)
    response = _as(api, personas[who]).patch(
        f"/api/v1/cases/{gushi_case.pk}/", {"priority": "urgent", "version": 1}, format="json"
    )
    assert response.status_code == code
    assert _same(gushi_case) == before


def test_put_and_delete_are_not_offered(api, gushi_case, gushi_worker):
    api = _as(api, gushi_worker)
    assert api.put(f"/api/v1/cases/{gushi_case.pk}/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/cases/{gushi_case.pk}/").status_code == 405


# --- the stages ---------------------------------------------------------------------------------


def _move(api, case_id, to, version, note=""):
    return api.post(
        f"/api/v1/cases/{case_id}/move/", {"to": to, "version": version, "note": note}, "json"
    )


def test_a_case_goes_through_all_six_stages_over_the_api(api, gushi_case, gushi_worker):
    api = _as(api, gushi_worker)
    pk = gushi_case.pk
    row = _move(api, pk, "assessment", 1).json()
    assert (row["stage"], row["stage_label"]) == ("assessment", "预估")
    make_assessment(region_code=gushi_case.region_id, case=gushi_case)
    row = _move(api, pk, "planning", row["version"]).json()
    assert row["stage"] == "planning"
    make_goal(region_code=gushi_case.region_id, plan=make_plan(region_code="", case=gushi_case))
    row = _move(api, pk, "intervention", row["version"]).json()
    assert row["stage_label"] == "介入"
    served = api.post(
        "/api/v1/service-records/",
        {
            "case": pk,
            "service_type": "living",
            "served_on": str(timezone.localdate()),
            "duration_minutes": 90,
            "place": "服务对象家中",
            "content": "入户走访",
        },
        format="json",
    )
    assert served.status_code == 201, served.content
    version = api.get(f"/api/v1/cases/{pk}/").json()["version"]
    row = _move(api, pk, "evaluation", version).json()
    assert row["stage"] == "evaluation"
    make_evaluation(region_code=gushi_case.region_id, case=gushi_case)
    closed = api.post(
        f"/api/v1/cases/{pk}/close/",
        {"reason": "goals_met", "version": row["version"]},
        format="json",
    )
    assert closed.status_code == 200, closed.content
    assert (closed.json()["stage_label"], closed.json()["closed_on"]) == (
        "结案",
        str(timezone.localdate()),
    )
    reopened = api.post(
        f"/api/v1/cases/{pk}/reopen/",
        {"reason": "家庭再次陷入困难", "version": closed.json()["version"]},
        format="json",
    )
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["stage"], reopened.json()["times_reopened"]) == ("assessment", 1)
    assert list(Case.objects.get(pk=pk).log.values_list("kind", flat=True)) == [
        "reopen",
        "stage",
        "stage",
        "stage",
        "stage",
        "stage",
    ]


def test_a_skipped_stage_is_refused_in_chinese(api, gushi_case, gushi_worker):
    response = _move(_as(api, gushi_worker), gushi_case.pk, "planning", 1)
    assert response.status_code == 400
    assert response.json() == {"detail": ["不能跳过阶段:“接案”之后应进入“预估”。"]}
    assert _same(gushi_case)[:2] == ("intake", 1)


def test_a_stale_move_is_refused(api, gushi_case, gushi_worker):
    Case.objects.filter(pk=gushi_case.pk).update(version=2)
    response = _move(_as(api, gushi_worker), gushi_case.pk, "assessment", 1)
    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    assert _same(gushi_case)[:2] == ("intake", 2)


@pytest.mark.parametrize(
    ("who", "code"),
    [("gushi_officer", 403), ("xincai_worker", 404), ("volunteer", 403), ("gushi_worker", 200)],
)
def test_only_the_cases_worker_moves_it(api, personas, gushi_case, who, code):
    before = _same(gushi_case)
    response = _move(_as(api, personas[who]), gushi_case.pk, "assessment", 1)
    assert response.status_code == code
    if code != 200:
        assert _same(gushi_case) == before


@pytest.mark.parametrize(
    ("who", "code"), [("gushi_officer", 403), ("xincai_worker", 404), ("volunteer", 403)]
)
def test_no_one_else_closes_or_reopens(api, personas, gushi_worker, who, code):
    village = _village(GUSHI)
    evaluating = make_case(region_code=village, owner=gushi_worker, stage=Stage.EVALUATION)
    make_evaluation(region_code=village, case=evaluating)
    closed = make_case(region_code=village, owner=gushi_worker, stage=Stage.CLOSED)
    api = _as(api, personas[who])
    before = (_same(evaluating), _same(closed))
    response = api.post(
        f"/api/v1/cases/{evaluating.pk}/close/", {"reason": "goals_met", "version": 1}, "json"
    )
    assert response.status_code == code
    response = api.post(f"/api/v1/cases/{closed.pk}/reopen/", {"reason": "x", "version": 1}, "json")
    # An officer of the county may reopen; the others may not.
    assert response.status_code == (200 if who == "gushi_officer" else code)
    if who != "gushi_officer":
        assert (_same(evaluating), _same(closed)) == before


def test_close_without_a_reason_is_400(api, gushi_worker):
    village = _village(GUSHI)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.EVALUATION)
    response = _as(api, gushi_worker).post(
        f"/api/v1/cases/{case.pk}/close/", {"reason": "", "version": 1}, "json"
    )
    assert response.status_code == 400
    assert response.json() == {"reason": ["“” 不是合法选项。"]}


def test_a_worker_hands_a_case_to_a_colleague(api, gushi_case, gushi_worker, gushi_org):
    colleague, _org = make_worker(GUSHI, gushi_org)
    response = _as(api, gushi_worker).post(
        f"/api/v1/cases/{gushi_case.pk}/transfer/",
        {"to_worker": colleague.pk, "reason": "工作调整", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["worker"] == colleague.pk
    assert Case.objects.get(pk=gushi_case.pk).worker_id == colleague.pk


def test_a_transfer_to_someone_outside_the_county_is_400(
    api, gushi_case, gushi_worker, xincai_worker
):
    response = _as(api, gushi_worker).post(
        f"/api/v1/cases/{gushi_case.pk}/transfer/",
        {"to_worker": xincai_worker.pk, "reason": "工作调整", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"to_worker": ["接收人须是在该户所在区域服务的社会工作者。"]}
    assert _same(gushi_case)[2] == gushi_worker.pk


@pytest.mark.parametrize(("who", "code"), [("xincai_worker", 404), ("volunteer", 403)])
def test_no_one_outside_transfers(api, personas, gushi_case, gushi_worker, gushi_org, who, code):
    colleague, _org = make_worker(GUSHI, gushi_org)
    response = _as(api, personas[who]).post(
        f"/api/v1/cases/{gushi_case.pk}/transfer/",
        {"to_worker": colleague.pk, "reason": "工作调整", "version": 1},
        format="json",
    )
    assert response.status_code == code
    assert _same(gushi_case)[2] == gushi_worker.pk


# --- service records ------------------------------------------------------------------------------


def _service(case_id):
    return {
        "case": case_id,
        "service_type": "counselling",
        "served_on": str(timezone.localdate()),
        "duration_minutes": 45,
        "place": "村委会",
        "content": "心理疏导",
    }


def test_service_records_are_listed_per_case_and_added_by_the_worker(api, gushi_worker):
    village = _village(GUSHI)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    other = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    old = make_service(region_code=village, case=other)
    api = _as(api, gushi_worker)
    created = api.post("/api/v1/service-records/", _service(case.pk), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["service_type_label"] == "心理疏导"
    new_id = created.json()["id"]
    assert _ids(api.get("/api/v1/service-records/", {"case": case.pk})) == [new_id]
    assert _ids(api.get("/api/v1/service-records/")) == [new_id, old.pk]
    assert api.get(f"/api/v1/service-records/{old.pk}/").status_code == 200
    assert api.patch(f"/api/v1/service-records/{old.pk}/", {}, "json").status_code == 405


@pytest.mark.parametrize(
    ("who", "code"), [("gushi_officer", 403), ("xincai_worker", 400), ("volunteer", 403)]
)
def test_no_one_else_records_a_service(api, personas, gushi_worker, who, code):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    response = _as(api, personas[who]).post(
        "/api/v1/service-records/", _service(case.pk), format="json"
    )
    assert response.status_code == code
    if code == 400:
        assert response.json() == {"case": ["该个案不存在或不在您的管辖范围内。"]}
    assert ServiceRecord.objects.count() == 0


def test_a_service_in_the_future_is_400_in_chinese(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    data = _service(case.pk) | {
        "served_on": str(timezone.localdate() + datetime.timedelta(days=1)),
        "duration_minutes": 0,
    }
    response = _as(api, gushi_worker).post("/api/v1/service-records/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "served_on": ["服务日期不能晚于今天。"],
        "duration_minutes": ["服务时长须大于0分钟。"],
    }


def test_rows_of_an_outside_case_answer_404(api, gushi_worker, xincai_case):
    village = xincai_case.region_id
    api = _as(api, gushi_worker)
    service = make_service(region_code=village, case=xincai_case)
    referral = make_referral(region_code=village, case=xincai_case)
    follow_up = make_follow_up(region_code=village, case=xincai_case)
    assert api.get(f"/api/v1/service-records/{service.pk}/").status_code == 404
    assert api.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert api.get(f"/api/v1/follow-ups/{follow_up.pk}/").status_code == 404
    assert _ids(api.get("/api/v1/service-records/", {"case": xincai_case.pk})) == []
    assert _ids(api.get("/api/v1/referrals/")) == []
    assert _ids(api.get("/api/v1/follow-ups/")) == []


# --- referrals ------------------------------------------------------------------------------------


def test_the_worker_refers_and_records_the_answer(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    institution = make_institution(region_code=GUSHI)
    api = _as(api, gushi_worker)
    today = str(timezone.localdate())
    created = api.post(
        "/api/v1/referrals/",
        {"case": case.pk, "institution": institution.pk, "need": "临时救助", "consent_on": today},
        format="json",
    )
    assert created.status_code == 201, created.content
    row = created.json()
    assert (row["status"], row["status_label"], row["version"]) == ("sent", "已转介,待回复", 1)
    accepted = api.post(
        f"/api/v1/referrals/{row['id']}/status/",
        {"status": "accepted", "version": 1},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["version"]) == ("accepted", 2)
    stale = api.post(
        f"/api/v1/referrals/{row['id']}/status/",
        {"status": "served", "note": "已发放救助金", "version": 1},
        format="json",
    )
    assert stale.status_code == 400
    assert list(stale.json()) == ["version"]
    assert Referral.objects.get().status == ReferralStatus.ACCEPTED


def test_a_referral_without_consent_or_to_a_far_institution_is_400(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    api = _as(api, gushi_worker)
    near = make_institution(region_code=GUSHI)
    far = make_institution(region_code=XINCAI)
    no_consent = api.post(
        "/api/v1/referrals/", {"case": case.pk, "institution": near.pk, "need": "救助"}, "json"
    )
    assert no_consent.json() == {"consent_on": ["转介须征得服务对象同意,请填写同意日期。"]}
    too_far = api.post(
        "/api/v1/referrals/",
        {
            "case": case.pk,
            "institution": far.pk,
            "need": "救助",
            "consent_on": str(timezone.localdate()),
        },
        format="json",
    )
    assert too_far.json() == {"institution": ["该机构的服务范围不包括该户所在地区,不能转介。"]}
    assert Referral.objects.count() == 0


def test_referrals_filter_by_case_status_and_overdue(api, gushi_worker):
    village = _village(GUSHI)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    on_time = make_referral(region_code=village, case=case)
    late = make_referral(region_code=village, case=case)
    Referral.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    served = make_referral(region_code=village, owner=gushi_worker)
    Referral.objects.filter(pk=served.pk).update(status=ReferralStatus.SERVED)
    api = _as(api, gushi_worker)
    assert _ids(api.get("/api/v1/referrals/", {"case": case.pk})) == [late.pk, on_time.pk]
    assert _ids(api.get("/api/v1/referrals/", {"overdue": "true"})) == [late.pk]
    assert _ids(api.get("/api/v1/referrals/", {"status": "served"})) == [served.pk]
    assert api.get("/api/v1/referrals/", {"status": "lost"}).status_code == 400


@pytest.mark.parametrize(
    ("who", "code"), [("gushi_officer", 403), ("xincai_worker", 404), ("volunteer", 403)]
)
def test_no_one_else_answers_a_referral(api, personas, gushi_worker, who, code):
    village = _village(GUSHI)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    referral = make_referral(region_code=village, case=case)
    response = _as(api, personas[who]).post(
        f"/api/v1/referrals/{referral.pk}/status/", {"status": "accepted", "version": 1}, "json"
    )
    assert response.status_code == code
    assert Referral.objects.get().status == ReferralStatus.SENT


# --- follow-ups -----------------------------------------------------------------------------------


def test_the_worker_schedules_and_records_a_follow_up(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.CLOSED)
    api = _as(api, gushi_worker)
    due = str(timezone.localdate() + datetime.timedelta(days=30))
    created = api.post(
        "/api/v1/follow-ups/", {"case": case.pk, "due_on": due, "purpose": "结案回访"}, "json"
    )
    assert created.status_code == 201, created.content
    row = created.json()
    assert (row["assigned_to"], row["status_label"]) == (gushi_worker.pk, "待回访")
    assert _ids(api.get("/api/v1/follow-ups/", {"mine": "true", "status": "scheduled"})) == [
        row["id"]
    ]
    done = api.post(
        f"/api/v1/follow-ups/{row['id']}/complete/",
        {"note": "家庭生活稳定", "version": 1},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["done_on"]) == ("done", str(timezone.localdate()))


def test_a_follow_up_in_the_past_or_without_a_note_is_400(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    api = _as(api, gushi_worker)
    past = str(timezone.localdate() - datetime.timedelta(days=1))
    response = api.post(
        "/api/v1/follow-ups/", {"case": case.pk, "due_on": past, "purpose": "回访"}, "json"
    )
    assert response.json() == {"due_on": ["回访日期不能早于今天。"]}
    follow_up = make_follow_up(region_code=case.region_id, case=case)
    response = api.post(
        f"/api/v1/follow-ups/{follow_up.pk}/complete/", {"note": " ", "version": 1}, "json"
    )
    assert response.status_code == 400
    assert response.json() == {"note": ["请填写回访记录。"]}
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.SCHEDULED


def test_a_follow_up_for_a_worker_of_another_agency_is_400(api, gushi_worker):
    case = make_case(region_code=_village(GUSHI), owner=gushi_worker, stage=Stage.INTERVENTION)
    other_agency_worker, _org = make_worker(GUSHI)
    response = _as(api, gushi_worker).post(
        "/api/v1/follow-ups/",
        {
            "case": case.pk,
            "due_on": str(timezone.localdate()),
            "purpose": "回访",
            "assigned_to": other_agency_worker.pk,
        },
        format="json",
    )
    assert response.json() == {"assigned_to": ["回访人须是本机构在该区域服务的社工。"]}
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "code"), [("gushi_officer", 403), ("xincai_worker", 404), ("volunteer", 403)]
)
def test_no_one_else_records_a_follow_up(api, personas, gushi_worker, who, code):
    village = _village(GUSHI)
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    follow_up = make_follow_up(region_code=village, case=case)
    api = _as(api, personas[who])
    response = api.post(
        f"/api/v1/follow-ups/{follow_up.pk}/complete/", {"note": "已回访", "version": 1}, "json"
    )
    assert response.status_code == code
    created = api.post(
        "/api/v1/follow-ups/",
        {"case": case.pk, "due_on": str(timezone.localdate()), "purpose": "回访"},
        format="json",
    )
    assert created.status_code == (400 if who == "xincai_worker" else 403)
    assert list(FollowUp.objects.values_list("status", flat=True)) == ["scheduled"]


# --- the schema -----------------------------------------------------------------------------------


def test_the_schema_documents_the_casework_api_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    assert "Warning" not in capsys.readouterr().err

"""Dynamic monitoring: each rule at its threshold and just short of it, a second run opening
nothing, a closed finding that still holds raised again, a run's queries not growing with the
number of awards, closing an alert (who may, with an outcome), the command and the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from shegong.conftest import GUSHI, XINCAI, _township, make_user
from shegong.core.models import AuditEvent
from shegong.core.rulesets import rules_for
from shegong.core.testing import make_village
from shegong.registry.models import Household, Person
from shegong.registry.tests.factories import make_household

from .. import monitoring
from ..models import Alert, Application, Award
from ..rulesets import MONITORING
from ..services.monitoring import alert_close, monitor_run
from .factories import award_factory, officers

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
STANDARD = Decimal("2960")  # the factories' county standard, yuan per person per year


@pytest.fixture
def village():
    return make_village(_township(GUSHI)).code


@pytest.fixture
def award(village):
    return award_factory(region_code=village, marker="监")


def _quiet_day(award: Award) -> datetime.date:
    """A day on which nothing about the factory's award is a finding."""
    return award.next_review_on


def _opened(rule: str, **kw) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule, status="open", **kw).order_by("id"))


def _values(kind: str = MONITORING, on: datetime.date | None = None):
    return rules_for(kind, on or datetime.date(2026, 1, 1))


# --- the rules as functions, at their edges -------------------------------------------------


def test_review_overdue_from_the_day_after_the_review_date():
    v = _values()
    due = datetime.date(2026, 3, 31)
    assert monitoring.review_overdue(due, due, v) is None
    assert "逾期 1 天" in monitoring.review_overdue(due, due + DAY, v)


def test_income_at_the_standard_is_a_finding_a_fen_below_is_not():
    v = _values()
    assert monitoring.income_above(STANDARD - Decimal("0.01"), STANDARD, v) is None
    assert "2960.00" in monitoring.income_above(STANDARD, STANDARD, v)
    assert monitoring.income_above(None, STANDARD, v) is None


def test_working_by_status_or_by_months_away():
    v = _values()
    snap = {"members": [{"person": 7, "work_status": "", "months_away": None}]}
    assert (
        monitoring.member_working(
            person_id=7, name="甲", status="none", months_away=5, snapshot=snap, values=v
        )
        is None
    )
    assert monitoring.member_working(
        person_id=7, name="甲", status="none", months_away=6, snapshot=snap, values=v
    )
    assert monitoring.member_working(
        person_id=7, name="甲", status="county", months_away=None, snapshot=snap, values=v
    )
    # Working already at the decision: nothing new.
    then = {"members": [{"person": 7, "work_status": "county", "months_away": None}]}
    assert (
        monitoring.member_working(
            person_id=7, name="甲", status="county", months_away=None, snapshot=then, values=v
        )
        is None
    )
    # A snapshot without work status: wage income recorded for the member means working then.
    old = {"members": [{"person": 7}], "incomes": [{"source": "wages", "person": 7}]}
    assert (
        monitoring.member_working(
            person_id=7, name="甲", status="county", months_away=None, snapshot=old, values=v
        )
        is None
    )
    old["incomes"] = [{"source": "wages", "person": None}]
    assert monitoring.member_working(
        person_id=7, name="甲", status="county", months_away=None, snapshot=old, values=v
    )


def test_hardship_minor_keeps_support_to_18_and_longer_in_school():
    v = _values("hardship_procedure")
    birth = datetime.date(2008, 6, 15)
    kw = {"name": "乙", "birth": birth, "disability_kind": "", "disability_grade": None}
    eve, day = datetime.date(2026, 6, 14), datetime.date(2026, 6, 15)
    assert monitoring.hardship_condition(in_school="none", on=eve, values=v, **kw) is None
    assert "18" in monitoring.hardship_condition(in_school="none", on=day, values=v, **kw)
    assert monitoring.hardship_condition(in_school="senior", on=day, values=v, **kw) is None
    # A qualifying disability (physical grade 2 or higher) keeps the condition; grade 3 not.
    kw["disability_kind"] = "physical"
    kw["disability_grade"] = 2
    assert monitoring.hardship_condition(in_school="none", on=day, values=v, **kw) is None
    kw["disability_grade"] = 3
    assert monitoring.hardship_condition(in_school="none", on=day, values=v, **kw)
    # At 60 the age condition is met again.
    kw["birth"] = datetime.date(1966, 6, 15)
    assert monitoring.hardship_condition(in_school="none", on=day, values=v, **kw) is None
    assert monitoring.hardship_condition(in_school="none", on=eve, values=v, **kw)


def test_near_poor_below_one_and_a_half_times_the_standard():
    factor = Decimal("1.5")
    line = STANDARD * factor
    assert monitoring.near_poor(line, STANDARD, factor) is None
    assert "边缘" in monitoring.near_poor(line - Decimal("0.01"), STANDARD, factor)
    assert "低于本县低保标准" in monitoring.near_poor(STANDARD - 1, STANDARD, factor)


def test_size_and_members_gone():
    assert monitoring.size_changed(3, 3) is None
    assert "4 人" in monitoring.size_changed(4, 3)
    assert monitoring.member_gone(name="丙", now_household=5, award_household=5) is None
    assert "迁出" in monitoring.member_gone(name="丙", now_household=6, award_household=5)
    assert monitoring.assets_flagged(False) is None and monitoring.assets_flagged(True)


# --- the run -----------------------------------------------------------------------------------


def test_a_fresh_award_is_not_a_finding(award):
    counts = monitor_run(on=_quiet_day(award))
    assert counts["opened"] == 0
    assert not Alert.objects.exists()


def test_review_overdue_is_raised_the_day_after_and_once(award):
    due = award.next_review_on
    assert monitor_run(on=due)["review_overdue"] == 0
    counts = monitor_run(on=due + DAY)
    assert counts["review_overdue"] == 1 and counts["opened"] == 1
    alert = Alert.objects.get()
    assert alert.award == award and alert.region_id == award.household.region_id
    assert alert.rules.kind == MONITORING and alert.subject == ""
    assert monitor_run(on=due + 2 * DAY)["opened"] == 0
    assert Alert.objects.count() == 1


def test_income_at_the_standard_is_raised_a_fen_below_is_not(award):
    on = _quiet_day(award)
    Household.objects.filter(pk=award.household_id).update(
        net_income_per_person=STANDARD - Decimal("0.01")
    )
    assert monitor_run(on=on)["income_above"] == 0
    Household.objects.filter(pk=award.household_id).update(net_income_per_person=STANDARD)
    assert monitor_run(on=on)["income_above"] == 1
    assert "2960.00" in _opened("income_above")[0].detail


def test_a_member_newly_working_or_away_is_raised_per_member(award):
    on = _quiet_day(award)
    spouse, son = (
        Person.objects.filter(household=award.household).exclude(relation="head").order_by("id")
    )
    Person.objects.filter(pk=spouse.pk).update(work_status="none", months_away=5)
    assert monitor_run(on=on)["member_working"] == 0
    Person.objects.filter(pk=spouse.pk).update(months_away=6)
    Person.objects.filter(pk=son.pk).update(work_status="out_of_province")
    assert monitor_run(on=on)["member_working"] == 2
    assert {a.subject for a in _opened("member_working")} == {str(spouse.pk), str(son.pk)}
    assert "省外务工" in _opened("member_working", subject=str(son.pk))[0].detail


def test_household_size_and_a_member_who_left(award, village):
    on = _quiet_day(award)
    son = Person.objects.filter(household=award.household, relation="son").first() or (
        Person.objects.filter(household=award.household).exclude(relation="head").last()
    )
    other = make_household(village, head_name="他户")
    Person.objects.filter(pk=son.pk).update(household=other)
    Household.objects.filter(pk=award.household_id).update(member_count=2)
    counts = monitor_run(on=on)
    assert counts["size_changed"] == 1 and counts["member_gone"] == 1
    assert _opened("member_gone")[0].subject == str(son.pk)
    assert "2 人" in _opened("size_changed")[0].detail
    # Moved back and counted again: nothing new, and the open alerts stay for the township.
    Person.objects.filter(pk=son.pk).update(household=award.household)
    Household.objects.filter(pk=award.household_id).update(member_count=3)
    assert monitor_run(on=on)["opened"] == 0
    assert Alert.objects.filter(status="open").count() == 2


def test_assets_flagged_is_raised_once_per_award(award):
    on = _quiet_day(award)
    Application.objects.filter(pk=award.application_id).update(
        matching_assets_flagged=True, matching_findings="名下有小型汽车一辆"
    )
    assert monitor_run(on=on)["assets_flagged"] == 1
    alert = _opened("assets_flagged")[0]
    assert "小型汽车" in alert.detail
    township, _county = officers(award.region_id)
    alert_close(actor=township, alert=alert, outcome="车辆为生产经营用车,按规定不计入")
    assert monitor_run(on=on)["assets_flagged"] == 0


def test_hardship_person_turning_18_out_of_school(award):
    Award.objects.filter(pk=award.pk).update(programme="hardship")
    head = award.application.applicant
    on = _quiet_day(award)
    birth = on.replace(year=on.year - 18)
    Person.objects.filter(pk=head.pk).update(birth_date=birth + DAY, in_school="none")
    assert monitor_run(on=on)["hardship_condition"] == 0
    Person.objects.filter(pk=head.pk).update(birth_date=birth)
    assert monitor_run(on=on)["hardship_condition"] == 1
    assert _opened("hardship_condition")[0].subject == str(head.pk)


def test_near_poor_household_without_dibao(award, village):
    on = _quiet_day(award)
    line = STANDARD * Decimal("1.5")
    poor = make_household(village, head_name="边缘户", net_income_per_person=line)
    assert monitor_run(on=on)["near_poor"] == 0
    Household.objects.filter(pk=poor.pk).update(net_income_per_person=line - Decimal("0.01"))
    assert monitor_run(on=on)["near_poor"] == 1
    alert = _opened("near_poor")[0]
    assert alert.household == poor and alert.award is None
    # Receiving Dibao: not near-poor in this sense.
    Household.objects.filter(pk=award.household_id).update(net_income_per_person=line - 1)
    assert monitor_run(on=on)["near_poor"] == 0
    # Closed: on the watch list for 12 months, then raised again.
    township, _county = officers(village)
    alert_close(actor=township, alert=alert, outcome="已纳入低保边缘家庭监测")
    assert monitor_run(on=on)["near_poor"] == 0
    assert monitor_run(on=on + datetime.timedelta(days=400))["near_poor"] == 1


def test_a_closed_alert_whose_finding_holds_is_raised_again(award):
    on = award.next_review_on + DAY
    monitor_run(on=on)
    alert = _opened("review_overdue")[0]
    township, _county = officers(award.region_id)
    alert_close(actor=township, alert=alert, outcome="已通知村里,下周入户复核")
    counts = monitor_run(on=on + DAY)
    assert counts["review_overdue"] == 1
    assert Alert.objects.filter(rule="review_overdue").count() == 2
    assert monitor_run(on=on + 2 * DAY)["opened"] == 0


def test_one_county_only_and_the_audit_event(award):
    on = award.next_review_on + DAY
    assert monitor_run(on=on, county=XINCAI)["opened"] == 0
    assert monitor_run(on=on, county=GUSHI)["opened"] == 1
    event = AuditEvent.objects.filter(action="dibao.monitor_run").order_by("-id").first()
    assert event.actor is None and event.region_id == GUSHI
    assert event.changes["review_overdue"] == 1 and event.changes["opened"] == 1


def _findings_everywhere(awards):
    for a in awards:
        Household.objects.filter(pk=a.household_id).update(
            net_income_per_person=STANDARD, member_count=4
        )
        Person.objects.filter(household_id=a.household_id, relation="spouse").update(
            work_status="county"
        )


def test_queries_do_not_grow_with_the_number_of_awards(village, django_assert_num_queries):
    awards = [award_factory(region_code=village, marker=f"量{n}") for n in range(13)]
    on = max(a.next_review_on for a in awards) + DAY
    first, rest = awards[:3], awards[3:]
    _findings_everywhere(first)
    Award.objects.filter(pk__in=[a.pk for a in rest]).update(status="suspended")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        counts = monitor_run(on=on)
    assert counts["opened"] == 12  # overdue, income, size, a member working
    Alert.objects.all().delete()
    Award.objects.filter(pk__in=[a.pk for a in rest]).update(status="active")
    _findings_everywhere(rest)
    with django_assert_num_queries(len(three.captured_queries)):
        counts = monitor_run(on=on)
    assert counts["opened"] == 52  # all 13 now


# --- closing an alert ----------------------------------------------------------------------


def test_only_the_township_closes_and_an_outcome_is_required(award):
    monitor_run(on=award.next_review_on + DAY)
    alert = Alert.objects.get()
    township, county = officers(award.region_id)
    elsewhere = make_user("tspxincai", "township_officer", _township(XINCAI))
    for actor in (county, elsewhere):
        with pytest.raises(PermissionDenied):
            alert_close(actor=actor, alert=alert, outcome="看过了")
    with pytest.raises(ValidationError):
        alert_close(actor=township, alert=alert, outcome="  ")
    alert.refresh_from_db()
    assert alert.status == "open"
    alert_close(actor=township, alert=alert, outcome="入户核实,下月复核")
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.closed_by == township and alert.closed_on
    event = AuditEvent.objects.get(action="dibao.alert_close")
    assert event.actor == township and event.changes["outcome"] == "入户核实,下月复核"
    with pytest.raises(ValidationError):
        alert_close(actor=township, alert=alert, outcome="再处理一次")


# --- the command -------------------------------------------------------------------------------


def test_the_command_runs_for_a_county_and_a_day(award):
    out = StringIO()
    day = (award.next_review_on + DAY).isoformat()
    call_command("dibao", "monitor", "--county", GUSHI, "--on", day, stdout=out)
    assert "review_overdue" in out.getvalue() or "复核逾期" in out.getvalue()
    assert Alert.objects.filter(rule="review_overdue").count() == 1


def test_the_command_refuses_a_bad_date_or_county():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("dibao", "monitor", "--on", "2026-02-30", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("dibao", "monitor", "--county", "41x", stdout=StringIO())


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def alert(award):
    monitor_run(on=award.next_review_on + DAY)
    return Alert.objects.get()


def test_the_township_sees_and_closes_its_alert(client, alert):
    township, _county = officers(alert.region_id)
    client.force_login(township)
    page = client.get(reverse("dibao:alert_list"))
    assert page.status_code == 200 and "复核逾期" in page.content.decode()
    assert alert.household.number in page.content.decode()
    for query in ("?status=open&rule=review_overdue", "?rule=near_poor", "?region=不存在的地方"):
        assert client.get(reverse("dibao:alert_list") + query).status_code == 200
    assert (
        alert.household.number
        not in client.get(reverse("dibao:alert_list") + "?rule=near_poor").content.decode()
    )
    assert client.get(reverse("dibao:alert_list") + "?before=²").status_code == 200
    detail = client.get(reverse("dibao:alert_detail", args=[alert.pk]))
    assert detail.status_code == 200 and "处理并关闭预警" in detail.content.decode()
    url = reverse("dibao:alert_close", args=[alert.pk])
    assert client.get(url).status_code == 405
    refused = client.post(url, {"outcome": "   "})
    assert refused.status_code == 200 and "必填" in refused.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"
    done = client.post(url, {"outcome": "已入户复核,情况属实"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.outcome == "已入户复核,情况属实"
    again = client.post(url, {"outcome": "再处理"}, follow=True)
    assert again.status_code == 200 and "不能再次处理" in again.content.decode()


def test_the_county_sees_but_does_not_close_and_others_see_nothing(client, alert):
    _officer, county = officers(alert.region_id)
    client.force_login(county)
    detail = client.get(reverse("dibao:alert_detail", args=[alert.pk]))
    assert detail.status_code == 200 and "处理并关闭预警" not in detail.content.decode()
    url = reverse("dibao:alert_close", args=[alert.pk])
    assert client.post(url, {"outcome": "县里处理"}).status_code == 403
    elsewhere = make_user("tspxincai2", "township_officer", _township(XINCAI))
    client.force_login(elsewhere)
    assert client.get(reverse("dibao:alert_detail", args=[alert.pk])).status_code == 404
    assert client.post(url, {"outcome": "越权处理"}).status_code == 404
    assert alert.household.number not in client.get(reverse("dibao:alert_list")).content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_later_rule_version_switches_a_rule_off_and_is_named_on_the_alert(award):
    from shegong.core.models import RuleSet

    on = award.next_review_on + DAY
    first = RuleSet.objects.get(kind=MONITORING, version=1)
    RuleSet.objects.create(
        kind=MONITORING,
        version=2,
        valid_from=on,
        values={**first.values, "rules": ["income_above"], "review_grace_days": 0},
        note="只监测收入",
    )
    Household.objects.filter(pk=award.household_id).update(net_income_per_person=STANDARD)
    assert monitor_run(on=on - DAY)["opened"] == 1  # version 1: income
    counts = monitor_run(on=on)
    assert counts["review_overdue"] == 0 and counts["opened"] == 0
    assert Alert.objects.get().rules.version == 1
    Alert.objects.all().delete()
    assert monitor_run(on=on)["income_above"] == 1
    assert Alert.objects.get().rules.version == 2


def test_a_review_that_records_the_new_size_ends_the_size_finding(award):
    from .. import services

    on = _quiet_day(award)
    Household.objects.filter(pk=award.household_id).update(member_count=4)
    assert monitor_run(on=on)["size_changed"] == 1
    township, _county = officers(award.region_id)
    alert_close(actor=township, alert=_opened("size_changed")[0], outcome="入户核实,新增一人")
    award.refresh_from_db()
    services.award_review(
        actor=township,
        award=award,
        reviewed_on=award.created_at.date(),
        outcome="continue",
        reason="家庭人口增加,收入未变",
        version=award.version,
    )
    assert monitor_run(on=on)["size_changed"] == 0
    Household.objects.filter(pk=award.household_id).update(member_count=5)
    assert monitor_run(on=on)["size_changed"] == 1


def test_a_review_of_the_household_without_the_member_ends_the_member_finding(award, village):
    from .. import services

    on = _quiet_day(award)
    son = Person.objects.filter(household=award.household).exclude(relation="head").last()
    Person.objects.filter(pk=son.pk).update(household=make_household(village, head_name="新户"))
    assert monitor_run(on=on)["member_gone"] == 1
    township, _county = officers(award.region_id)
    alert_close(actor=township, alert=_opened("member_gone")[0], outcome="已分户")
    assert monitor_run(on=on)["member_gone"] == 1  # closed, still holds: raised again
    alert_close(actor=township, alert=_opened("member_gone")[0], outcome="已分户,待复核")
    award.refresh_from_db()
    services.award_review(
        actor=township,
        award=award,
        reviewed_on=award.created_at.date(),
        outcome="continue",
        reason="子女分户",
        version=award.version,
    )
    assert monitor_run(on=on)["member_gone"] == 0

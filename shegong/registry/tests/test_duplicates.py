import datetime
import itertools
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypinyin import lazy_pinyin

from shegong.conftest import GUSHI, XINCAI
from shegong.core.models import AuditEvent, Region, TaskProgress
from shegong.core.rulesets import rules_for
from shegong.core.testing import make_village
from shegong.registry import duplicates
from shegong.registry.duplicates import PersonFacts, find_duplicates, pair_verdict
from shegong.registry.models import DuplicateCandidate, Household, MergeRecord, Person
from shegong.registry.tests.factories import make_household, make_person

pytestmark = pytest.mark.django_db

_head_days = itertools.count()


def _rules():
    return rules_for("duplicates", timezone.localdate())


def _townships(county, n=2):
    return list(
        Region.objects.filter(parent_id=county).order_by("code").values_list("code", flat=True)[:n]
    )


@pytest.fixture
def villages(db):
    """Two villages in 固始 (different townships) and one in 新蔡."""
    g1, g2 = _townships(GUSHI)
    x1 = _townships(XINCAI, 1)[0]
    return make_village(g1).code, make_village(g2).code, make_village(x1).code


def household(region, **fields):
    """A household whose head is born on a day nobody else is, so heads never pair."""
    hh = make_household(region, head_name="户主", **fields)
    day = datetime.date(1930, 1, 1) + datetime.timedelta(days=next(_head_days))
    Person.objects.filter(household=hh).update(birth_date=day)
    return hh


def member(region_or_household, name, birth="19850315", **fields):
    hh = (
        region_or_household
        if isinstance(region_or_household, Household)
        else household(region_or_household)
    )
    person = make_person(hh, name, birth=birth, **fields)
    Household.objects.filter(pk=hh.pk).update(member_count=hh.members.count())
    return person


def pairs():
    return list(DuplicateCandidate.objects.order_by("id").values_list("person_a_id", "person_b_id"))


def _masked(number):
    return "*" * 16 + number[-2:]


def ordered(p, q):
    return (p.pk, q.pk) if p.pk < q.pk else (q.pk, p.pk)


# --- detection --------------------------------------------------------------------------------


def test_same_name_and_birth_date_is_proposed_with_a_high_score(villages):
    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    member(g2, "张伟", birth="19850316")
    assert find_duplicates(region_prefix="411525") == 1
    c = DuplicateCandidate.objects.get()
    assert (c.person_a_id, c.person_b_id) == ordered(a, b)
    assert c.score == Decimal("95.00")
    assert c.reasons == ["姓名相同、出生日期相同"]
    assert (c.region_id, c.region_b_id) == (a.region_id, b.region_id)
    assert c.status == "pending"


def test_surname_zeng_is_read_as_a_surname_so_similar_names_pair(villages):
    """曾 as a surname is zēng; pypinyin alone says céng and would miss 曾国藩 / 增国藩."""
    g1, g2, _ = villages
    assert lazy_pinyin("曾国藩")[0] == "ceng"
    a = member(g1, "曾国藩")
    b = member(g2, "增国藩")
    assert find_duplicates(region_prefix="411525") == 1
    c = DuplicateCandidate.objects.get()
    assert (c.person_a_id, c.person_b_id) == ordered(a, b)
    assert c.score == Decimal("80.00")
    assert c.reasons == ["姓名读音相近(zeng guo fan / zeng guo fan)、同县、出生日期相同"]


def test_two_zeng_surnames_are_both_read_zeng(villages):
    g1, g2, _ = villages
    member(g1, "曾国藩", birth="19700601")
    member(g2, "曾国凡", birth="19700601")
    assert find_duplicates() == 1
    c = DuplicateCandidate.objects.get()
    assert c.reasons == ["姓名读音相近(zeng guo fan / zeng guo fan)、同县、出生日期相同"]


def test_a_near_reading_pairs_with_a_lower_score(villages):
    g1, g2, _ = villages
    member(g1, "曾国藩")
    member(g2, "层国藩")
    assert find_duplicates() == 1
    c = DuplicateCandidate.objects.get()
    assert c.score == Decimal("63.33")
    assert c.reasons == ["姓名读音相近(zeng guo fan / ceng guo fan)、同县、出生日期相同"]


def test_the_pinyin_rule_does_not_pair_across_counties(villages):
    g1, _, x1 = villages
    member(g1, "曾国藩")
    member(x1, "增国藩")
    assert find_duplicates() == 0
    assert pairs() == []


def test_the_same_name_pairs_across_counties_with_a_lower_score(villages):
    g1, _, x1 = villages
    a = member(g1, "王秀英")
    b = member(x1, "王秀英")
    assert find_duplicates() == 1
    c = DuplicateCandidate.objects.get()
    assert (c.person_a_id, c.person_b_id) == ordered(a, b)
    assert c.score == Decimal("90.00")
    assert {c.region_id, c.region_b_id} == {g1, x1}


def test_different_names_or_birth_dates_do_not_pair(villages):
    g1, g2, _ = villages
    member(g1, "张伟")
    member(g2, "张文")  # zhang wei / zhang wen: two different people, same day, same county
    member(g2, "刘洋", birth="19850316")
    member(g1, "刘洋", birth="19850317")
    assert find_duplicates() == 0


def test_a_county_run_also_finds_twins_in_other_counties_but_not_their_own_pairs(villages):
    g1, _, x1 = villages
    a = member(g1, "李桂兰")
    b = member(x1, "李桂兰")
    member(x1, "赵强")
    member(x1, "赵强")
    assert find_duplicates(region_prefix="411525") == 1
    assert pairs() == [ordered(a, b)]
    assert find_duplicates(region_prefix="411729") == 1  # 新蔡's own pair; the twin is known
    assert len(pairs()) == 2


def test_a_township_run_compares_with_the_rest_of_its_county(villages):
    g1, g2, _ = villages
    a = member(g1, "刘兰")
    b = member(g2, "刘南")  # l/n mixed up, as much of Henan says them
    assert find_duplicates(region_prefix=g1[:9]) == 1
    assert pairs() == [ordered(a, b)]


def test_detection_is_idempotent(villages):
    g1, g2, _ = villages
    member(g1, "张伟")
    member(g2, "张伟")
    member(g1, "曾国藩")
    member(g2, "增国藩")
    assert find_duplicates() == 2
    before = list(DuplicateCandidate.objects.order_by("id").values_list("id", "score"))
    assert find_duplicates() == 0
    assert list(DuplicateCandidate.objects.order_by("id").values_list("id", "score")) == before


def test_a_pair_marked_distinct_is_never_proposed_again(villages, gushi_officer):
    g1, g2, _ = villages
    member(g1, "张伟")
    member(g2, "张伟")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    duplicates.duplicate_mark_distinct(actor=gushi_officer, candidate=c)
    assert find_duplicates() == 0
    assert list(DuplicateCandidate.objects.values_list("status", flat=True)) == ["distinct"]


def test_sex_differs_lowers_the_score_and_says_so():
    day = datetime.date(1985, 3, 15)
    a = PersonFacts(1, "张伟", day, "411525100200", "male")
    b = PersonFacts(2, "张伟", day, "411525100201", "female")
    assert pair_verdict(a, b, _rules()) == (
        Decimal("80.0"),
        ["姓名相同、出生日期相同", "性别不同"],
    )


def test_difflib_gives_the_same_verdicts_without_rapidfuzz(monkeypatch):
    day = datetime.date(1985, 3, 15)
    cases = [("曾国藩", "层国藩"), ("曾国藩", "增国藩"), ("张伟", "张文"), ("刘兰", "刘南")]
    expected = [
        pair_verdict(
            PersonFacts(1, x, day, "411525100200", "male"),
            PersonFacts(2, y, day, "411525100201", "male"),
            _rules(),
        )
        for x, y in cases
    ]
    monkeypatch.setattr(duplicates, "_rapid_ratio", None)
    got = [
        pair_verdict(
            PersonFacts(1, x, day, "411525100200", "male"),
            PersonFacts(2, y, day, "411525100201", "male"),
            _rules(),
        )
        for x, y in cases
    ]
    assert got == expected
    assert expected[2] is None


def test_run_button_starts_a_tracked_job_for_the_jurisdiction(client, villages, gushi_officer):
    g1, g2, x1 = villages
    member(g1, "张伟")
    member(g2, "张伟")
    member(x1, "赵强")
    member(x1, "赵强")
    client.force_login(gushi_officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("registry:duplicate_run"))
    task = TaskProgress.objects.get(owner=gushi_officer)
    assert response.url == reverse("core:task_detail", args=[task.pk])
    assert (task.status, task.done, task.total) == ("done", 4, 4)
    assert task.message == "发现 1 对新的疑似重复人员。"
    assert DuplicateCandidate.objects.count() == 1  # 新蔡's pair is 新蔡's to look for


def test_a_social_worker_cannot_run_detection(client, gushi_worker):
    client.force_login(gushi_worker)
    assert client.post(reverse("registry:duplicate_run")).status_code == 403
    assert not TaskProgress.objects.exists()


# --- review pages -------------------------------------------------------------------------------


@pytest.fixture
def gushi_pair(villages):
    """Two 张伟 in two 固始 households; both are ordinary members (not heads)."""
    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    find_duplicates(region_prefix="411525")
    return DuplicateCandidate.objects.get(), a, b


def test_queue_lists_pending_pairs_highest_score_first(client, villages, gushi_officer):
    g1, g2, _ = villages
    member(g1, "曾国藩")
    member(g2, "层国藩")
    member(g1, "张伟")
    member(g2, "张伟")
    find_duplicates()
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:duplicate_list")).content.decode()
    assert body.index("张伟") < body.index("曾国藩")
    assert "姓名读音相近(zeng guo fan / ceng guo fan)、同县、出生日期相同" in body


def test_queue_pages_in_constant_queries(client, villages, gushi_officer):
    g1, g2, _ = villages
    client.force_login(gushi_officer)

    def queries_for_page():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("registry:duplicate_list")).status_code == 200
        return len(ctx.captured_queries)

    member(g1, "张伟")
    member(g2, "张伟")
    find_duplicates()
    few = queries_for_page()
    for name in ["赵强", "钱进", "孙丽", "李明", "周杰", "吴刚", "郑爽", "冯巩", "陈红", "褚明"]:
        member(g1, name, birth="19700101")
        member(g2, name, birth="19700101")
    find_duplicates()
    assert DuplicateCandidate.objects.count() == 11
    assert queries_for_page() == few


def test_a_cross_county_pair_shows_to_both_offices(client, villages, personas):
    g1, _, x1 = villages
    member(g1, "王秀英")
    member(x1, "王秀英")
    find_duplicates()
    for who in ("gushi_officer", "xincai_officer"):
        client.force_login(personas[who])
        assert "王秀英" in client.get(reverse("registry:duplicate_list")).content.decode()


def test_pair_page_shows_our_household_and_both_ids_masked(client, villages, gushi_officer):
    g1, _, x1 = villages
    a = member(g1, "王秀英")
    b = member(x1, "王秀英")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    client.force_login(gushi_officer)
    body = client.get(reverse("registry:duplicate_detail", args=[c.pk])).content.decode()
    # 新蔡's household is not 固始's business (see test_duplicates_other_county.py).
    assert a.household.number in body and b.household.number not in body
    assert a.id_number not in body and b.id_number not in body
    assert _masked(a.id_number) in body and _masked(b.id_number) in body
    assert "显示完整证件号码" in body
    assert not AuditEvent.objects.filter(action="registry.reveal_id").exists()


def test_revealing_shows_only_our_own_side_and_is_logged(client, villages, gushi_officer):
    g1, _, x1 = villages
    a = member(g1, "王秀英")
    b = member(x1, "王秀英")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    client.force_login(gushi_officer)
    url = reverse("registry:duplicate_reveal", args=[c.pk])
    body = client.post(url).content.decode()
    assert a.id_number in body  # 固始's own person
    assert b.id_number not in body and _masked(b.id_number) in body  # 新蔡's stays masked
    event = AuditEvent.objects.get(action="registry.reveal_id")
    assert (event.actor, event.target_id, event.changes) == (
        gushi_officer,
        str(c.pk),
        {"via": "page", "persons": [a.pk], "count": 1},
    )


def test_another_county_gets_404_and_changes_nothing(client, gushi_pair, xincai_officer):
    c, a, b = gushi_pair
    client.force_login(xincai_officer)
    assert client.get(reverse("registry:duplicate_list")).content.decode().count("张伟") == 0
    assert client.get(reverse("registry:duplicate_detail", args=[c.pk])).status_code == 404
    merge = client.post(reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk})
    distinct = client.post(reverse("registry:duplicate_distinct", args=[c.pk]))
    assert (merge.status_code, distinct.status_code) == (404, 404)
    c.refresh_from_db()
    assert c.status == "pending"
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert not AuditEvent.objects.filter(action__startswith="registry.duplicate").exists()


def test_a_social_worker_is_refused_and_nothing_changes(client, gushi_pair, gushi_worker):
    c, a, b = gushi_pair
    client.force_login(gushi_worker)
    assert client.get(reverse("registry:duplicate_list")).status_code == 403
    assert client.get(reverse("registry:duplicate_detail", args=[c.pk])).status_code == 403
    assert (
        client.post(reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk}).status_code
        == 403
    )
    assert client.post(reverse("registry:duplicate_distinct", args=[c.pk])).status_code == 403
    c.refresh_from_db()
    assert c.status == "pending"
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert not AuditEvent.objects.filter(action__startswith="registry.duplicate").exists()


def test_distinct_closes_the_pair_with_an_audit_event(client, gushi_pair, gushi_officer):
    c, a, b = gushi_pair
    client.force_login(gushi_officer)
    response = client.post(reverse("registry:duplicate_distinct", args=[c.pk]))
    assert response.url == reverse("registry:duplicate_list")
    c.refresh_from_db()
    assert (c.status, c.decided_by) == ("distinct", gushi_officer)
    event = AuditEvent.objects.get(action="registry.duplicate_distinct")
    assert (event.actor, event.target_id, event.region_id) == (
        gushi_officer,
        str(c.pk),
        c.region_id,
    )
    assert event.changes["persons"] == [c.person_a_id, c.person_b_id]


def test_a_second_reviewer_is_told_the_pair_was_decided(client, gushi_pair, personas):
    c, a, b = gushi_pair
    client.force_login(personas["gushi_officer"])
    client.post(reverse("registry:duplicate_distinct", args=[c.pk]))
    client.force_login(personas["province_admin"])
    response = client.post(
        reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk}, follow=True
    )
    assert "该疑似重复已由他人处理" in response.content.decode()
    assert Person.objects.filter(pk=b.pk).exists()
    c.refresh_from_db()
    assert (c.status, c.decided_by) == ("distinct", personas["gushi_officer"])
    assert AuditEvent.objects.filter(action__startswith="registry.duplicate").count() == 1


def test_a_stale_candidate_cannot_be_decided_twice(gushi_pair, gushi_officer, province_admin):
    c, a, b = gushi_pair
    stale = DuplicateCandidate.objects.get(pk=c.pk)
    duplicates.duplicate_mark_distinct(actor=gushi_officer, candidate=c)
    with pytest.raises(ValidationError) as exc:
        duplicates.duplicate_mark_distinct(actor=province_admin, candidate=stale)
    assert exc.value.messages == ["该疑似重复已由他人处理。"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
# Two connections that commit: the reference data (regions) is restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_at_once_one_waits_and_is_told(villages, gushi_officer, province_admin):
    g1, g2, _ = villages
    member(g1, "张伟")
    member(g2, "张伟")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    locked, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                DuplicateCandidate.objects.select_for_update().get(pk=c.pk)
                locked.set()
                release.wait(5)
                duplicates.duplicate_mark_distinct(actor=gushi_officer, candidate=c)
        finally:
            connection.close()

    def second():
        try:
            duplicates.duplicate_mark_distinct(actor=province_admin, candidate=c)
            outcome["second"] = "decided"
        except ValidationError as exc:
            outcome["second"] = exc.messages[0]
        finally:
            connection.close()

    t1 = threading.Thread(target=first)
    t1.start()
    assert locked.wait(5)
    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()  # waits for the first reviewer's lock
    release.set()
    t1.join(5)
    t2.join(5)
    assert outcome == {"second": "该疑似重复已由他人处理。"}
    c.refresh_from_db()
    assert c.decided_by == gushi_officer
    assert AuditEvent.objects.filter(action="registry.duplicate_distinct").count() == 1


# --- merge and undo ---------------------------------------------------------------------------


def test_merge_refuses_to_remove_a_head(client, villages, gushi_officer):
    g1, g2, _ = villages
    a = member(g1, "张伟")
    other = household(g2)
    b = Person.objects.get(household=other)
    Person.objects.filter(pk=b.pk).update(name="张伟", birth_date=a.birth_date)
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    client.force_login(gushi_officer)
    response = client.post(
        reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk}, follow=True
    )
    body = response.content.decode()
    assert f"张伟 是户编号 {other.number} 的户主,不能直接删除" in body
    assert "请先在该户变更户主,或改为保留此人" in body
    assert Person.objects.filter(pk=b.pk).exists()
    c.refresh_from_db()
    assert c.status == "pending"
    assert not MergeRecord.objects.exists()


def test_merge_refuses_to_remove_someone_outside_the_jurisdiction(villages, xincai_officer):
    g1, _, x1 = villages
    a = member(g1, "王秀英")
    b = member(x1, "王秀英")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    with pytest.raises(PermissionDenied) as exc:
        duplicates.duplicate_merge(actor=xincai_officer, candidate=c, keep_id=b.pk)
    assert "不在您的管辖范围内" in str(exc.value)
    assert Person.objects.filter(pk=a.pk).exists()
    c.refresh_from_db()
    assert c.status == "pending"


def test_merge_asks_which_person_to_keep(client, gushi_pair, gushi_officer):
    c, a, b = gushi_pair
    client.force_login(gushi_officer)
    response = client.post(
        reverse("registry:duplicate_merge", args=[c.pk]), {"keep": "x"}, follow=True
    )
    assert "请选择要保留的人员" in response.content.decode()
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_merge_removes_one_keeps_its_snapshot_and_is_audited(client, gushi_pair, gushi_officer):
    c, a, b = gushi_pair
    before = Household.objects.get(pk=b.household_id)
    assert before.member_count == 2
    client.force_login(gushi_officer)
    response = client.post(reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk})
    assert response.url == reverse("registry:duplicate_list")
    assert not Person.objects.filter(pk=b.pk).exists()
    after = Household.objects.get(pk=b.household_id)
    assert (after.member_count, after.version) == (1, before.version + 1)
    c.refresh_from_db()
    assert (c.status, c.decided_by) == ("merged", gushi_officer)
    record = MergeRecord.objects.get(candidate=c)
    assert (record.kept, record.region_id, record.merged_by) == (a, b.region_id, gushi_officer)
    snap = record.removed_snapshot["person"]
    assert snap["id"] == b.pk and snap["id_number"] == b.id_number
    assert snap["household"] == b.household_id and snap["birth_date"] == "1985-03-15"
    assert set(snap) == {f.name for f in Person._meta.concrete_fields}
    event = AuditEvent.objects.get(action="registry.duplicate_merge")
    assert (event.target_id, event.region_id) == (str(b.household_id), b.region_id)
    assert event.changes["removed"]["name"] == "张伟"
    assert b.id_number not in str(event.changes)
    page = client.get(reverse("registry:duplicate_detail", args=[c.pk])).content.decode()
    assert "撤销合并" in page


def test_merge_drops_other_pending_pairs_of_the_removed_person(villages, gushi_officer):
    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    third = member(g2, "张伟")
    find_duplicates()
    assert DuplicateCandidate.objects.count() == 3
    c = DuplicateCandidate.objects.get(person_a=min(a.pk, b.pk), person_b=max(a.pk, b.pk))
    duplicates.duplicate_merge(actor=gushi_officer, candidate=c, keep_id=a.pk)
    left = DuplicateCandidate.objects.exclude(pk=c.pk)
    assert list(left.values_list("person_a_id", "person_b_id")) == [ordered(a, third)]


def test_undo_brings_the_person_back_and_the_pair_back_to_review(client, gushi_pair, gushi_officer):
    c, a, b = gushi_pair
    client.force_login(gushi_officer)
    client.post(reverse("registry:duplicate_merge", args=[c.pk]), {"keep": a.pk})
    record = MergeRecord.objects.get(candidate=c)
    response = client.post(reverse("registry:merge_undo", args=[record.pk]))
    assert response.url == reverse("registry:duplicate_detail", args=[c.pk])
    back = Person.objects.get(pk=b.pk)
    assert (back.id_number, back.household_id, back.name, back.birth_date) == (
        b.id_number,
        b.household_id,
        b.name,
        b.birth_date,
    )
    assert Household.objects.get(pk=b.household_id).member_count == 2
    record.refresh_from_db()
    assert record.undone_at is not None
    c.refresh_from_db()
    assert (c.status, c.person_a_id, c.person_b_id, c.decided_by) == (
        "pending",
        *ordered(a, b),
        None,
    )
    event = AuditEvent.objects.get(action="registry.duplicate_unmerge")
    assert event.target_id == str(b.household_id)
    # Undone once is undone: a second undo is refused.
    again = client.post(reverse("registry:merge_undo", args=[record.pk]), follow=True)
    assert "该合并已经撤销" in again.content.decode()
    # And the pair can be decided again, the other way round.
    duplicates.duplicate_merge(actor=gushi_officer, candidate=c, keep_id=b.pk)
    assert not Person.objects.filter(pk=a.pk).exists()
    assert MergeRecord.objects.get(candidate=c).undone_at is None


def test_undo_restores_decisions_about_the_removed_person(villages, gushi_officer):
    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    third = member(g2, "张伟")
    find_duplicates()
    ac = DuplicateCandidate.objects.get(person_a=min(a.pk, third.pk), person_b=max(a.pk, third.pk))
    duplicates.duplicate_mark_distinct(actor=gushi_officer, candidate=ac)
    ab = DuplicateCandidate.objects.get(person_a=min(a.pk, b.pk), person_b=max(a.pk, b.pk))
    duplicates.duplicate_merge(actor=gushi_officer, candidate=ab, keep_id=b.pk)
    ac.refresh_from_db()
    assert ac.status == "distinct"
    duplicates.merge_undo(actor=gushi_officer, record=MergeRecord.objects.get(candidate=ab))
    ac.refresh_from_db()
    assert (ac.person_a_id, ac.person_b_id, ac.status) == (*ordered(a, third), "distinct")
    assert find_duplicates() == 0  # the distinct decision still holds


def test_undo_refuses_when_the_id_number_was_registered_again(gushi_pair, gushi_officer):
    c, a, b = gushi_pair
    duplicates.duplicate_merge(actor=gushi_officer, candidate=c, keep_id=a.pk)
    newcomer = member(Household.objects.get(pk=b.household_id), "张卫")
    Person.objects.filter(pk=newcomer.pk).update(id_number=b.id_number)
    record = MergeRecord.objects.get(candidate=c)
    with pytest.raises(ValidationError) as exc:
        duplicates.merge_undo(actor=gushi_officer, record=record)
    assert "已有人员登记,无法撤销合并" in exc.value.messages[0]
    record.refresh_from_db()
    assert record.undone_at is None
    assert not AuditEvent.objects.filter(action="registry.duplicate_unmerge").exists()


def test_undo_of_another_county_merge_is_404(client, villages, xincai_officer, gushi_officer):
    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    find_duplicates()
    c = DuplicateCandidate.objects.get()
    record = MergeRecord.objects.create(
        candidate=c,
        kept=a,
        removed_snapshot={"person": {"name": b.name}},
        region_id=g2,
        merged_by=gushi_officer,
    )
    client.force_login(xincai_officer)
    assert client.post(reverse("registry:merge_undo", args=[record.pk])).status_code == 404
    record.refresh_from_db()
    assert record.undone_at is None


def test_removing_a_member_drops_their_pending_pairs_and_keeps_decisions(villages, gushi_officer):
    from shegong.registry import services

    g1, g2, _ = villages
    a = member(g1, "张伟")
    b = member(g2, "张伟")
    third = member(g2, "张伟")
    find_duplicates()
    ab = DuplicateCandidate.objects.get(person_a=min(a.pk, b.pk), person_b=max(a.pk, b.pk))
    duplicates.duplicate_mark_distinct(actor=gushi_officer, candidate=ab)
    services.person_remove(actor=gushi_officer, person=a, reason="死亡")
    ab.refresh_from_db()
    assert ab.status == "distinct"
    assert a.pk not in (ab.person_a_id, ab.person_b_id) and None in (ab.person_a_id, ab.person_b_id)
    assert pairs() == [(ab.person_a_id, ab.person_b_id), ordered(b, third)]

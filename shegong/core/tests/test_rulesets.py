"""Rule sets: the version in force by date, entry by the province administrator only, checked
against the kind's schema, audited; refused entries change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shegong.core.models import AuditEvent, RuleSet
from shegong.core.rulesets import KINDS, RulesNotInForce, rules_for
from shegong.core.services_rulesets import ruleset_enter

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SOON = TODAY + datetime.timedelta(days=10)
REFERRAL = {"reply_days": 10, "service_days": 30}


def _state():
    return (
        list(RuleSet.objects.order_by("pk").values_list("kind", "version", "valid_from", "values")),
        AuditEvent.objects.count(),
    )


def test_every_kind_has_a_seeded_first_version_that_fits_its_schema():
    assert sorted(KINDS) == [
        "assessment",
        "dibao_monitoring",
        "dibao_procedure",
        "dibao_review",
        "duplicates",
        "hardship_procedure",
        "left_behind",
        "poverty_exit",
        "referral",
    ]
    for kind in KINDS:
        first = rules_for(kind, datetime.date(2000, 1, 1))
        assert (first.version, first.valid_from) == (1, datetime.date(2000, 1, 1))
    # The Dibao procedure has a second seeded version: the 2021 measures, in force today.
    now = rules_for("dibao_procedure", TODAY)
    assert (now.version, now.valid_from) == (2, datetime.date(2021, 7, 1))
    assert dict(rules_for("poverty_exit", TODAY)["poverty_lines"]) == {
        2010: Decimal("2300"),
        2015: Decimal("2855"),
        2016: Decimal("2952"),
        2019: Decimal("3218"),
        2020: Decimal("4000"),
    }
    assert rules_for("referral", TODAY)["reply_days"] == 7
    assert rules_for("left_behind", TODAY)["away_statuses"] == (
        "county",
        "province",
        "out_of_province",
    )


def test_the_day_before_valid_from_gets_the_old_version_and_the_day_itself_the_new(
    province_admin,
):
    entered = ruleset_enter(
        actor=province_admin, kind="referral", valid_from=SOON, values=REFERRAL, note="新规定"
    )
    assert (entered.version, entered.entered_by) == (2, province_admin)
    before = rules_for("referral", SOON - datetime.timedelta(days=1))
    on = rules_for("referral", SOON)
    after = rules_for("referral", SOON + datetime.timedelta(days=400))
    assert (before.version, before["reply_days"]) == (1, 7)
    assert (on.version, on["reply_days"], on.pk) == (2, 10, entered.pk)
    assert after.version == 2


def test_a_day_before_every_version_is_refused_with_a_message():
    with pytest.raises(RulesNotInForce) as exc:
        rules_for("poverty_exit", datetime.date(1999, 12, 31))
    assert exc.value.messages == [
        "1999-12-31 没有生效的“脱贫标准”规则,请省民政厅管理员在“规则设置”中录入。"
    ]
    assert rules_for("poverty_exit", datetime.date(2000, 1, 1)).version == 1


def test_the_values_are_read_only():
    rules = rules_for("left_behind", TODAY)
    with pytest.raises(TypeError):
        rules["child_under"] = 18  # type: ignore[index]


def test_entering_writes_one_audit_event_with_old_and_new_values(province_admin):
    count = AuditEvent.objects.count()
    entered = ruleset_enter(
        actor=province_admin, kind="referral", valid_from=SOON, values=REFERRAL, note="新规定"
    )
    assert AuditEvent.objects.count() == count + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.actor, event.target_id) == (
        "ruleset.enter",
        province_admin,
        str(entered.pk),
    )
    assert event.changes == {
        "kind": "referral",
        "version": 2,
        "valid_from": SOON.isoformat(),
        "values": {"reply_days": 10, "service_days": 30},
        "previous": {"reply_days": 7, "service_days": 30},
        "note": "新规定",
    }


@pytest.mark.parametrize("who", ["gushi_officer", "gushi_worker", "xincai_officer", "volunteer"])
def test_only_the_province_administrator_may_enter(request, who):
    actor = request.getfixturevalue(who)
    before = _state()
    with pytest.raises(PermissionDenied):
        ruleset_enter(actor=actor, kind="referral", valid_from=SOON, values=REFERRAL, note="x")
    assert _state() == before


@pytest.mark.parametrize(
    ("kind", "values", "field", "message"),
    [
        ("referral", {"reply_days": 0, "service_days": 30}, "reply_days", "须在 1 至 90 之间"),
        ("referral", {"reply_days": 91, "service_days": 30}, "reply_days", "须在 1 至 90 之间"),
        ("referral", {"reply_days": "七", "service_days": 30}, "reply_days", "须为整数"),
        ("referral", {"reply_days": True, "service_days": 30}, "reply_days", "须为整数"),
        ("referral", {"service_days": 30}, "reply_days", "缺少"),
        ("referral", {**REFERRAL, "bonus": 1}, "__all__", "规则中没有这些项:bonus"),
        ("assessment", {"need_threshold": 5}, "need_threshold", "须在 1 至 4 之间"),
        (
            "poverty_exit",
            {"poverty_lines": {"2018": "-3"}, "notice_days": 7},
            "poverty_lines",
            "2018 年",
        ),
        (
            "duplicates",
            {
                "same_name_score": 95,
                "same_name_other_county_score": 90,
                "pinyin_threshold": 90,
                "pinyin_score_min": 81,
                "pinyin_score_max": 80,
                "sex_differs_penalty": 15,
                "fuzzy_initials": {"zh": "z"},
                "fuzzy_finals": {},
            },
            "pinyin_score_min",
            "读音相近的最低分不能高于最高分",
        ),
        (
            "poverty_exit",
            {"poverty_lines": {"18": "3535"}, "notice_days": 7},
            "poverty_lines",
            "四位年份",
        ),
        (
            "poverty_exit",
            {"poverty_lines": {"2018": "999.99"}, "notice_days": 7},
            "poverty_lines",
            "须在 1000 至 100000 之间",
        ),
        (
            "left_behind",
            {"away_statuses": ["abroad"], "away_months": 6, "child_under": 16, "elderly_from": 60},
            "away_statuses",
            "未知的代码:abroad",
        ),
        (
            "left_behind",
            {"away_statuses": ["county"], "away_months": 6, "child_under": 16, "elderly_from": 49},
            "elderly_from",
            "须在 50 至 80 之间",
        ),
    ],
)
def test_values_outside_the_schema_are_refused_next_to_their_field_and_change_nothing(
    province_admin, kind, values, field, message
):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        ruleset_enter(actor=province_admin, kind=kind, valid_from=SOON, values=values, note="x")
    assert message in " ".join(exc.value.message_dict[field])
    assert _state() == before


def test_the_edges_of_a_bound_are_accepted(province_admin):
    for n, days in enumerate((1, 90), start=1):
        ruleset_enter(
            actor=province_admin,
            kind="referral",
            valid_from=SOON + datetime.timedelta(days=n),
            values={"reply_days": days, "service_days": 30},
            note="x",
        )
    assert [r.values["reply_days"] for r in RuleSet.objects.filter(kind="referral")] == [90, 1, 7]


def test_a_past_date_or_one_not_after_the_latest_version_is_refused(province_admin):
    yesterday = TODAY - datetime.timedelta(days=1)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        ruleset_enter(
            actor=province_admin, kind="referral", valid_from=yesterday, values=REFERRAL, note="x"
        )
    assert exc.value.message_dict["valid_from"] == [
        "生效日期不能早于今天:已作出的决定按当时的规则,不能追溯。"
    ]
    assert _state() == before
    ruleset_enter(actor=province_admin, kind="referral", valid_from=SOON, values=REFERRAL, note="x")
    before = _state()
    with pytest.raises(ValidationError) as exc:
        ruleset_enter(
            actor=province_admin, kind="referral", valid_from=SOON, values=REFERRAL, note="x"
        )
    assert exc.value.message_dict["valid_from"] == [
        f"生效日期须晚于现行最新版本的生效日期 {SOON.isoformat()}。"
    ]
    assert _state() == before


def test_an_unknown_kind_and_a_missing_note_are_refused(province_admin):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        ruleset_enter(actor=province_admin, kind="nope", valid_from=SOON, values={}, note="x")
    assert exc.value.message_dict == {"kind": ["未知的规则类别。"]}
    with pytest.raises(ValidationError) as exc:
        ruleset_enter(
            actor=province_admin, kind="referral", valid_from=SOON, values=REFERRAL, note=" "
        )
    assert list(exc.value.message_dict) == ["note"]
    assert _state() == before


# --- the page ---------------------------------------------------------------------------------


def _form(**over):
    data = {
        "kind": "poverty_exit",
        "valid_from": TODAY.isoformat(),
        "note": "国家统计局 2018 年贫困线",
        "poverty_lines": "2010: 2300\n2015: 2855\n2016: 2952\n2018: 3535\n2019: 3218\n2020: 4000",
        "notice_days": "7",
    }
    data.update(over)
    return data


def test_the_page_lists_every_kind_and_the_versions_of_one(client, gushi_officer):
    client.force_login(gushi_officer)
    response = client.get(reverse("core:rulesets") + "?kind=poverty_exit")
    assert response.status_code == 200
    text = response.content.decode()
    for label in ("脱贫标准", "三留守认定", "查重评分", "转介期限", "需求预估"):
        assert label in text
    assert "2019: 3218" in text
    assert "录入新版本" not in text  # an officer reads, does not enter


def test_a_volunteer_may_not_open_the_page(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("core:rulesets")).status_code == 403


def test_the_province_administrator_enters_a_year_line_on_the_page(client, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("core:rulesets"), _form())
    assert response.status_code == 302
    rules = rules_for("poverty_exit", TODAY)
    assert (rules.version, rules["poverty_lines"][2018]) == (2, Decimal("3535"))
    assert AuditEvent.objects.filter(action="ruleset.enter").count() == 1


def test_an_officer_posting_the_form_is_refused_and_nothing_changes(client, gushi_officer):
    client.force_login(gushi_officer)
    before = _state()
    assert client.post(reverse("core:rulesets"), _form()).status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("poverty_lines", "2018 3535", "第 1 行应写成“键: 值”"),
        ("poverty_lines", "2018: 三千", "2018 年”须为不超过两位小数的非负数"),
        ("notice_days", "0", "须在 1 至 60 之间"),
        ("valid_from", "2018-02-30", ""),
    ],
)
def test_bad_input_on_the_page_shows_next_to_its_field_and_changes_nothing(
    client, province_admin, field, value, message
):
    client.force_login(province_admin)
    before = _state()
    response = client.post(reverse("core:rulesets"), _form(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in " ".join(response.context["form"].errors[field])
    assert _state() == before


def test_an_unknown_kind_in_the_address_shows_the_list(client, province_admin):
    client.force_login(province_admin)
    response = client.get(reverse("core:rulesets") + "?kind=" + "x" * 100)
    assert response.status_code == 200
    assert response.context["form"] is None

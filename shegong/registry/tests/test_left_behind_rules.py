"""The three left-behind groups (三留守) follow DOMAIN.md: the parents decide a child's group,
not other relatives; one table, one household per row."""

import datetime

import pytest

from shegong.core.rulesets import RuleValues
from shegong.registry.rules import MemberFacts, derive_left_behind

TODAY = datetime.date(2025, 6, 1)
RULES = RuleValues(
    kind="left_behind",
    version=1,
    valid_from=datetime.date(2000, 1, 1),
    values={
        "away_statuses": ("county", "province", "out_of_province"),
        "away_months": 6,
        "child_under": 16,
        "elderly_from": 60,
    },
)

AWAY = {"work": "out_of_province", "months": 10}


def p(
    relation, sex, born, *, work="none", months=0, labour="ordinary", health="healthy", grade=None
):
    """A member: `born` is a year (1 January) or an ISO date."""
    birth = (
        datetime.date(born, 1, 1) if isinstance(born, int) else datetime.date.fromisoformat(born)
    )
    return (relation, sex, birth, work, months, labour, health, grade)


def away(relation, sex, born, **kw):
    return p(relation, sex, born, **{**AWAY, **kw})


CASES = [
    # (case, members, expected groups in order)
    (
        "both parents away: the child is left behind, the grandmother is too (her son is away)",
        [
            away("head", "male", 1988),
            away("spouse", "female", 1990),
            p("son", "male", 2015),
            p("mother", "female", 1960),
        ],
        ["", "", "child", "elderly"],
    ),
    (
        "both parents away: an older sibling at home does not change it",
        [
            away("head", "male", 1980),
            away("spouse", "female", 1982),
            p("son", "male", 2003),
            p("daughter", "female", 2014),
        ],
        ["", "", "", "child"],
    ),
    (
        "both parents away: an uncle (the head's brother) at home does not change it",
        [
            away("head", "male", 1980),
            away("spouse", "female", 1982),
            p("sibling", "male", 1985),
            p("son", "male", 2014),
        ],
        ["", "", "", "child"],
    ),
    (
        "a grandchild with two sons registered, one couple away and an unmarried son at home: "
        "whose child it is cannot be told, so no suggestion (the worker decides)",
        [
            p("head", "male", 1950, labour="none"),
            p("spouse", "female", 1952, labour="none"),
            away("son", "male", 1978),
            away("daughter_in_law", "female", 1980),
            p("son", "male", 1985),
            p("grandson", "male", 2012),
        ],
        ["", "", "", "", "", ""],
    ),
    (
        "one parent away, the other at home and able: not left behind; she is a left-behind woman",
        [away("head", "male", 1985), p("spouse", "female", 1987), p("daughter", "female", 2016)],
        ["", "woman", ""],
    ),
    (
        "one parent away, the other at home and able though 17: not left behind, whatever the age",
        [away("head", "male", 2000), p("spouse", "female", "2008-01-15"), p("son", "male", 2024)],
        ["", "woman", ""],
    ),
    (
        "one parent away, the other at home and able though 62: not left behind",
        [away("head", "male", 1970), p("spouse", "female", 1963), p("son", "male", 2012)],
        ["", "woman", ""],
    ),
    (
        "the parent at home has lost labour capacity: left behind",
        [
            away("head", "male", 1985),
            p("spouse", "female", 1987, labour="lost"),
            p("son", "male", 2014),
        ],
        ["", "woman", "child"],
    ),
    (
        "the parent at home has no labour capacity: left behind",
        [
            p("head", "male", 1985, labour="none"),
            away("spouse", "female", 1987),
            p("son", "male", 2014),
        ],
        ["", "", "child"],
    ),
    (
        "the parent at home with no labour capacity recorded (blank): not taken as unable",
        [
            away("head", "male", 1985),
            p("spouse", "female", 1987, labour=""),
            p("son", "male", 2014),
        ],
        ["", "woman", ""],
    ),
    (
        "the parent at home is severely disabled (grade 2): left behind",
        [
            away("head", "male", 1985),
            p("spouse", "female", 1987, health="disabled", grade=2),
            p("son", "male", 2014),
        ],
        ["", "woman", "child"],
    ),
    (
        "the parent at home is disabled, grade 3: able, not left behind",
        [
            away("head", "male", 1985),
            p("spouse", "female", 1987, health="disabled", grade=3),
            p("son", "male", 2014),
        ],
        ["", "woman", ""],
    ),
    (
        "the parent at home is seriously ill: left behind",
        [
            away("head", "male", 1985),
            p("spouse", "female", 1987, health="serious"),
            p("son", "male", 2014),
        ],
        ["", "woman", "child"],
    ),
    (
        "a grandchild whose parents (son and daughter-in-law) are both away: left behind; the "
        "grandparents at home do not change it (left-behind elders: their only son is away)",
        [
            p("head", "male", 1958),
            p("spouse", "female", 1962),
            away("son", "male", 1984),
            away("daughter_in_law", "female", 1986),
            p("granddaughter", "female", 2013),
        ],
        ["elderly", "elderly", "", "", "child"],
    ),
    (
        "a grandchild whose mother (daughter-in-law) is home and able: not left behind",
        [
            p("head", "male", 1958),
            away("son", "male", 1984),
            p("daughter_in_law", "female", 1986),
            p("grandson", "male", 2013),
        ],
        ["elderly", "", "woman", ""],
    ),
    (
        "a daughter's child: the daughter and son-in-law are the parents, both away; the "
        "grandmother (60+, her only child away) is a left-behind elder",
        [
            p("head", "female", 1955),
            away("daughter", "female", 1982),
            away("son_in_law", "male", 1980),
            p("grandson", "male", 2012),
        ],
        ["elderly", "", "", "child"],
    ),
    (
        "two couples of the next generation, one at home: whose child it is is unknown, so no "
        "suggestion",
        [
            p("head", "male", 1950),
            away("son", "male", 1978),
            away("daughter_in_law", "female", 1980),
            p("son", "male", 1982),
            p("daughter_in_law", "female", 1984),
            p("grandson", "male", 2012),
        ],
        ["", "", "", "", "", ""],
    ),
    (
        "two couples, all four away: left behind whoever the parents are",
        [
            p("head", "male", 1950),
            away("son", "male", 1978),
            away("daughter_in_law", "female", 1980),
            away("son", "male", 1982),
            away("daughter_in_law", "female", 1984),
            p("grandson", "male", 2012),
        ],
        ["elderly", "", "", "", "", "child"],
    ),
    (
        "a child exactly 16 today (birthday in March) is no longer a child",
        [
            away("head", "male", 1980),
            away("spouse", "female", 1982),
            p("son", "male", "2009-03-01"),
        ],
        ["", "", ""],
    ),
    (
        "a child 15 today, turning 16 in October, is still a child",
        [
            away("head", "male", 1980),
            away("spouse", "female", 1982),
            p("son", "male", "2009-10-01"),
        ],
        ["", "", "child"],
    ),
    (
        "60 today (birthday in March), every child away: a left-behind elder",
        [
            p("head", "male", "1965-03-01"),
            away("son", "male", 1990),
            away("daughter", "female", 1992),
        ],
        ["elderly", "", ""],
    ),
    (
        "59 today, turning 60 in October: not yet an elder",
        [p("head", "male", "1965-10-01"), away("son", "male", 1990)],
        ["", ""],
    ),
    (
        "an elder with one child at home is not left behind",
        [
            p("head", "male", 1950),
            p("spouse", "female", 1952),
            away("son", "male", 1978),
            p("daughter", "female", 1980),
        ],
        ["", "", "", ""],
    ),
    (
        "the head's parents whose only child (the head) is away are left behind",
        [away("head", "male", 1980), p("father", "male", 1950), p("mother", "female", 1953)],
        ["", "elderly", "elderly"],
    ),
    (
        "a daughter-in-law whose husband is away is a left-behind woman; away under 6 months "
        "is not away",
        [
            p("head", "male", 1958, labour="none"),
            away("son", "male", 1984),
            p("daughter_in_law", "female", 1986),
            p("son", "male", 1988, work="province", months=5),
            p("daughter_in_law", "female", 1989),
        ],
        ["", "", "", "", ""],
    ),
    (
        "a daughter-in-law whose (only) husband is away is a left-behind woman",
        [p("head", "male", 1958), away("son", "male", 1984), p("daughter_in_law", "female", 1986)],
        ["elderly", "", "woman"],
    ),
    (
        "a woman whose husband works in the township is not left behind; nobody is",
        [
            p("head", "male", 1985, work="township", months=12),
            p("spouse", "female", 1987),
            p("son", "male", 2015),
        ],
        ["", "", ""],
    ),
    (
        "no parent registered (a child living with grandparents): not decided here",
        [p("head", "male", 1955), p("spouse", "female", 1957), p("grandson", "male", 2014)],
        ["", "", ""],
    ),
    (
        "the only registered parent is away: left behind (no parent at home)",
        [away("head", "female", 1988), p("son", "male", 2016), p("mother", "female", 1962)],
        ["", "child", "elderly"],
    ),
]


@pytest.mark.parametrize(("case", "members", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_left_behind_groups(case, members, expected):
    facts = [MemberFacts(k, *values) for k, values in enumerate(members)]
    groups = derive_left_behind(facts, TODAY, RULES)
    assert [groups[k] for k in range(len(members))] == expected


def test_the_age_limits_come_from_the_rule_set():
    members = [
        MemberFacts(0, "head", "male", datetime.date(1980, 1, 1), "province", 12, "ordinary"),
        MemberFacts(1, "spouse", "female", datetime.date(1980, 1, 1), "province", 12, "ordinary"),
        MemberFacts(2, "son", "male", datetime.date(2008, 1, 1), "none", 0, "ordinary"),  # 17
    ]
    assert derive_left_behind(members, TODAY, RULES)[2] == ""
    older = RuleValues(
        kind="left_behind",
        version=2,
        valid_from=TODAY,
        values={**RULES, "child_under": 18},
    )
    assert derive_left_behind(members, TODAY, older)[2] == "child"

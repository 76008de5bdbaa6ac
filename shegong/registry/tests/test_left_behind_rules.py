import datetime

from shegong.registry.rules import MemberFacts, derive_left_behind

TODAY = datetime.date(2026, 11, 29)


def m(key, relation, sex, birth_year, work="none", months=0, labour="ordinary"):
    return MemberFacts(key, relation, sex, datetime.date(birth_year, 1, 1), work, months, labour)


def test_children_are_left_behind_when_both_parents_work_away():
    members = [
        m(1, "head", "male", 1985, "out_of_province", 10),
        m(2, "spouse", "female", 1987, "province", 8),
        m(3, "son", "male", 2015),
        m(4, "father", "male", 1950),
    ]
    assert derive_left_behind(members, TODAY) == {1: "", 2: "", 3: "child", 4: "elderly"}


def test_one_parent_home_and_able_means_no_left_behind_child_but_a_left_behind_woman():
    members = [
        m(1, "head", "male", 1985, "out_of_province", 10),
        m(2, "spouse", "female", 1987),
        m(3, "son", "male", 2015),
    ]
    assert derive_left_behind(members, TODAY) == {1: "", 2: "woman", 3: ""}


def test_parent_at_home_without_capacity_cannot_guard():
    members = [
        m(1, "head", "male", 1985, "county", 12),
        m(2, "spouse", "female", 1987, labour="lost"),
        m(3, "daughter", "female", 2014),
    ]
    assert derive_left_behind(members, TODAY)[3] == "child"


def test_six_months_away_is_the_threshold_and_sixteen_leaves_the_group():
    away5 = [m(1, "head", "male", 1985, "province", 5), m(2, "son", "male", 2015)]
    assert derive_left_behind(away5, TODAY)[2] == ""
    away6 = [m(1, "head", "male", 1985, "province", 6), m(2, "son", "male", 2015)]
    assert derive_left_behind(away6, TODAY)[2] == "child"
    sixteen = [m(1, "head", "male", 1985, "province", 6), m(2, "son", "male", 2010)]
    assert derive_left_behind(sixteen, TODAY)[2] == ""


def test_work_inside_the_township_is_not_away():
    members = [m(1, "head", "male", 1985, "township", 12), m(2, "son", "male", 2015)]
    assert derive_left_behind(members, TODAY)[2] == ""

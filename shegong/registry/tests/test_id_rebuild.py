"""A role that may not reveal ID numbers cannot rebuild them from what it is shown.

The attack: read every page, API record and export the role can reach, take the visible
characters of each masked number, the sex and the age, and count the 18-character numbers
consistent with them (birth dates the age allows, the sequences the sex allows, the check
character). The birthplace is assumed known (the person's own county: the village code gives it
away for nearly everyone), so the count is the attacker's best case. Every person must keep at
least `THRESHOLD` candidates, and no full number, birth date or ID-search hit may leave.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Iterable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI, make_org, make_user
from shegong.core.idnumbers import age_on, citizen_id_check_char, mask_citizen_id
from shegong.core.models import AuditEvent, Region
from shegong.core.testing import make_village
from shegong.registry.models import Person
from shegong.registry.tests.factories import make_household, make_person

pytestmark = pytest.mark.django_db

THRESHOLD = 1000
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
MASKED = re.compile(r"(?<![0-9X*])[0-9X*]{18}(?![0-9X*])")
# The roles without Perm.REVEAL_ID_NUMBER that can read the registry or cases.
ROLES = ["social_worker", "supervisor", "org_admin", "child_director", "child_supervisor"]


def _residues(strings: Iterable[str], offset: int) -> list[int]:
    """How many of `strings` (placed at `offset` in the number) give each weighted sum mod 11."""
    counts = [0] * 11
    for s in strings:
        counts[sum(int(c) * WEIGHTS[offset + i] for i, c in enumerate(s)) % 11] += 1
    return counts


def _fits(s: str, visible: dict[int, str], offset: int) -> bool:
    return all(visible.get(offset + i, c) == c for i, c in enumerate(s))


def candidates(
    *, visible: dict[int, str], sex: str, dates: list[datetime.date], birthplaces: list[str]
) -> int:
    """The number of valid 18-character numbers agreeing with what was seen."""
    places = _residues((b for b in birthplaces if _fits(b, visible, 0)), 0)
    days = _residues((d for d in (f"{d:%Y%m%d}" for d in dates) if _fits(d, visible, 6)), 6)
    parity = 1 if sex == "male" else 0
    seqs = _residues(
        (s for s in (f"{n:03d}" for n in range(1000) if n % 2 == parity) if _fits(s, visible, 14)),
        14,
    )
    total = 0
    for a in range(11):
        for b in range(11):
            for c in range(11):
                if 17 in visible and CHECK[(a + b + c) % 11] != visible[17]:
                    continue
                total += places[a] * days[b] * seqs[c]
    return total


def age_window(age: int, today: datetime.date) -> list[datetime.date]:
    """Every birth date that gives `age` today."""
    start = datetime.date(today.year - age - 1, 1, 1)
    days = (datetime.date(min(today.year - age + 1, 9999), 12, 31) - start).days
    window = [start + datetime.timedelta(days=n) for n in range(days)]
    return [d for d in window if d <= today and age_on(d, today) == age]


def visible_characters(number: str, texts: list[str]) -> dict[int, str]:
    """Every position of `number` shown by some masked form that agrees with it."""
    shown: dict[int, str] = {}
    for text in texts:
        for token in MASKED.findall(text):
            if "*" in token and all(t in ("*", n) for t, n in zip(token, number, strict=True)):
                shown.update({i: t for i, t in enumerate(token) if t != "*"})
    return shown


def _id_number(county: str, birth: datetime.date, seq: int, sex: str) -> str:
    seq = seq - seq % 2 + (1 if sex == "male" else 0)
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + citizen_id_check_char(body)


def _population(rng: random.Random, today: datetime.date) -> list[Person]:
    townships = list(
        Region.objects.filter(parent_id=GUSHI).order_by("code").values_list("code", flat=True)[:2]
    )
    villages = [make_village(t).code for t in townships for _ in range(2)]
    # Ages that stress the window: newborns, a birthday today, a leap day, the old. (Not born
    # today: today's date is on the pages as the day cases were opened.)
    births = [
        today - datetime.timedelta(days=1),
        today - datetime.timedelta(days=2),
        today.replace(year=today.year - 30, day=min(today.day, 28)),
        datetime.date(2000, 2, 29),
        datetime.date(1936, 1, 1),
    ]
    while len(births) < 50:
        births.append(datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(32000)))
    persons = []
    households = []
    for i, birth in enumerate(births):
        if i % 5 == 0:
            households.append(make_household(villages[i % 4], head_name=f"张{i:02d}户"))
        sex = rng.choice(["male", "female"])
        # One in ten was born in another county (they keep their birthplace code).
        county = "411502" if i % 10 == 3 else GUSHI[:6]
        number = _id_number(county, min(birth, today), rng.randrange(1000), sex)
        persons.append(
            make_person(households[-1], f"李{i:02d}号", sex=sex, id_number=number, relation="child")
        )
    return persons


def _viewer(role: str):
    org = make_org("固始重建测试社工中心", GUSHI)
    with_org = role in ("social_worker", "supervisor", "org_admin")
    return make_user(f"rebuild_{role}", role, GUSHI, org if with_org else None)


def _get_all(client: Client, url: str, texts: list[str], **params) -> list[dict]:
    """An API list, every page; returns the records."""
    records: list[dict] = []
    response = client.get(url, params)
    while True:
        texts.append(response.content.decode())
        if response.status_code != 200:
            return records
        body = response.json()
        records.extend(body.get("results", []))
        if not body.get("next"):
            return records
        response = client.get(body["next"])


def _pages(client: Client, url: str, texts: list[str]) -> None:
    """A page list, following its 下一页 links."""
    seen = set()
    while url not in seen:
        seen.add(url)
        response = client.get(url)
        text = response.content.decode()
        texts.append(text)
        nxt = re.search(r'href="(\?[^"]*before=[^"]+)"', text)
        if not nxt:
            return
        url = url.split("?")[0] + nxt.group(1).replace("&amp;", "&")


def _everything(client: Client, persons: list[Person], cases: list) -> tuple[list[str], dict]:
    texts: list[str] = []
    records: dict[int, list[dict]] = {}
    _pages(client, reverse("registry:person_list"), texts)
    _pages(client, reverse("registry:household_list"), texts)
    for name in ("casework:case_list", "casework:my_work", "registry:duplicate_list"):
        texts.append(client.get(reverse(name)).content.decode())
    for scope in ("households", "persons"):
        for fmt in ("csv", "xlsx"):
            texts.append(client.get(reverse(f"registry:export_{scope}_{fmt}")).content.decode())
    households = {p.household_id for p in persons}
    for pk in sorted(households):
        url = reverse("registry:household_detail", args=[pk])
        texts.append(client.get(url).content.decode())
        reveal = reverse("registry:household_reveal", args=[pk])
        texts.append(client.post(reveal).content.decode())
        texts.append(client.get(f"/api/v1/households/{pk}/").content.decode())
    for case in cases:
        texts.append(client.get(reverse("casework:case_detail", args=[case.pk])).content.decode())
        texts.append(client.get(f"/api/v1/cases/{case.pk}/").content.decode())
    _get_all(client, "/api/v1/households/", texts)
    _get_all(client, "/api/v1/cases/", texts)
    for params in ({}, {"reveal": "1"}):
        for record in _get_all(client, "/api/v1/persons/", texts, **params):
            records.setdefault(record["id"], []).append(record)
    for p in persons:
        texts.append(client.get(reverse("registry:person_detail", args=[p.pk])).content.decode())
        for params in ({}, {"reveal": "1"}):
            response = client.get(f"/api/v1/persons/{p.pk}/", params)
            texts.append(response.content.decode())
            if response.status_code == 200:
                records.setdefault(p.pk, []).append(response.json())
    return texts, records


def _dates(d: datetime.date) -> list[str]:
    return [
        f"{d:%Y-%m-%d}",
        f"{d:%Y%m%d}",
        f"{d:%Y/%m/%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y}年{d:%m}月{d:%d}日",
    ]


def test_the_counter_rebuilds_a_number_from_what_the_old_pages_showed():
    """What the pages showed before (first 4 and last 4 characters, the birth date) left
    exactly one number: the counter sees it, so the test below can fail."""
    number = _id_number("411525", datetime.date(1980, 5, 17), 123, "male")
    old = number[:4] + "*" * 10 + number[-4:]
    visible = {i: c for i, c in enumerate(old) if c != "*"}
    counties = [c for c in Region.objects.values_list("code", flat=True) if c[:4] == "4115"]
    birthplaces = sorted({c[:6] for c in counties})
    shown = candidates(
        visible=visible, sex="male", dates=[datetime.date(1980, 5, 17)], birthplaces=birthplaces
    )
    assert shown == 1
    assert mask_citizen_id(number) == "*" * 16 + number[-2:]


@pytest.mark.parametrize("role", ROLES)
def test_no_number_can_be_rebuilt_from_what_a_role_without_reveal_sees(client, role):
    today = timezone.localdate()
    rng = random.Random(20160101)
    persons = _population(rng, today)
    viewer = _viewer(role)
    village = persons[0].region_id
    cases = [make_case(region_code=village, marker=f"王{n:02d}案") for n in range(3)]
    if role == "social_worker":
        cases.append(make_case(region_code=village, marker="王自己", owner=viewer))
    everyone = list(Person.objects.order_by("pk"))
    events_before = AuditEvent.objects.filter(action="registry.reveal_id").count()
    client.force_login(viewer)

    texts, records = _everything(client, everyone, cases)

    all_text = "\n".join(texts)
    birthplaces = sorted({c[:6] for c in Region.objects.values_list("code", flat=True)})
    least = least_generous = None
    for p in everyone:
        assert p.id_number not in all_text, p.name
        for shown_date in _dates(p.birth_date):
            assert shown_date not in all_text, (p.name, shown_date)
        for record in records.get(p.pk, []):
            assert record["birth_date"] is None
            assert record["age"] == age_on(p.birth_date, today)
        visible = visible_characters(p.id_number, texts)
        window = age_window(age_on(p.birth_date, today), today)
        assert p.birth_date in window
        known = candidates(visible=visible, sex=p.sex, dates=window, birthplaces=[p.id_number[:6]])
        generous = candidates(visible=visible, sex=p.sex, dates=window, birthplaces=birthplaces)
        least = known if least is None else min(least, known)
        least_generous = generous if least_generous is None else min(least_generous, generous)
        assert known >= THRESHOLD, (p.name, p.id_number, visible, known)
    # Searching by the full number must not confirm a guess either.
    for p in everyone[:10]:
        hits = client.get("/api/v1/persons/", {"q": p.id_number})
        texts.append(hits.content.decode())
        if hits.status_code == 200:
            assert hits.json()["results"] == []
        page = client.get(reverse("registry:person_list"), {"q": p.id_number}).content.decode()
        assert p.name not in page
    assert AuditEvent.objects.filter(action="registry.reveal_id").count() == events_before
    print(
        f"\n{role}: {len(everyone)} persons tried, {len(texts)} responses read, "
        f"fewest candidates {least} (birthplace known), "
        f"{least_generous} (any of {len(birthplaces)} birthplace codes)"
    )
    assert len(everyone) == len(persons) + 10 + len(cases)

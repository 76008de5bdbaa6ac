"""The import's plan for one batch of whole households: what the registry holds for them
(`Planner.lookup`), which households conflict with it (`_conflicts`), and what to create,
update or leave (`_build`). The rules are listed in `engine`'s docstring."""

from __future__ import annotations

import contextlib
import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils.translation import gettext as _

from shegong.core.idnumbers import mask_citizen_id
from shegong.core.rulesets import RuleValues, rules_for

from ..codes import HouseholdType, Relation
from ..models import Household, Person
from ..record_rules import cause_problems, messages, person_problems
from ..rules import MemberFacts, derive_left_behind
from ..rulesets import LEFT_BEHIND
from .checking import Record
from .rows import Row
from .writers import HOUSEHOLD_FIELDS, PERSON_AT, PERSON_FIELDS, Plan, db_column

# Entries of the "moved" list kept in the audit event; the count is always complete.
AUDIT_MOVED_LIMIT = 200

# Persons: (row field → model field, default on create) for the fields a blank keeps, as
# (position in `Row`, position in PERSON_FIELDS, default): read once per row, by index.
_KEEPABLE = tuple(
    (Row._fields.index(row_field), PERSON_AT[model_field], default)
    for row_field, model_field, default in (
        ("ethnicity", "ethnicity", ""),
        ("education", "education", ""),
        ("in_school", "in_school", ""),
        ("health", "health", ""),
        ("labour", "labour", ""),
        ("work", "work_status", ""),
        ("months", "months_away", None),
        ("dibao", "is_dibao", False),
        ("phone", "phone", ""),
    )
)


class KnownHousehold(NamedTuple):
    """A household the registry holds: its id, HOUSEHOLD_FIELDS, its member count."""

    id: int
    number: str
    region_id: str
    household_type: str
    main_cause: str
    secondary_causes: list[str]
    net_income_per_person: Decimal | None
    address: str
    phone: str
    member_count: int

    def values(self) -> list[Any]:
        """HOUSEHOLD_FIELDS, in that order."""
        return list(self[1:-1])


class KnownPerson(NamedTuple):
    """A person the registry holds: their id and PERSON_FIELDS."""

    id: int
    household_id: int
    region_id: str
    name: str
    name_initials: str
    id_number: str
    sex: str
    birth_date: datetime.date
    ethnicity: str
    relation: str
    education: str
    in_school: str
    health: str
    labour: str
    work_status: str
    months_away: int | None
    is_dibao: bool
    phone: str
    left_behind: str


assert KnownHousehold._fields[1:-1] == HOUSEHOLD_FIELDS
assert KnownPerson._fields[1:] == PERSON_FIELDS


@dataclass
class Notes:
    """What the summary and the audit event say beyond the counts."""

    moved: int = 0
    moved_list: list[dict[str, str]] = field(default_factory=list)
    absent_kept: int = 0
    demoted_heads: int = 0
    emptied: set[str] = field(default_factory=set)
    region_changed: int = 0
    birthplace_warnings: int = 0
    left_behind: int = 0


@dataclass
class Lookup:
    households: dict[str, KnownHousehold]  # by number
    persons: dict[str, KnownPerson]  # by ID number
    members: dict[int, list[tuple[int, str, str]]]  # household id → (id, id_number, relation)
    source_numbers: dict[int, str]  # household id → number
    touched: set[int]  # existing households this batch reads or changes


class Planner:
    """Plans the batches of one import. `allowed(code)` says whether the import may write a
    record filed under a region code; `reject_household(records, problems)` takes the rows
    of a household that planning refuses (with each row's reasons); `notes` collects what the
    summary says beyond the counts."""

    def __init__(
        self,
        *,
        today: datetime.date,
        notes: Notes,
        allowed: Callable[[str], bool],
        reject_household: Callable[[list[Record], dict[int, list[str]]], None],
    ):
        self.today = today
        self.notes = notes
        self.allowed = allowed
        self.reject_household = reject_household
        self._left_behind_rules: RuleValues | None = None

    def left_behind_rules(self) -> RuleValues:
        """The `left_behind` rule set in force on the day of the import, read once."""
        if self._left_behind_rules is None:
            self._left_behind_rules = rules_for(LEFT_BEHIND, self.today)
        return self._left_behind_rules

    def plan(
        self, households: list[tuple[str, list[Record]]], *, lock: bool
    ) -> tuple[Plan, dict[str, int]]:
        return self.decide(households, self.lookup(households, lock=lock))

    def lookup(self, households: list[tuple[str, list[Record]]], *, lock: bool) -> Lookup:
        """What the registry holds for a batch's households and persons (reads only)."""
        with index_probes():
            return self._lookup_now(households, lock=lock)

    def _lookup_now(self, households: list[tuple[str, list[Record]]], *, lock: bool) -> Lookup:
        numbers = [number for number, _rows in households]
        ids = [rec.id_number for _n, rows in households for rec in rows]
        hh_qs = where_in(Household.objects.all(), "number", numbers)
        if lock:
            hh_qs = hh_qs.select_for_update()
        existing_hh = {
            h.number: h
            for h in map(
                KnownHousehold._make,
                hh_qs.values_list("id", *HOUSEHOLD_FIELDS, "member_count"),
            )
        }
        existing_p = {
            p.id_number: p
            for p in map(
                KnownPerson._make,
                where_in(Person.objects.all(), "id_number", ids).values_list("id", *PERSON_FIELDS),
            )
        }
        target_of = {h.number: h.id for h in existing_hh.values()}  # number → existing id
        touched = set(target_of.values()) | {p.household_id for p in existing_p.values()}
        members: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for pid, hid, id_number, relation in where_in(
            Person.objects.all(), "household_id", touched
        ).values_list("id", "household_id", "id_number", "relation"):
            members[hid].append((pid, id_number, relation))
        source_numbers = dict(
            Household.objects.filter(id__in=touched - set(target_of.values())).values_list(
                "id", "number"
            )
        )
        source_numbers.update({hid: number for number, hid in target_of.items()})
        return Lookup(existing_hh, existing_p, members, source_numbers, touched)

    def decide(
        self, households: list[tuple[str, list[Record]]], found: Lookup
    ) -> tuple[Plan, dict[str, int]]:
        existing_hh, existing_p = found.households, found.persons
        members, source_numbers = found.members, found.source_numbers

        # Judge cross-household conflicts until nothing changes (a rejection can undo the
        # move that made another household's change safe).
        accepted = {number: rows for number, rows in households}
        while True:
            rejected_now = self._conflicts(
                accepted, existing_hh, existing_p, members, source_numbers
            )
            if not rejected_now:
                break
            for number, problems in rejected_now.items():
                self.reject_household(accepted.pop(number), problems)
        return self._build(accepted, existing_hh, existing_p, members, source_numbers)

    def _conflicts(
        self,
        accepted: dict[str, list[Record]],
        existing_hh: dict[str, KnownHousehold],
        existing_p: dict[str, KnownPerson],
        members: dict[int, list[tuple[int, str, str]]],
        source_numbers: dict[int, str],
    ) -> dict[str, dict[int, list[str]]]:
        in_batch = {existing_hh[n].id for n in accepted if n in existing_hh}
        moving_ids = {rec.id_number for rows in accepted.values() for rec in rows}
        out: dict[str, dict[int, list[str]]] = {}
        for number, rows in accepted.items():
            ex = existing_hh.get(number)
            if ex is not None and not self.allowed(ex.region_id):
                reason = _(
                    "户编号 %(number)s 已登记在您管辖范围以外的区划,不能通过本次导入修改。"
                ) % {"number": number}
                out[number] = {k: [reason] for k in range(len(rows))}
                continue
            target = ex.id if ex is not None else None
            problems: dict[int, list[str]] = {}
            if ex is not None:
                problems.update(kept_cause_problems(rows, ex))
            for k, rec in enumerate(rows):
                p = existing_p.get(rec.id_number)
                if p is not None and (kept := kept_person_problems(rec.row, p)):
                    problems[k] = kept
                    continue
                if p is None or p.household_id == target:
                    continue
                if not self.allowed(p.region_id):
                    problems[k] = [
                        _(
                            "该人员已登记在您管辖范围以外的另一户中,不能通过导入迁入,"
                            "请联系其所在区县办理。"
                        )
                    ]
                    continue
                source = p.household_id
                if p.relation == Relation.HEAD and source not in in_batch:
                    others = [
                        pid for pid, id_number, _r in members[source] if id_number not in moving_ids
                    ]
                    if others:
                        problems[k] = [
                            _(
                                "该人员是户 %(number)s 的户主,原户还有其他成员,"
                                "请先在原户变更户主后再导入。"
                            )
                            % {"number": source_numbers.get(source, "")}
                        ]
            if problems:
                out[number] = problems
        return out

    def _build(
        self,
        accepted: dict[str, list[Record]],
        existing_hh: dict[str, KnownHousehold],
        existing_p: dict[str, KnownPerson],
        members: dict[int, list[tuple[int, str, str]]],
        source_numbers: dict[int, str],
    ) -> tuple[Plan, dict[str, int]]:
        plan = Plan()
        outcome = {"created": 0, "updated": 0, "unchanged": 0}
        batch_ids = {rec.id_number for rows in accepted.values() for rec in rows}
        for number, rows in accepted.items():
            # A judged household: every record has its row, one of them the head's.
            head = next(rec.row for rec in rows if rec.row and rec.row.relation == Relation.HEAD)
            ex = existing_hh.get(number)
            region = head.region
            wanted = household_values(number, head, ex)
            if ex is None:
                target: int | str = number  # resolved to the new id when written
                plan.hh_create.append([*wanted, len(rows)])
                household_changed = True
            else:
                existing_id = ex.id
                target = existing_id
                household_changed = ex.values() != wanted
                if household_changed:
                    plan.hh_update.append((existing_id, wanted))
                    if ex.region_id != region:
                        plan.region_fix.append((region, existing_id))
                        self.notes.region_changed += 1
                file_head = head.id_number
                listed = {rec.id_number for rec in rows}
                for pid, id_number, relation in members[existing_id]:
                    if id_number not in listed:
                        self.notes.absent_kept += 1
                    if (
                        relation == Relation.HEAD
                        and id_number != file_head
                        and id_number not in batch_ids
                    ):
                        plan.demote.append((Relation.OTHER, pid))
                        self.notes.demoted_heads += 1
            new_members: list[list[Any]] = []
            changed_members = False
            for rec in rows:
                r = rec.row
                assert r is not None
                p = existing_p.get(rec.id_number)
                name = r.name
                if p is None:
                    values: list[Any] = [  # PERSON_FIELDS
                        target,
                        region,
                        name,
                        rec.initials,
                        r.id_number,
                        r.sex,
                        datetime.date.fromisoformat(r.birth),
                        "",
                        r.relation,
                        "",
                        "",
                        "",
                        "",
                        "",
                        None,
                        False,
                        "",
                        "",
                    ]
                    for in_row, in_values, default in _KEEPABLE:
                        value = r[in_row]
                        values[in_values] = default if value is None else value
                    plan.p_create.append(values)
                    new_members.append(values)
                    outcome["created"] += 1
                    continue
                old: list[Any] = list(p[1:])  # PERSON_FIELDS
                values = old.copy()
                values[PERSON_AT["household_id"]] = target
                values[PERSON_AT["region_id"]] = region
                if name != p.name:
                    values[PERSON_AT["name"]] = name
                    values[PERSON_AT["name_initials"]] = rec.initials
                values[PERSON_AT["sex"]] = r.sex
                values[PERSON_AT["birth_date"]] = datetime.date.fromisoformat(r.birth)
                values[PERSON_AT["relation"]] = r.relation
                for in_row, in_values, _default in _KEEPABLE:
                    value = r[in_row]
                    if value is not None:
                        values[in_values] = value
                moved = p.household_id != target
                if moved:
                    source = p.household_id
                    plan.recount.add(source)
                    plan.left_behind_refresh.add(source)
                    self.notes.moved += 1
                    if len(self.notes.moved_list) < AUDIT_MOVED_LIMIT:
                        self.notes.moved_list.append(
                            {
                                "person": mask_citizen_id(r.id_number),
                                "from": source_numbers.get(source, ""),
                                "to": number,
                            }
                        )
                if values != old:
                    pid = p.id
                    if p.relation == Relation.HEAD and (moved or r.relation != Relation.HEAD):
                        keep = r.relation != Relation.HEAD and not moved
                        plan.demote.append((r.relation if keep else Relation.OTHER, pid))
                    plan.p_update.append((pid, values))
                    changed_members = True
                    outcome["updated"] += 1
                elif household_changed and r is head:
                    outcome["updated"] += 1
                else:
                    outcome["unchanged"] += 1
            if ex is not None and (household_changed or changed_members or new_members):
                plan.recount.add(ex.id)
            if ex is None and not changed_members:
                # A new household of new persons: its members are exactly these rows.
                plan.left_behind_set += suggest_left_behind(
                    new_members, self.today, self.left_behind_rules()
                )
            elif new_members or changed_members:
                plan.left_behind_refresh.add(target)
        return plan, outcome


@contextlib.contextmanager
def index_probes() -> Iterator[None]:
    """On PostgreSQL, look the batch up through the indexes, never by reading whole tables.

    A batch asks for thousands of ID numbers and household numbers at once. While an import
    fills the tables, their statistics lag behind (autovacuum analyses them minutes later),
    and the planner, believing them small, reads the whole table for every batch: at 1,000,000
    rows that was over 200 million rows read and a third of the database's time. Switching
    sequential scans off for these few queries (SET LOCAL, in their own transaction when
    there is none) keeps each lookup to a few thousand index probes."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        (before,) = cursor.fetchone()
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


def where_in(qs: Any, field_name: str, values: Any) -> Any:
    """`field IN (...)`; on PostgreSQL `= ANY(%s)` with one array parameter, which saves
    parsing thousands of placeholders per query."""
    values = list(values)
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{field_name}__in": values})
    model = qs.model
    column = connection.ops.quote_name(db_column(model, field_name))
    table = connection.ops.quote_name(model._meta.db_table)
    if values and all(isinstance(v, str) for v in values):
        # Household and ID numbers are letters, digits and hyphens only: one array literal
        # is much quicker to send than thousands of values adapted one by one.
        literal = ",".join(values)
        if _PLAIN.fullmatch(literal):
            return qs.extra(
                where=[f"{table}.{column} = ANY(%s::text[])"], params=[f"{{{literal}}}"]
            )
    return qs.extra(where=[f"{table}.{column} = ANY(%s)"], params=[values])


_PLAIN = re.compile(r"[0-9A-Za-z-]+(,[0-9A-Za-z-]+)*")


def kept_cause_problems(rows: list[Record], existing: KnownHousehold) -> dict[int, list[str]]:
    """The causes rule over what the household will hold when its head's row gives only one of
    the two cause columns and the registry keeps the other (a row giving both, or neither, is
    judged by the row check, or not at all: a blank changes nothing)."""
    for k, rec in enumerate(rows):
        head = rec.row
        if head is None or head.relation != Relation.HEAD:
            continue
        main: str | None = head.main_cause
        secondary: Any = head.causes
        if (main is None) == (secondary is None):
            return {}
        if main is None:
            main = existing.main_cause
        if secondary is None:
            secondary = existing.secondary_causes
        found = messages(cause_problems(main, list(secondary or ())))
        return {k: found} if found else {}
    return {}


def kept_person_problems(row: Any, existing: KnownPerson) -> list[str]:
    """The person rule over work status and months away when the row gives one of them and
    the registry keeps the other."""
    work, months = row.work, row.months
    if (work is None) == (months is None):
        return []
    if work is None:
        work = existing.work_status
    if months is None:
        months = existing.months_away
    return messages(person_problems(work_status=work, months_away=months))


def suggest_left_behind(
    members: list[list[Any]], today: datetime.date, rules: Mapping[str, Any]
) -> int:
    """Set the suggested left-behind group on the person values of one new household (as
    `services.left_behind_refresh` would); returns how many got one."""
    away_statuses, away_months = rules["away_statuses"], rules["away_months"]
    work, months = PERSON_AT["work_status"], PERSON_AT["months_away"]
    grade = PERSON_AT.get("disability_grade")
    if not any(v[work] in away_statuses and (v[months] or 0) >= away_months for v in members):
        return 0  # every group needs someone away: nobody is (the values start blank)
    facts = [
        MemberFacts(
            key=k,
            relation=v[PERSON_AT["relation"]],
            sex=v[PERSON_AT["sex"]],
            birth_date=v[PERSON_AT["birth_date"]],
            work_status=v[PERSON_AT["work_status"]],
            months_away=v[PERSON_AT["months_away"]],
            labour=v[PERSON_AT["labour"]],
            health=v[PERSON_AT["health"]] or "healthy",
            # The import file has no disability grade column: a grade entered on the page is
            # kept, and the refresh after the import reads it.
            disability_grade=v[grade] if grade is not None else None,
        )
        for k, v in enumerate(members)
    ]
    groups = derive_left_behind(facts, today, rules)
    for k, values in enumerate(members):
        values[PERSON_AT["left_behind"]] = groups[k]
    return sum(1 for group in groups.values() if group)


def household_values(number: str, head: Row, existing: KnownHousehold | None) -> list[Any]:
    """HOUSEHOLD_FIELDS as the file wants them; blanks keep what the registry has."""

    def pick(value: Any, attr: str, default: Any) -> Any:
        if value is not None:
            return value
        return getattr(existing, attr) if existing is not None else default

    income = head.income
    causes = head.causes
    return [
        number,
        head.region,
        pick(head.household_type, "household_type", HouseholdType.ORDINARY),
        pick(head.main_cause, "main_cause", ""),
        pick(list(causes) if causes is not None else None, "secondary_causes", []),
        pick(Decimal(income) if income is not None else None, "net_income_per_person", None),
        pick(head.address, "address", ""),
        pick(head.phone, "phone", ""),
    ]

"""What one import batch writes (`Plan`) and how it is written: COPY on PostgreSQL, executemany
elsewhere, inside the caller's transaction. Split from the engine, which decides the plan."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from ..models import Household, Person

# The person columns the import writes, in the order of the plan's tuples.
PERSON_FIELDS = (
    "household_id",
    "region_id",
    "name",
    "name_initials",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "relation",
    "education",
    "in_school",
    "health",
    "labour",
    "work_status",
    "months_away",
    "is_dibao",
    "phone",
    "left_behind",
)
HOUSEHOLD_FIELDS = (
    "number",
    "region_id",
    "household_type",
    "main_cause",
    "secondary_causes",
    "net_income_per_person",
    "address",
    "phone",
)
# The position of each field in a person's / household's value tuple.
PERSON_AT = {name: i for i, name in enumerate(PERSON_FIELDS)}
HOUSEHOLD_AT = {name: i for i, name in enumerate(HOUSEHOLD_FIELDS)}


@dataclass
class Plan:
    """What one batch will write. Person tuples follow PERSON_FIELDS."""

    hh_create: list[list[Any]] = field(default_factory=list)  # HOUSEHOLD_FIELDS + member_count
    hh_update: list[tuple[int, list[Any]]] = field(default_factory=list)  # (id, HOUSEHOLD_FIELDS)
    demote: list[tuple[str, int]] = field(default_factory=list)  # (relation, person id)
    p_update: list[tuple[int, list[Any]]] = field(default_factory=list)  # (id, PERSON_FIELDS)
    p_create: list[list[Any]] = field(default_factory=list)  # household_id = number until known
    region_fix: list[tuple[str, int]] = field(default_factory=list)  # (region, household id)
    recount: set[int] = field(default_factory=set)  # existing households to recount
    # Households whose left-behind suggestions are refreshed after the write (id, or number
    # when created in this batch); new households of new persons get theirs in the plan.
    left_behind_refresh: set[int | str] = field(default_factory=set)
    left_behind_set: int = 0  # suggestions the plan itself sets on new persons


def write_plan(plan: Plan, *, fast: bool) -> dict[str, int]:
    """Write one batch's plan inside the caller's transaction; returns the ids of the
    households it created, by number.

    One function, two paths: PostgreSQL loads new rows with COPY and applies updates from a
    COPY-filled temporary table; every other database (SQLite) uses executemany. The order is
    the same on both, and it is what keeps the one-head constraint satisfied at every
    statement: demote old heads, then update, then insert.
    """
    writer = _PostgresWriter() if fast else _GenericWriter()
    now = timezone.now()
    new_ids = writer.insert_households(plan.hh_create, now) if plan.hh_create else {}
    if plan.hh_update:
        writer.update_households(plan.hh_update, now)
    if plan.demote:
        writer.execute_many(
            f"UPDATE {_pt()} SET relation = %s WHERE id = %s", [list(d) for d in plan.demote]
        )
    hid = PERSON_AT["household_id"]
    for _pid, values in plan.p_update:
        if isinstance(values[hid], str):  # moved into a household created just now
            values[hid] = new_ids[values[hid]]
    if plan.p_update:
        writer.update_persons(plan.p_update, now)
    if plan.region_fix:
        writer.execute_many(
            f"UPDATE {_pt()} SET region_id = %s WHERE household_id = %s",
            [list(r) for r in plan.region_fix],
        )
    if plan.p_create:
        for values in plan.p_create:
            target = values[hid]
            if isinstance(target, str):
                values[hid] = new_ids[target]
        writer.insert_persons(plan.p_create, now)
    if plan.recount:
        _recount(writer, plan.recount, now)
    return new_ids


def _pt() -> str:
    return connection.ops.quote_name(Person._meta.db_table)


def _ht() -> str:
    return connection.ops.quote_name(Household._meta.db_table)


def _recount(writer: Any, household_ids: set[int], now: datetime.datetime) -> None:
    ids = sorted(household_ids)
    counts = dict.fromkeys(ids, 0)
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        counts.update(
            Person.objects.filter(household_id__in=chunk)
            .values_list("household_id")
            .annotate(n=_count())
            .values_list("household_id", "n")
        )
    stored = dict(Household.objects.filter(id__in=ids).values_list("id", "member_count"))
    changed = [[n, now, hid] for hid, n in counts.items() if stored.get(hid) != n]
    if changed:
        writer.execute_many(
            f"UPDATE {_ht()} SET member_count = %s, version = version + 1, updated_at = %s "
            "WHERE id = %s",
            [[n, writer.dt(at), hid] for n, at, hid in changed],
        )


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


class _Columns:
    """A model's concrete columns (no primary key) for raw inserts: first the fields the plan
    gives, in its order, then every other field with its default, so that a row is
    `given values + tail`."""

    def __init__(self, model: Any, given: tuple[str, ...]):
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        ordered = [fields[name] for name in given] + [
            f for name, f in fields.items() if name not in given
        ]
        self.fields = ordered
        self.columns = [f.column for f in ordered]
        self.width = len(given)
        self.base: list[Any] = []
        for f in ordered[self.width :]:
            default = f.get_default() if f.has_default() else None
            if default is None and not f.null and f.get_internal_type() == "CharField":
                default = ""
            self.base.append(default)
        self.json = [i for i, f in enumerate(ordered) if f.get_internal_type() == "JSONField"]
        self.stamps = [
            i
            for i, f in enumerate(ordered[self.width :])
            if f.get_internal_type() == "DateTimeField"
        ]

    def tail(self, now: Any) -> list[Any]:
        """The values of the fields the plan does not give, with timestamps set to `now`."""
        tail = list(self.base)
        for i in self.stamps:
            tail[i] = now
        return tail

    def rows(self, given: list[list[Any]], now: Any) -> list[list[Any]]:
        tail = self.tail(now)
        return [values + tail for values in given]


class _GenericWriter:
    """executemany on any database Django supports."""

    def __init__(self) -> None:
        self.ops = connection.ops

    def dt(self, value: datetime.datetime) -> Any:
        return self.ops.adapt_datetimefield_value(value)

    def _prep(self, cols: _Columns, row: list[Any]) -> list[Any]:
        # Dates and decimals bind as they are (Django registers SQLite adapters for them;
        # psycopg adapts them natively); timestamps arrive adapted once per batch.
        for i in cols.json:
            row[i] = cols.fields[i].get_db_prep_value(row[i], connection)
        return row

    def execute_many(self, sql: str, params: list[list[Any]]) -> None:
        with connection.cursor() as cur:
            cur.executemany(sql, params)

    def _insert(self, model: Any, cols: _Columns, rows: list[list[Any]]) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in cols.columns)
        marks = ", ".join(["%s"] * len(cols.columns))
        self.execute_many(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def insert_households(self, rows: list[list[Any]], now: Any) -> dict[str, int]:
        cols = _household_columns()
        data = [self._prep(cols, row) for row in cols.rows(rows, self.dt(now))]
        self._insert(Household, cols, data)
        numbers = [values[0] for values in rows]
        return dict(Household.objects.filter(number__in=numbers).values_list("number", "id"))

    def insert_persons(self, rows: list[list[Any]], now: Any) -> None:
        cols = _person_columns()
        self._insert(Person, cols, cols.rows(rows, self.dt(now)))

    def update_households(self, rows: list[tuple[int, list[Any]]], now: Any) -> None:
        fields = HOUSEHOLD_FIELDS[1:]
        sets = ", ".join(f"{_col(Household, f)} = %s" for f in fields)
        causes = Household._meta.get_field("secondary_causes")
        income = Household._meta.get_field("net_income_per_person")
        params = []
        for hid, values in rows:
            vals = list(values[1:])
            vals[fields.index("secondary_causes")] = causes.get_db_prep_value(
                vals[fields.index("secondary_causes")], connection
            )
            i = fields.index("net_income_per_person")
            if vals[i] is not None:
                vals[i] = self.ops.adapt_decimalfield_value(vals[i], income.max_digits, 2)
            params.append([*vals, self.dt(now), hid])
        self.execute_many(
            f"UPDATE {_ht()} SET {sets}, version = version + 1, updated_at = %s WHERE id = %s",
            params,
        )

    def update_persons(self, rows: list[tuple[int, list[Any]]], now: Any) -> None:
        sets = ", ".join(f"{_col(Person, f)} = %s" for f in PERSON_FIELDS)
        stamp = self.dt(now)
        params = [[*values, stamp, pid] for pid, values in rows]
        self.execute_many(
            f"UPDATE {_pt()} SET {sets}, version = version + 1, updated_at = %s WHERE id = %s",
            params,
        )


class _PostgresWriter(_GenericWriter):
    """COPY for new rows; updates go through a COPY-filled temporary table."""

    def dt(self, value: datetime.datetime) -> Any:
        return value

    def _copy(self, table: str, columns: list[str], rows: Any) -> None:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)

    def _json(self, cols: _Columns, row: list[Any]) -> list[Any]:
        for i in cols.json:
            row[i] = json.dumps(row[i], ensure_ascii=False)
        return row

    def insert_households(self, rows: list[list[Any]], now: Any) -> dict[str, int]:
        # Take the new ids from the sequence first, so COPY can carry them and nothing has
        # to be read back.
        cols = _household_columns()
        table = Household._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [r[0] for r in cur.fetchall()]
        data = [
            [pk, *self._json(cols, row)] for pk, row in zip(ids, cols.rows(rows, now), strict=True)
        ]
        self._copy(_ht(), ["id", *cols.columns], data)
        return {values[0]: pk for pk, values in zip(ids, rows, strict=True)}

    def insert_persons(self, rows: list[list[Any]], now: Any) -> None:
        cols = _person_columns()
        self._copy(_pt(), cols.columns, cols.rows(rows, now))

    def update_persons(self, rows: list[tuple[int, list[Any]]], now: Any) -> None:
        if len(rows) < 200:
            return super().update_persons(rows, now)
        columns = ["id", *[db_column(Person, f) for f in PERSON_FIELDS]]
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _registry_import_person ON COMMIT DELETE ROWS "
                f"AS SELECT {', '.join(columns)} FROM {_pt()} WITH NO DATA"
            )
        self._copy("_registry_import_person", columns, ([pid, *vals] for pid, vals in rows))
        sets = ", ".join(f"{c} = t.{c}" for c in columns[1:])
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {_pt()} AS p SET {sets}, version = p.version + 1, updated_at = %s "
                "FROM _registry_import_person AS t WHERE p.id = t.id",
                [now],
            )
            cur.execute("DELETE FROM _registry_import_person")


def db_column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


def _col(model: Any, name: str) -> str:
    return connection.ops.quote_name(db_column(model, name))


_COLUMNS_CACHE: dict[str, _Columns] = {}


def _household_columns() -> _Columns:
    if "household" not in _COLUMNS_CACHE:
        _COLUMNS_CACHE["household"] = _Columns(Household, (*HOUSEHOLD_FIELDS, "member_count"))
    return _COLUMNS_CACHE["household"]


def _person_columns() -> _Columns:
    if "person" not in _COLUMNS_CACHE:
        _COLUMNS_CACHE["person"] = _Columns(Person, PERSON_FIELDS)
    return _COLUMNS_CACHE["person"]

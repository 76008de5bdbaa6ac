"""Reading and judging the rows of an import file, before the registry is looked at.

1. `scan()` reads the file once, looking at two columns only: it counts the rows of each
   household number and finds ID numbers that appear more than once (in memory, or for large
   files in a temporary SQLite file, so that memory stays the same whatever the file's size).
2. `Judge.stream()` reads it again and checks every row (`rows.RowChecker`). Knowing from the
   scan how many rows each household has and which ID numbers are duplicated, it judges each
   household as soon as its last row is read: a bad row, no head or two heads, or a duplicated
   ID number rejects every row of it (into the reject spool, with every reason that applies:
   a row's own cell errors, and the household's head check, which also runs when some rows
   failed); good households are handed on, whole, to be planned and written while the rest
   of the file is checked. Rows with a birthplace warning are handed on too, by row number.
3. `ChildJudges` runs `Judge.stream()` in forked processes, each taking whole
   households (by household number), and passes their households to the importing process
   through pipes, so that checking runs beside planning and writing.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from django.db import connections
from django.utils.translation import gettext as _

from ..codes import Relation
from ..names import name_initials
from .rows import ImportRefused, Row, RowChecker
from .spool import Spool, read_frame, work_dir, write_frame

PROGRESS_EVERY = 5000
# Rows a judge reads before it hands on what it has judged.
MESSAGE_ROWS = 2000
# Bigger pipes: fewer switches between a checking process and the importing one.
PIPE_BYTES = 1 << 20
# Page cache of the first pass's SQLite file, when it keeps its counts on disk.
SCAN_CACHE_KIB = 16 * 1024


class Record(NamedTuple):
    """A checked row on its way through judging and planning."""

    row_number: int
    # The cells as text: packed into one string once the row is good (see `pack_cells`).
    cells: str | tuple[str, ...]
    number: str  # household number, "" when unusable
    id_number: str  # "" when unusable
    row: Row | None  # None when rejected
    errors: list[str]
    initials: str  # pinyin initials of the name ("" when rejected)


Household = tuple[str, list[Record]]
# A birthplace warning: (row number, household number, birthplace code).
Warning = tuple[int, str, str]
# What a judge hands on: (whole good households, rows it rejected, rows it read, warnings).
Message = tuple[list[Household], int, int, list[Warning]]
Rows = Iterator[tuple[int, Sequence[Any]]]


class Scan:
    """What the first pass found: each household number's rows in the file (`rows_of`), the
    ID numbers written more than once (`duplicates`, with their counts) and the number of data
    rows. Kept in memory, or — for large files, so that memory does not grow with the file —
    in a temporary SQLite file next to the spool (`on_disk`)."""

    def __init__(self, *, on_disk: bool = False):
        self.total = 0
        self.duplicates: dict[str, int] = {}
        self.on_disk = on_disk
        self._per_household: dict[str, int] = {}
        self._path: str | None = None
        self._db: sqlite3.Connection | None = None

    def rows_of(self, number: str) -> int:
        if self._db is None:
            return self._per_household[number]
        found = self._db.execute("SELECT n FROM household WHERE number = ?", (number,)).fetchone()
        return int(found[0])

    def attach(self) -> None:
        """Open the file again in a forked process (a connection must not cross a fork)."""
        if self._path is not None:
            self._db = sqlite3.connect(self._path, check_same_thread=False)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._path)
            self._path = None

    # -- the pass ------------------------------------------------------------------------
    def read(self, rows: Rows, checker: RowChecker, tick: Callable[[int], None] | None) -> None:
        if self.on_disk:
            self._read_to_disk(rows, checker, tick)
            return
        per_household = self._per_household
        seen: set[str] = set()
        duplicates = self.duplicates
        keys = checker.keys
        n = 0
        for n, (_row_number, cells) in enumerate(rows, 1):  # noqa: B007 (n is the count)
            number, id_key = keys(cells)
            if number:
                per_household[number] = per_household.get(number, 0) + 1
            if id_key:
                if id_key in seen:
                    duplicates[id_key] = duplicates.get(id_key, 1) + 1
                else:
                    seen.add(id_key)
            if tick is not None and n % PROGRESS_EVERY == 0:
                tick(n)
        self.total = n

    def _read_to_disk(
        self, rows: Rows, checker: RowChecker, tick: Callable[[int], None] | None
    ) -> None:
        directory = work_dir()
        remove_stale_scans(directory)
        fd, self._path = tempfile.mkstemp(prefix=SCAN_PREFIX, suffix=".sqlite3", dir=directory)
        os.close(fd)
        db = self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(f"PRAGMA cache_size = -{SCAN_CACHE_KIB}")
        db.execute("CREATE TABLE row_key (number TEXT, id TEXT)")
        db.execute("BEGIN")
        insert = "INSERT INTO row_key VALUES (?, ?)"
        keys = checker.keys
        buffer: list[tuple[str, str]] = []
        n = 0
        for n, (_row_number, cells) in enumerate(rows, 1):  # noqa: B007 (n is the count)
            buffer.append(keys(cells))
            if len(buffer) >= 20_000:
                db.executemany(insert, buffer)
                buffer = []
            if tick is not None and n % PROGRESS_EVERY == 0:
                tick(n)
        db.executemany(insert, buffer)
        self.total = n
        self.duplicates = dict(
            db.execute(
                "SELECT id, COUNT(*) FROM row_key WHERE id != '' GROUP BY id HAVING COUNT(*) > 1"
            ).fetchall()
        )
        db.execute("CREATE TABLE household (number TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        db.execute(
            "INSERT INTO household SELECT number, COUNT(*) FROM row_key "
            "WHERE number != '' GROUP BY number"
        )
        db.execute("DROP TABLE row_key")
        db.execute("COMMIT")


SCAN_PREFIX = "registry-import-scan-"
# A scan file this old belongs to an import that was killed (imports finish in minutes).
STALE_SCAN_SECONDS = 24 * 3600


def remove_stale_scans(directory: str | None) -> int:
    """Delete the scan files that killed imports left behind; returns how many."""
    folder = Path(directory or tempfile.gettempdir())
    cutoff = time.time() - STALE_SCAN_SECONDS
    removed = 0
    for path in folder.glob(f"{SCAN_PREFIX}*.sqlite3"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def scan(
    rows: Rows,
    checker: RowChecker,
    tick: Callable[[int], None] | None = None,
    *,
    on_disk: bool = False,
) -> Scan:
    """The file's household sizes and duplicated ID numbers, from two columns of each row."""
    found = Scan(on_disk=on_disk)
    try:
        found.read(rows, checker, tick)
    except BaseException:
        found.close()
        raise
    return found


class Judge:
    """Checks rows and judges whole households (see the module's docstring)."""

    def __init__(self, checker: RowChecker, found: Scan, rejects: Spool):
        self.checker = checker
        self.found = found
        self.duplicates = found.duplicates
        self.rejects = rejects
        self.rejected = 0

    def stream(self, rows: Rows, part: int = 0, parts: int = 1) -> Iterator[Message]:
        """Judge `rows` (with `parts` > 1, only the households of share `part`), handing on
        what is judged every `MESSAGE_ROWS` rows read."""
        checker = self.checker
        check = checker.check
        household_of = checker.household_of
        rows_of = self.found.rows_of
        open_households: dict[str, list[Record]] = {}
        expected: dict[str, int] = {}  # rows of each open household
        judged: list[Household] = []
        warnings: list[Warning] = []
        read = 0
        rejected_before = self.rejected
        for row_number, cells in rows:
            if parts > 1:
                key = household_of(cells)
                if (hash(key) if key else row_number) % parts != part:
                    continue
            raw, number, id_number, row, errors = check(cells)
            read += 1
            if checker.warned:
                warnings.append((row_number, number, checker.warned))
                checker.warned = ""
            if row is not None:
                # A good row travels on with its cells packed into one string (they are only
                # needed again if planning rejects its household): quicker to pass on.
                record = Record(
                    row_number, pack_cells(raw), number, id_number, row, errors, _initials(row.name)
                )
            else:
                record = Record(row_number, raw, number, id_number, None, errors, "")
            if not number:
                self.reject(record, self.with_duplicate(record))
            elif (members := open_households.get(number)) is not None:
                members.append(record)
                if len(members) == expected[number]:
                    del open_households[number], expected[number]
                    self.household(number, members, judged)
            elif (size := rows_of(number)) == 1:
                self.household(number, [record], judged)
            else:
                open_households[number] = [record]
                expected[number] = size
            if read >= MESSAGE_ROWS:
                yield judged, self.rejected - rejected_before, read, warnings
                judged, read, rejected_before, warnings = [], 0, self.rejected, []
        if open_households:  # pragma: no cover - the scan counted the same rows
            raise RuntimeError(f"households left open: {sorted(open_households)[:5]}")
        yield judged, self.rejected - rejected_before, read, warnings

    def household(self, number: str, records: list[Record], judged: list[Household]) -> None:
        """Judge one household's rows together; a good household joins `judged`. A rejected
        household's rows get every reason at once: their own, and the head check's."""
        problems: dict[int, list[str]] = {}
        duplicates = self.duplicates
        for k, rec in enumerate(records):
            if rec.errors or rec.id_number in duplicates:
                problems[k] = self.with_duplicate(rec)
        if not problems:
            heads = sum(1 for rec in records if rec.row and rec.row.relation == Relation.HEAD)
            if heads == 1:
                judged.append((number, records))
                return
        head_reason = self.head_problem(number, records)
        bad_rows = "、".join(str(records[k].row_number) for k in sorted(problems))
        for k, rec in enumerate(records):
            reasons = list(problems.get(k, ()))
            if head_reason:
                reasons.append(head_reason)
            if k not in problems and problems:
                reasons.append(_("同户第 %(rows)s 行有错误,整户未导入。") % {"rows": bad_rows})
            self.reject(rec, reasons)

    def head_problem(self, number: str, records: list[Record]) -> str:
        """Why the household's rows do not name exactly one head ("" if they do). Rows that
        failed their own check count by the relation they give when it is readable; "no head"
        is said only when every row's relation is readable (an unreadable one may have been
        meant as the head, and its own reason already says what is wrong)."""
        relations = [
            rec.row.relation if rec.row is not None else self.checker.relation_of(rec.cells)
            for rec in records
        ]
        heads = relations.count(Relation.HEAD)
        if heads == 1 or (heads == 0 and None in relations):
            return ""
        if heads == 0:
            return _("该户(户编号 %(number)s)没有户主,每户必须有且只有一位户主。") % {
                "number": number
            }
        return _("该户(户编号 %(number)s)有 %(count)d 位户主,每户必须有且只有一位户主。") % {
            "number": number,
            "count": heads,
        }

    def with_duplicate(self, record: Record) -> list[str]:
        errors = list(record.errors)
        if record.id_number in self.duplicates:
            errors.append(
                _("证件号码在文件中出现了 %(count)d 次,重复的行均未导入。")
                % {"count": self.duplicates[record.id_number]}
            )
        return errors

    def reject(self, record: Record, reasons: list[str]) -> None:
        self.rejected += 1
        self.rejects.append((record.row_number, unpack_cells(record.cells), "；".join(reasons)))


_SEPARATOR = "\x1f"  # the ASCII unit separator: never typed into a cell


def pack_cells(cells: tuple[str, ...]) -> str | tuple[str, ...]:
    """A row's cells as one string (a single object is much quicker to pass between
    processes than twenty); the tuple itself in the unlikely case a cell holds the separator."""
    packed = _SEPARATOR.join(cells)
    return packed if packed.count(_SEPARATOR) == len(cells) - 1 else cells


def unpack_cells(cells: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(cells.split(_SEPARATOR)) if isinstance(cells, str) else cells


def to_wire(message: Message) -> Any:
    """A judge's message as plain tuples, which marshal takes (it refuses tuple subclasses);
    `from_wire` names them again. Every record of a judged household has its row."""
    households, rejected, read, warnings = message
    plain = [
        (
            household,
            [
                (row_number, cells, number, id_number, tuple(row), errors, initials)  # type: ignore[arg-type]
                for row_number, cells, number, id_number, row, errors, initials in records
            ],
        )
        for household, records in households
    ]
    return plain, rejected, read, warnings


def from_wire(message: Any) -> Message:
    households, rejected, read, warnings = message
    new = tuple.__new__  # quicker than `Record._make`, which runs Python code per record
    named = [
        (
            household,
            [
                new(Record, (row_number, cells, number, id_number, new(Row, row), errors, initials))
                for row_number, cells, number, id_number, row, errors, initials in records
            ],
        )
        for household, records in households
    ]
    return named, rejected, read, warnings


def household_rejections(
    records: list[Record], problems: dict[int, list[str]]
) -> Iterator[tuple[Record, list[str]]]:
    """Every row of a household with its reasons: its own, or that a sibling row failed."""
    bad_rows = "、".join(str(records[k].row_number) for k in sorted(problems))
    sibling = _("同户第 %(rows)s 行有错误,整户未导入。") % {"rows": bad_rows}
    for k, rec in enumerate(records):
        yield rec, problems.get(k) or [sibling]


class ChildJudges:
    """`Judge.stream()` in `parts` forked processes, each on its share of the households,
    each with its own reject spool. Iterate to receive their messages (round robin, so that
    households arrive near file order); `warnings` and the spools' counts are complete once
    iteration ends. Start it before any thread of the importing process."""

    def __init__(self, judge: Judge, again: Callable[[], Rows], spools: list[Spool]):
        self.parts = len(spools)
        self.spools = spools
        self.warnings = 0
        connections.close_all()  # a child must not share a database connection
        context = multiprocessing.get_context("fork")
        pipes = [os.pipe() for _spool in spools]
        for _read, write in pipes:
            _widen(write)
        self.processes = []
        for part in range(self.parts):
            process = context.Process(
                target=_child, args=(judge, again, part, pipes, spools[part]), daemon=True
            )
            process.start()
            self.processes.append(process)
        self.readers: list[BinaryIO] = []
        for read, write in pipes:
            os.close(write)
            self.readers.append(os.fdopen(read, "rb", buffering=PIPE_BYTES))

    def __iter__(self) -> Iterator[Message]:
        active = list(range(self.parts))
        while active:
            for part in list(active):
                message = read_frame(self.readers[part])
                if message is None:
                    code = self.processes[part].exitcode
                    raise RuntimeError(f"row check process {part} ended early (exit {code})")
                kind = message[0]
                if kind == "rows":
                    yield from_wire(message[1])
                elif kind == "end":
                    active.remove(part)
                    self.spools[part].count = message[1]
                    self.warnings += message[2]
                elif kind == "refused":
                    raise ImportRefused(message[1])
                else:
                    raise RuntimeError(f"row check process {part} failed: {message[1]}")

    def close(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # it may be blocked writing to nobody
            process.join()
        for reader in self.readers:
            reader.close()


def _child(
    judge: Judge, again: Callable[[], Rows], part: int, pipes: list[tuple[int, int]], spool: Spool
) -> None:
    for k, (read, write) in enumerate(pipes):
        os.close(read)
        if k != part:
            os.close(write)  # else the parent would not see the end of a sibling's pipe
    out = os.fdopen(pipes[part][1], "wb", buffering=PIPE_BYTES)
    judge.rejects = spool
    judge.found.attach()
    try:
        try:
            for message in judge.stream(again(), part, len(pipes)):
                write_frame(out, ("rows", to_wire(message)))
            spool.flush()
            write_frame(out, ("end", spool.count, judge.checker.birthplace_warnings))
        except ImportRefused as exc:
            write_frame(out, ("refused", str(exc)))
        except Exception as exc:  # reported, then raised in the parent
            write_frame(out, ("error", f"{type(exc).__name__}: {exc}"))
        out.flush()
    except BrokenPipeError:  # the parent has stopped listening
        pass


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):  # pragma: no cover - not Linux, or over the limit
        pass


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# Names repeat a lot; pinyin per distinct name once (bounded, as the import is long-running).
_initials = functools.lru_cache(maxsize=500_000)(name_initials)

"""The import's first phase: read every row once, check it on its own and spool it; count the
rows of each household and find ID numbers that appear twice. On two cores a forked child
checks every other row."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from ..names import name_initials
from .reader import open_table
from .rows import F_NAME, ImportRefused, RowChecker
from .spool import Spool

PROGRESS_EVERY = 5000


class CheckPhase:
    """The checking half of `engine.Importer`."""

    path: Path
    counts: Any
    notes: Any

    def _tick(self, phase: str, done: int, total: int | None) -> None:
        raise NotImplementedError

    def _check_in_two(
        self, table: Any, checker: RowChecker, spool: Spool, other: Spool
    ) -> tuple[dict[str, int], dict[str, int], int]:
        """`_check` on two cores: a forked child checks every other row into its own spool
        and sends back its household counts and ID numbers; this process checks the rest."""
        import multiprocessing

        connections.close_all()  # the child must not share a database connection
        receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        # An in-memory sheet (calamine) is shared copy-on-write; a file is opened again.
        path = None if table.in_memory else self.path

        def child() -> None:
            try:
                mine = table if path is None else open_table(path)
                result = self._check(mine, checker, other, part=1, quiet=True)
                other.flush()
                send.send(("ok", result, checker.birthplace_warnings))
            except ImportRefused as exc:
                send.send(("refused", str(exc), 0))
            except BaseException as exc:  # reported, then raised in the parent
                send.send(("error", f"{type(exc).__name__}: {exc}", 0))

        process = multiprocessing.get_context("fork").Process(target=child, daemon=True)
        process.start()
        send.close()
        received = False
        try:
            mine = self._check(table, checker, spool, part=0)
            try:
                status, theirs, warnings = receive.recv()
            except EOFError:
                status, theirs, warnings = "error", f"exit code {process.exitcode}", 0
            received = True
        finally:
            if not received and process.is_alive():
                process.terminate()  # it may be blocked sending to nobody
            process.join()
        if status == "refused":
            raise ImportRefused(theirs)
        if status != "ok":
            raise RuntimeError(f"row check in the second process failed: {theirs}")
        other.count = theirs[3]
        checker.birthplace_warnings += warnings
        per_household, seen, duplicates, n = mine
        their_households, their_seen, their_duplicates, their_n = theirs
        for number, count in their_households.items():
            per_household[number] = per_household.get(number, 0) + count
        for id_number in seen & their_seen:
            duplicates[id_number] = duplicates.get(id_number, 1) + their_duplicates.get(
                id_number, 1
            )
        for id_number, count in their_duplicates.items():
            duplicates.setdefault(id_number, count)
        total = n + their_n
        self.counts.rows = total
        self.notes.birthplace_warnings = checker.birthplace_warnings
        self._tick(_("正在写入"), total, 2 * total)
        return per_household, duplicates, total

    def _check(
        self,
        table: Any,
        checker: RowChecker,
        spool: Spool,
        *,
        part: int | None = None,
        quiet: bool = False,
    ) -> tuple[dict[str, int], set[str], dict[str, int], int]:
        """Check every row (or, with `part`, every other row: 0 even, 1 odd) into `spool`.
        Returns (rows per household number, ID numbers seen, duplicated ID numbers with
        their counts, rows checked)."""
        per_household: dict[str, int] = {}
        seen: set[str] = set()
        duplicates: dict[str, int] = {}
        append = spool.append
        estimated = table.estimated_rows
        total = estimated * 2 if estimated else None
        step = 1 if part is None else 2
        rows = table.rows if part is None else itertools.islice(table.rows, part, None, 2)
        n = 0
        check = checker.check
        for row_number, cells in rows:
            raw, number, id_number, row, errors = check(cells)
            initials = _initials(row[F_NAME]) if row is not None and not errors else ""
            append((row_number, raw, number, id_number, row, errors, initials))
            if number:
                per_household[number] = per_household.get(number, 0) + 1
            if id_number:
                if id_number in seen:
                    duplicates[id_number] = duplicates.get(id_number, 1) + 1
                else:
                    seen.add(id_number)
            n += 1
            if not quiet and n % PROGRESS_EVERY == 0:
                self._tick(_("正在检查"), n * step, total)
        return per_household, seen, duplicates, n


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


_INITIALS_CACHE: dict[str, str] = {}


def _initials(name: str) -> str:
    try:
        return _INITIALS_CACHE[name]
    except KeyError:
        value = name_initials(name)
        if len(_INITIALS_CACHE) < 500_000:
            _INITIALS_CACHE[name] = value
        return value

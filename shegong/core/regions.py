"""Division codes: pure functions over the 12-digit statistical code.

province 2 · city 2 · county 2 · township 3 · village 3. A region's *prefix* is the part of
its code that all records below it share; jurisdiction is a range on that prefix, which a
plain B-tree index serves on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re

# ASCII digits only and no trailing newline: "\d" and "$" would let both through.
CODE_RE = re.compile(r"\A[0-9]{12}\Z")

LEVEL_WIDTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def is_code(value: str) -> bool:
    return bool(CODE_RE.match(value or ""))


def level_of(code: str) -> str:
    """The level a well-formed code sits at, read from where its trailing zeros start."""
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def prefix_of(code: str) -> str:
    return code[: LEVEL_WIDTHS[level_of(code)]]


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """Half-open [low, high) range of codes that start with `prefix`.

    The upper bound is the next prefix of the same width ('411525' → '411526'), so the
    comparison stays within digits and behaves the same under any collation. A prefix of nines
    has no next prefix of its width ('99' + 1 is '100', which sorts before '99'); every code at
    or above it starts with it, so its bound is thirteen nines, above every 12-digit code.
    """
    if not prefix:
        return "", "~"
    if set(prefix) == {"9"}:
        return prefix, "9" * 13
    high = str(int(prefix) + 1).zfill(len(prefix))
    return prefix, high


def code_in_prefix(code: str, prefix: str) -> bool:
    return code.startswith(prefix)


def minimal_prefixes(prefixes: list[str]) -> list[str]:
    """Drop prefixes already covered by a shorter one, so no range is ORed twice."""
    result: list[str] = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(q) for q in result):
            result.append(p)
    return sorted(result)

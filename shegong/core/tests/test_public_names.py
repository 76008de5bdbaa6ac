"""Names the call graph can follow: a services package says what it exports, and no module
imports another module's private (`_name`) helpers.

Application modules only: tests, `conftest.py` and migrations are left out (a test may reach a
helper it checks; a migration is frozen history).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # .../shegong


def _application_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if not {"tests", "migrations", "e2e_tests"} & set(path.relative_to(PACKAGE).parts)
        and path.name != "conftest.py"
    )


def _services_modules() -> list[Path]:
    return [
        path
        for path in _application_modules()
        if path.name.startswith("services") or path.parent.name == "services"
    ]


def star_imports(source: str) -> list[str]:
    """ "<line> <module>" for every `from x import *`."""
    return [
        f"{node.lineno} {'.' * node.level}{node.module or ''}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
    ]


def private_imports(source: str) -> list[str]:
    """ "<line> <name>" for every `_name` imported from another module (`__future__`-style
    dunder names aside)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [part for a in node.names for part in a.name.split(".")]
        else:
            continue
        found += [
            f"{node.lineno} {n}" for n in names if n.startswith("_") and not n.startswith("__")
        ]
    return found


def _report(paths: list[Path], check) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE.parent)}:{hit}"
        for path in paths
        for hit in check(path.read_text(encoding="utf-8"))
    ]


def test_no_services_module_star_imports():
    paths = _services_modules()
    print(f"star-import check: {len(paths)} services modules")
    assert _report(paths, star_imports) == []
    assert len(paths) >= 15


def test_no_module_imports_a_private_name_of_another():
    paths = _application_modules()
    print(f"private-name check: {len(paths)} modules")
    assert _report(paths, private_imports) == []
    assert len(paths) > 150


def test_the_casework_services_package_exports_exactly_its_services():
    from shegong.casework import services

    exported = set(services.__all__)
    assert {name for name in vars(services) if not name.startswith("_")} - exported == {
        "access",
        "cases",
        "outcomes",
        "plans",
        "records",
        "studies",
    }
    assert "transaction" not in exported and "Case" not in exported
    assert all(callable(getattr(services, name)) for name in exported - {"STUDY_TEXT_FIELDS"})


@pytest.mark.parametrize(
    ("source", "stars", "privates"),
    [
        ("from .cases import *  # noqa: F403\n", ["1 .cases"], []),
        ("from shegong.core.services import *\n", ["1 shegong.core.services"], []),
        ("from .access import _lock, may_work\n", [], ["1 _lock"]),
        ("import os\nfrom ..forms import _Versioned\n", [], ["2 _Versioned"]),
        ("import shegong.core._internal\n", [], ["1 _internal"]),
        ("from __future__ import annotations\nfrom .access import lock_case\n", [], []),
        ("from . import services\n", [], []),
    ],
)
def test_the_checks_report_exactly_what_they_find(source, stars, privates):
    assert star_imports(source) == stars
    assert private_imports(source) == privates

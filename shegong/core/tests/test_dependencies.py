"""Dependencies point one way: domain apps build on core, never the reverse.

Every module of every app (its tests aside: a test may set up records of any app) is parsed
and each `import` / `from ... import` that names another app is checked against `ALLOWED`.
A lazy model reference ("workforce.Organisation") is not an import and is not checked here;
see "Dependencies and panels" in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # .../shegong

# The apps each app may import; core may import none. A new module adds its own line.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "registry": frozenset({"core"}),
    "resources": frozenset({"core"}),
    "workforce": frozenset({"core"}),
    "casework": frozenset({"core", "registry", "resources", "workforce"}),
    # Dibao builds on the registry's households and on casework's assessments; its third-party
    # checks are contracts with workforce organisations.
    "dibao": frozenset({"core", "registry", "casework", "workforce"}),
}


def _apps() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def _modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (PACKAGE / app).rglob("*.py")
        if "tests" not in path.parts[len(PACKAGE.parts) :]
    )


def _module_name(path: Path) -> list[str]:
    parts = ["shegong", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(source: str, module: list[str], is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in one module, relative ones resolved."""
    package = module if is_package else module[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def upward_imports(app: str, source: str, module: list[str], is_package: bool) -> list[str]:
    """What one module of `app` imports from an app it may not: ["<line> <module>", ...]."""
    wrong = []
    for line, name in imported_modules(source, module, is_package):
        parts = name.split(".")
        other = parts[1] if len(parts) > 1 and parts[0] == "shegong" else None
        if other in ALLOWED and other != app and other not in ALLOWED[app]:
            wrong.append(f"{line} {name}")
    return wrong


def test_every_app_has_a_line_in_the_table():
    assert sorted(ALLOWED) == _apps()


def test_no_app_imports_an_app_it_may_not():
    wrong = []
    checked = 0
    for app in _apps():
        for path in _modules(app):
            source = path.read_text(encoding="utf-8")
            found = upward_imports(app, source, _module_name(path), path.name == "__init__.py")
            wrong += [f"{path.relative_to(PACKAGE.parent)}:{w}" for w in found]
            checked += 1
    print(f"dependency check: {checked} modules in {len(ALLOWED)} apps")
    assert wrong == []
    assert checked > 100


@pytest.mark.parametrize(
    ("app", "module", "source", "expected"),
    [
        (
            "core",
            "core.views.x",
            "from shegong.workforce.selectors import f\n",
            ["1 shegong.workforce.selectors"],
        ),
        (
            "core",
            "core.x",
            "import os\nimport shegong.registry.models\n",
            ["2 shegong.registry.models"],
        ),
        ("core", "core.views.x", "from ...workforce import models\n", ["1 shegong.workforce"]),
        (
            "core",
            "core.views.__init__",
            "from ...casework.selectors import f\n",
            ["1 shegong.casework.selectors"],
        ),
        ("core", "core.views.x", "from ..models import User\n", []),
        (
            "registry",
            "registry.views.households",
            "from shegong.casework import selectors\n",
            ["1 shegong.casework"],
        ),
        ("registry", "registry.x", "from shegong.core.roles import Perm\n", []),
        (
            "workforce",
            "workforce.x",
            "from shegong.casework.models import Case\n",
            ["1 shegong.casework.models"],
        ),
        ("casework", "casework.x", "from shegong.registry.models import Household\n", []),
    ],
)
def test_the_check_reports_exactly_the_upward_imports(app, module, source, expected):
    parts = ["shegong", *module.split(".")]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    assert upward_imports(app, source, parts, is_package) == expected

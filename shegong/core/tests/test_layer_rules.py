"""What views, APIs and forms may not do, checked over the source of every app.

- No view runs more than one action: nothing reads an `action` field from the request, and no
  template posts one (each action has its own route, which the jurisdiction harness tests).
- Views and APIs queue no background job: a service creates the progress row and queues the
  job with `transaction.on_commit`.
- Forms query no model: the choices they offer come from selectors.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import shegong

ROOT = Path(shegong.__file__).parent


def _sources(kind: str) -> list[Path]:
    """The project's modules of one layer ("views", "api" or "forms"), tests excluded."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or "migrations" in rel:
            continue
        stem, folders = path.stem, rel[:-1]
        layer = {
            "views": "views" in folders or stem == "views",
            "api": "api" in folders or stem == "api" or stem.startswith("api_"),
            "forms": stem == "forms" or stem.startswith("forms_"),
        }
        if layer[kind]:
            out.append(path)
    return out


def _reads_action(tree: ast.AST) -> list[int]:
    """Lines that read `<x>.POST["action"]`, `<x>.POST.get("action")` (or from GET/data)."""
    lines = []
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr in ("POST", "GET", "data"):
                key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "getlist")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in ("POST", "GET", "data")
            and node.args
        ):
            key = node.args[0]
        if isinstance(key, ast.Constant) and key.value == "action":
            lines.append(node.lineno)
    return lines


def _calls(tree: ast.AST, attr: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attr
    ]


def _manager_uses(tree: ast.AST) -> list[int]:
    """Lines that name `<Model>.objects` (or `_default_manager`)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager")
    ]


def _offences(kind: str, check) -> list[str]:
    out = []
    for path in _sources(kind):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out += [f"{path.relative_to(ROOT)}:{line}" for line in check(tree)]
    return out


def test_the_walk_finds_the_layers():
    views = {str(p.relative_to(ROOT)) for p in _sources("views")}
    apis = {str(p.relative_to(ROOT)) for p in _sources("api")}
    forms = {str(p.relative_to(ROOT)) for p in _sources("forms")}
    assert {"registry/views/households.py", "casework/views/case_page.py"} <= views
    assert {"core/views/audit.py"} <= views
    assert {"registry/api.py", "casework/api.py"} <= apis
    assert {"core/forms.py", "registry/forms.py", "casework/forms.py"} <= forms


def test_no_view_runs_more_than_one_action():
    assert _offences("views", _reads_action) + _offences("api", _reads_action) == []


def test_no_template_posts_an_action_field():
    field = re.compile(r"""name=["']action["']""")
    found = [
        str(path.relative_to(ROOT))
        for path in sorted(ROOT.rglob("*.html"))
        if field.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_view_or_api_queues_a_job():
    assert _offences("views", lambda t: _calls(t, "enqueue")) == []
    assert _offences("api", lambda t: _calls(t, "enqueue")) == []


def test_no_form_queries_a_model():
    assert _offences("forms", _manager_uses) == []


def test_the_checks_catch_what_they_look_for():
    source = """
def view(request):
    a = request.POST.get("action")
    b = request.POST["action"]
    job.enqueue("x")
    return Region.objects.all()
"""
    tree = ast.parse(source)
    assert _reads_action(tree) == [3, 4]
    assert _calls(tree, "enqueue") == [5]
    assert _manager_uses(tree) == [6]

"""The write rule of docs/ARCHITECTURE.md, held on the code itself: in the capability
packages a building block named `add_*` or `apply_*` only flushes (its caller owns the
transaction), and a function that commits is a command with another name; models never
commit. Read from the source, so a new function is held to it the day it is written."""

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
CAPABILITIES = ("work", "reporting", "org", "accounts", "audit", "infra", "seed")


def functions(package: str):
    for path in sorted((TRACKER / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                yield path.relative_to(TRACKER.parent), node


def commits(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        for node in ast.walk(function)
    )


@pytest.mark.parametrize("package", CAPABILITIES)
def test_building_blocks_only_flush_and_commands_are_not_named_as_them(package):
    wrong = [
        f"{path}:{function.lineno} {function.name}"
        for path, function in functions(package)
        if function.name.startswith(("add_", "apply_")) and commits(function)
    ]
    assert wrong == [], "add_*/apply_* must only flush; name a committing command otherwise"


def test_models_never_commit():
    assert [f"{path}:{f.name}" for path, f in functions("models") if commits(f)] == []


def test_the_rule_sees_the_building_blocks_it_names():
    names = {function.name for package in CAPABILITIES for _, function in functions(package)}
    assert {"add_task", "apply_progress", "add_directive", "add_user", "add_file"} <= names
    assert {"create_task", "report_progress", "post_comment"} <= names

"""Every action the code records on the audit trail has a name for people (the trail shows
it in the reader's language above the code), and no name is left for an action no longer
recorded."""

from __future__ import annotations

import ast

from tracker.config import PACKAGE_DIR
from tracker.domain.audit_actions import ACTION_LABELS

# Actions whose code is made where `audit.record` is called, from values the scan below
# cannot read: f"{kind}.add", f"extension.{status}", f"auth.{outcome}", and the action an
# import passes down to the loop that records it.
MADE_IN_CALLS = {
    "comment.add",
    "obstacle.add",
    "extension.approved",
    "extension.rejected",
    "auth.login",
    "import.file",
    "import.users",
}


def recorded_actions() -> set[str]:
    """The action codes written as text where the trail's `record` is called: the second
    argument, or the text an `action` name is given in the same function."""
    found: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute | ast.Name)
                    and getattr(call.func, "attr", getattr(call.func, "id", None)) == "record"
                    and len(call.args) >= 2
                ):
                    continue
                action = call.args[1]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    found.add(action.value)
                elif isinstance(action, ast.Name):
                    for assigned in ast.walk(function):
                        if isinstance(assigned, ast.Assign) and any(
                            isinstance(t, ast.Name) and t.id == action.id for t in assigned.targets
                        ):
                            found |= {
                                c.value
                                for c in ast.walk(assigned.value)
                                if isinstance(c, ast.Constant) and isinstance(c.value, str)
                            }
    return {action for action in found if "." in action}


def test_every_recorded_action_has_a_name_and_every_name_an_action():
    recorded = recorded_actions()
    assert "task.progress_reported" in recorded and "user.password_reset" in recorded
    assert recorded | MADE_IN_CALLS == set(ACTION_LABELS)


def test_the_trail_names_the_action_and_the_kind_of_object(client, make, org):
    from tracker.org import units

    from ..conftest import login

    admin = make.user("admin", org["ministry"], username="quan.tri")
    admin.language = "vi"
    unit = units.create_unit(admin, "ĐV MỚI", "Đơn vị Đắk Lắk", org["ministry"])
    login(client, admin)
    page = client.get("/audit").text
    assert 'Tạo đơn vị<br><code lang="en" class="muted">unit.create</code>' in page
    assert f"<td>Đơn vị {unit.id}<br><strong>ĐV MỚI</strong></td>" in page  # the object

"""What the system writes in a task's history, kept as a code and its values (StatusUpdate
.note_code, .note_values) and put into words where it is read, in the reader's language.
What a person typed (a progress note, a reason, a notice's text) stays in StatusUpdate.note,
as written."""

from __future__ import annotations

from .text import N_, Text

ASSIGNED = "assigned"
EXTENSION_REQUESTED = "extension.requested"
EXTENSION_APPROVED = "extension.approved"
EXTENSION_REJECTED = "extension.rejected"
URGING_ISSUED = "urging.issued"
DEADLINE_CHANGED = "deadline.changed_by_admin"
IMPORT_UPDATED = "import.updated"
PROGRESS_REPORTED = "progress.reported"
ROLLED_UP = "rolled_up"
GIVEN = "task.given"
TAKEN_BACK = "task.taken_back"
LEAD_UNIT_CHANGED = "lead_unit.changed"

TEMPLATES = {
    ASSIGNED: N_("Task assigned."),
    EXTENSION_REQUESTED: N_("Extension requested: deadline %(old)s → %(new)s. Reason:"),
    EXTENSION_APPROVED: N_("Extension approved: deadline %(old)s → %(new)s."),
    EXTENSION_REJECTED: N_("Extension to %(new)s rejected."),
    URGING_ISSUED: N_("Urging notice %(number)s:"),
    DEADLINE_CHANGED: N_("Deadline changed by an administrator: %(old)s → %(new)s."),
    IMPORT_UPDATED: N_("Updated by import."),
    PROGRESS_REPORTED: N_("Progress report."),
    ROLLED_UP: N_("Percent done follows the subtasks: %(old)s%% → %(new)s%%."),
    GIVEN: N_("Given to %(name)s."),
    TAKEN_BACK: N_("Taken back from %(name)s: given to no one."),
    LEAD_UNIT_CHANGED: N_("Lead unit changed by an administrator: %(old)s → %(new)s."),
}


def words(code: str | None, values: dict[str, object] | None) -> Text | None:
    """The system's part of a history entry as a Text (translated where it is shown)."""
    if not code or code not in TEMPLATES:
        return None
    template = TEMPLATES[code]
    return template.fill(**values) if values else template

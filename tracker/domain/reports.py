"""The reports whose files the tracker makes, by the name the API, the manifests and the
audit trail record, with the title people read each by (the file check and the audit trail
show a recorded report so: i18n.FIELD_WORDS)."""

from __future__ import annotations

from .text import N_

REPORT_TITLES = {
    "tasks": N_("Task list"),
    "board": N_("Overdue board"),
    "directive": N_("Directive progress"),
    "period": N_("Period report"),
    "league": N_("League table"),
    "closing": N_("Closed period report"),
    "audit": N_("Audit trail"),
}
REPORTS = tuple(REPORT_TITLES)

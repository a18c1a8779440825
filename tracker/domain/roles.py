"""The roles a user can hold, and their labels."""

from .text import N_

ADMIN = "admin"
SUPERVISOR = "supervisor"
UNIT_LEADER = "unit_leader"
OFFICER = "officer"
AUDITOR = "auditor"

ROLES = (ADMIN, SUPERVISOR, UNIT_LEADER, OFFICER, AUDITOR)
ROLE_LABELS = {
    ADMIN: N_("Administrator"),
    SUPERVISOR: N_("Supervisor"),
    UNIT_LEADER: N_("Unit leader"),
    OFFICER: N_("Officer"),
    AUDITOR: N_("Auditor"),
}
# Roles that read every task, whatever their unit.
READ_ALL_ROLES = (ADMIN, AUDITOR)

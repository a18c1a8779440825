"""The roles a user can hold, and their labels."""

ADMIN = "admin"
SUPERVISOR = "supervisor"
UNIT_LEADER = "unit_leader"
OFFICER = "officer"
AUDITOR = "auditor"

ROLES = (ADMIN, SUPERVISOR, UNIT_LEADER, OFFICER, AUDITOR)
ROLE_LABELS = {
    ADMIN: "Administrator",
    SUPERVISOR: "Supervisor",
    UNIT_LEADER: "Unit leader",
    OFFICER: "Officer",
    AUDITOR: "Auditor",
}
# Roles that read every task, whatever their unit.
READ_ALL_ROLES = (ADMIN, AUDITOR)

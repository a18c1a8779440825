"""Administration: units, users, directives, targets and tasks."""

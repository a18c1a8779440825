"""The organisation the work hangs on: directives and their targets, the unit tree, finding
records by code or id (`lookups`), and importing directives, targets and tasks from
spreadsheets."""

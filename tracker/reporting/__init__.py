"""What supervisors and auditors read: task queries and filters (`task_queries`), figures as
of a past day (`as_of`), the report tables and their CSV, XLSX and PDF files, period
reports, the league table, the dashboard, exports with their manifests, closed periods and
task search. Everything here reads, except recording a manifest or a closing."""

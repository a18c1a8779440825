"""Every route of `app.url_map`, walked.

- Each endpoint is in ACCESS below (who may read it) or on the PUBLIC allow-list; a new
  route that is in neither fails `test_every_route_is_classified`.
- Without a login, every other route refuses every method it accepts (a redirect to the
  login page, or 401 from the API) and changes nothing.
- Signed in, every GET answers each role exactly as ACCESS says, and changes nothing (a
  downloaded report only records its manifest: a report_export row and its audit event).
- A route that changes state answers GET with 405, or with the form that posts to it.

The writes themselves (who may do what to which task) are the permission matrix's
(test_permission_matrix.py), referenced by WRITES.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Comment,
    ExtensionRequest,
    Job,
    RecurringTask,
    ReportExport,
    Target,
    Task,
)
from tracker.reporting import closings
from tracker.reporting.task_queries import TaskFilters
from tracker.work import calendar
from tracker.work.evidence import add_file

from ..conftest import PASSWORD, login
from ..work.test_evidence import PDF

ROLES = ("admin", "supervisor", "unit_leader", "officer", "auditor")
EVERYONE = frozenset(ROLES)
REPORTERS = frozenset({"admin", "supervisor", "auditor"})
AUDITORS = frozenset({"admin", "auditor"})
ADMINS = frozenset({"admin"})
UNIT_PEOPLE = frozenset({"admin", "supervisor", "unit_leader", "officer"})
IMPORTERS = frozenset({"admin", "supervisor"})
GIVERS = frozenset({"admin", "supervisor", "unit_leader"})

# Reachable without a login, each for its own reason.
PUBLIC = {
    "static": "stylesheet",
    "favicon": "the site's icon",
    "auth.login": "the login form",
    "auth.second_factor": "the login's second step, after the password (test_second_factor)",
    "auth.sso_start": "sends the person to the ministry's sign-in (test_single_sign_on)",
    "auth.sso_callback": "the provider's answer; state, nonce and ID token checked (same)",
    "auth.forgot_password": "asking for a link to set a new password (test_password_links)",
    "auth.reset_password": "the secret token in the URL is the credential (test_password_links)",
    "auth.set_language": "the language of the pages, chosen before logging in too",
    "public.index": "public progress of directives marked public",
    "public.directive": "public progress of directives marked public",
    "tasks.calendar_feed": "the secret token in the URL is the credential",
    "api.create_token": "exchanges a username and password for a token",
    "api.openapi_document": "the API's description",
    "health.healthz": "load balancers ask whether the process serves",
    "health.readyz": "load balancers ask whether it can work (names no setting)",
    "metrics.metrics": "Prometheus, from METRICS_ALLOW_FROM or with METRICS_TOKEN (test_metrics)",
}

# GET endpoints: the roles that get the page; every other role gets 403.
ACCESS = {
    "tasks.home": EVERYONE,
    "auth.enrol_second_factor": EVERYONE,
    "auth.deputies_page": UNIT_PEOPLE,
    "admin.users_import": ADMINS,
    "admin.users_import_template": ADMINS,
    "tasks.index": EVERYONE,
    "tasks.quick_search": EVERYONE,
    "tasks.show": EVERYONE,
    "tasks.my_unit": UNIT_PEOPLE,
    "tasks.report_several": UNIT_PEOPLE,
    "giving.page": GIVERS,
    "tasks.reminders_page": EVERYONE,
    "tasks.verification_queue": frozenset({"admin", "supervisor"}),
    "tasks.download_evidence": EVERYONE,
    "directives.index": EVERYONE,
    "directives.show": EVERYONE,
    "directives.timeline": EVERYONE,
    "directives.target": EVERYONE,
    "reports.dashboard": EVERYONE,
    "reports.board": REPORTERS,
    "reports.board_file": REPORTERS,
    "reports.directive_progress": REPORTERS,
    "reports.directive_progress_file": REPORTERS,
    "reports.period_report": REPORTERS,
    "reports.league_table": REPORTERS,
    "reports.closed_periods": REPORTERS,
    "reports.closed_period": REPORTERS,
    "reports.export_tasks_csv": REPORTERS,
    "reports.export_tasks_file": REPORTERS,
    "reports.export_manifest": AUDITORS,  # and the file's maker
    "reports.manifest_by_digest": REPORTERS,
    "reports.verify_export": REPORTERS,
    "reports.audit_trail": AUDITORS,
    "reports.audit_csv": AUDITORS,
    "reports.audit_file": AUDITORS,
    "admin.units_index": ADMINS,
    "admin.unit_edit": ADMINS,
    "admin.unit_choices": ADMINS,
    "admin.unit_people": ADMINS,
    "admin.directive_targets": ADMINS,
    "admin.directive_tasks": ADMINS,
    "admin.users_index": ADMINS,
    "admin.user_edit": ADMINS,
    "admin.directive_edit": ADMINS,
    "admin.target_edit": ADMINS,
    "admin.task_edit": ADMINS,
    "admin.recurring_index": ADMINS,
    "admin.import_file": IMPORTERS,
    "admin.import_template": IMPORTERS,
    "api.list_tasks": EVERYONE,
    "api.get_task": EVERYONE,
    "api.list_units": EVERYONE,
    "api.summary": EVERYONE,
    "api.get_target": EVERYONE,
    "api.list_comments": EVERYONE,
    "api.list_evidence": EVERYONE,
    "api.list_extensions": EVERYONE,
    "api.list_notices": EVERYONE,
    "api.download_evidence": EVERYONE,
    "api.export_tasks": REPORTERS,
    "api.list_recurring": ADMINS,
    "notifications.index": EVERYONE,
    "jobs.my_jobs": EVERYONE,
    "jobs.job_page": AUDITORS,  # the auditor asked for the file; admins see every job
    "jobs.job_state": AUDITORS,
    "jobs.job_file": AUDITORS,
    "api.get_export": AUDITORS,
    "api.get_export_file": AUDITORS,
    "api.get_import": ADMINS,  # the admin imported the file
}
# Another person's job is as if it did not exist: 404, not 403.
HIDDEN_FROM_OTHERS = {
    "jobs.job_page",
    "jobs.job_state",
    "jobs.job_file",
    "api.get_export",
    "api.get_export_file",
    "api.get_import",
}

# State-changing endpoints without a GET page, and where their permissions are tested.
WRITES = {
    "api.create_export": "test_export_api::test_exports_are_for_reporters_and_each_sees_their_own",
    "auth.logout": "test_auth_views::test_logout_is_a_post_and_ends_the_session",
    "notifications.open_one": "test_notifications::test_the_bell_counts_and_opening_marks_read",
    "notifications.mark_all_read": (
        "test_notifications::test_the_bell_counts_and_opening_marks_read"
    ),
    "tasks.update_progress": "test_permission_matrix: report progress, submit, verify",
    "tasks.verify": "test_notifications::test_a_supervisor_verifies_or_sends_back_with_buttons",
    "tasks.add_comment": "test_permission_matrix: comment",
    "tasks.answer_obstacle": "test_permission_matrix: answer obstacle",
    "tasks.attach_evidence": "test_permission_matrix: attach evidence",
    "tasks.request_extension": "test_permission_matrix: request extension",
    "tasks.decide_extension": "test_permission_matrix: decide extension",
    "tasks.issue_urging": "test_permission_matrix: issue urging",
    "tasks.give_task": "test_permission_matrix: give to someone",
    "api.give_task": "test_permission_matrix: api give to someone",
    "tasks.create_calendar_feed": "test_calendar",
    "tasks.revoke_calendar_feed": "test_calendar",
    "reports.close_period": "test_closings",
    "api.create_task": "test_permission_matrix: api create",
    "api.patch_task": "test_permission_matrix: api patch",
    "api.report_several": "test_progress_batch",
    "tasks.save_several": "test_report_several",
    "giving.save": "test_give_several",
    "api.add_evidence": "test_api",
    "api.answer_comment": "test_api",
    "api.post_comment": "test_api",
    "api.ask_extension": "test_api",
    "api.decide_extension": "test_api",
    "api.issue_notice": "test_api",
    "api.import_file": "test_imports",
    "api.create_recurring": "test_recurring",
    "api.record_target_value": "test_targets",
    "api.revoke_token": "test_api",
    "admin.deactivate_dormant_users": "test_account_hygiene",
    "admin.user_reset_second_factor": "test_second_factor::test_an_admin_sees_and_resets_…",
    "auth.end_delegation": "test_deputies::test_before_and_after_the_range_and_once_ended_…",
    "admin.user_invite": "test_password_links::test_a_supervisor_cannot_send_invitations",
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def rules(app):
    return list(app.url_map.iter_rules())


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in rules(app)}
    unknown = endpoints - set(PUBLIC) - set(ACCESS) - set(WRITES)
    assert not unknown, f"routes missing from the access table: {sorted(unknown)}"
    stale = (set(PUBLIC) | set(ACCESS) | set(WRITES)) - endpoints
    assert not stale, f"the access table names routes that do not exist: {sorted(stale)}"
    for rule in rules(app):
        if rule.endpoint in WRITES:
            assert "GET" not in rule.methods, f"{rule.rule} changes state and answers GET"


@pytest.fixture
def world(make, org, client):
    """One of everything, in units every role can see (the department, under the ministry)."""
    department = org["department"]
    people = {role: make.user(role, org["ministry"], username=role) for role in ROLES}
    for role in ("unit_leader", "officer"):
        people[role].unit = department
    db.session.commit()
    directive = make.directive("57-NQ/TW")
    target = Target(
        directive=directive, code="MT1", title="Decrees issued", due_on=date(2030, 1, 1)
    )
    db.session.add(target)
    db.session.commit()
    task = make.task(department, directive, code="T1", deadline=date(2025, 6, 30), target=target)
    written: list = []
    upload = FileStorage(io.BytesIO(PDF), filename="decree.pdf")
    evidence = add_file(task, people["admin"], upload, written)
    extension = ExtensionRequest(
        task_id=task.id,
        previous_deadline=task.deadline,
        requested_deadline=date(2025, 9, 30),
        reason="Data arrives late",
    )
    comment = Comment(task_id=task.id, kind="obstacle", body="Blocked")
    recurring = RecurringTask(
        directive=directive,
        code_prefix="BC",
        title="Quarterly report",
        lead_unit_id=department.id,
        frequency="quarterly",
        starts_on=date(2030, 1, 1),
    )
    db.session.add_all([evidence, extension, comment, recurring])
    db.session.commit()
    token = calendar.create_feed(people["officer"], "mine")
    closing = closings.close_period(
        people["supervisor"], TaskFilters(), date(2025, 1, 1), date(2025, 3, 31)
    )
    login(client, people["auditor"])
    client.get("/reports/tasks.csv").get_data()  # one export, for its manifest page
    client.get("/reports/tasks.xlsx")  # one file made by a job, for the job's pages
    login(client, people["admin"])  # and an import run in the background, for its page
    client.post(
        "/admin/import",
        data={"file": (io.BytesIO(b"directive,task_code\n"), "trống.csv")},
        content_type="multipart/form-data",
    )
    with client.session_transaction() as session:
        session.clear()
    values = {
        "task_id": task.id,
        "directive_id": directive.id,
        "target_id": target.id,
        "evidence_id": evidence.id,
        "request_id": extension.id,
        "comment_id": comment.id,
        "unit_id": department.id,
        "user_id": people["officer"].id,
        "feed_id": 1,
        "notification_id": 1,
        "delegation_id": 1,
        "closing_id": closing.id,
        "export_id": db.session.scalar(select(ReportExport.id).order_by(ReportExport.id)),
        "digest": db.session.scalar(select(ReportExport.sha256).order_by(ReportExport.id)),
        "job_id": db.session.scalar(select(Job.id).where(Job.kind == "report")),
        "import_id": db.session.scalar(select(Job.id).where(Job.kind == "import")),
        "token": token,
        "filename": "app.css",
    }
    return {"people": people, "values": values, "task": task}


def url_of(rule, values: dict) -> str:
    """The rule's URL with the world's ids (and the first choice of any `any(...)`)."""
    path = rule.rule
    for name, converter in rule._converters.items():
        choices = re.findall(r"\w+", converter.regex) if "|" in converter.regex else None
        value = choices[0] if choices else values[name]
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>|<any\([^)]*\):{name}>", str(value), path)
    return path


def fingerprint() -> tuple:
    """Everything a GET must not change: every table's row count, task versions, the head
    of the audit chain (less report exports, which a download records, and the jobs that
    make report files)."""
    counts = tuple(
        (table.name, db.session.scalar(select(func.count()).select_from(table)))
        for table in db.metadata.sorted_tables
        if table.name not in ("report_export", "audit_event", "audit_head", "job")
    )
    other_events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action != "report.export")
    )
    versions = db.session.scalar(select(func.sum(Task.version)))
    return counts, other_events, versions


def manifests_match_exports() -> bool:
    exports = db.session.scalar(select(func.count(ReportExport.id)))
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "report.export")
    )
    return exports == events


def test_without_a_login_everything_but_the_public_is_refused(app, client, world):
    before = fingerprint()
    for rule in rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = url_of(rule, world["values"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            response.get_data()
            response.close()
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
            elif method == "GET":
                assert response.status_code == 302, (method, url)
                assert "/login" in response.headers["Location"], (method, url)
            else:  # a form post without a session: refused before anything happens
                assert response.status_code in (302, 400), (method, url)
    assert fingerprint() == before


@pytest.mark.parametrize("role", ROLES)
def test_every_get_answers_each_role_as_the_table_says_and_changes_nothing(
    app, client, world, role
):
    person = world["people"][role]
    login(client, person)
    token = client.post(
        "/api/v1/tokens", json={"username": person.username, "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    before = fingerprint()
    for rule in rules(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        url = url_of(rule, world["values"])
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        response.get_data()  # a streamed download runs to its end (and records its manifest)
        response.close()
        allowed = role in ACCESS[rule.endpoint]
        if allowed:
            assert response.status_code in (200, 302, 303), (role, url, response.status_code)
            if response.mimetype == "text/html":
                # words meant for developers (`a command`) reach no reader of a page
                assert "`" not in response.text, (role, url)
        elif rule.endpoint in HIDDEN_FROM_OTHERS and role != "admin":
            assert response.status_code == 404, (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)
        assert fingerprint() == before, (role, url)
    assert manifests_match_exports()


def test_forms_post_to_their_own_page(app, client, world):
    """A route that takes GET and POST shows the form on GET (to the roles it is for)."""
    login(client, world["people"]["admin"])
    for rule in rules(app):
        if not ({"GET", "POST"} <= rule.methods) or rule.endpoint in PUBLIC:
            continue
        url = url_of(rule, world["values"])
        page = client.get(url)
        assert page.status_code == 200, url
        assert re.search(r'<form[^>]*method="post"', page.text, re.I), url

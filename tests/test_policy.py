"""The policy predicates, and the SQL scope that mirrors can_view_task."""

from sqlalchemy import select

from tracker.domain import lifecycle, policy
from tracker.extensions import db
from tracker.models import Task, scopes


def visible_ids(user):
    return set(db.session.scalars(select(Task.id).where(scopes.task_scope_clause(user))))


def test_scope_clause_mirrors_can_view_task(make, org):
    ministry, department, institute, other = (
        org["ministry"],
        org["department"],
        org["institute"],
        org["other"],
    )
    directive = make.directive()
    people = [
        make.user("admin", ministry),
        make.user("auditor", other),
        make.user("supervisor", ministry),
        make.user("supervisor", institute),
        make.user("unit_leader", department),
        make.user("unit_leader", other),
        make.user("officer", institute),
    ]
    officer = people[-1]
    tasks = [
        make.task(ministry, directive),
        make.task(department, directive),
        make.task(institute, directive),
        make.task(other, directive),
        make.task(other, directive, owner=officer),
        make.task(other, directive, coordinating_units=[department]),
    ]
    for user in people:
        expected = {t.id for t in tasks if policy.can_view_task(user, t)}
        assert visible_ids(user) == expected, user
    # and the rules themselves
    supervisor_ministry = people[2]
    assert visible_ids(supervisor_ministry) == {t.id for t in tasks[:3]}
    assert visible_ids(people[5]) == {tasks[3].id, tasks[4].id, tasks[5].id}
    assert tasks[4].id in visible_ids(officer) and tasks[3].id not in visible_ids(officer)
    assert tasks[5].id in visible_ids(people[4])  # coordinating unit sees the task


def test_who_reports_progress(make, org):
    task = make.task(org["department"])
    leader_here = make.user("unit_leader", org["department"])
    leader_above = make.user("unit_leader", org["ministry"])
    leader_below = make.user("unit_leader", org["institute"])
    officer_assigned = make.user("officer", org["institute"])
    officer_other = make.user("officer", org["department"])
    task.owner = officer_assigned
    supervisor_above = make.user("supervisor", org["ministry"])
    supervisor_outside = make.user("supervisor", org["other"])
    auditor = make.user("auditor", org["ministry"])
    assert policy.can_report_progress(leader_here, task)
    assert not policy.can_report_progress(leader_above, task)
    assert not policy.can_report_progress(leader_below, task)
    assert policy.can_report_progress(officer_assigned, task)
    assert not policy.can_report_progress(officer_other, task)
    assert policy.can_report_progress(supervisor_above, task)
    assert not policy.can_report_progress(supervisor_outside, task)
    assert not policy.can_report_progress(auditor, task)


def test_only_supervisor_over_the_unit_or_admin_verifies(make, org):
    task = make.task(org["institute"], status=lifecycle.SUBMITTED)
    assert policy.can_verify(make.user("supervisor", org["department"]), task)
    assert policy.can_verify(make.user("admin", org["other"]), task)
    assert not policy.can_verify(make.user("supervisor", org["other"]), task)
    assert not policy.can_verify(make.user("unit_leader", org["institute"]), task)
    leader = make.user("unit_leader", org["institute"])
    # the unit may still add a note to its submission, but not complete it
    assert policy.allowed_statuses(leader, task) == [lifecycle.SUBMITTED]


def test_allowed_statuses_for_a_unit_leader(make, org):
    leader = make.user("unit_leader", org["institute"])
    task = make.task(org["institute"])
    assert policy.allowed_statuses(leader, task) == [
        lifecycle.NOT_STARTED,
        lifecycle.IN_PROGRESS,
        lifecycle.SUBMITTED,
    ]
    supervisor = make.user("supervisor", org["ministry"])
    assert lifecycle.CANCELLED in policy.allowed_statuses(supervisor, task)
    assert lifecycle.COMPLETED not in policy.allowed_statuses(supervisor, task)


def test_inactive_user_may_do_nothing(make, org):
    admin = make.user("admin", org["ministry"], active=False)
    task = make.task(org["ministry"])
    assert not policy.can_view_task(admin, task)
    assert not policy.can_manage_users(admin)
    assert not policy.can_report_progress(admin, task)


def test_auditor_reads_everything_and_writes_nothing(make, org):
    auditor = make.user("auditor", org["other"])
    task = make.task(org["institute"], status=lifecycle.SUBMITTED)
    assert policy.can_view_task(auditor, task)
    assert policy.can_export(auditor)
    assert policy.allowed_statuses(auditor, task) == []
    assert not policy.can_edit_task(auditor, task)
    assert not policy.can_create_task(auditor, org["institute"])
    assert not policy.can_manage_directives(auditor)

"""Report views: overdue board, directive progress (as of a report date), CSV export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
)
from flask_login import current_user, login_required

from ..domain import policy
from ..domain.timeliness import Timeliness, TimelinessCounts
from ..models import Directive, Task, User
from ..pagination import ListPage
from ..request_args import due_soon_days, page_number
from ..services import audit_queries, clock, exports, lookups, task_queries, urging
from ..services.task_queries import TaskFilters

bp = Blueprint("reports", __name__)


ROWS_PER_PAGE = 50  # aggregate rows (units, directives) per page


@bp.route("/board")
@login_required
def board():
    """Overdue board over the user's subtree: counts per unit and per directive, overdue tasks."""
    policy.require(policy.can_view_board(current_user), "The overdue board is for supervisors.")
    root = policy.board_root(current_user)
    filters = TaskFilters.from_args(request.args, clock.today())
    if filters.scope:
        chosen = lookups.unit_by_code(filters.scope)
        if chosen is None:
            abort(404, f"There is no unit {filters.scope!r}.")
        policy.require(root is None or chosen.is_within(root), "That unit is outside your units.")
    elif root is not None:
        filters = filters.with_(scope=root.code)
    filters = filters.with_(timeliness=None, status=None, unit=None, owner=None)
    days = due_soon_days()

    per_unit = task_queries.grouped_counts(current_user, filters, Task.lead_unit_id, days)
    units = lookups.units_by_id(per_unit.keys())
    unit_rows = sorted(
        ((units[uid], counts) for uid, counts in per_unit.items()),
        key=lambda row: (-row[1].overdue, row[0].code),
    )
    per_directive = task_queries.grouped_counts(current_user, filters, Task.directive_id, days)
    directives = lookups.directives_by_id(per_directive)
    directive_rows = sorted(
        ((directives[did], counts) for did, counts in per_directive.items()),
        key=lambda row: row[0].code,
    )
    overdue = task_queries.paginate_tasks(
        current_user,
        filters.with_(timeliness=Timeliness.OVERDUE.value),
        page_number("page"),
        25,
        days,
    )
    scope_units = lookups.visible_units(current_user)
    return render_template(
        "reports/board.html",
        urged=urging.notice_counts([task.id for task in overdue.items]),
        filters=filters,
        totals=sum((c for _, c in unit_rows), start=TimelinessCounts()),
        unit_rows=ListPage(unit_rows, page_number("units_page"), ROWS_PER_PAGE),
        directive_rows=ListPage(directive_rows, page_number("directives_page"), ROWS_PER_PAGE),
        due_soon=task_queries.due_soon_count(current_user, filters, days),
        overdue=overdue,
        scope_units=scope_units,
        all_directives=lookups.all_directives(),
        report_date=filters.report_date,
    )


@bp.route("/reports/directives/<int:directive_id>")
@login_required
def directive_progress(directive_id: int):
    """Counts and shares of the four classes per lead unit, as of a report date."""
    policy.require(
        policy.can_view_reports(current_user), "Reports are for supervisors and auditors."
    )
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    filters = TaskFilters.from_args(request.args, clock.today()).with_(
        directive=directive.code, timeliness=None, status=None, owner=None
    )
    per_unit = task_queries.grouped_counts(
        current_user, filters, Task.lead_unit_id, due_soon_days()
    )
    units = lookups.units_by_id(per_unit.keys())
    rows = sorted(((units[uid], c) for uid, c in per_unit.items()), key=lambda r: r[0].path)
    totals = sum((c for _, c in rows), start=TimelinessCounts())
    return render_template(
        "reports/directive_progress.html",
        directive=directive,
        rows=ListPage(rows, page_number("page"), ROWS_PER_PAGE),
        totals=totals,
        filters=filters,
        report_date=filters.report_date,
    )


def csv_response(user: User, filters: TaskFilters) -> Response:
    """The streamed CSV of the tasks behind a report; shared by the HTML export and the API."""
    rows = exports.task_rows(user, filters, due_soon_days())
    name = f"tasks-{filters.directive or 'all'}-{filters.report_date.isoformat()}.csv"
    safe_name = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in name)
    response = Response(
        stream_with_context(exports.csv_stream(rows)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


@bp.route("/reports/tasks.csv")
@login_required
def export_tasks_csv():
    policy.require(policy.can_export(current_user), "Exports are for supervisors and auditors.")
    return csv_response(current_user, TaskFilters.from_args(request.args, clock.today()))


@bp.route("/audit")
@login_required
def audit_trail():
    """The audit trail, newest first, filtered by actor, unit, object, action and dates."""
    policy.require(policy.can_view_audit(current_user), "The audit trail is for auditors.")
    filters = audit_queries.AuditFilters.from_args(request.args)
    pagination = audit_queries.paginate(filters, page_number("page"), 50)
    return render_template("reports/audit.html", pagination=pagination, filters=filters)


@bp.route("/audit.csv")
@login_required
def audit_csv():
    policy.require(policy.can_view_audit(current_user), "The audit trail is for auditors.")
    filters = audit_queries.AuditFilters.from_args(request.args)
    stream = exports.csv_stream(audit_queries.csv_rows(filters), audit_queries.CSV_HEADER)
    response = Response(stream_with_context(stream), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response

"""Report views: overdue board, directive progress, period report and league table (as of a
report date), their CSV/XLSX/PDF files with manifests, and the audit trail."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import audit
from ...audit import queries as audit_queries
from ...domain import periods, policy
from ...domain.audit_actions import ACTION_LABELS
from ...domain.errors import InvalidInput
from ...domain.text import N_
from ...domain.timeliness import Timeliness, TimelinessCounts
from ...infra import clock
from ...jobs import close_jobs
from ...models import Directive, PeriodClosing, ReportExport, Task
from ...org import lookups
from ...reporting import (
    closings,
    exports,
    group_rows,
    manifests,
    period_reports,
    report_builders,
    report_orders,
    task_queries,
)
from ...reporting.charts import class_bars, trend_svg
from ...reporting.dashboard import build as build_dashboard
from ...reporting.pagination import ListPage
from ...reporting.task_queries import TaskFilters
from ...work import urging
from ..downloads import content_disposition, csv_response, report_file
from ..replica import reads_replica
from ..request_args import page_number

bp = Blueprint("reports", __name__)


ROWS_PER_PAGE = 50  # aggregate rows (units, directives) per page


def _report_file(report: str, file_format: str, **extra):
    """A report's file, asked for with the query string's arguments (see report_file)."""
    args = {**request.args.to_dict(), **extra}
    return report_file(report_orders.order(current_user, report, file_format, args, clock.today()))


@bp.route("/board.<any(csv, xlsx, pdf):file_format>")
@login_required
def board_file(file_format: str):
    return _report_file("board", file_format)


@bp.route("/board")
@login_required
@reads_replica
def board():
    """Overdue board over the user's subtree: counts per unit and per directive, overdue tasks."""
    filters = report_orders.board_filters(current_user, request.args, clock.today())

    (unit_rows, totals), (directive_rows, _) = group_rows.board_pages(
        current_user,
        filters,
        page_number("units_page"),
        page_number("directives_page"),
        ROWS_PER_PAGE,
    )
    overdue = task_queries.paginate_tasks(
        current_user,
        filters.with_(timeliness=Timeliness.OVERDUE.value),
        page_number("page"),
        25,
    )
    return render_template(
        "reports/board.html",
        urged=urging.notice_counts([task.id for task in overdue.items]),
        filters=filters,
        totals=totals,
        unit_rows=unit_rows,
        directive_rows=directive_rows,
        due_soon=task_queries.due_soon_count(current_user, filters),
        overdue=overdue,
        unit_choices=lookups.unit_choices(current_user, filters.scope),
        all_directives=lookups.directive_choices(current_user, filters.directive),
        report_date=filters.report_date,
    )


@bp.route("/dashboard")
@login_required
@reads_replica
def dashboard():
    """The picture at a glance for the reader's scope: classes, overdue trend, worst units."""
    view = build_dashboard(current_user, clock.today(), request.args.get("directive") or None)
    trend_label = _(
        "Overdue tasks at the end of each month: %(figures)s",
        figures=", ".join(f"{day:%m/%Y} {count}" for day, count in view.trend),
    )
    return render_template(
        "reports/dashboard.html",
        view=view,
        class_chart=class_bars(view.counts),
        trend_chart=trend_svg([(f"{d:%m/%y}", n) for d, n in view.trend], trend_label),
        all_directives=lookups.directive_choices(current_user, view.filters.directive),
    )


@bp.route("/reports/directives/<int:directive_id>")
@login_required
@reads_replica
def directive_progress(directive_id: int):
    """Counts and shares of the four classes per lead unit, as of a report date."""
    policy.require(
        policy.can_view_reports(current_user), N_("Reports are for supervisors and auditors.")
    )
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    filters = report_orders.directive_filters(directive, request.args, clock.today())
    per_unit = task_queries.grouped_counts(current_user, filters, Task.lead_unit_id)
    units = lookups.units_by_id(per_unit.keys())
    rows = sorted(((units[uid], c) for uid, c in per_unit.items()), key=lambda r: r[0].path)
    totals = TimelinessCounts.summed(c for _, c in rows)
    return render_template(
        "reports/directive_progress.html",
        directive=directive,
        rows=ListPage(rows, page_number("page"), ROWS_PER_PAGE),
        totals=totals,
        filters=filters,
        report_date=filters.report_date,
    )


@bp.route("/reports/tasks.csv")
@login_required
def export_tasks_csv():
    policy.require(policy.can_export(current_user), N_("Exports are for supervisors and auditors."))
    return csv_response(current_user, TaskFilters.from_args(request.args, clock.today()))


@bp.route("/reports/tasks.<any(xlsx, pdf):file_format>")
@login_required
def export_tasks_file(file_format: str):
    return _report_file("tasks", file_format)


@bp.route("/reports/period")
@bp.route("/reports/period.<any(csv, xlsx, pdf):file_format>")
@login_required
@reads_replica
def period_report(file_format: str | None = None):
    """What happened in a month, quarter, half-year, nine months, year or date range."""
    policy.require(
        policy.can_view_reports(current_user), N_("Reports are for supervisors and auditors.")
    )
    if file_format:
        return _report_file("period", file_format)
    filters, start, end, group = report_orders.period_arguments(request.args, clock.today())
    filters = task_queries.counted_scope(current_user, filters)
    table, rows = report_builders.period_report(current_user, filters, start, end, group)
    parameters = report_orders.period_parameters(filters, start, end, group)
    unknown = [code for _field, code in closings.unknown_codes(filters)]
    closing = closings.find(current_user, start, end, filters)
    may_close = policy.can_close_period(current_user) and end < clock.today() and not unknown
    # a close already asked for (by anyone) and not done yet: said instead of the button
    on_its_way = (
        close_jobs.on_its_way(current_user, filters, start, end)
        if may_close and closing is None
        else None
    )
    return render_template(
        "reports/period.html",
        closing=closing,
        unknown_codes=unknown,
        may_close=may_close,
        close_on_its_way=on_its_way,
        close_on_its_way_words=close_jobs.on_its_way_words(on_its_way) if on_its_way else None,
        table=table,
        rows=rows,
        # the units (or directives) a page at a time: a national report has 3,000
        table_rows=ListPage(table.rows, page_number("page"), ROWS_PER_PAGE),
        filters=filters,
        start=start,
        end=end,
        group=group,
        parameters=parameters,
        columns=period_reports.PERIOD_COLUMNS,
        all_directives=lookups.directive_choices(current_user, filters.directive),
        unit_choices=lookups.unit_choices(current_user, filters.scope),
        period_years=range(clock.today().year + 1, clock.today().year - 7, -1),
        period_parts=periods.PERIOD_PARTS,
        chosen=_chosen_period(start, end),
    )


def _chosen_period(start: date, end: date) -> tuple[str, str]:
    """The year and part the choosers show: as asked, else the period shown."""
    if request.args.get("year"):
        return request.args["year"], request.args.get("part", "")
    if request.args.get("period"):
        return periods.split_period(request.args["period"])
    if request.args.get("from") or request.args.get("to"):
        return "", ""
    return str(start.year), f"Q{(start.month - 1) // 3 + 1}"


@bp.post("/reports/period/close")
@login_required
def close_period():
    """Freeze the period report shown (its period and scope) as a closed report: checked
    now, closed in the background (a national close copies millions of rows); the job's
    page goes on to the closed report."""
    policy.require(
        policy.can_close_period(current_user), N_("Only supervisors and admins close periods.")
    )
    filters, start, end, _grouping = report_orders.period_arguments(request.form, clock.today())
    job = close_jobs.ask(current_user, filters, start, end)
    return redirect(url_for("jobs.job_page", job_id=job.id))


@bp.route("/reports/closings")
@login_required
def closed_periods():
    policy.require(
        policy.can_view_reports(current_user), N_("Reports are for supervisors and auditors.")
    )
    return render_template("reports/closings.html", closings=closings.list_closings(current_user))


@bp.route("/reports/closings/<int:closing_id>")
@bp.route("/reports/closings/<int:closing_id>.<any(csv, xlsx, pdf):file_format>")
@login_required
def closed_period(closing_id: int, file_format: str | None = None):
    """A closed period's frozen report, and what moved since it was closed."""
    policy.require(
        policy.can_view_reports(current_user), N_("Reports are for supervisors and auditors.")
    )
    closing = lookups.get_or_404(PeriodClosing, closing_id, "closed period")
    policy.require(
        closings.may_view(current_user, closing), N_("That closing is outside your units.")
    )
    if file_format:
        return _report_file("closing", file_format, closing=str(closing.id))
    table = closings.frozen_table(closing)
    page = page_number("page")
    changes, changed_total = closings.changes_since(closing, page)
    return render_template(
        "reports/closing.html",
        closing=closing,
        table=table,
        # its units a page at a time, as the live report's: a national close has 3,000
        table_rows=ListPage(table.rows, page_number("units_page"), ROWS_PER_PAGE),
        changes=changes,
        changed_total=changed_total,
        page=page,
        pages=max(1, -(-changed_total // closings.CHANGES_PER_PAGE)),
    )


@bp.route("/reports/league")
@bp.route("/reports/league.<any(csv, xlsx, pdf):file_format>")
@login_required
@reads_replica
def league_table(file_format: str | None = None):
    """Units ranked on a report date; with sub-units or alone; all tasks or key tasks."""
    if file_format:
        return _report_file("league", file_format)
    chosen = report_orders.league_arguments(current_user, request.args, clock.today())
    filters, subtree, sort, descending = (
        chosen.filters,
        chosen.subtree,
        chosen.sort,
        chosen.descending,
    )
    # The page shows a page of rows: the table a file says (every row as cells) is not built.
    rows, _ = report_builders.league_rows(current_user, filters, subtree, sort, descending)
    parameters = chosen.parameters
    return render_template(
        "reports/league.html",
        title=report_builders.league_title(subtree),
        scope=report_builders.describe_scope(filters),
        rows=ListPage(rows, page_number("page"), ROWS_PER_PAGE),
        filters=filters,
        subtree=subtree,
        sort=sort,
        descending=descending,
        parameters=parameters,
        all_directives=lookups.directive_choices(current_user, filters.directive),
        unit_choices=lookups.unit_choices(current_user, filters.scope),
    )


@bp.route("/reports/directives/<int:directive_id>.<any(csv, xlsx, pdf):file_format>")
@login_required
def directive_progress_file(directive_id: int, file_format: str):
    policy.require(policy.can_export(current_user), N_("Exports are for supervisors and auditors."))
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    return _report_file("directive", file_format, directive=directive.code)


@bp.route("/exports/<int:export_id>/manifest.json")
@login_required
def export_manifest(export_id: int):
    export = lookups.get_or_404(ReportExport, export_id, "export")
    policy.require(
        policy.can_read_manifest(current_user, export.generated_by_id),
        N_("A manifest is for the person who made the file, admins and auditors."),
    )
    return jsonify(manifests.manifest(export))


@bp.route("/exports/sha256/<digest>/manifest.json")
@login_required
def manifest_by_digest(digest: str):
    """The manifest of the newest file whose bytes have this SHA-256 (a download's Link)."""
    policy.require(
        policy.can_export(current_user), N_("Manifests are for supervisors and auditors.")
    )
    found = [
        export
        for export in manifests.find(digest)
        if policy.can_read_manifest(current_user, export.generated_by_id)
    ]
    if not found:
        abort(404, _("No file with that SHA-256 was recorded."))
    return jsonify(manifests.manifest(found[-1]))


@bp.route("/exports/verify", methods=["GET", "POST"])
@login_required
def verify_export():
    """Hand in a report file (or its SHA-256): was it made by the tracker, when, from what?"""
    policy.require(
        policy.can_export(current_user), N_("Verifying files is for supervisors and auditors.")
    )
    digest, found, chain = None, [], None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            digest = manifests.digest_of_upload(upload.stream)
        else:
            digest = (request.form.get("sha256") or "").strip().lower()
            if not manifests.SHA256_PATTERN.match(digest):
                raise InvalidInput(
                    N_("Choose the file, or paste its SHA-256 (64 hexadecimal characters)."),
                    field_errors={"sha256": [N_("64 hexadecimal characters")]},
                )
        found = manifests.find(digest)
        checked, broken = audit.verify_chain()
        chain = {"checked": checked, "broken": broken}
    return render_template("reports/verify.html", digest=digest, found=found, chain=chain)


@bp.route("/audit")
@login_required
def audit_trail():
    """The audit trail, newest first, filtered by actor, unit, object, action and dates."""
    policy.require(policy.can_view_audit(current_user), N_("The audit trail is for auditors."))
    filters = audit_queries.AuditFilters.from_args(request.args)
    pagination = audit_queries.paginate(filters, page_number("page"), 50)
    codes = audit_queries.referenced_codes(pagination.items)
    return render_template(
        "reports/audit.html",
        pagination=pagination,
        filters=filters,
        codes=codes,
        AUDITED_OBJECTS=audit_queries.AUDITED_OBJECTS,
        ACTION_LABELS=ACTION_LABELS,
    )


@bp.route("/audit.<any(xlsx, pdf):file_format>")
@login_required
def audit_file(file_format: str):
    """The audit trail's events as XLSX (all of them) or PDF (the newest 1,000), by a job."""
    return _report_file("audit", file_format)


@bp.route("/audit.csv")
@login_required
def audit_csv():
    policy.require(policy.can_view_audit(current_user), N_("The audit trail is for auditors."))
    filters = audit_queries.AuditFilters.from_args(request.args)
    stream = exports.csv_stream(audit_queries.csv_rows(filters), audit_queries.CSV_HEADER)
    response = Response(stream_with_context(stream), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition("audit-trail.csv")
    return response

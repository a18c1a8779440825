"""Directive views: list with progress figures, a directive's page, its timeline (Gantt)
and its targets."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import policy
from ...domain.errors import InvalidInput
from ...domain.lifecycle import KIND_MILESTONE
from ...domain.text import N_
from ...domain.timeliness import Timeliness
from ...infra import clock
from ...infra.i18n import describe
from ...models import Directive, Target, Task
from ...org import lookups
from ...org.directives import record_target_value
from ...reporting import task_queries
from ...reporting.charts import TimelineRow, gantt_svg, trajectory_svg
from ...reporting.task_queries import TaskFilters
from ..request_args import page_number
from .forms import TargetValueForm

bp = Blueprint("directives", __name__)


@bp.route("/directives")
@login_required
def index():
    filters = TaskFilters(report_date=clock.today())
    counts = task_queries.grouped_counts(current_user, filters, Task.directive_id)
    page = page_number()
    pagination = lookups.directive_page(page, current_app.config["PER_PAGE"])
    return render_template("directives/index.html", pagination=pagination, counts=counts)


@bp.route("/directives/<int:directive_id>")
@login_required
def show(directive_id: int):
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    filters = TaskFilters(directive=directive.code, report_date=clock.today())
    page = page_number()
    pagination = task_queries.paginate_tasks(current_user, filters, page, 50)
    totals = task_queries.total_counts(current_user, filters)
    return render_template(
        "directives/show.html",
        directive=directive,
        pagination=pagination,
        totals=totals,
        filters=filters,
    )


TIMELINE_ROWS = 100  # tasks per page of a timeline


@bp.route("/directives/<int:directive_id>/timeline")
@login_required
def timeline(directive_id: int):
    """The directive's targets, tasks and milestones on a time axis, with today's line."""
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    today = clock.today()
    pagination = task_queries.timeline_page(current_user, directive, page_number(), TIMELINE_ROWS)
    rows, current_target = [], object()
    for task in pagination.items:
        if task.target is not current_target:
            current_target = task.target
            rows.append(TimelineRow(label=_target_heading(task.target), heading=True))
        klass = task.timeliness(today)
        if klass is None:
            status_text = _("Cancelled")
        elif klass is Timeliness.OVERDUE:
            status_text = _(
                "Not completed, overdue by %(days)s d · %(unit)s",
                days=task.days_overdue(today),
                unit=task.lead_unit.code,
            )
        else:
            status_text = f"{_(klass.label)} · {task.lead_unit.code}"
        rows.append(
            TimelineRow(
                label=f"{task.code} {task.title}",
                start=task.start_date or directive.issued_on,
                deadline=task.deadline,
                original_deadline=task.original_deadline if task.extended else None,
                completed_on=task.completed_on,
                milestone=task.kind == KIND_MILESTONE,
                timeliness=klass.value if klass else None,
                status_text=status_text,
                href=url_for("tasks.show", task_id=task.id),
            )
        )
    title = _(
        "Timeline of %(code)s: %(count)s tasks, today %(day)s",
        code=directive.code,
        count=pagination.total,
        day=f"{today:%d/%m/%Y}",
    )
    return render_template(
        "directives/timeline.html",
        directive=directive,
        pagination=pagination,
        chart=gantt_svg(rows, today, title) if rows else None,
    )


def _target_heading(target: Target | None) -> str:
    if target is None:
        return _("Tasks without a target")
    if target.due_on:
        return _(
            "%(code)s %(title)s (due %(day)s)",
            code=target.code,
            title=target.title,
            day=f"{target.due_on:%d/%m/%Y}",
        )
    return f"{target.code} {target.title}"


def _render_target(target: Target, form: TargetValueForm | None, status: int = 200):
    values = [(v.recorded_on, v.value) for v in target.values]
    chart = trajectory_svg(
        values,
        target.baseline_value,
        target.target_value,
        target.directive.issued_on or (values[0][0] if values else None),
        target.due_on,
        target.unit_of_measure,
    )
    return render_template("directives/target.html", target=target, form=form, chart=chart), status


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@login_required
def target(target_id: int):
    """A target with its indicator: recorded values over time against the target."""
    target = lookups.get_or_404(Target, target_id, "target")
    may_record = policy.can_record_target_value(current_user)
    form = TargetValueForm() if may_record else None
    if request.method == "POST":
        policy.require(may_record, N_("Only supervisors and admins record values."))
        if form.validate_on_submit():
            try:
                record_target_value(
                    current_user,
                    target,
                    form.recorded_on.data,
                    form.value.data,
                    form.source_note.data,
                )
            except InvalidInput as invalid:
                lookups.refresh_all()
                flash(describe(invalid), "error")
                return _render_target(target, form, 422)
            flash(_("Value recorded."), "success")
            return redirect(url_for("directives.target", target_id=target.id))
        return _render_target(target, form, 422)
    return _render_target(target, form)

"""Directive views: list with progress figures, and a directive's page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from ..models import Directive, Task
from ..services import clock, lookups, task_queries
from ..services.task_queries import TaskFilters

bp = Blueprint("directives", __name__)


@bp.route("/directives")
@login_required
def index():
    filters = TaskFilters(report_date=clock.today())
    counts = task_queries.grouped_counts(
        current_user, filters, Task.directive_id, current_app.config["DUE_SOON_DAYS"]
    )
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = lookups.directive_page(page, current_app.config["PER_PAGE"])
    return render_template("directives/index.html", pagination=pagination, counts=counts)


@bp.route("/directives/<int:directive_id>")
@login_required
def show(directive_id: int):
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    days = current_app.config["DUE_SOON_DAYS"]
    filters = TaskFilters(directive=directive.code, report_date=clock.today())
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = task_queries.paginate_tasks(current_user, filters, page, 50, days)
    totals = task_queries.total_counts(current_user, filters, days)
    return render_template(
        "directives/show.html",
        directive=directive,
        pagination=pagination,
        totals=totals,
        filters=filters,
    )

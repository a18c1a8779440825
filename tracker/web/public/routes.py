"""Public, read-only progress of directives marked public: no login, no confidential or
secret task in any list or count, only links (never stored files) as evidence."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import literal

from ...domain.text import N_
from ...domain.timeliness import TimelinessCounts
from ...infra import clock
from ...models import Directive, Task
from ...org import lookups
from ...reporting import task_queries

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.route("/")
def index():
    return render_template("public/index.html", directives=lookups.public_directives())


@bp.route("/directives/<int:directive_id>")
def directive(directive_id: int):
    directive = lookups.get_or_404(Directive, directive_id, "directive")
    if directive.visibility != "public":
        abort(404, N_("There is no such public directive."))
    today = clock.today()
    totals = task_queries.public_counts(directive.id, literal("all"), today).get(
        "all", TimelinessCounts()
    )
    by_unit = task_queries.public_counts(directive.id, Task.lead_unit_id, today)
    units = lookups.units_by_id(by_unit)
    by_target = task_queries.public_counts(directive.id, Task.target_id, today)
    targets = {t.id: t for t in directive.targets}
    return render_template(
        "public/directive.html",
        directive=directive,
        totals=totals,
        unit_rows=sorted(((units[k], v) for k, v in by_unit.items()), key=lambda r: r[0].code),
        target_rows=[
            (targets.get(k), v)
            for k, v in sorted(
                by_target.items(),
                key=lambda r: (r[0] is None, targets[r[0]].code if r[0] in targets else ""),
            )
        ],
        completed=task_queries.public_completed(directive.id),
        report_date=today,
    )

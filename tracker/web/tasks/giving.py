"""Giving several of a unit's open tasks at once (*Giao nhiều nhiệm vụ*): the page of the
unit's tasks given to no one yet, each with a chooser of the unit's people, saved together
by `work.tasks.give_together` — for a leader sharing out the hundreds of tasks an import
brings, which one task page at a time would take an afternoon."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import policy
from ...domain.errors import DomainError, InvalidInput, in_batch
from ...domain.numbers import whole_number
from ...domain.text import N_
from ...infra import clock
from ...infra.i18n import describe
from ...org import lookups
from ...reporting import task_queries
from ...reporting.task_queries import TaskFilters
from ...work import tasks
from ..formkit import person_label
from ..request_args import due_soon_days, page_and_size, posted_task_ids, task_of_row
from .forms import SeveralGivingForm

bp = Blueprint("giving", __name__)


@bp.route("/my-unit/give")
@login_required
def page():
    """The unit's open tasks given to no one yet, most urgent first, each with a chooser."""
    policy.require(policy.can_give_in_own_unit(current_user), tasks.WHO_GIVES)
    return _page(SeveralGivingForm(), {}, 200)


@bp.route("/my-unit/give", methods=["POST"])
@login_required
def save():
    """The rows with someone chosen, given together, or none of them and the refused one
    named; the page again with what was chosen."""
    policy.require(policy.can_give_in_own_unit(current_user), tasks.WHO_GIVES)
    form = SeveralGivingForm()
    if not form.validate_on_submit():
        flash(_("The form has expired: reload the page and enter the changes again."), "error")
        return _page(form, request.form, 400)
    try:
        givings = _chosen_rows()
        if givings:
            tasks.give_together(current_user, givings)
    except DomainError as refused:
        flash(describe(refused), "error")
        return _page(form, request.form, refused.status_code)
    if not givings:
        flash(_("Nothing to save: choose someone for a task."), "error")
        return _page(form, request.form, 422)
    flash(_("%(count)s tasks given.", count=len(givings)), "success")
    return redirect(url_for("giving.page", **request.args))


def _waiting_filters() -> TaskFilters:
    """The user's own unit's tasks open today and given to no one, narrowed as the request
    asks otherwise (`directive=`: the tasks of the plan just imported)."""
    return (
        TaskFilters.from_args(request.args, clock.today())
        .of_anyone()
        .with_(unit=current_user.unit.code, scope=None, unassigned=True, report_date=clock.today())
    )


def _page(form: SeveralGivingForm, posted: Any, status: int):
    filters = _waiting_filters()
    page_number, per_page = page_and_size()
    pagination = task_queries.paginate_tasks(
        current_user, filters, page_number, min(per_page, tasks.MOST_REPORTS_AT_ONCE)
    )
    givable = {
        task.id for task in pagination.items if policy.can_give_to_someone(current_user, task)
    }
    people = [(str(p.id), person_label(p)) for p in lookups.people_of(current_user.unit_id)]
    page_html = render_template(
        "tasks/give_several.html",
        form=form,
        pagination=pagination,
        filters=filters,
        givable=givable,
        people=people,
        posted=posted,
        due_soon_days=due_soon_days(),
    )
    return page_html, status


def _chosen_rows() -> list[tasks.Giving]:
    """The posted rows with someone chosen, in the page's order. A row naming a task the
    user may not see, or a person who is not there, is refused naming the row."""
    ids = posted_task_ids(tasks.MOST_REPORTS_AT_ONCE)
    chosen = {task_id: request.form.get(f"owner-{task_id}", "").strip() for task_id in ids}
    owner_ids = {task_id: whole_number(raw) for task_id, raw in chosen.items() if raw}
    found = lookups.tasks_shown([task_id for task_id in ids if task_id in owner_ids])
    people = lookups.people_by_id([i for i in owner_ids.values() if i is not None])
    givings = []
    for index, task_id in enumerate(ids):
        if task_id not in owner_ids:
            continue
        task = task_of_row(found, index, task_id)
        owner = people.get(owner_ids[task_id] or 0)
        if owner is None:
            refused = InvalidInput(
                N_("Choose one of the unit's people."), field_errors={"owner": [N_("unknown")]}
            )
            raise in_batch(refused, index, task.code)
        version = whole_number(request.form.get(f"version-{task_id}"))
        givings.append(tasks.Giving(task, version, owner, place=index))
    return givings

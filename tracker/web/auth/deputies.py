"""The delegations page: a unit leader (or an admin for them) names a deputy for a date
range and may end it early; the deputy sees whom they act for; supervisors see the
delegations in force in their subtree (accounts.deputies holds the rules)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...accounts import deputies, users
from ...domain import policy
from ...domain.days import not_a_day, parse_day
from ...domain.errors import InvalidInput
from ...domain.roles import ADMIN, UNIT_LEADER
from ...infra import clock
from ...infra.i18n import describe
from ...models import Delegation
from ...org import lookups
from .routes import bp


def _day(name: str):
    """The day typed in the form's field `name`; None when left empty; refused (with the
    reason) when it names no day."""
    typed = request.form.get(name, "").strip()
    if not typed:
        return None
    try:
        return parse_day(typed)
    except ValueError:
        problem = not_a_day(typed)
        raise InvalidInput(problem, field_errors={name: [problem]}) from None


def _page(status: int = 200):
    user = current_user
    return render_template(
        "auth/deputies.html",
        delegations=deputies.visible_to(user),
        candidates=deputies.candidates(user) if user.role == UNIT_LEADER else [],
        may_name=user.role in (ADMIN, UNIT_LEADER),
        current_day=clock.today(),
        can_end=deputies.can_end,
    ), status


@bp.route("/deputies", methods=["GET", "POST"])
@login_required
def deputies_page():
    policy.require(policy.can_view_delegations(current_user))
    if request.method == "GET":
        return _page()
    if current_user.role == ADMIN:
        leader = users.find_user(request.form.get("leader", "").strip()[:80])
        deputy = users.find_user(request.form.get("deputy", "").strip()[:80])
    else:
        leader = current_user._get_current_object()
        policy.require(policy.can_name_deputy(current_user, leader))
        raw = request.form.get("deputy_id", "")
        deputy = lookups.user_by_id(int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if leader is None or leader.role != UNIT_LEADER:
        flash(_("No unit leader has that username."), "error")
        return _page(422)
    try:
        delegation = deputies.name_deputy(
            current_user, leader, deputy, _day("starts_on"), _day("ends_on")
        )
    except InvalidInput as error:
        flash(describe(error), "error")
        return _page(422)
    flash(
        _(
            "%(deputy)s acts for %(leader)s from %(start)s to %(end)s.",
            deputy=delegation.deputy.name,
            leader=delegation.leader.name,
            start=delegation.starts_on.strftime("%d/%m/%Y"),
            end=delegation.ends_on.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for("auth.deputies_page"))


@bp.route("/deputies/<int:delegation_id>/end", methods=["POST"])
@login_required
def end_delegation(delegation_id: int):
    delegation = lookups.get_or_404(Delegation, delegation_id, "delegation")
    deputies.end(current_user, delegation)
    flash(_("The delegation is ended."), "success")
    return redirect(url_for("auth.deputies_page"))

"""A person's notifications: the list (newest first), opening one (a POST: marked read,
then on to its task, or to the unit's tasks for an import's), marking all read. Everyone
signed in has their own; nobody sees another's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...models import Notification
from ...org import lookups
from ...work import notifications
from ..request_args import page_number

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        pagination=notifications.page_for(current_user, page_number("page")),
        text_of=notifications.text_of,
    )


@bp.post("/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    notification = lookups.get_or_404(Notification, notification_id, "notification")
    if notification.recipient_id != current_user.id:
        abort(404)
    notifications.open_notification(current_user, notification)
    place = notifications.place_of(notification)
    return redirect(request.script_root + place if place else url_for("notifications.index"))


@bp.post("/read")
@login_required
def mark_all_read():
    count = notifications.mark_all_read(current_user)
    flash(_("%(count)s notification(s) marked read.", count=count), "success")
    return redirect(url_for("notifications.index"))

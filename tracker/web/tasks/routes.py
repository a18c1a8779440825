"""Task views. Thin: load (404), check policy (403), call one service, redirect or render."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import policy
from ...domain.errors import Conflict, DomainError, InvalidInput, in_batch
from ...domain.lifecycle import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    STATUS_LABELS,
    SUBMITTED,
    status_with_percent,
)
from ...domain.numbers import whole_number
from ...domain.roles import AUDITOR, OFFICER, UNIT_LEADER
from ...domain.search_text import typed
from ...domain.text import N_
from ...domain.timeliness import Timeliness
from ...infra import clock
from ...infra.i18n import describe
from ...models import CalendarFeed, Comment, Evidence, ExtensionRequest, Task
from ...models.extension import APPROVED
from ...org import lookups
from ...reporting import search, task_queries
from ...reporting.pagination import FetchedPage
from ...reporting.task_queries import TaskFilters
from ...work import calendar, comments, tasks, urging
from ...work import deadline_extensions as extensions
from ...work.evidence import attach, stored_path
from ...work.reminders import reminders_about, set_mail_choices
from ..downloads import content_disposition
from ..formkit import options, people_options, show_refusal
from ..request_args import (
    due_soon_days,
    page_and_size,
    page_number,
    posted_task_ids,
    task_of_row,
)
from .forms import (
    AnswerForm,
    CommentForm,
    DigestForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    GiveForm,
    ProgressForm,
    SeveralProgressForm,
    UrgingForm,
    VerificationForm,
)

bp = Blueprint("tasks", __name__)


def load_task(task_id: int) -> Task:
    """The task, or 404; 403 when the current user may not see it."""
    task = lookups.task_or_404(task_id)
    policy.require(policy.can_view_task(current_user, task), N_("You may not see this task."))
    return task


@bp.route("/")
@login_required
def home():
    if current_user.role in (UNIT_LEADER, OFFICER):
        return redirect(url_for("tasks.my_unit"))
    if current_user.role == AUDITOR:
        return redirect(url_for("reports.dashboard"))
    return redirect(url_for("reports.board"))


@bp.route("/my-unit")
@login_required
def my_unit():
    """The tasks the user's unit leads, most urgent first: all of them, those given to the
    user (`mine=1`) or the open ones given to no one yet (`unassigned=1`, counted on its
    tab); the unit's cards above count them all."""
    policy.require(policy.can_view_unit_tasks(current_user))
    mine = request.args.get("mine") == "1"
    filters = _own_unit_filters()
    if mine:
        filters = filters.of_anyone().with_(owner=current_user.username)
    page, per_page = page_and_size()
    pagination = task_queries.paginate_tasks(current_user, filters, page, per_page)
    counts = task_queries.total_counts(current_user, filters.of_anyone())
    due_soon = task_queries.due_soon_count(current_user, filters.of_anyone())
    if filters.unassigned:
        given_to_no_one = pagination.total
    else:
        waiting = filters.of_anyone().with_(unassigned=True)
        given_to_no_one = task_queries.count_tasks(current_user, waiting)
    return render_template(
        "tasks/my_unit.html",
        pagination=pagination,
        filters=filters,
        counts=counts,
        due_soon=due_soon,
        given_to_no_one=given_to_no_one,
        mine=mine,
        due_soon_days=due_soon_days(),
    )


def _own_unit_filters() -> TaskFilters:
    """The request's filters over the tasks of the user's own unit, as *My unit* and the
    page of several reports list them."""
    return TaskFilters.from_args(request.args, clock.today()).with_(
        unit=current_user.unit.code, scope=None
    )


# The statuses a task is reported on from the page of several tasks (a submitted one waits
# for its verification: its own page sends it back).
REPORTED_TOGETHER = (NOT_STARTED, IN_PROGRESS)


@bp.route("/my-unit/progress")
@login_required
def report_several():
    """A page of the unit's tasks, most urgent first as on *My unit*, each open one the user
    may report on with its percent and a note (saved by `save_several`)."""
    policy.require(policy.can_view_unit_tasks(current_user))
    return _several_page(SeveralProgressForm(), {}, 200)


@bp.route("/my-unit/progress", methods=["POST"])
@login_required
def save_several():
    """The page's changed rows saved together, or none of them and the refused one named
    (work.tasks.report_progress_together); the page again with what was typed."""
    policy.require(policy.can_view_unit_tasks(current_user))
    form = SeveralProgressForm()
    if not form.validate_on_submit():
        flash(_("The form has expired: reload the page and enter the changes again."), "error")
        return _several_page(form, request.form, 400)
    try:
        saved = _report_the_changed_rows()
    except DomainError as refused:
        flash(describe(refused), "error")
        return _several_page(form, request.form, refused.status_code)
    if not saved:
        flash(_("Nothing to save: change a percent or add a note."), "error")
        return _several_page(form, request.form, 422)
    flash(_("Progress on %(count)s tasks saved.", count=saved), "success")
    return redirect(url_for("tasks.report_several", **request.args))


def _several_page(form: SeveralProgressForm, posted: Any, status: int):
    filters = _own_unit_filters()
    page, per_page = page_and_size()
    pagination = task_queries.paginate_tasks(
        current_user, filters, page, min(per_page, tasks.MOST_REPORTS_AT_ONCE)
    )
    editable = {
        task.id
        for task in pagination.items
        if task.status in REPORTED_TOGETHER and policy.can_report_progress(current_user, task)
    }
    page_html = render_template(
        "tasks/report_several.html",
        form=form,
        pagination=pagination,
        filters=filters,
        editable=editable,
        posted=posted,
        due_soon_days=due_soon_days(),
    )
    return page_html, status


def _report_the_changed_rows() -> int:
    """The rows of the posted page whose percent or note changed, reported together; how
    many. A row's percent that is not a whole number from 0 to 100 is refused, naming it."""
    ids = posted_task_ids(tasks.MOST_REPORTS_AT_ONCE)
    found = lookups.tasks_shown(ids)
    reports = []
    for index, task_id in enumerate(ids):
        task = task_of_row(found, index, task_id)
        percent = whole_number(request.form.get(f"percent-{task_id}", "").strip(), 100)
        note = request.form.get(f"note-{task_id}", "").strip()
        if percent is None:
            refused = InvalidInput(
                N_("Give a whole number from 0 to 100."),
                field_errors={"progress": [N_("a whole number from 0 to 100")]},
            )
            raise in_batch(refused, index, task.code)
        if percent == task.percent_done and not note:
            continue
        reports.append(
            tasks.ProgressReport(
                task,
                whole_number(request.form.get(f"version-{task_id}")),
                status_with_percent(task.status, percent),
                percent,
                note,
                place=index,
            )
        )
    if reports:
        tasks.report_progress_together(current_user, reports)
    return len(reports)


@bp.route("/search")
@login_required
def quick_search():
    """Directives and tasks by code or title words, with or without diacritics."""
    query = typed(request.args.get("q"))
    results = search.quick_search(current_user, query) if query else None
    return render_template(
        "tasks/search.html", query=query, results=results, due_soon_days=due_soon_days()
    )


@bp.route("/tasks")
@login_required
def index():
    filters = TaskFilters.from_args(request.args, clock.today())
    page, per_page = page_and_size()
    pagination = task_queries.paginate_tasks(current_user, filters, page, per_page)
    return render_template(
        "tasks/index.html",
        pagination=pagination,
        filters=filters,
        unknown_codes=[code for _field, code in task_queries.codes_naming_nothing(filters)],
        directives=lookups.directive_choices(current_user, filters.directive),
        unit_choices=lookups.unit_choices(current_user, filters.unit),
        due_soon_days=due_soon_days(),
    )


def _progress_form(task: Task, posted: bool = False) -> ProgressForm:
    """The progress form: filled from the task, or from the request (fields and files)."""
    if posted:
        form = ProgressForm()
    else:
        form = ProgressForm(formdata=None, data={"status": task.status, "version": task.version})
        form.percent_done.data = task.percent_done
    form.status.choices = options(
        (status, STATUS_LABELS[status]) for status in policy.allowed_statuses(current_user, task)
    )
    return form


def _render_task(
    task: Task,
    form: ProgressForm | None,
    status_code: int = 200,
    evidence_form: EvidenceForm | None = None,
    extension_form: ExtensionRequestForm | None = None,
    comment_form: CommentForm | None = None,
    urging_form: UrgingForm | None = None,
    verification_form: VerificationForm | None = None,
    give_form: GiveForm | None = None,
):
    entries, in_all, shown = lookups.task_history(task, page_number("history_page"))
    history = FetchedPage(entries, in_all, shown, lookups.HISTORY_PER_PAGE)
    asked = request.args.get("discussion_page")
    discussion = lookups.task_discussion(
        task, None if asked is None else page_number("discussion_page")
    )
    discussion_pages = FetchedPage(
        discussion.messages, discussion.in_all, discussion.page, lookups.COMMENTS_PER_PAGE
    )
    if evidence_form is None and policy.can_attach_evidence(current_user, task):
        evidence_form = EvidenceForm()
    if extension_form is None and policy.can_request_extension(current_user, task):
        extension_form = ExtensionRequestForm()
    decision_form = None
    if task.pending_extension and policy.can_decide_extension(current_user, task):
        decision_form = ExtensionDecisionForm()
    if comment_form is None and policy.can_comment(current_user, task):
        comment_form = CommentForm()
    is_overdue = task.timeliness(clock.today()) is Timeliness.OVERDUE
    if urging_form is None and policy.can_urge(current_user, task, is_overdue):
        urging_form = UrgingForm()
    if give_form is None and policy.can_give_to_someone(current_user, task):
        give_form = _give_form(task)
    return (
        render_template(
            "tasks/show.html",
            task=task,
            form=form,
            evidence_form=evidence_form,
            extension_form=extension_form,
            decision_form=decision_form,
            comment_form=comment_form,
            urging_form=urging_form,
            give_form=give_form,
            answer_form=AnswerForm() if policy.can_answer_obstacle(current_user, task) else None,
            verification_form=verification_form
            or (
                VerificationForm(version=str(task.version))
                if task.status == SUBMITTED and policy.can_verify(current_user, task)
                else None
            ),
            history=history,
            discussion=discussion_pages,
            open_elsewhere=discussion.open_elsewhere,
            report_date=clock.today(),
            due_soon_days=due_soon_days(),
        ),
        status_code,
    )


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    task = load_task(task_id)
    form = _progress_form(task) if policy.can_update_task(current_user, task) else None
    return _render_task(task, form)


@bp.route("/tasks/<int:task_id>/verification", methods=["POST"])
@login_required
def verify(task_id: int):
    """A supervisor's *Verify* (→ completed) or *Send back* (→ in progress, with a note)."""
    task = load_task(task_id)
    policy.require(
        policy.can_verify(current_user, task), N_("Only a supervisor over the lead unit verifies.")
    )
    form = VerificationForm()
    verdict = request.form.get("verdict")
    if verdict not in ("verify", "send_back"):
        raise InvalidInput(N_("Choose Verify or Send back."))
    new_status = COMPLETED if verdict == "verify" else IN_PROGRESS
    return _task_form_post(
        task,
        form,
        lambda: tasks.report_progress(
            current_user,
            task,
            whole_number(form.version.data),
            new_status,
            None,
            form.note.data or "",
        ),
        lambda result: (
            _("%(code)s verified: completed.", code=task.code)
            if verdict == "verify"
            else _("%(code)s sent back to the lead unit.", code=task.code)
        ),
        "#history",
        "verification_form",
    )


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@login_required
def update_progress(task_id: int):
    task = load_task(task_id)
    policy.require(
        policy.can_update_task(current_user, task), N_("You may not report progress on this task.")
    )
    form = _progress_form(task, posted=True)
    if not form.validate_on_submit():
        flash(_("The progress report was not saved: correct the fields marked below."), "error")
        return _render_task(task, form, 422)
    try:
        tasks.report_progress(
            current_user,
            task,
            whole_number(form.version.data),
            form.status.data,
            form.percent_done.data,
            form.note.data or "",
            form.evidence_url.data or "",
            form.evidence_file.data,
        )
    except Conflict as conflict:
        lookups.refresh(task)
        flash(describe(conflict), "error")
        # Keep what the user typed; the page shows the newer history to review first.
        form.version.data = str(task.version)
        return _render_task(task, form, 409)
    except InvalidInput as invalid:
        lookups.refresh(task)
        aliases = {
            "progress": "percent_done",
            "evidence": "evidence_url",
            "url": "evidence_url",
            "file": "evidence_file",
        }
        show_refusal(form, invalid, aliases)
        return _render_task(task, form, 422)
    flash(_("Progress on %(code)s saved.", code=task.code), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/tasks/<int:task_id>/evidence", methods=["POST"])
@login_required
def attach_evidence(task_id: int):
    task = load_task(task_id)
    policy.require(
        policy.can_attach_evidence(current_user, task), N_("You may not attach evidence here.")
    )
    form = EvidenceForm()
    return _task_form_post(
        task,
        form,
        lambda: attach(
            current_user, task, upload=form.file.data, url=form.url.data, note=form.note.data
        ),
        lambda result: _("Evidence attached."),
        "#evidence",
        "evidence_form",
    )


@bp.route("/evidence/<int:evidence_id>")
@login_required
def download_evidence(evidence_id: int):
    """A stored file, only to those who may see its task, always as a download; a link is
    shown on a page of its own first (never a redirect to whatever a contributor typed)."""
    evidence = lookups.get_or_404(Evidence, evidence_id, "evidence")
    task = load_task(evidence.task_id)
    if evidence.kind != "file":
        return render_template("tasks/evidence_link.html", evidence=evidence, task=task)
    response = send_file(stored_path(evidence), mimetype=evidence.content_type, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(evidence.original_name)
    return response


@bp.route("/verification")
@login_required
def verification_queue():
    """Submitted tasks awaiting a supervisor's verification, oldest submission first."""
    policy.require(
        policy.can_view_verification_queue(current_user), N_("The queue is for supervisors.")
    )
    page, per_page = page_and_size()
    pagination, submitted_at = task_queries.paginate_awaiting_verification(
        current_user, page, per_page
    )
    return render_template(
        "tasks/verification.html",
        pagination=pagination,
        extension_requests=task_queries.pending_extensions(current_user),
        obstacles=task_queries.open_obstacles(current_user),
        submitted_at=submitted_at,
        report_date=clock.today(),
        due_soon_days=due_soon_days(),
    )


def _progress_form_if_allowed(task: Task) -> ProgressForm | None:
    return _progress_form(task) if policy.can_update_task(current_user, task) else None


def _task_form_post(task, form, write, success, anchor: str, form_slot: str | None = None):
    """The shape every small form of the task page shares: validate, call one service,
    and go back to its section; when refused, show the task page again with the reasons
    and what was typed (status 422)."""
    if form.validate_on_submit():
        try:
            result = write()
        except InvalidInput as invalid:
            lookups.refresh(task)
            show_refusal(form, invalid)
        else:
            flash(success(result), "success")
            return redirect(url_for("tasks.show", task_id=task.id) + anchor)
    else:
        flash(_("Nothing was saved: correct the fields marked below."), "error")
    forms = {form_slot: form} if form_slot else {}
    return _render_task(task, _progress_form_if_allowed(task), 422, **forms)


@bp.route("/tasks/<int:task_id>/extensions", methods=["POST"])
@login_required
def request_extension(task_id: int):
    task = load_task(task_id)
    policy.require(
        policy.can_request_extension(current_user, task),
        N_("Only the lead unit's leader can request an extension of an open task."),
    )
    form = ExtensionRequestForm()
    return _task_form_post(
        task,
        form,
        lambda: extensions.request_extension(
            current_user, task, form.deadline.data, form.reason.data
        ),
        lambda result: _("Extension requested; a supervisor will decide."),
        "#deadline",
        "extension_form",
    )


@bp.route("/extensions/<int:request_id>/decision", methods=["POST"])
@login_required
def decide_extension(request_id: int):
    extension = lookups.get_or_404(ExtensionRequest, request_id, "extension request")
    task = load_task(extension.task_id)  # who may decide: extensions.decide_extension
    form = ExtensionDecisionForm()
    return _task_form_post(
        task,
        form,
        lambda: extensions.decide_extension(
            current_user, extension, form.decision.data == "approve", form.comment.data
        ),
        lambda decided: (
            _("Extension approved.") if decided.status == APPROVED else _("Extension rejected.")
        ),
        "#deadline",
    )


@bp.route("/tasks/<int:task_id>/comments", methods=["POST"])
@login_required
def add_comment(task_id: int):
    task = load_task(task_id)
    policy.require(policy.can_comment(current_user, task), N_("You may not comment on this task."))
    form = CommentForm()
    return _task_form_post(
        task,
        form,
        lambda: comments.post_comment(current_user, task, form.body.data, form.kind.data),
        lambda result: _("Posted."),
        "#discussion",
        "comment_form",
    )


@bp.route("/comments/<int:comment_id>/answer", methods=["POST"])
@login_required
def answer_obstacle(comment_id: int):
    comment = lookups.get_or_404(Comment, comment_id, "comment")
    task = load_task(comment.task_id)
    policy.require(
        policy.can_answer_obstacle(current_user, task),
        N_("Only a supervisor over the lead unit, or an admin, answers difficulties."),
    )
    form = AnswerForm()
    return _task_form_post(
        task,
        form,
        lambda: comments.answer_obstacle(current_user, comment, form.answer.data),
        lambda result: _("Answer recorded."),
        "#discussion",
    )


def _give_form(task: Task) -> GiveForm:
    """Who of the lead unit works on the task: its active people (in Vietnamese order),
    and its owner if they are not among them (an admin may have given it elsewhere)."""
    if request.method == "POST":
        form = GiveForm()
    else:
        form = GiveForm(formdata=None, data={"owner_id": task.owner_id, "version": task.version})
    form.owner_id.choices = people_options(
        N_("— nobody yet —"), lookups.people_of(task.lead_unit_id), task.owner
    )
    return form


@bp.route("/tasks/<int:task_id>/owner", methods=["POST"])
@login_required
def give_task(task_id: int):
    """Give the task to someone of its lead unit (or to nobody)."""
    task = load_task(task_id)
    policy.require(policy.can_give_to_someone(current_user, task), tasks.WHO_GIVES)
    form = _give_form(task)

    def give() -> Task:
        owner = lookups.user_by_id(form.owner_id.data) if form.owner_id.data else None
        return tasks.give_to(current_user, task, whole_number(form.version.data), owner)

    def said(given: Task) -> str:
        if given.owner is None:
            return _("Task %(code)s is given to no one now.", code=given.code)
        return _("Task %(code)s given to %(name)s.", code=given.code, name=given.owner.name)

    return _task_form_post(task, form, give, said, "#details", "give_form")


@bp.route("/tasks/<int:task_id>/urging", methods=["POST"])
@login_required
def issue_urging(task_id: int):
    task = load_task(task_id)
    is_overdue = task.timeliness(clock.today()) is Timeliness.OVERDUE
    policy.require(
        policy.can_urge(current_user, task, is_overdue),
        N_("Urging notices are issued by a supervisor over the lead unit, on overdue tasks."),
    )
    form = UrgingForm()
    return _task_form_post(
        task,
        form,
        lambda: urging.issue_notice(current_user, task, form.text.data),
        lambda notice: _("Urging notice %(number)s issued.", number=notice.number),
        "#urging",
        "urging_form",
    )


@bp.route("/reminders", methods=["GET", "POST"])
@login_required
def reminders_page():
    """The reminders sent to me, or about my unit's tasks; my daily digest choice."""
    form = DigestForm(
        daily_digest=current_user.daily_digest,
        email_notifications=current_user.email_notifications,
    )
    if form.validate_on_submit():
        set_mail_choices(current_user, form.daily_digest.data, form.email_notifications.data)
        flash(_("Your e-mail choices are saved."), "success")
        return redirect(url_for("tasks.reminders_page"))
    return render_template(
        "tasks/reminders.html",
        rows=reminders_about(current_user),
        form=form,
        feeds=calendar.feeds_of(current_user),
        scopes=calendar.SCOPES,
    )


@bp.route("/calendar-feeds", methods=["POST"])
@login_required
def create_calendar_feed():
    try:
        token = calendar.create_feed(current_user, request.form.get("scope", ""))
    except InvalidInput as invalid:
        lookups.refresh_all()
        flash(describe(invalid), "error")
    else:
        url = url_for("tasks.calendar_feed", token=token, _external=True)
        flash(_("Your calendar address (shown once; keep it private): %(url)s", url=url), "success")
    return redirect(url_for("tasks.reminders_page") + "#calendar")


@bp.route("/calendar-feeds/<int:feed_id>/revoke", methods=["POST"])
@login_required
def revoke_calendar_feed(feed_id: int):
    calendar.revoke_feed(current_user, lookups.get_or_404(CalendarFeed, feed_id, "feed"))
    flash(_("Calendar address revoked: it no longer works."), "success")
    return redirect(url_for("tasks.reminders_page") + "#calendar")


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """A calendar client's request: the secret token in the URL is the only credential."""
    response = current_app.response_class(calendar.calendar_for(token), mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = content_disposition("deadlines.ics", inline=True)
    return response

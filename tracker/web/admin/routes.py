"""Admin views: units, users, directives, targets and tasks. Each loads, checks the policy,
validates a form and calls one service."""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...accounts import account_links, second_factor, users
from ...domain import policy
from ...domain.errors import Conflict, DomainError, InvalidInput
from ...domain.numbers import whole_number
from ...domain.text import N_
from ...infra import context, i18n
from ...infra.i18n import describe
from ...jobs import import_jobs, queue
from ...models import Directive, Target, Task, Unit, User
from ...models.account_link import INVITATION
from ...org import imports, lookups, units, user_imports
from ...org.directives import (
    DIRECTIVE_FIELDS,
    TARGET_FIELDS,
    DirectiveValues,
    create_directive,
    create_target,
    update_directive,
    update_target,
)
from ...work import recurring, tasks
from ...work.tasks import TaskValues
from .. import unit_choosers
from ..downloads import content_disposition
from ..formkit import options, people_options, person_label, show_refusal
from ..request_args import page_number
from .forms import (
    NEW_USER_PASSWORD_HINT,
    DirectiveForm,
    RecurringForm,
    TargetForm,
    TaskForm,
    UnitForm,
    UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _saving() -> bool:
    """A form posted to be saved (and shown again: refused), not a unit chooser's Find."""
    return request.method == "POST" and not unit_choosers.finding()


def _to_save(form) -> bool:
    """The form was posted to be saved (not a unit chooser's Find) and its fields are valid."""
    return _saving() and form.validate()


def _refused(form, error: DomainError) -> None:
    """Show a service's refusal on the form: a flash and the field errors."""
    lookups.refresh_all()
    show_refusal(form, error)


# --- units ---------------------------------------------------------------------------------


@bp.route("/units")
@login_required
def units_index():
    policy.require(policy.can_manage_units(current_user))
    pagination = lookups.unit_page(page_number(), 50)
    return render_template("admin/units.html", pagination=pagination)


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=unit)
    unit_choosers.offer(form.parent_id, none=N_("— none (top of the tree) —"))
    return form


@bp.route("/units/choices")
@login_required
def unit_choices():
    """The units whose code and name hold the words of `?q=`, as JSON: what a unit
    chooser's search box offers as one types (web/unit_choosers.py), to whoever may open
    a form with one."""
    policy.require(
        policy.can_manage_units(current_user)
        or policy.can_manage_users(current_user)
        or policy.can_manage_directives(current_user)
    )
    return jsonify(unit_choosers.found_json(request.args.get("q", "")))


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def unit_edit(unit_id: int | None = None):
    policy.require(policy.can_manage_units(current_user))
    unit = lookups.get_or_404(Unit, unit_id, "unit") if unit_id else None
    form = _unit_form(unit)
    if _to_save(form):
        parent = (
            lookups.get_or_404(Unit, form.parent_id.data, "unit") if form.parent_id.data else None
        )
        try:
            if unit is None:
                units.create_unit(current_user, form.code.data, form.name.data, parent)
            else:
                units.update_unit(current_user, unit, form.code.data, form.name.data, parent)
        except InvalidInput as error:
            _refused(form, error)
        else:
            flash(_("Unit %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("admin.units_index"))
    status = 422 if form.errors or _saving() else 200
    return render_template("admin/unit_form.html", form=form, unit=unit), status


# --- users ---------------------------------------------------------------------------------


@bp.route("/users")
@login_required
def users_index():
    """Every account with its last sign-in; `?dormant=1`: the active ones unused for
    INACTIVE_AFTER_DAYS, which one button deactivates."""
    policy.require(policy.can_manage_users(current_user))
    dormant = request.args.get("dormant") == "1"
    statement = users.dormant_users() if dormant else None
    pagination = lookups.user_page(page_number(), 50, statement)
    return render_template(
        "admin/users.html",
        pagination=pagination,
        dormant=dormant,
        inactive_after_days=context.setting("INACTIVE_AFTER_DAYS"),
    )


@bp.route("/users/deactivate-dormant", methods=["POST"])
@login_required
def deactivate_dormant_users():
    policy.require(policy.can_manage_users(current_user))
    count = users.deactivate_dormant(current_user)
    flash(_("%(count)s unused accounts were deactivated.", count=count), "success")
    return redirect(url_for("admin.users_index"))


@bp.route("/users/import", methods=["GET", "POST"])
@login_required
def users_import():
    """Upload a CSV or XLSX of accounts; a dry run (the default) shows what would happen.
    A background job tries every row; the invitations go out once the accounts are written."""
    page = partial(render_template, "admin/users_import.html", columns=user_imports.COLUMNS)
    policy.require(policy.can_manage_users(current_user))
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a .csv or .xlsx file to import."), "error")
            return page(), 422
        dry_run = request.form.get("apply") != "yes"
        try:
            job = import_jobs.ask(
                current_user, upload.filename, upload.read(), dry_run, import_jobs.USERS
            )
        except imports.ImportRefused as error:
            flash(describe(error), "error")
            return page(), 422
        return redirect(url_for("jobs.job_page", job_id=job.id), 303)
    return page()


@bp.route("/users/import/template.csv")
@login_required
def users_import_template():
    policy.require(policy.can_manage_users(current_user))
    response = Response(user_imports.template_csv(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition("tai-khoan-nguoi-dung.csv")
    return response


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@login_required
def user_invite(user_id: int):
    """Mail an account a new link to choose its password."""
    policy.require(policy.can_manage_users(current_user))
    user = lookups.get_or_404(User, user_id, "user")
    token = users.send_invitation(current_user, user)  # refused without an e-mail address
    queue.soon(account_links.send_link, user.id, token, INVITATION)
    flash(_("An invitation was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["POST"])
@login_required
def user_reset_second_factor(user_id: int):
    """Turn a person's second factor off (a lost phone); they set it up again."""
    user = lookups.get_or_404(User, user_id, "user")
    second_factor.reset(current_user, user)
    flash(_("The second factor of %(name)s is reset.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int | None = None):
    policy.require(policy.can_manage_users(current_user))
    user = lookups.get_or_404(User, user_id, "user") if user_id else None
    form = UserForm(obj=user)
    unit_choosers.offer(form.unit_id)
    if user is not None:
        form.username.render_kw = {"readonly": True}
    else:
        form.password.description = NEW_USER_PASSWORD_HINT
    if _to_save(form):
        unit = lookups.get_or_404(Unit, form.unit_id.data, "unit")
        try:
            if user is None and form.invite.data:
                invited, token = users.invite_user(
                    current_user,
                    form.username.data,
                    form.role.data,
                    unit,
                    name=form.name.data,
                    email=form.email.data,
                )
                queue.soon(account_links.send_link, invited.id, token, INVITATION)
            elif user is None:
                if not form.password.data:
                    raise InvalidInput(
                        N_("Give the new user a password, or send an invitation."),
                        field_errors={"password": [N_("required for a new user")]},
                    )
                users.create_user(
                    current_user,
                    form.username.data,
                    form.password.data,
                    form.role.data,
                    unit,
                    name=form.name.data,
                    email=form.email.data,
                )
            else:
                users.update_user(
                    current_user,
                    user,
                    name=form.name.data,
                    email=form.email.data,
                    role=form.role.data,
                    unit=unit,
                    active=form.active.data,
                    new_password=form.password.data or None,
                )
        except InvalidInput as error:
            _refused(form, error)
        else:
            flash(_("User %(name)s saved.", name=form.username.data), "success")
            return redirect(url_for("admin.users_index"))
    status = 422 if _saving() else 200
    return render_template("admin/user_form.html", form=form, user=user), status


# --- directives and targets ----------------------------------------------------------------


def _directive_values(form: DirectiveForm) -> DirectiveValues:
    return DirectiveValues(
        **{
            name: (getattr(form, name).data or ("" if name != "issued_on" else None))
            for name in DIRECTIVE_FIELDS
        }
    )


@bp.route("/directives/new", methods=["GET", "POST"])
@bp.route("/directives/<int:directive_id>/edit", methods=["GET", "POST"])
@login_required
def directive_edit(directive_id: int | None = None):
    policy.require(policy.can_manage_directives(current_user))
    directive = lookups.get_or_404(Directive, directive_id, "directive") if directive_id else None
    form = DirectiveForm(obj=directive)
    if form.validate_on_submit():
        try:
            if directive is None:
                directive = create_directive(current_user, _directive_values(form))
            else:
                update_directive(current_user, directive, _directive_values(form))
        except InvalidInput as error:
            _refused(form, error)
        else:
            flash(_("Directive %(code)s saved.", code=directive.code), "success")
            return redirect(url_for("directives.show", directive_id=directive.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/directive_form.html", form=form, directive=directive), status


@bp.route("/directives/<int:directive_id>/targets/new", methods=["GET", "POST"])
@bp.route("/targets/<int:target_id>/edit", methods=["GET", "POST"])
@login_required
def target_edit(directive_id: int | None = None, target_id: int | None = None):
    policy.require(policy.can_manage_directives(current_user))
    target = lookups.get_or_404(Target, target_id, "target") if target_id else None
    directive = (
        target.directive if target else lookups.get_or_404(Directive, directive_id, "directive")
    )
    form = TargetForm(obj=target)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in TARGET_FIELDS}
        for text_field in ("indicator", "unit_of_measure"):
            values[text_field] = values[text_field] or ""
        try:
            if target is None:
                create_target(current_user, directive, values)
            else:
                update_target(current_user, target, values)
        except InvalidInput as error:
            _refused(form, error)
        else:
            flash(_("Target %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("directives.show", directive_id=directive.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/target_form.html", form=form, target=target, directive=directive
    ), status


# --- tasks ---------------------------------------------------------------------------------


def _task_form(task: Task | None) -> TaskForm:
    """The task form, its choices narrowed to what the form's directive and lead unit allow
    (the ones it shows: the task's, the posted ones, `?directive=` for a new task, else the
    first offered): the directive's targets and its other tasks as parents, the lead unit's
    people as owners. Offering every task, target and person of a national tracker took 14 s
    at 300,000 tasks. Any existing person may still be posted as the owner (the service
    decides who may be given the task)."""
    form = TaskForm(obj=task)
    if task is not None and request.method == "GET":
        form.coordinating_unit_ids.data = [u.id for u in task.coordinating_units]
        form.version.data = str(task.version)
    if task is None and request.method == "GET":
        form.directive_id.data = whole_number(request.args.get("directive"))
    directives = lookups.directive_labels()
    form.directive_id.choices = options(directives)
    unit_choices = unit_choosers.offer(form.lead_unit_id, form.coordinating_unit_ids)
    directive_id = form.directive_id.data or (directives[0][0] if directives else None)
    leaving_out = task.id if task else None
    form.target_id.choices = options(
        [(None, N_("— none —"))]
        + [(t.id, _part_label(t)) for t in lookups.targets_of(directive_id)]
    )
    _follow(form.target_id, form.directive_id, url_for("admin.directive_targets"))
    form.parent_id.choices = options(
        [(None, N_("— none —"))]
        + [(t.id, _part_label(t)) for t in lookups.tasks_of(directive_id, leaving_out)]
    )
    _follow(
        form.parent_id,
        form.directive_id,
        url_for("admin.directive_tasks", leaving_out=leaving_out or ""),
    )
    _offer_owners(form, unit_choices, N_("— nobody yet —"), task.owner if task else None)
    return form


def _follow(chooser, chosen_first, url: str) -> None:
    """Have the page's script offer in `chooser` what `url` answers (JSON items) for the
    value of `chosen_first` whenever another one is chosen there (static/app.js,
    data-follows): a task's targets and parents follow its directive, its owners its lead
    unit. Without scripts, they follow once the form is sent back."""
    chooser.render_kw = {
        "data-follows": chosen_first.id,
        "data-url": url + ("&" if "?" in url else "?") + chosen_first.name + "=",
    }


def _choices_json(found, label):
    """What a following chooser is offered, as its script reads it: {"items": [{id, label}]}."""
    return jsonify({"items": [{"id": record.id, "label": label(record)} for record in found]})


def _part_label(part) -> str:
    """A target or a task as the task form's choosers name them: code — title."""
    return f"{part.code} — {part.title}"


@bp.route("/directives/targets")
@login_required
def directive_targets():
    """The targets of the directive `?directive_id=` as the task form's target chooser
    offers them (JSON), for the page's script when another directive is chosen."""
    policy.require(policy.can_manage_directives(current_user))
    directive_id = whole_number(request.args.get("directive_id", ""))
    return _choices_json(lookups.targets_of(directive_id) if directive_id else [], _part_label)


@bp.route("/directives/tasks")
@login_required
def directive_tasks():
    """The tasks of the directive `?directive_id=` (but the one being edited,
    `?leaving_out=`) as the task form's parent chooser offers them (JSON)."""
    policy.require(policy.can_manage_directives(current_user))
    directive_id = whole_number(request.args.get("directive_id", ""))
    leaving_out = whole_number(request.args.get("leaving_out", ""))
    found = lookups.tasks_of(directive_id, leaving_out) if directive_id else []
    return _choices_json(found, _part_label)


def _offer_owners(
    form: TaskForm | RecurringForm, unit_choices: list, nobody: str, current: User | None = None
) -> None:
    """The form's owner chooser: nobody, the people of the lead unit it shows (the posted
    one, else the first offered), the current owner, and on a POST the person posted
    (another unit's too: the service decides who may be given a task) — not every person
    of a national tracker (30,000 at 300,000 tasks); another lead unit's people once it is
    chosen (_follow)."""
    lead_unit_id = form.lead_unit_id.data or (unit_choices[0][0] if unit_choices else None)
    posted_id = form.owner_id.data
    posted = lookups.user_by_id(posted_id) if request.method == "POST" and posted_id else None
    form.owner_id.choices = people_options(nobody, lookups.people_of(lead_unit_id), current, posted)
    _follow(form.owner_id, form.lead_unit_id, url_for("admin.unit_people"))


@bp.route("/units/people")
@login_required
def unit_people():
    """The active people of the unit `?lead_unit_id=`, as an owner chooser offers them
    (JSON, in Vietnamese alphabetical order): what static/app.js puts in a task form's or a
    recurring task form's owner chooser when another lead unit is chosen."""
    policy.require(policy.can_manage_directives(current_user))
    unit_id = whole_number(request.args.get("lead_unit_id", ""))
    return _choices_json(lookups.people_of(unit_id) if unit_id else [], person_label)


def _task_values(form: TaskForm) -> TaskValues:
    def pick(model, record_id, what):
        return lookups.get_or_404(model, record_id, what) if record_id else None

    return TaskValues(
        code=form.code.data,
        title=form.title.data,
        description=form.description.data or "",
        source_clause=form.source_clause.data or "",
        directive=pick(Directive, form.directive_id.data, "directive"),
        target=pick(Target, form.target_id.data, "target"),
        parent=pick(Task, form.parent_id.data, "task"),
        kind=form.kind.data,
        lead_unit=pick(Unit, form.lead_unit_id.data, "unit"),
        coordinating_units=[
            pick(Unit, uid, "unit") for uid in form.coordinating_unit_ids.data or []
        ],
        owner=pick(User, form.owner_id.data, "user"),
        start_date=form.start_date.data,
        deadline=form.deadline.data,
        is_key=form.is_key.data,
        original_deadline=form.original_deadline.data,
        weight=form.weight.data or 1,
        confidentiality=form.confidentiality.data,
    )


@bp.route("/tasks/new", methods=["GET", "POST"])
@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id: int | None = None):
    task = lookups.get_or_404(Task, task_id, "task") if task_id else None
    if task is None:
        policy.require(
            policy.can_manage_directives(current_user), N_("Only administrators add tasks here.")
        )
    else:
        policy.require(
            policy.can_edit_task(current_user, task), N_("Only administrators edit tasks.")
        )
    form = _task_form(task)
    if _to_save(form):
        try:
            values = _task_values(form)
            if task is None:
                task = tasks.create_task(current_user, values)
            else:
                version = whole_number(form.version.data)
                tasks.edit_task(current_user, task, version, values)
        except (InvalidInput, Conflict) as error:
            _refused(form, error)
        else:
            flash(_("Task %(code)s saved.", code=task.code), "success")
            return redirect(url_for("tasks.show", task_id=task.id))
    status = 422 if _saving() else 200
    return render_template("admin/task_form.html", form=form, task=task), status


# --- recurring tasks -----------------------------------------------------------------------


@bp.route("/recurring", methods=["GET", "POST"])
@login_required
def recurring_index():
    policy.require(policy.can_manage_directives(current_user))
    form = RecurringForm()
    form.directive_id.choices = options(lookups.directive_labels())
    _offer_owners(form, unit_choosers.offer(form.lead_unit_id), N_("— nobody —"))
    status = 200
    if _to_save(form):
        try:
            recurring.create_template(
                current_user,
                directive=lookups.get_or_404(Directive, form.directive_id.data, "directive"),
                code_prefix=form.code_prefix.data.strip(),
                title=form.title.data.strip(),
                lead_unit=lookups.get_or_404(Unit, form.lead_unit_id.data, "unit"),
                owner=lookups.user_by_id(form.owner_id.data) if form.owner_id.data else None,
                frequency=form.frequency.data,
                days_after_period_end=form.days_after_period_end.data or 0,
                starts_on=form.starts_on.data,
                is_key=form.is_key.data,
            )
        except InvalidInput as error:
            _refused(form, error)
            status = 422
        else:
            flash(
                _(
                    "Recurring task saved. Its tasks are created by the daily scheduled run,"
                    " each as its period comes."
                ),
                "success",
            )
            return redirect(url_for("admin.recurring_index"))
    elif _saving():
        status = 422
    return render_template(
        "admin/recurring.html", form=form, pagination=lookups.recurring_page(page_number(), 50)
    ), status


# --- import --------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file():
    """Upload a CSV or XLSX file; a dry run (the default) shows what would happen. The file
    is read and every row tried by a background job; its page shows the progress, then the
    import's report."""
    policy.require(policy.can_import(current_user), N_("Imports are for admins and supervisors."))
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a .csv or .xlsx file to import."), "error")
            return render_template("admin/import.html"), 422
        dry_run = request.form.get("apply") != "yes"
        try:
            job = import_jobs.ask(current_user, upload.filename, upload.read(), dry_run)
        except imports.ImportRefused as error:
            flash(describe(error), "error")
            return render_template("admin/import.html"), 422
        return redirect(url_for("jobs.job_page", job_id=job.id), 303)
    return render_template("admin/import.html")


@bp.route("/import/template.<any(csv, xlsx):extension>")
@login_required
def import_template(extension: str):
    policy.require(policy.can_import(current_user), N_("Imports are for admins and supervisors."))
    example = imports.template_example(i18n.current_language())
    if extension == "csv":
        body, mimetype = imports.template_csv(imports.COLUMNS, example), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx(example)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = content_disposition(
        f"directive-tracker-import.{extension}"
    )
    return response

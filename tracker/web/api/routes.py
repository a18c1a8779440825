"""API v1 routes. Authentication by bearer token; the same policy and services as the HTML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, request, send_file, url_for

from ...accounts import tokens
from ...domain import policy
from ...domain.errors import DomainError, InvalidInput, NotFound, in_batch
from ...domain.numbers import whole_number
from ...domain.search_text import typed
from ...domain.text import N_
from ...domain.timeliness import Timeliness
from ...infra import clock
from ...jobs import import_jobs, report_jobs
from ...jobs import records as jobs_records
from ...models import (
    Comment,
    Directive,
    Evidence,
    ExtensionRequest,
    Job,
    Target,
    Task,
    Unit,
    UrgingNotice,
    User,
)
from ...models.job import DONE
from ...org import directives, imports, lookups
from ...org.lookups import TaskItem
from ...reporting import report_orders, task_queries
from ...reporting.task_queries import TaskFilters
from ...work import comments, recurring, tasks, urging
from ...work import deadline_extensions as extensions
from ...work.evidence import attach, stored_path
from ...work.tasks import TaskValues
from ..downloads import content_disposition, csv_response, job_file_response
from ..errors import problem
from ..login_limits import succeeded, throttle_failed_logins
from ..request_args import MOST_PAGES
from . import bp, openapi
from .schemas import (
    AnswerBody,
    CommentBody,
    EvidenceLink,
    ExportRequest,
    ExtensionAsk,
    ExtensionDecision,
    OwnerBody,
    ProgressBatch,
    RecurringBody,
    TargetValueBody,
    TaskCreate,
    TaskPatch,
    TokenRequest,
    UrgingBody,
    comment_json,
    evidence_json,
    export_json,
    extension_json,
    import_job_json,
    iso_utc,
    notice_json,
    parse,
    recurring_json,
    target_json,
    task_json,
)

PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi_document"}


class Unauthorized(DomainError):
    status_code = 401
    title = "Unauthorized"


class UnsupportedMediaType(DomainError):
    status_code = 415
    title = "Unsupported media type"


@bp.before_request
def authenticate_bearer() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    found = tokens.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if found is None:
        raise Unauthorized(
            "Send a valid token: Authorization: Bearer <token> (POST /api/v1/tokens)."
        )
    g.api_user, g.api_token = found


@bp.after_request
def bearer_challenge(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_body(model):
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
    return parse(model, request.get_data())


def _user() -> User:
    return g.api_user


def _filters() -> TaskFilters:
    return TaskFilters.from_args(request.args, clock.today())


def _load_task(task_id: int) -> Task:
    return _visible(lookups.task_or_404(task_id))  # with what task_json and the policy read


def _visible(task: Task) -> Task:
    policy.require(policy.can_view_task(_user(), task), N_("You may not see this task."))
    return task


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API (no login needed)."""
    return jsonify(openapi.document())


@bp.post("/tokens")
@throttle_failed_logins
def create_token():
    body = _json_body(TokenRequest)
    token, record = tokens.issue_token(body.username, body.password, body.otp)
    succeeded()
    current_app.logger.info("API token issued to %r from %s", body.username, request.remote_addr)
    return jsonify({"token": token, "expires_at": iso_utc(record.expires_at)}), 201


@bp.delete("/tokens/current")
def revoke_token():
    tokens.revoke_token(_user(), g.api_token)
    return "", 204


def _whole_number(name: str, default: int) -> int:
    """A query-string integer; anything else is a 422 naming the argument."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw, MOST_PAGES)
    if number is None:
        raise InvalidInput(
            f"{name} must be a whole number up to {MOST_PAGES:,}, not {raw[:20]!r}.",
            field_errors={name: [N_("integer")]},
        )
    return number


def _page_asked() -> tuple[int, int]:
    """(page, per_page) of a list: page ≥ 1, per_page up to MAX_PER_PAGE."""
    page = _whole_number("page", 1)
    per_page = _whole_number("per_page", current_app.config["PER_PAGE"])
    if page < 1 or not 1 <= per_page <= current_app.config["MAX_PER_PAGE"]:
        raise InvalidInput(
            f"page must be ≥ 1 and per_page between 1 and {current_app.config['MAX_PER_PAGE']}."
        )
    return page, per_page


def _page_answer(items: list[dict], total: int, page: int, per_page: int):
    """The answer of every list of the API: a page of items and where it stands."""
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page})


@bp.get("/tasks")
def list_tasks():
    filters = _filters()
    page, per_page = _page_asked()
    pagination = task_queries.paginate_tasks(_user(), filters, page, per_page)
    items = [task_json(task, filters.report_date) for task in pagination.items]
    return _page_answer(items, pagination.total, page, per_page)


@bp.get("/tasks/<int:task_id>")
def get_task(task_id: int):
    return jsonify(task_json(_load_task(task_id)))


@bp.patch("/tasks/<int:task_id>")
def patch_task(task_id: int):
    task = _load_task(task_id)
    body = _json_body(TaskPatch)
    tasks.report_progress(
        _user(),
        task,
        body.version,
        body.status or task.status,
        body.progress,
        body.note or "",
        body.evidence_url or "",
    )
    return jsonify(task_json(task))


@bp.put("/tasks/<int:task_id>/owner")
def give_task(task_id: int):
    """Give the task to someone of its lead unit (a username), or to nobody (null)."""
    task = _load_task(task_id)
    body = _json_body(OwnerBody)
    errors: dict[str, list[str]] = {}
    owner = _person(body.owner, "owner", errors)
    if errors:
        raise InvalidInput(N_("The request names records that do not exist."), field_errors=errors)
    tasks.give_to(_user(), task, body.version, owner)
    return jsonify(task_json(task))


@bp.post("/tasks/progress")
def report_several():
    """Several tasks' progress in one request, saved together or not at all (a unit's
    system sending its weekly report): the answer lists the tasks as written, in order."""
    body = _json_body(ProgressBatch)
    found = lookups.tasks_shown([item.task_id for item in body.updates])
    reports = []
    for index, item in enumerate(body.updates):
        task = found.get(item.task_id)
        try:
            if task is None:
                raise lookups.no_such("task")
            _visible(task)
        except DomainError as refused:
            raise in_batch(refused, index, f"id {item.task_id}") from refused
        reports.append(
            tasks.ProgressReport(
                task,
                item.version,
                item.status or task.status,
                item.progress,
                item.note or "",
                item.evidence_url or "",
                place=index,
            )
        )
    tasks.report_progress_together(_user(), reports)
    return jsonify({"items": [task_json(report.task) for report in reports]})


def _task_list(task: Task, model: type[TaskItem], to_json: Callable[[Any], dict]):
    """A page of one of the task's lists (its evidence, extension requests, urging notices)
    in the order the task page shows it, with how many there are."""
    page, per_page = _page_asked()
    items, total = lookups.task_items_page(task, model, page, per_page)
    return _page_answer([to_json(item) for item in items], total, page, per_page)


@bp.get("/tasks/<int:task_id>/evidence")
def list_evidence(task_id: int):
    return _task_list(_load_task(task_id), Evidence, evidence_json)


@bp.post("/tasks/<int:task_id>/evidence")
def add_evidence(task_id: int):
    """A file (multipart/form-data, field `file`, optional `note`) or a link (JSON)."""
    task = _load_task(task_id)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(
                N_("Send the file in the multipart field `file`."),
                field_errors={"file": [N_("required")]},
            )
        evidence = attach(_user(), task, upload=upload, note=request.form.get("note", ""))
    else:
        body = _json_body(EvidenceLink)
        evidence = attach(_user(), task, url=body.url, note=body.note)
    return jsonify(evidence_json(evidence)), 201


@bp.get("/tasks/<int:task_id>/extensions")
def list_extensions(task_id: int):
    return _task_list(_load_task(task_id), ExtensionRequest, extension_json)


@bp.post("/tasks/<int:task_id>/extensions")
def ask_extension(task_id: int):
    task = _load_task(task_id)
    body = _json_body(ExtensionAsk)
    request_ = extensions.request_extension(_user(), task, body.deadline, body.reason)
    return jsonify(extension_json(request_)), 201


@bp.post("/extensions/<int:request_id>/decision")
def decide_extension(request_id: int):
    request_ = lookups.get_or_404(ExtensionRequest, request_id, "extension request")
    _load_task(request_.task_id)
    body = _json_body(ExtensionDecision)
    extensions.decide_extension(_user(), request_, body.approve, body.comment)
    return jsonify(extension_json(request_))


@bp.get("/tasks/<int:task_id>/comments")
def list_comments(task_id: int):
    """The task's messages in written order, a page at a time, with how many there are."""
    task = _load_task(task_id)
    page, per_page = _page_asked()
    messages = lookups.comments_page(task, page, per_page)
    items = [comment_json(c) for c in messages]
    return _page_answer(items, lookups.comments_count(task), page, per_page)


@bp.post("/tasks/<int:task_id>/comments")
def post_comment(task_id: int):
    task = _load_task(task_id)
    body = _json_body(CommentBody)
    comment = comments.post_comment(_user(), task, body.body, body.kind)
    return jsonify(comment_json(comment)), 201


@bp.post("/comments/<int:comment_id>/answer")
def answer_comment(comment_id: int):
    comment = lookups.get_or_404(Comment, comment_id, "comment")
    _load_task(comment.task_id)
    body = _json_body(AnswerBody)
    comments.answer_obstacle(_user(), comment, body.answer)
    return jsonify(comment_json(comment))


@bp.get("/tasks/<int:task_id>/urging")
def list_notices(task_id: int):
    return _task_list(_load_task(task_id), UrgingNotice, notice_json)


@bp.post("/tasks/<int:task_id>/urging")
def issue_notice(task_id: int):
    task = _load_task(task_id)
    body = _json_body(UrgingBody)
    return jsonify(notice_json(urging.issue_notice(_user(), task, body.text))), 201


@bp.get("/targets/<int:target_id>")
def get_target(target_id: int):
    return jsonify(target_json(lookups.get_or_404(Target, target_id, "target")))


@bp.post("/targets/<int:target_id>/values")
def record_target_value(target_id: int):
    target = lookups.get_or_404(Target, target_id, "target")
    body = _json_body(TargetValueBody)
    directives.record_target_value(_user(), target, body.recorded_on, body.value, body.source_note)
    return jsonify(target_json(target)), 201


@bp.get("/recurring")
def list_recurring():
    """The recurring task templates, a page at a time, in the order they were made."""
    policy.require(policy.can_manage_directives(_user()), N_("Recurring tasks are for admins."))
    page, per_page = _page_asked()
    templates = lookups.recurring_page(page, per_page)
    items = [recurring_json(t) for t in templates.items]
    return _page_answer(items, templates.total, page, per_page)


@bp.post("/recurring")
def create_recurring():
    policy.require(policy.can_manage_directives(_user()), N_("Recurring tasks are for admins."))
    body = _json_body(RecurringBody)
    errors: dict[str, list[str]] = {}
    directive = _resolve(Directive, body.directive, "directive", errors)
    lead_unit = _resolve(Unit, body.lead_unit, "lead_unit", errors)
    owner = _person(body.owner, "owner", errors)
    if errors:
        raise InvalidInput(N_("The request names records that do not exist."), field_errors=errors)
    template = recurring.create_template(
        _user(),
        directive=directive,
        code_prefix=body.code_prefix,
        title=body.title,
        lead_unit=lead_unit,
        owner=owner,
        frequency=body.frequency,
        days_after_period_end=body.days_after_period_end,
        starts_on=body.starts_on,
        is_key=body.key,
    )
    return jsonify(recurring_json(template)), 201


@bp.post("/imports")
def import_file():
    """A CSV or XLSX file in the multipart field `file`; `dry_run` (default true)."""
    policy.require(
        policy.can_import(_user()), N_("Imports are for administrators and supervisors.")
    )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(
            N_("Send the file in the multipart field `file`."),
            field_errors={"file": [N_("required")]},
        )
    dry_run = request.values.get("dry_run", "true").lower() not in ("false", "0", "no")
    if request.values.get("background", "false").lower() in ("true", "1", "yes"):
        try:
            job = import_jobs.ask(_user(), upload.filename, upload.read(), dry_run)
        except imports.ImportRefused as error:
            raise InvalidInput(error.message, field_errors={"file": [error.message]}) from None
        response = jsonify(import_job_json(job))
        response.status_code = 202
        response.headers["Location"] = url_for("api.get_import", import_id=job.id)
        return response
    try:
        rows = imports.read_rows(upload.filename, upload.read())
    except imports.ImportRefused as error:
        raise InvalidInput(error.message, field_errors={"file": [error.message]})
    report = imports.run_import(_user(), rows, dry_run=dry_run)
    body = imports.report_json(report)
    if report.errors:
        return problem(
            422,
            "Unprocessable content",
            f"{len(report.errors)} row problem(s); nothing was written.",
            report=body,
        )
    return jsonify(body), 200


@bp.get("/imports/<int:import_id>")
def get_import(import_id: int):
    """An import run in the background: its state, progress and, once done, its report."""
    job = jobs_records.visible_to(_user(), import_id, "import")
    if job is None:
        raise lookups.no_such("import")
    return jsonify(import_job_json(job))


@bp.get("/evidence/<int:evidence_id>/file")
def download_evidence(evidence_id: int):
    evidence = lookups.get_or_404(Evidence, evidence_id, "evidence")
    _load_task(evidence.task_id)
    if evidence.kind != "file":
        raise NotFound(N_("This evidence is a link, not a file."))
    response = send_file(stored_path(evidence), mimetype=evidence.content_type, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(evidence.original_name)
    return response


def _resolve(model, code: str | None, field: str, errors: dict, **where):
    if code is None:
        return None
    record = lookups.by_code(model, code, **where)
    if record is None:
        errors.setdefault(field, []).append(
            f"unknown {field.rstrip('s').replace('_', ' ')} {code!r}"
        )
    return record


def _person(username: str | None, field: str, errors: dict) -> User | None:
    """The account a body names by username (None for none), or the field's error."""
    if not username:
        return None
    person = lookups.user_by_username(username)
    if person is None:
        errors.setdefault(field, []).append(f"unknown user {username!r}")
    return person


@bp.post("/tasks")
def create_task():
    body = _json_body(TaskCreate)
    errors: dict[str, list[str]] = {}
    directive = _resolve(Directive, body.directive, "directive", errors)
    lead_unit = _resolve(Unit, body.lead_unit, "lead_unit", errors)
    coordinating = [
        _resolve(Unit, c, "coordinating_units", errors) for c in body.coordinating_units
    ]
    owner = _person(body.owner, "owner", errors)
    target = None
    if body.target and directive is not None:
        target = _resolve(Target, body.target, "target", errors, directive_id=directive.id)
    parent = lookups.task_by_id(body.parent) if body.parent else None
    if parent is not None and not policy.can_view_task(_user(), parent):
        parent = None  # a task the user may not see answers as one that does not exist
    if body.parent and parent is None:
        errors["parent"] = [N_("no such task")]
    if errors:
        raise InvalidInput(N_("The request names records that do not exist."), field_errors=errors)
    task = tasks.create_task(
        _user(),
        TaskValues(
            code=body.code,
            title=body.title,
            directive=directive,
            lead_unit=lead_unit,
            deadline=body.deadline,
            coordinating_units=coordinating,
            owner=owner,
            start_date=body.start_date,
            is_key=body.key,
            kind=body.kind,
            description=body.description,
            source_clause=body.source_clause,
            target=target,
            parent=parent,
            weight=body.weight,
            confidentiality=body.confidentiality,
        ),
    )
    response = jsonify(task_json(task))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tasks/{task.id}"
    return response


@bp.get("/units")
def list_units():
    """The units the caller sees, or with `?q=` those whose code and name hold its words, a
    page at a time in tree order."""
    query = typed(request.args.get("q"))
    page, per_page = _page_asked()
    units, total = lookups.visible_units(_user(), query, page, per_page)
    items = [{"code": u.code, "name": u.name, "parent": u.parent_code} for u in units]
    return _page_answer(items, total, page, per_page)


@bp.get("/reports/summary")
def summary():
    filters = _filters().with_(timeliness=None)
    for field, model in (("directive", Directive), ("unit", Unit), ("scope", Unit)):
        code = getattr(filters, field)
        if code and lookups.by_code(model, code) is None:
            raise NotFound(f"There is no {'unit' if model is Unit else field} {code!r}.")
    counts = task_queries.total_counts(_user(), filters)
    return jsonify(
        {
            "as_of": filters.report_date.isoformat(),
            "directive": filters.directive,
            "unit": filters.unit,
            "scope": filters.scope,
            "key": filters.key,
            "judged_against": filters.deadline_basis,
            "counts": {t.value: counts.count(t) for t in Timeliness},
            "total": counts.total,
            "come_due": counts.come_due,
            "completion_rate": counts.completion_rate,
            "on_time_rate": counts.on_time_rate,
            "overdue_rate": counts.overdue_rate,
        }
    )


@bp.get("/exports/tasks.csv")
def export_tasks():
    policy.require(
        policy.can_export(_user()), N_("Exports are for supervisors, auditors and admins.")
    )
    return csv_response(_user(), _filters())


@bp.post("/exports")
def create_export():
    """A report file made by a background job: 202 and where to follow it."""
    body = _json_body(ExportRequest)
    order = report_orders.order(_user(), body.report, body.format, body.filters, clock.today())
    job, _made_before = report_jobs.ask(_user(), order)
    location = url_for("api.get_export", job_id=job.id)
    response = jsonify(export_json(job, _export_file_url(job)))
    response.status_code = 202
    response.headers["Location"] = location
    return response


def _visible_job(job_id: int) -> Job:
    job = jobs_records.visible_to(_user(), job_id, "report")
    if job is None:
        raise lookups.no_such("export")
    return job


def _export_file_url(job: Job) -> str | None:
    if job.status != DONE or report_jobs.file_of(job) is None:
        return None
    return url_for("api.get_export_file", job_id=job.id)


@bp.get("/exports/<int:job_id>")
def get_export(job_id: int):
    job = _visible_job(job_id)
    return jsonify(export_json(job, _export_file_url(job)))


@bp.get("/exports/<int:job_id>/file")
def get_export_file(job_id: int):
    job = _visible_job(job_id)
    return job_file_response(job, report_jobs.kept_file(job))

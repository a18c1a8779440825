"""API request bodies (pydantic, strict, unknown fields refused) and response shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ...domain.days import day_problem
from ...domain.errors import InvalidInput
from ...domain.lifecycle import STATUSES, TASK_KINDS
from ...domain.numbers import LARGEST
from ...infra.clock import today
from ...models import Task
from ...work import recurring
from ...work.tasks import MOST_REPORTS_AT_ONCE


def _sane_day(value: date) -> date:
    if problem := day_problem(value):
        raise ValueError(str(problem))
    return value


# Every day an API body carries is within the tracker's years (domain.days).
Day = Annotated[date, AfterValidator(_sane_day)]

Status = Literal[STATUSES]  # type: ignore[valid-type]
Kind = Literal[TASK_KINDS]  # type: ignore[valid-type]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class TokenRequest(Body):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=128)
    # The authenticator's current code (or a recovery code), for an account with a second
    # factor.
    otp: str | None = Field(default=None, max_length=40)


class TaskPatch(Body):
    version: int = Field(ge=1, le=LARGEST)
    status: Status | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    note: str | None = Field(default=None, max_length=5000)
    evidence_url: str | None = Field(default=None, max_length=500)


class TaskProgress(TaskPatch):
    """One task's report in a batch: the fields of PATCH /api/v1/tasks/<id>, with its id."""

    task_id: int = Field(ge=1, le=LARGEST)


class ProgressBatch(Body):
    """Several tasks' progress, saved together or not at all."""

    updates: list[TaskProgress] = Field(min_length=1, max_length=MOST_REPORTS_AT_ONCE)


class ExtensionAsk(Body):
    deadline: Day
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionDecision(Body):
    approve: bool
    comment: str = Field(default="", max_length=2000)


class CommentBody(Body):
    body: str = Field(min_length=1, max_length=5000)
    kind: Literal["comment", "obstacle"] = "comment"


class AnswerBody(Body):
    answer: str = Field(min_length=1, max_length=5000)


class OwnerBody(Body):
    """Who of the lead unit works on the task (a username), or null for nobody, with the
    task's version read."""

    version: int = Field(ge=1, le=LARGEST)
    owner: str | None = Field(min_length=1, max_length=80)


class UrgingBody(Body):
    text: str = Field(min_length=1, max_length=5000)


class TargetValueBody(Body):
    recorded_on: Day
    value: Decimal = Field(max_digits=14, decimal_places=2)
    source_note: str = Field(default="", max_length=500)


class RecurringBody(Body):
    directive: str = Field(min_length=1, max_length=60)
    code_prefix: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=recurring.MOST_TITLE_LENGTH)
    lead_unit: str = Field(min_length=1, max_length=40)
    owner: str | None = Field(default=None, max_length=80)
    frequency: Literal["monthly", "quarterly", "half_yearly"]
    days_after_period_end: int = Field(default=0, ge=-27, le=365)
    starts_on: Day
    key: bool = False


class EvidenceLink(Body):
    url: str = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=500)


class TaskCreate(Body):
    code: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=500)
    directive: str = Field(min_length=1, max_length=60)
    lead_unit: str = Field(min_length=1, max_length=40)
    deadline: Day
    coordinating_units: list[str] = Field(default_factory=list, max_length=50)
    owner: str | None = Field(default=None, max_length=80)
    start_date: Day | None = None
    key: bool = False
    kind: Kind = "task"
    description: str = Field(default="", max_length=10000)
    source_clause: str = Field(default="", max_length=120)
    target: str | None = Field(default=None, max_length=40)
    parent: int | None = Field(default=None, ge=1, le=LARGEST)
    weight: int = Field(default=1, ge=1, le=1000)
    confidentiality: Literal["normal", "confidential", "secret"] = "normal"


# The arguments a report's filters may carry (the query-string arguments of its page).
EXPORT_FILTERS = (
    "unit",
    "scope",
    "directive",
    "status",
    "timeliness",
    "owner",
    "unassigned",
    "q",
    "key",
    "as_of",
    "deadline",
    "period",
    "from",
    "to",
    "group",
    "sort",
    "dir",
    "subtree",
)
ExportFilterName = Literal[EXPORT_FILTERS]  # type: ignore[valid-type]


class ExportRequest(Body):
    """A report file to be made by a background job (POST /api/v1/exports)."""

    report: Literal["tasks", "board", "directive", "period", "league"]
    format: Literal["csv", "xlsx", "pdf"]
    filters: dict[ExportFilterName, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict
    )


def export_json(job, file_url: str | None) -> dict:
    """A report file's job as the API shows it: its state, progress and, once done, file."""
    parameters = job.parameters
    return {
        "id": job.id,
        "report": parameters.get("report"),
        "format": parameters.get("format"),
        "filters": parameters.get("arguments", {}),
        "status": job.status,
        "progress": round(job.progress, 4),
        "rows_written": job.progress_done,
        "rows_total": job.progress_total,
        "file": file_url,
        "file_name": job.file_name,
        "sha256": job.sha256 if job.status == "done" else None,
        "size_bytes": job.size_bytes if job.status == "done" else None,
        "error": job.error if job.status == "failed" else None,
        "created_at": iso_utc(job.created_at),
        "finished_at": iso_utc(job.finished_at) if job.finished_at else None,
        "expires_at": iso_utc(job.expires_at) if job.expires_at else None,
    }


def import_job_json(job) -> dict:
    """An import run in the background as the API shows it."""
    return {
        "id": job.id,
        "file_name": job.file_name,
        "dry_run": bool(job.parameters.get("dry_run", True)),
        "status": job.status,
        "progress": round(job.progress, 4),
        "rows_tried": job.progress_done,
        "rows_total": job.progress_total,
        "report": job.result if job.status == "done" else None,
        "error": job.error if job.status == "failed" else None,
        "created_at": iso_utc(job.created_at),
        "finished_at": iso_utc(job.finished_at) if job.finished_at else None,
    }


def parse(model: type[Body], raw: bytes) -> Body:
    """Validate a JSON body; InvalidInput (422) with the errors per field when it is wrong."""
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors():
            # A wrong key of a mapping is named by the key ("filters.colour", not
            # "filters.colour.[key]").
            parts = [str(part) for part in item["loc"] if part != "[key]"]
            field = ".".join(parts) or "body"
            message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
            errors.setdefault(field, []).append(message)
        summary = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
        raise InvalidInput(f"The request body is invalid: {summary}.", field_errors=errors)


def task_json(task: Task, report_date: date | None = None) -> dict:
    """The one representation of a task, in lists and alone."""
    timeliness = task.timeliness(report_date or today())
    return {
        "id": task.id,
        "code": task.code,
        "title": task.title,
        "kind": task.kind,
        "directive": task.directive.code,
        "lead_unit": task.lead_unit.code,
        "coordinating_units": [unit.code for unit in task.coordinating_units],
        "owner": task.owner.username if task.owner else None,
        "start_date": task.start_date.isoformat() if task.start_date else None,
        "deadline": task.deadline.isoformat(),
        "original_deadline": task.original_deadline.isoformat(),
        "status": task.status,
        "progress": task.percent_done,
        "timeliness": timeliness.value if timeliness else None,
        "completed_on": task.completed_on.isoformat() if task.completed_on else None,
        "parent": task.parent_id,
        "weight": task.weight,
        "confidentiality": task.confidentiality,
        "key": task.is_key,
        "version": task.version,
        "updated_at": iso_utc(task.updated_at),
    }


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC (SQLite returns naive values, which are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def evidence_json(evidence) -> dict:
    return {
        "id": evidence.id,
        "task": evidence.task_id,
        "kind": evidence.kind,
        "url": evidence.url,
        "name": evidence.original_name or None,
        "content_type": evidence.content_type or None,
        "size_bytes": evidence.size_bytes if evidence.kind == "file" else None,
        "sha256": evidence.sha256 or None,
        "note": evidence.note,
        "added_by": evidence.added_by.username if evidence.added_by else None,
        "created_at": iso_utc(evidence.created_at),
        "download": f"/api/v1/evidence/{evidence.id}/file" if evidence.kind == "file" else None,
    }


def extension_json(request) -> dict:
    return {
        "id": request.id,
        "task": request.task_id,
        "status": request.status,
        "previous_deadline": request.previous_deadline.isoformat(),
        "requested_deadline": request.requested_deadline.isoformat(),
        "reason": request.reason,
        "requested_by": request.requested_by.username if request.requested_by else None,
        "requested_at": iso_utc(request.requested_at),
        "decided_by": request.decided_by.username if request.decided_by else None,
        "decided_at": iso_utc(request.decided_at) if request.decided_at else None,
        "comment": request.decision_comment,
    }


def comment_json(comment) -> dict:
    return {
        "id": comment.id,
        "task": comment.task_id,
        "kind": comment.kind,
        "body": comment.body,
        "author": comment.author.username if comment.author else None,
        "created_at": iso_utc(comment.created_at),
        "answer": comment.answer or None,
        "answered_by": comment.answered_by.username if comment.answered_by else None,
        "answered_at": iso_utc(comment.answered_at) if comment.answered_at else None,
    }


def notice_json(notice) -> dict:
    return {
        "id": notice.id,
        "task": notice.task_id,
        "number": notice.number,
        "text": notice.text,
        "issued_by": notice.issued_by.username if notice.issued_by else None,
        "issued_at": iso_utc(notice.issued_at),
    }


def target_json(target) -> dict:
    def number(value):
        return None if value is None else float(value)

    return {
        "id": target.id,
        "directive": target.directive.code,
        "code": target.code,
        "title": target.title,
        "indicator": target.indicator,
        "baseline": number(target.baseline_value),
        "target_value": number(target.target_value),
        "unit_of_measure": target.unit_of_measure,
        "due_on": target.due_on.isoformat() if target.due_on else None,
        "values": [
            {
                "recorded_on": v.recorded_on.isoformat(),
                "value": float(v.value),
                "source_note": v.source_note,
                "recorded_by": v.recorded_by.username if v.recorded_by else None,
            }
            for v in target.values
        ],
    }


def recurring_json(template) -> dict:
    return {
        "id": template.id,
        "directive": template.directive.code,
        "code_prefix": template.code_prefix,
        "title": template.title,
        "lead_unit": template.lead_unit.code,
        "owner": template.owner.username if template.owner else None,
        "frequency": template.frequency,
        "days_after_period_end": template.days_after_period_end,
        "starts_on": template.starts_on.isoformat(),
        "key": template.is_key,
        "active": template.active,
    }

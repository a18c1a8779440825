"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json.

Request bodies are the pydantic models' own JSON Schemas (so the document cannot drift from
what the server validates); responses are written here beside them. A test validates the
document, checks that it names every API route and nothing else, and fuzzes the live app
against it (schemathesis): no 5xx, and every answer matches the document.
"""

from __future__ import annotations

from functools import cache

from ...domain.lifecycle import STATUSES
from ...models.extension import EXTENSION_STATUSES
from . import schemas

TIMELINESS = ["completed_on_time", "completed_late", "within_deadline", "overdue"]
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
NULLABLE_MOMENT = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _items(name: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(name)}})


def _page_of(name: str) -> dict:
    """A page of a list, with how many items there are in all."""
    return _object(
        {
            "items": {"type": "array", "items": _ref(name)},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        }
    )


RESPONSE_SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "integer"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "report": {"type": "object"},
        },
        "required": ["type", "status", "title", "detail"],
    },
    "Token": _object({"token": {"type": "string"}, "expires_at": MOMENT}),
    "ImportJob": _object(
        {
            "id": {"type": "integer"},
            "file_name": NULLABLE_STRING,
            "dry_run": {"type": "boolean"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "rows_tried": {"type": "integer"},
            "rows_total": {"type": ["integer", "null"]},
            "report": {
                "type": ["object", "null"],
                "description": "The import's report once done (messages in the asker's language)",
            },
            "error": NULLABLE_STRING,
            "created_at": MOMENT,
            "finished_at": NULLABLE_MOMENT,
        }
    ),
    "Export": _object(
        {
            "id": {"type": "integer"},
            "report": {
                "type": "string",
                "enum": ["tasks", "board", "directive", "period", "league"],
            },
            "format": {"type": "string", "enum": ["csv", "xlsx", "pdf"]},
            "filters": {"type": "object", "additionalProperties": {"type": "string"}},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "rows_written": {"type": "integer"},
            "rows_total": {"type": ["integer", "null"]},
            "file": {
                "type": ["string", "null"],
                "description": "Where to download the file once done (the same token).",
            },
            "file_name": NULLABLE_STRING,
            "sha256": NULLABLE_STRING,
            "size_bytes": {"type": ["integer", "null"]},
            "error": NULLABLE_STRING,
            "created_at": MOMENT,
            "finished_at": NULLABLE_MOMENT,
            "expires_at": NULLABLE_MOMENT,
        }
    ),
    "Task": _object(
        {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string", "enum": ["task", "milestone"]},
            "directive": {"type": "string"},
            "lead_unit": {"type": "string"},
            "coordinating_units": {"type": "array", "items": {"type": "string"}},
            "owner": NULLABLE_STRING,
            "start_date": NULLABLE_DATE,
            "deadline": {"type": "string", "format": "date"},
            "original_deadline": {"type": "string", "format": "date"},
            "status": {
                "type": "string",
                "enum": list(STATUSES),
            },
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "timeliness": {"type": ["string", "null"], "enum": [*TIMELINESS, None]},
            "completed_on": NULLABLE_DATE,
            "parent": {"type": ["integer", "null"]},
            "weight": {"type": "integer"},
            "confidentiality": {"type": "string", "enum": ["normal", "confidential", "secret"]},
            "key": {"type": "boolean"},
            "version": {"type": "integer"},
            "updated_at": MOMENT,
        }
    ),
    "TaskPage": _page_of("Task"),
    "CommentPage": _page_of("Comment"),
    "UnitPage": _page_of("Unit"),
    "RecurringPage": _page_of("Recurring"),
    "EvidencePage": _page_of("Evidence"),
    "ExtensionPage": _page_of("Extension"),
    "NoticePage": _page_of("Notice"),
    "Evidence": _object(
        {
            "id": {"type": "integer"},
            "task": {"type": "integer"},
            "kind": {"type": "string", "enum": ["file", "link"]},
            "url": NULLABLE_STRING,
            "name": NULLABLE_STRING,
            "content_type": NULLABLE_STRING,
            "size_bytes": {"type": ["integer", "null"]},
            "sha256": NULLABLE_STRING,
            "note": {"type": "string"},
            "added_by": NULLABLE_STRING,
            "created_at": MOMENT,
            "download": NULLABLE_STRING,
        }
    ),
    "Extension": _object(
        {
            "id": {"type": "integer"},
            "task": {"type": "integer"},
            "status": {"type": "string", "enum": list(EXTENSION_STATUSES)},
            "previous_deadline": {"type": "string", "format": "date"},
            "requested_deadline": {"type": "string", "format": "date"},
            "reason": {"type": "string"},
            "requested_by": NULLABLE_STRING,
            "requested_at": MOMENT,
            "decided_by": NULLABLE_STRING,
            "decided_at": NULLABLE_MOMENT,
            "comment": {"type": "string"},
        }
    ),
    "Comment": _object(
        {
            "id": {"type": "integer"},
            "task": {"type": "integer"},
            "kind": {"type": "string", "enum": ["comment", "obstacle"]},
            "body": {"type": "string"},
            "author": NULLABLE_STRING,
            "created_at": MOMENT,
            "answer": NULLABLE_STRING,
            "answered_by": NULLABLE_STRING,
            "answered_at": NULLABLE_MOMENT,
        }
    ),
    "Notice": _object(
        {
            "id": {"type": "integer"},
            "task": {"type": "integer"},
            "number": {"type": "string"},
            "text": {"type": "string"},
            "issued_by": NULLABLE_STRING,
            "issued_at": MOMENT,
        }
    ),
    "Target": _object(
        {
            "id": {"type": "integer"},
            "directive": {"type": "string"},
            "code": {"type": "string"},
            "title": {"type": "string"},
            "indicator": {"type": "string"},
            "baseline": {"type": ["number", "null"]},
            "target_value": {"type": ["number", "null"]},
            "unit_of_measure": {"type": "string"},
            "due_on": NULLABLE_DATE,
            "values": {
                "type": "array",
                "items": _object(
                    {
                        "recorded_on": {"type": "string", "format": "date"},
                        "value": {"type": "number"},
                        "source_note": {"type": "string"},
                        "recorded_by": NULLABLE_STRING,
                    }
                ),
            },
        }
    ),
    "Recurring": _object(
        {
            "id": {"type": "integer"},
            "directive": {"type": "string"},
            "code_prefix": {"type": "string"},
            "title": {"type": "string"},
            "lead_unit": {"type": "string"},
            "owner": NULLABLE_STRING,
            "frequency": {"type": "string", "enum": ["monthly", "quarterly", "half_yearly"]},
            "days_after_period_end": {"type": "integer"},
            "starts_on": {"type": "string", "format": "date"},
            "key": {"type": "boolean"},
            "active": {"type": "boolean"},
        }
    ),
    "Unit": _object(
        {"code": {"type": "string"}, "name": {"type": "string"}, "parent": NULLABLE_STRING}
    ),
    "Summary": _object(
        {
            "as_of": {"type": "string", "format": "date"},
            "directive": NULLABLE_STRING,
            "unit": NULLABLE_STRING,
            "scope": NULLABLE_STRING,
            "key": {"type": ["boolean", "null"]},
            "judged_against": {"type": "string", "enum": ["current", "original"]},
            "counts": _object({name: {"type": "integer"} for name in TIMELINESS}),
            "total": {"type": "integer"},
            "come_due": {"type": "integer"},
            "completion_rate": {"type": ["number", "null"]},
            "on_time_rate": {"type": ["number", "null"]},
            "overdue_rate": {"type": ["number", "null"]},
        }
    ),
    "ImportReport": {"type": "object"},
}

BODY_MODELS = (
    schemas.TokenRequest,
    schemas.TaskPatch,
    schemas.TaskProgress,
    schemas.ProgressBatch,
    schemas.TaskCreate,
    schemas.ExtensionAsk,
    schemas.ExtensionDecision,
    schemas.CommentBody,
    schemas.AnswerBody,
    schemas.UrgingBody,
    schemas.OwnerBody,
    schemas.TargetValueBody,
    schemas.RecurringBody,
    schemas.EvidenceLink,
    schemas.ExportRequest,
)

TASK_FILTERS = [
    ("unit", "string", "Lead unit code, exactly."),
    ("scope", "string", "A unit code: tasks led by it and the units under it."),
    ("directive", "string", "Directive code."),
    ("status", "string", "Task status."),
    (
        "timeliness",
        "string",
        "completed_on_time, completed_late, within_deadline, overdue or due_soon.",
    ),
    ("key", "string", "true or false: key tasks only, or none of them."),
    ("owner", "string", "Username of the assigned officer."),
    ("unassigned", "string", "true: only the open tasks not yet given to anyone (not with owner)."),
    ("q", "string", "Words or code to search for."),
    (
        "as_of",
        "string",
        "Report date, YYYY-MM-DD or DD/MM/YYYY (default today); a past day reads the record "
        "as it stood then.",
    ),
    ("deadline", "string", "current (default) or original: the deadline judged."),
]


def _query(name: str, kind: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": kind},
        "description": description,
    }


PAGE_PARAMETERS = [
    _query("page", "integer", "Page, from 1."),
    _query("per_page", "integer", "At most 200."),
]


def _path(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERRORS = {
    "default": {
        "description": "A problem: 400, 401, 403, 404, 409, 413, 415, 422 or 429.",
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }
}


def _operation(
    summary: str,
    ok: dict | None,
    *,
    status: str = "200",
    body: str | None = None,
    params: list | None = None,
    secure: bool = True,
    multipart: dict | None = None,
    extra: dict | None = None,
) -> dict:
    operation: dict = {"summary": summary, "responses": {**ERRORS}}
    if ok is not None:
        operation["responses"][status] = {"description": "OK", **ok}
    else:
        operation["responses"][status] = {"description": "Done"}
    if params:
        operation["parameters"] = params
    content: dict = {}
    if body:
        content["application/json"] = {"schema": _ref(body)}
    if multipart:
        content["multipart/form-data"] = {"schema": multipart}
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    if not secure:
        operation["security"] = []
    if extra:
        operation.update(extra)
    return operation


FILE_FORM = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "note": {"type": "string", "maxLength": 500},
    },
    "required": ["file"],
}


def _paths() -> dict:
    filters = [_query(*f) for f in TASK_FILTERS]
    task = [_path("task_id")]
    return {
        "/api/v1/tokens": {
            "post": _operation(
                "Exchange a username and password (and, for an account with a second factor,"
                " its current code in otp) for a bearer token",
                _json(_ref("Token")),
                status="201",
                body="TokenRequest",
                secure=False,
            )
        },
        "/api/v1/tokens/current": {
            "delete": _operation("Revoke the token used for this request", None, status="204")
        },
        "/api/v1/tasks": {
            "get": _operation(
                "Tasks the caller may see, most urgent first",
                _json(_ref("TaskPage")),
                params=[*filters, *PAGE_PARAMETERS],
            ),
            "post": _operation(
                "Create a task", _json(_ref("Task")), status="201", body="TaskCreate"
            ),
        },
        "/api/v1/tasks/progress": {
            "post": _operation(
                "Report progress on several tasks at once (each with the version read): "
                "saved together, or nothing saved and the refused update named",
                _json(_items("Task")),
                body="ProgressBatch",
            )
        },
        "/api/v1/tasks/{task_id}": {
            "get": _operation("One task", _json(_ref("Task")), params=task),
            "patch": _operation(
                "Report progress or change status (with the version read)",
                _json(_ref("Task")),
                params=task,
                body="TaskPatch",
            ),
        },
        "/api/v1/tasks/{task_id}/owner": {
            "put": _operation(
                "Give the task to someone of its lead unit, or to nobody (with the version read)",
                _json(_ref("Task")),
                params=task,
                body="OwnerBody",
            )
        },
        "/api/v1/tasks/{task_id}/evidence": {
            "get": _operation(
                "Evidence of a task, in the order added",
                _json(_ref("EvidencePage")),
                params=[*task, *PAGE_PARAMETERS],
            ),
            "post": _operation(
                "Attach a file (multipart) or a link (JSON)",
                _json(_ref("Evidence")),
                status="201",
                params=task,
                body="EvidenceLink",
                multipart=FILE_FORM,
            ),
        },
        "/api/v1/evidence/{evidence_id}/file": {
            "get": _operation(
                "Download an evidence file",
                {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                params=[_path("evidence_id")],
            )
        },
        "/api/v1/tasks/{task_id}/extensions": {
            "get": _operation(
                "Extension requests of a task, newest first",
                _json(_ref("ExtensionPage")),
                params=[*task, *PAGE_PARAMETERS],
            ),
            "post": _operation(
                "Ask for a later deadline",
                _json(_ref("Extension")),
                status="201",
                params=task,
                body="ExtensionAsk",
            ),
        },
        "/api/v1/extensions/{request_id}/decision": {
            "post": _operation(
                "Approve or reject an extension request",
                _json(_ref("Extension")),
                params=[_path("request_id")],
                body="ExtensionDecision",
            )
        },
        "/api/v1/tasks/{task_id}/comments": {
            "get": _operation(
                "Discussion of a task, in written order",
                _json(_ref("CommentPage")),
                params=[*task, *PAGE_PARAMETERS],
            ),
            "post": _operation(
                "Comment, or report a difficulty",
                _json(_ref("Comment")),
                status="201",
                params=task,
                body="CommentBody",
            ),
        },
        "/api/v1/comments/{comment_id}/answer": {
            "post": _operation(
                "Answer a difficulty",
                _json(_ref("Comment")),
                params=[_path("comment_id")],
                body="AnswerBody",
            )
        },
        "/api/v1/tasks/{task_id}/urging": {
            "get": _operation(
                "Urging notices of a task, in the order issued",
                _json(_ref("NoticePage")),
                params=[*task, *PAGE_PARAMETERS],
            ),
            "post": _operation(
                "Issue an urging notice",
                _json(_ref("Notice")),
                status="201",
                params=task,
                body="UrgingBody",
            ),
        },
        "/api/v1/targets/{target_id}": {
            "get": _operation(
                "A target with its recorded values",
                _json(_ref("Target")),
                params=[_path("target_id")],
            )
        },
        "/api/v1/targets/{target_id}/values": {
            "post": _operation(
                "Record a value of a target's indicator",
                _json(_ref("Target")),
                status="201",
                params=[_path("target_id")],
                body="TargetValueBody",
            )
        },
        "/api/v1/recurring": {
            "get": _operation(
                "Recurring task templates, a page at a time",
                _json(_ref("RecurringPage")),
                params=PAGE_PARAMETERS,
            ),
            "post": _operation(
                "Create a recurring task template",
                _json(_ref("Recurring")),
                status="201",
                body="RecurringBody",
            ),
        },
        "/api/v1/imports": {
            "post": _operation(
                "Import tasks from CSV or XLSX (dry_run=true by default); with "
                "background=true, 202 and a job to follow instead of the report",
                _json(_ref("ImportReport")),
                multipart={
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "string", "enum": ["true", "false"]},
                        "background": {"type": "string", "enum": ["true", "false"]},
                    },
                    "required": ["file"],
                },
                extra={
                    "responses": {
                        **ERRORS,
                        "200": {"description": "OK", **_json(_ref("ImportReport"))},
                        "202": {
                            "description": "Queued (background=true)",
                            **_json(_ref("ImportJob")),
                            "headers": {"Location": {"schema": {"type": "string"}}},
                        },
                    }
                },
            )
        },
        "/api/v1/imports/{import_id}": {
            "get": _operation(
                "An import run in the background: its state, progress and report",
                _json(_ref("ImportJob")),
                params=[_path("import_id")],
            )
        },
        "/api/v1/units": {
            "get": _operation(
                "Units the caller may see, in tree order",
                _json(_ref("UnitPage")),
                params=[
                    _query(
                        "q",
                        "string",
                        "Words the unit's code and name hold (with or without diacritics); "
                        "none: every unit.",
                    ),
                    *PAGE_PARAMETERS,
                ],
            )
        },
        "/api/v1/reports/summary": {
            "get": _operation(
                "The four timeliness counts and rates",
                _json(_ref("Summary")),
                params=[f for f in filters if f["name"] not in ("timeliness", "owner", "q")],
            )
        },
        "/api/v1/exports/tasks.csv": {
            "get": _operation(
                "The tasks as CSV (UTF-8 with BOM)",
                {"content": {"text/csv": {"schema": {"type": "string"}}}},
                params=filters,
            )
        },
        "/api/v1/exports": {
            "post": _operation(
                "Ask for a report file, made by a background job (the same question over "
                "the same data answers with the file already made)",
                {
                    **_json(_ref("Export")),
                    "headers": {
                        "Location": {
                            "description": "Where to follow the job",
                            "schema": {"type": "string"},
                        }
                    },
                },
                status="202",
                body="ExportRequest",
            )
        },
        "/api/v1/exports/{job_id}": {
            "get": _operation(
                "A report file's job: its state, progress and, once done, its file",
                _json(_ref("Export")),
                params=[_path("job_id")],
            )
        },
        "/api/v1/exports/{job_id}/file": {
            "get": _operation(
                "The finished report file (409 while it is made, 410 once no longer kept)",
                {
                    "content": {
                        media: {"schema": {"type": "string", "format": "binary"}}
                        for media in (
                            "text/csv",
                            "application/pdf",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        )
                    }
                },
                params=[_path("job_id")],
            )
        },
        "/api/v1/openapi.json": {
            "get": _operation("This document", _json({"type": "object"}), secure=False)
        },
    }


def _without_definitions(schema: dict) -> dict:
    """A body's schema without pydantic's copies of the models it holds: each of those is in
    BODY_MODELS, and the references point there."""
    schema.pop("$defs", None)
    return schema


@cache
def document() -> dict:
    body_schemas = {
        model.__name__: _without_definitions(
            model.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for model in BODY_MODELS
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Directive Tracker API",
            "version": "1",
            "description": "Directives, tasks, progress, evidence, extensions and reports. "
            "Authenticate with `Authorization: Bearer <token>` from POST /api/v1/tokens. "
            "Errors are RFC 9457 problem documents.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**RESPONSE_SCHEMAS, **body_schemas},
        },
    }

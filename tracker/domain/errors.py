"""Errors the domain and services raise; views and the API map them to HTTP answers."""

from __future__ import annotations

import copy

from .text import N_, Text, field_label


class DomainError(Exception):
    """A request the rules refuse; `message` is shown to the user as it is."""

    status_code = 400
    title = N_("Bad request")

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        params: dict[str, object] | None = None,
    ):
        # `message` may hold %(name)s placeholders filled from `params`: the template is
        # what the catalogue translates (i18n.describe), `message` the English text.
        self.template = message
        self.params = params or {}
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.field_errors = field_errors or {}


class Forbidden(DomainError):
    status_code = 403
    title = N_("Forbidden")


class NotFound(DomainError):
    status_code = 404
    title = N_("Not found")


class Conflict(DomainError):
    """The record changed since the caller read it (stale version)."""

    status_code = 409
    title = N_("Conflict")


class Gone(DomainError):
    """What was asked for was kept for a while and is no longer (a report file past its
    keeping date)."""

    status_code = 410
    title = N_("Gone")


class InvalidInput(DomainError):
    status_code = 422
    title = N_("Unprocessable content")


class InvalidTransition(InvalidInput):
    """A status change the lifecycle does not allow."""


def first_problem(
    errors: dict[str, list[str]], template: str = N_("%(field)s: %(problem)s."), **extra: object
) -> InvalidInput:
    """The refusal for a dict of field errors: the first field and its first problem."""
    field, messages = next(iter(errors.items()))
    params = {"field": field_label(field), "problem": messages[0], **extra}
    return InvalidInput(template, params=params, field_errors=errors)


def in_batch(error: DomainError, index: int, code: str) -> DomainError:
    """`error` as refused inside a batch: its message names the report (counted from 1) and
    the task, and stays translatable (the refusal's own text is a value of it); its field
    errors sit under `updates.<index>.` (as the body's own errors are named); the same class,
    so the same HTTP status."""
    problem = Text(error.template).fill(**error.params) if error.params else Text(error.template)
    refusal = copy.copy(error)
    refusal.template = N_("Update %(place)s (task %(code)s): %(problem)s")
    refusal.params = {"place": index + 1, "code": code, "problem": problem}
    refusal.message = refusal.template % refusal.params
    refusal.field_errors = {
        f"updates.{index}.{field}": problems for field, problems in error.field_errors.items()
    } or {f"updates.{index}": [error.message]}
    refusal.args = (refusal.message,)
    return refusal

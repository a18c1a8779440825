"""Sending e-mail through SMTP (MAIL_SERVER, MAIL_PORT, STARTTLS or TLS, credentials)."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from contextlib import AbstractContextManager
from email.message import EmailMessage
from typing import TYPE_CHECKING

from flask_babel import force_locale

from . import context, page_paths

if TYPE_CHECKING:
    from ..models import User


def in_language(person: User) -> AbstractContextManager[None]:
    """Write to `person` in their language (their choice, else DEFAULT_LANGUAGE)."""
    switch: AbstractContextManager[None] = force_locale(
        person.language or context.setting("DEFAULT_LANGUAGE")
    )
    return switch


def task_link(task_id: int) -> str:
    """The address of a task's page, for e-mails (APP_BASE_URL: no request to build it from)."""
    return page_link(page_paths.task_page(task_id))


def page_link(path: str) -> str:
    """The address of one of the app's pages (`path` from its root), for e-mails."""
    return f"{context.setting('APP_BASE_URL').rstrip('/')}{path}"


def build_message(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = context.setting("MAIL_FROM")
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return message


def open_connection() -> smtplib.SMTP:
    """A connected, authenticated SMTP session; the caller closes it (use it in `with`)."""
    config = context.settings()
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config["MAIL_USE_TLS"]:
            connection.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return connection


class Mailer:
    """One SMTP session for a batch, opened at the first message and closed at the end; a
    failed send drops the session (the next message opens a new one) and raises OSError."""

    def __init__(self) -> None:
        self._connection: smtplib.SMTP | None = None

    def send(self, recipient: str, subject: str, body: str) -> None:
        try:
            if self._connection is None:
                self._connection = open_connection()
            self._connection.send_message(build_message(recipient, subject, body))
        except OSError:  # smtplib's errors are OSErrors too
            self._connection = None
            raise

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.quit()

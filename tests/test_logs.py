"""Logs: LOG_FORMAT=json writes one JSON object per line with the time, level, request id,
user id and each event's own fields, and every request ends with a `request` event (method,
path, status, duration); text stays the default; a forged line stays one escaped line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from tracker.config import ConfigError
from tracker.logs import JsonFormatter, SafeRequestFilter

from .conftest import login


@pytest.fixture
def json_lines(app, monkeypatch):
    """The app's log, as JSON lines, for the test's requests."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SafeRequestFilter())
    monkeypatch.setattr(app.logger, "handlers", [handler])
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_ends_with_one_json_event(app, client, make, org, json_lines):
    officer = make.user("officer", org["department"], username="can.bo")
    login(client, officer)
    client.get("/tasks?q=Đề án", headers={"X-Request-ID": "req-vn-42"})
    app.test_client().post("/login", data={"username": "ai\r\nđó", "password": "sai"})
    events = json_lines()
    request_events = [event for event in events if event["message"].startswith("request ")]
    first = request_events[0]
    assert first["method"] == "GET" and first["path"] == "/tasks" and first["status"] == 200
    assert first["request_id"] == "req-vn-42" and first["user_id"] == officer.id
    assert isinstance(first["duration_ms"], float) and first["level"] == "INFO"
    assert first["time"].endswith("+00:00")
    failed = next(event for event in events if event["message"].startswith("login failed"))
    assert "ai\\r\\nđó" in failed["message"]  # one event, the line break escaped


def test_the_format_is_text_by_default_and_json_on_request(database_url, monkeypatch, another_app):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "l" * 40}
    for value, formatter in (("", logging.Formatter), ("json", JsonFormatter)):
        monkeypatch.setenv("LOG_FORMAT", value)
        assert type(another_app(settings).logger.handlers[0].formatter) is formatter
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT must be text or json"):
        another_app(settings)

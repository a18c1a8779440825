"""`flask --app app doctor` before a production start: one line per check (environment,
secret key, database, migrations, folders, time zone, mail server, PDF libraries), exit 0
only when every check passes; the words name what to fix, never a secret."""

from __future__ import annotations

import secrets

from .served import free_port
from .work.test_reminders import smtp_server

STRONG = secrets.token_hex(32)


def doctor(app):
    with app.app_context():  # this app's settings, not the suite's
        result = app.test_cli_runner().invoke(args=["doctor"])
    return result.exit_code, result.output


def test_a_production_configuration_passes_every_check(
    database_url, monkeypatch, tmp_path, another_app
):
    app = another_app(
        {
            "TRACKER_ENV": "production",
            "SECRET_KEY": STRONG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path / "tải lên"),
            "EXPORT_DIR": str(tmp_path / "tệp xuất"),
            "AUDIT_ANCHOR_FILE": str(tmp_path / "neo" / "anchors.jsonl"),
        }
    )
    with smtp_server(monkeypatch, [app]):
        code, output = doctor(app)
    assert code == 0, output
    lines = output.strip().splitlines()
    assert lines[-1] == "Ready for production."
    names = [line.split(":")[0] for line in lines[:-1]]
    assert names == [
        "✓ environment",
        "✓ secret key",
        "✓ database",
        "✓ migrations",
        "✓ uploads",
        "✓ exports",
        "✓ audit_anchors",
        "✓ job_broker",
        "✓ time zone",
        "✓ mail server",
        "✓ PDF libraries",
    ]
    assert STRONG not in output


def test_what_is_missing_is_named_and_the_exit_is_1(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "SECRET_KEY", "changeme")
    code, output = doctor(app)
    assert code == 1
    assert "✗ environment: TRACKER_ENV is not production" in output
    assert "✗ secret key: shorter than 32 or a placeholder" in output
    assert "✗ mail server: not reachable at MAIL_SERVER:MAIL_PORT" in output
    assert "✓ database: ok" in output and "✓ migrations: ok" in output
    assert "3 check(s) failed: environment, secret key, mail server." in output


def test_missing_pdf_fonts_are_named(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PDF_FONT_DIR", str(tmp_path))  # no fonts there
    code, output = doctor(app)
    assert code == 1
    assert "✗ PDF libraries: the DejaVu fonts are missing: PDF reports answer 503" in output

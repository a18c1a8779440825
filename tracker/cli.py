"""Flask commands: `users create|invite|import|set-password`, `units create|list`,
`demo load|generate`, `reminders send|digest`, `notifications send`, `recurring run`,
`import`, `audit verify`, `jobs requeue|purge`, `backup create|restore`,
`counts check|rebuild|keep`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .accounts import account_links, users
from .domain.errors import DomainError
from .domain.roles import ROLES
from .extensions import db
from .infra import clock
from .models.account_link import INVITATION
from .org.units import get_unit_by_code
from .seed import demo

users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data built from the seed articles.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _run_date(on_date: str | None):
    """The --date option of the daily commands, or today in TRACKER_TIMEZONE."""
    from datetime import date

    from .infra import clock

    try:
        return date.fromisoformat(on_date) if on_date else clock.today()
    except ValueError:
        _fail(f"--date must be YYYY-MM-DD, not {on_date!r}.")


def _exit_on_failures(failures: list[str]) -> None:
    """Show what could not be sent and exit 2, so cron reports it."""
    for failure in failures:
        click.echo(f"  failed: {failure}", err=True)
    if failures:
        sys.exit(2)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--unit", "unit_code", required=True, help="Code of the user's unit.")
@click.option("--email", default=None)
@click.option("--name", default="", help="Full name (defaults to the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--invite",
    is_flag=True,
    help="Mail the user a link to choose their password (INVITATION_DAYS) instead of a password.",
)
def create_user_command(username, role, unit_code, email, name, password_stdin, invite):
    """Create a user; asks for the password unless --password-stdin or --invite."""
    if role not in ROLES:
        _fail(f"unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    try:
        unit = get_unit_by_code(unit_code)
    except DomainError:
        _fail(f"unknown unit {unit_code!r}; `flask --app app units list` shows the codes.")
    password = None if invite else _read_password(password_stdin)
    try:
        if invite:
            user, token = users.invite_user(None, username, role, unit, name=name, email=email)
        else:
            user = users.create_user(None, username, password, role, unit, name=name, email=email)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    click.echo(f"Created {user.role} {user.username} in {unit.code}.")
    if invite:
        _mail_invitation(user, token)


def _import_file(path: str, username: str, required: tuple[str, ...]):
    """The importing user and the file's rows, or exit 1 saying why not."""
    from .org import imports

    user = users.find_user(username)
    if user is None:
        _fail(f"unknown user {username!r}.")
    try:
        with open(path, "rb") as handle:
            rows = imports.read_rows(path, handle.read(), seconds=None, required=required)
    except imports.ImportRefused as error:
        _fail(error.message)
    return user, rows


@users_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="The administrator the import is by.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_users_command(path, username, dry_run):
    """Make accounts from a .csv or .xlsx file (all or nothing) and mail their invitations."""
    from .org import user_imports

    actor, rows = _import_file(path, username, user_imports.REQUIRED)
    with click.progressbar(length=len(rows), label="Checking rows", file=sys.stderr) as bar:
        try:
            report, invitations = user_imports.run_user_import(
                actor, rows, dry_run=dry_run, progress=bar.update
            )
        except DomainError as error:
            _fail(error.message)
    for error in report.errors:
        click.echo(f"row {error.row}, column {error.column}: {error.message}", err=True)
    click.echo(f"{report.rows} rows: {report.created['users']} accounts to create.")
    if report.errors:
        _fail(f"{len(report.errors)} problem(s); nothing was written.")
    if not report.written:
        click.echo("Dry run: nothing was written.")
        return
    sent = user_imports.send_invitations(invitations)
    click.echo(f"Written; {sent} invitation(s) mailed.")


@users_cli.command("invite")
@click.argument("username")
def invite_user_command(username):
    """Mail a user a new link to choose their password (INVITATION_DAYS)."""
    user = users.find_user(username)
    if user is None:
        _fail(f"no user {username!r}.")
    try:
        token = users.send_invitation(None, user)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    _mail_invitation(user, token)


def _mail_invitation(user, token: str) -> None:
    try:
        account_links.send_link(user.id, token, INVITATION)
    except OSError as error:
        _fail(
            f"the invitation to {user.email} could not be mailed ({error}); the account "
            "exists: send another with `flask users invite`."
        )
    click.echo(f"Invitation mailed to {user.email}.")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username, password_stdin):
    """Set a user's password (ends their sessions and API tokens)."""
    user = users.find_user(username)
    if user is None:
        _fail(f"unknown user {username!r}.")
    password = _read_password(password_stdin)
    try:
        users.set_password(None, user, password)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    click.echo(f"Password of {user.username} changed.")


units_cli = AppGroup("units", help="Create and list units.")


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Code of the parent unit.")
def create_unit_command(code, name, parent_code):
    """Create a unit (the first one needs no parent)."""
    from .org.units import create_unit

    parent = None
    if parent_code:
        try:
            parent = get_unit_by_code(parent_code)
        except DomainError:
            _fail(f"unknown parent unit {parent_code!r}.")
    try:
        unit = create_unit(None, code, name, parent)
    except DomainError as error:
        db.session.rollback()
        _fail(error.message)
    click.echo(f"Created unit {unit.code}" + (f" under {parent.code}." if parent else "."))


@units_cli.command("list")
def list_units_command():
    """Print the unit tree: code and name."""
    from sqlalchemy import select

    from .models import Unit

    for unit in db.session.scalars(select(Unit).order_by(Unit.path)):
        click.echo(f"{'  ' * unit.depth}{unit.code}  {unit.name}")


@demo_cli.command("generate")
@click.option("--tasks", "task_count", type=click.IntRange(1, 5_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo_generate_command(task_count, seed):
    """Add a deterministic synthetic dataset of TASKS tasks (about 10 history entries each,
    N/100 units, 10 users per unit, N/1000 directives); see tracker/seed/synthetic.py."""
    import time

    from .seed import synthetic

    started = time.monotonic()
    try:
        with click.progressbar(length=task_count, label="Tasks") as bar:
            counts = synthetic.generate(task_count, seed, bar.update)
    except ValueError as error:
        _fail(str(error))
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
    click.echo(f"Added {summary} in {elapsed:.0f} s.")
    click.echo(f"Every synthetic user's password: {synthetic.SYNTHETIC_PASSWORD!r}.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; else do nothing.")
@click.option(
    "--language",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="The language of the demo's names, titles and notes.",
)
def demo_load_command(if_empty, language):
    """Load demo units, directives, tasks and one account per role; prints the passwords."""
    if not current_app.config["DEMO_ENABLED"]:
        _fail("demo data is disabled when TRACKER_ENV=production.")
    accounts_file = Path(current_app.config["DEMO_ACCOUNTS_FILE"])
    if if_empty and not demo.database_empty():
        click.echo("The database already has data; demo data not loaded.")
        if demo.demo_present() and accounts_file.exists():
            click.echo(f"The demo accounts are listed in {accounts_file}.")
        return
    if demo.demo_present():
        click.echo("The demo data is already loaded; nothing was changed.")
        click.echo(f"Its accounts were listed in {accounts_file}.")
        return
    passwords = demo.load_demo(language)
    lines = [f"  {username:<12} {password}" for username, password in passwords.items()]
    text = "Demo accounts (username, password):\n" + "\n".join(lines)
    accounts_file.parent.mkdir(parents=True, exist_ok=True)
    accounts_file.write_text(text + "\n")
    accounts_file.chmod(0o600)
    click.echo("Demo data loaded.")
    click.echo(text)
    click.echo(f"(also written to {accounts_file})")


reminders_cli = AppGroup("reminders", help="Deadline reminders by e-mail.")


@reminders_cli.command("send")
@click.option("--date", "on_date", default=None, help="Act as if today were YYYY-MM-DD.")
def send_reminders_command(on_date):
    """Send the reminders whose day has come (run daily from cron or a systemd timer)."""
    from .jobs import daily
    from .work import reminders

    today = _run_date(on_date)
    report = reminders.send_reminders(today)
    click.echo(daily.reminders_summary(today, report))
    _exit_on_failures(report.failed)


@reminders_cli.command("digest")
@click.option("--date", "on_date", default=None, help="Act as if today were YYYY-MM-DD.")
def send_digests_command(on_date):
    """Send the daily digest to the users who asked for it (once a day)."""
    from .jobs import daily
    from .work import reminders

    today = _run_date(on_date)
    report = reminders.send_digests(today)
    click.echo(daily.digests_summary(today, report))
    _exit_on_failures(report.failed)


notifications_cli = AppGroup("notifications", help="Notifications waiting to be e-mailed.")


@notifications_cli.command("send")
def send_notifications_command():
    """E-mail the notifications not mailed yet, each once (run every few minutes)."""
    from .jobs import daily
    from .work import notifications

    run = notifications.send_pending()
    click.echo(daily.notifications_summary(run))
    _exit_on_failures(run.failed)


recurring_cli = AppGroup("recurring", help="Recurring tasks.")


@recurring_cli.command("run")
@click.option("--date", "on_date", default=None, help="Act as if today were YYYY-MM-DD.")
def run_recurring_command(on_date):
    """Create the occurrences of recurring tasks whose period has begun (idempotent)."""
    from .jobs import daily
    from .work import recurring

    today = _run_date(on_date)
    created = recurring.run(today)
    click.echo(daily.recurring_summary(today, created))
    for task in created:
        click.echo(f"  {task.directive.code} {task.code}: deadline {task.deadline.isoformat()}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="Whose rights the rows are checked with.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_command(path, username, dry_run):
    """Import directives, targets and tasks from a .csv or .xlsx file (all or nothing)."""
    from .org import imports

    user, rows = _import_file(path, username, imports.REQUIRED)
    with click.progressbar(length=len(rows), label="Checking rows", file=sys.stderr) as bar:
        try:
            report = imports.run_import(
                user, rows, dry_run=dry_run, progress=bar.update, seconds=None
            )
        except DomainError as error:
            _fail(error.message)
    for error in report.errors:
        click.echo(f"row {error.row}, column {error.column}: {error.message}", err=True)
    created = report.created
    click.echo(
        f"{report.rows} rows: {created['directives']} directives, {created['targets']} targets, "
        f"{created['tasks']} tasks to create; {report.updated} progress updates; "
        f"{report.unchanged} unchanged."
    )
    if report.errors:
        _fail(f"{len(report.errors)} problem(s); nothing was written.")
    click.echo("Written." if report.written else "Dry run: nothing was written.")


audit_cli = AppGroup("audit", help="The sealed audit trail.")


@audit_cli.command("verify")
def verify_audit_command():
    """Check the hash chain, and it against the signed anchors outside the database and the
    heads recorded by export manifests and period closings; exit 1 on any tampering."""
    from . import audit

    check = audit.verify_trail()
    for problem in check.problems[1:]:
        click.echo(f"Also: {problem}.", err=True)
    if check.problems:
        _fail(f"the audit trail is broken: {check.problems[0]}.")
    click.echo(
        f"The audit trail is whole: {check.events} events, every hash verified; "
        f"{check.anchors} signed anchors and {check.recorded_heads} recorded heads match."
    )
    if not check.anchors:
        click.echo("No anchors yet: run `flask audit anchor` daily (cron or the scheduler).")


@audit_cli.command("anchor")
def anchor_audit_command():
    """Sign the chain's head and append it to the anchor file (daily; also done on each
    period close and export)."""
    from .audit import anchors

    written = anchors.anchor("daily")
    if written is None:
        _fail("the head could not be anchored; the log says why.")
    click.echo(f"Anchored the audit chain at seq {written.seq}.")


@click.command("doctor")
@with_appcontext
def doctor_command():
    """Check what a production start needs (secret key, database, migrations, folders, time
    zone, mail server, PDF libraries): one line per check; exit 1 when one fails."""
    from .infra import readiness

    checks = readiness.for_production()
    for check in checks:
        click.echo(f"{'✓' if check.ok else '✗'} {check.name}: {check.says}")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        _fail(f"{len(failed)} check(s) failed: {', '.join(failed)}.")
    click.echo("Ready for production.")


jobs_cli = AppGroup("jobs", help="Background jobs (report files).")


@jobs_cli.command("requeue")
def requeue_jobs_command():
    """Send again the jobs no worker is on (their worker died, or the broker lost them)."""
    from .jobs import daily

    click.echo(daily.requeue_stale_jobs())


@jobs_cli.command("purge")
def purge_jobs_command():
    """Delete the report files kept longer than EXPORT_KEEP_DAYS (run daily)."""
    from .jobs import daily

    click.echo(daily.purge_expired_files())


counts_cli = AppGroup("counts", help="The kept timeliness counts (README → Performance).")


@counts_cli.command("check")
def check_counts_command():
    """Compare the kept counts with a full recount of the tasks; exit 1 if they differ."""
    from .models import tally

    drift = tally.drift(clock.today())
    for ((kind, group_id, is_key, day), column), (kept, counted) in sorted(drift.items()):
        click.echo(
            f"{'unit' if kind == tally.BY_UNIT else 'directive'} {group_id}"
            f"{' key' if is_key else ''} {day.isoformat()} {column}: kept {kept}, counted {counted}"
        )
    if drift:
        _fail(f"The kept counts differ from the tasks in {len(drift)} places: run counts rebuild.")
    click.echo("The kept counts agree with the tasks.")


@counts_cli.command("rebuild")
def rebuild_counts_command():
    """Rebuild the kept counts from the tasks (after writing tasks round the application)."""
    from .models import tally

    tally.recount()
    db.session.commit()
    click.echo("The kept counts were rebuilt from the tasks.")


@counts_cli.command("keep")
def keep_counts_command():
    """Fold the deadline rows of days past, store the trend's past month ends (run daily)."""
    from .jobs import daily

    click.echo(daily.keep_counts())


backup_cli = AppGroup("backup", help="Backups that restore (README → Backups).")


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def create_backup_command(folder):
    """Back up the database, evidence and report files, and the audit anchors and key into
    FOLDER (new or empty), with a manifest of every part's SHA-256."""
    from . import backups

    try:
        made = backups.create(folder)
    except backups.BackupRefused as refusal:
        _fail(str(refusal))
    click.echo(
        f"Backed up into {folder}: {made.files} files, audit chain at seq {made.chain_seq}, "
        f"schema {made.revision}."
    )


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_backup_command(folder):
    """Restore the backup in FOLDER into this installation's empty database and folders,
    after checking every part against the manifest."""
    from . import backups

    try:
        restored = backups.restore(folder)
    except backups.BackupRefused as refusal:
        _fail(str(refusal))
    click.echo(
        f"Restored {restored.files} files; the audit chain is at seq {restored.chain_seq}, "
        f"schema {restored.revision}. Run `flask audit verify`."
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(recurring_cli)
    app.cli.add_command(import_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(doctor_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(counts_cli)

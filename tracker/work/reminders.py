"""Deadline reminders by e-mail, meant to run daily from cron or a systemd timer.

Steps, for every open task (not started, in progress, submitted):

- `before-N` for each N in REMINDER_DAYS_BEFORE (default 7 and 1): from N days before the
  deadline, to the owner and the lead unit's leaders. When several are due at once (a
  missed run), only the nearest is mailed; the others are recorded as superseded.
- `overdue`: from the day after the deadline, to the same people.
- `escalation-M`: from M = ESCALATE_AFTER_DAYS days past the deadline, to the supervisors
  whose unit is the lead unit or above it.

A step whose day passed without a run is sent on the next run, so a missed day loses
nothing. Each (task, step, deadline, recipient) is recorded under a unique key before the
message leaves, so running twice, or two runs at once, sends nothing twice; a message the
server refuses is not recorded and is tried again on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..domain.lifecycle import OPEN_STATUSES, STATUS_LABELS
from ..domain.roles import SUPERVISOR, UNIT_LEADER
from ..extensions import db
from ..infra import context, mail, metrics
from ..models import ReminderSent, Task, Unit, User
from ..models.unit import path_ids


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0  # already sent before
    superseded: int = 0
    failed: list[str] = field(default_factory=list)


def due_steps(
    deadline: date, today: date, days_before: list[int], escalate_after: int
) -> list[tuple[str, bool]]:
    """The steps whose day has come for a task with this deadline: [(step, superseded)]."""
    steps: list[tuple[str, bool]] = []
    if today <= deadline:
        reached = [n for n in days_before if today >= deadline - timedelta(days=n)]
        nearest = min(reached) if reached else None
        steps += [(f"before-{n}", n != nearest) for n in sorted(reached, reverse=True)]
    else:
        steps.append(("overdue", False))
        if (today - deadline).days >= escalate_after:
            steps.append((f"escalation-{escalate_after}", False))
    return steps


def _unit_leaders(unit_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.unit_id == unit_id, User.role == UNIT_LEADER, User.active)
        )
    )


def _supervisors_over(unit: Unit) -> list[User]:
    ancestor_ids = path_ids(unit.path)
    return list(
        db.session.scalars(
            select(User).where(User.unit_id.in_(ancestor_ids), User.role == SUPERVISOR, User.active)
        )
    )


def recipients(task: Task, step: str) -> list[User]:
    if step.startswith("escalation"):
        people = _supervisors_over(task.lead_unit)
    else:
        people = _unit_leaders(task.lead_unit_id)
        if task.owner is not None and task.owner.active:
            people.append(task.owner)
    unique = {person.email.lower(): person for person in people if person.email}
    return list(unique.values())


def compose(task: Task, step: str, today: date) -> tuple[str, str]:
    """The subject and body of one reminder, in the current language (see mail.in_language)."""
    deadline = f"{task.deadline:%d/%m/%Y}"
    values = {"code": task.code, "directive": task.directive.code, "deadline": deadline}
    if step.startswith("before"):
        days = (task.deadline - today).days
        when = _("today") if days == 0 else ngettext("in %(num)s day", "in %(num)s days", days)
        subject = _(
            "[Directive Tracker] %(code)s is due %(when)s (%(deadline)s)", when=when, **values
        )
        opening = _(
            "Task %(code)s of %(directive)s is due %(when)s, on %(deadline)s.", when=when, **values
        )
    elif step == "overdue":
        subject = _("[Directive Tracker] %(code)s is overdue (deadline %(deadline)s)", **values)
        opening = _("Task %(code)s of %(directive)s passed its deadline of %(deadline)s.", **values)
    else:
        days = (today - task.deadline).days
        subject = _(
            "[Directive Tracker] Escalation: %(code)s is %(days)s days overdue", days=days, **values
        )
        opening = _(
            "Task %(code)s of %(directive)s, led by %(unit)s, is %(days)s days past its deadline "
            "of %(deadline)s. You supervise this unit.",
            unit=task.lead_unit.code,
            days=days,
            **values,
        )
    link = mail.task_link(task.id)
    body = (
        f"{opening}\n\n{task.title}\n"
        + _("Lead unit: %(unit)s %(name)s", unit=task.lead_unit.code, name=task.lead_unit.name)
        + "\n"
        + _(
            "Status: %(status)s, %(percent)s%% done",
            status=_(STATUS_LABELS[task.status]),
            percent=task.percent_done,
        )
        + "\n\n"
        + _("Open the task: %(link)s", link=link)
        + "\n"
    )
    return subject, body


def _record(task: Task, step: str, person: User | None, email: str, subject: str) -> bool:
    """Record a reminder under its unique key; False when it already exists."""
    db.session.add(
        ReminderSent(
            task_id=task.id,
            step=step,
            deadline=task.deadline,
            recipient=email,
            user=person,
            subject=subject,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _already(task: Task, step: str) -> set[str]:
    return set(
        db.session.scalars(
            select(ReminderSent.recipient).where(
                ReminderSent.task_id == task.id,
                ReminderSent.step == step,
                ReminderSent.deadline == task.deadline,
            )
        )
    )


def send_reminders(today: date) -> RunReport:
    """Send every reminder whose day has come and that was not sent yet."""
    config = context.settings()
    days_before, escalate_after = config["REMINDER_DAYS_BEFORE"], config["ESCALATE_AFTER_DAYS"]
    horizon = today + timedelta(days=max(days_before, default=0))
    task_ids = list(
        db.session.scalars(
            select(Task.id)
            .where(Task.status.in_(OPEN_STATUSES), Task.deadline <= horizon)
            .order_by(Task.deadline, Task.id)
        )
    )
    report = RunReport()
    with mail.Mailer() as mailer:
        for task_id in task_ids:
            task = db.session.scalars(
                select(Task)
                .options(
                    joinedload(Task.lead_unit), joinedload(Task.owner), joinedload(Task.directive)
                )
                .where(Task.id == task_id)
            ).one()
            for step, superseded in due_steps(task.deadline, today, days_before, escalate_after):
                sent_before = _already(task, step)
                for person in recipients(task, step):
                    email = person.email
                    assert email is not None, "recipients() keeps people with an address"
                    if email in sent_before:
                        report.skipped += 1
                        continue
                    with mail.in_language(person):
                        subject, body = compose(task, step, today)
                    if superseded:
                        if _record(task, step, person, email, f"(superseded) {subject}"):
                            db.session.commit()
                            report.superseded += 1
                        continue
                    if not _record(task, step, person, email, subject):
                        report.skipped += 1
                        continue
                    try:
                        mailer.send(email, subject, body)
                    except (OSError, ValueError) as error:
                        # Not recorded: retried on the next run. A message that cannot be
                        # built (ValueError: a header from a row written before the rule on
                        # codes) fails alone; the run goes on with the other tasks.
                        db.session.rollback()
                        report.failed.append(f"{task.code!r} {step} → {email}: {error}")
                        metrics.MAILS.labels("reminder", "failed").inc()
                        continue
                    db.session.commit()
                    report.sent += 1
                    metrics.MAILS.labels("reminder", "sent").inc()
    return report


def reminders_about(user: User, limit: int = 200) -> list[tuple[ReminderSent, Task]]:
    """Reminders sent to `user`, or about tasks led by their unit, newest first."""
    statement = (
        select(ReminderSent, Task)
        .join(Task, Task.id == ReminderSent.task_id)
        .where((ReminderSent.user_id == user.id) | (Task.lead_unit_id == user.unit_id))
        .order_by(ReminderSent.sent_at.desc(), ReminderSent.id.desc())
        .limit(limit)
    )
    return [(reminder, task) for reminder, task in db.session.execute(statement)]


def set_mail_choices(user: User, daily_digest: bool, notifications: bool) -> None:
    """A user's own choices: the daily digest of their unit's overdue and due-soon tasks,
    and whether their notifications are also e-mailed."""
    from .. import audit

    user.daily_digest, user.email_notifications = bool(daily_digest), bool(notifications)
    audit.record(
        user,
        "user.mail_choices",
        user,
        after={"daily_digest": user.daily_digest, "email_notifications": notifications},
    )
    db.session.commit()


def digest_tasks(user: User, today: date) -> list[Task]:
    """The user's unit's open tasks that are overdue or due within DUE_SOON_DAYS."""
    horizon = today + timedelta(days=context.setting("DUE_SOON_DAYS"))
    return list(
        db.session.scalars(
            select(Task)
            .options(joinedload(Task.directive))
            .where(
                Task.lead_unit_id == user.unit_id,
                Task.status.in_(OPEN_STATUSES),
                Task.deadline <= horizon,
            )
            .order_by(Task.deadline, Task.id)
        )
    )


def send_digests(today: date) -> RunReport:
    """One e-mail per opted-in user with something to report, at most once a day."""
    from ..models import DigestSent

    report = RunReport()
    people = db.session.scalars(
        select(User).where(User.daily_digest, User.active, User.email.is_not(None))
    ).all()
    with mail.Mailer() as mailer:
        for person in people:
            tasks = digest_tasks(person, today)
            if not tasks:
                continue
            db.session.add(DigestSent(user_id=person.id, day=today, tasks=len(tasks)))
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()
                report.skipped += 1
                continue
            with mail.in_language(person):
                subject, body = _digest(person, tasks, today)
            assert person.email is not None, "only people with an address get a digest"
            try:
                mailer.send(person.email, subject, body)
            except OSError as error:
                db.session.rollback()
                report.failed.append(f"digest → {person.email}: {error}")
                metrics.MAILS.labels("digest", "failed").inc()
                continue
            db.session.commit()
            report.sent += 1
            metrics.MAILS.labels("digest", "sent").inc()
    return report


def _digest(person: User, tasks: list[Task], today: date) -> tuple[str, str]:
    """The subject and body of one daily digest, in the current language."""
    lines = []
    for task in tasks:
        late = (today - task.deadline).days
        if late > 0:
            state = _("%(days)s days overdue", days=late)
        else:
            state = _("due %(day)s", day=f"{task.deadline:%d/%m/%Y}")
        link = mail.task_link(task.id)
        lines.append(f"- {task.directive.code} {task.code} {task.title}: {state}\n  {link}")
    subject = _(
        "[Directive Tracker] %(unit)s: %(count)s task(s) overdue or due soon",
        unit=person.unit.code,
        count=len(tasks),
    )
    heading = _("Tasks of %(unit)s on %(day)s:", unit=person.unit.name, day=f"{today:%d/%m/%Y}")
    return subject, heading + "\n\n" + "\n".join(lines)

"""Telling people: notifications written in the same transaction as the change that causes
them (an outbox), shown by the bell in the top bar, and mailed by `send_pending()` (the
command `flask --app app notifications send`) in each recipient's language.

Who is told, by kind:
- an urging notice, a send-back, an administrator's deadline change: the task's owner and
  the lead unit's leaders;
- an extension decision: the person who asked, and the owner;
- an answer to a difficulty: the person who raised it;
- an assignment: the new owner;
- a task given to a unit (created by hand or through the API, or moved to another lead
  unit): the lead unit's leaders, who give it to someone;
- tasks an import gave a unit: its leaders, once per import, with how many (one
  notification a task would bury the bell). Recurring tasks tell only their owners.
The person who made the change is never told of it.

Mailing: each pending notification is sent, then marked sent and committed, one by one; a
mail server that is down leaves the rest pending for the next run, which sends each once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select, update

from ..domain.roles import UNIT_LEADER
from ..domain.text import N_, Text
from ..extensions import db
from ..infra import clock, mail, metrics, page_paths
from ..infra.i18n import translated
from ..models import Notification, Task, User
from ..models.notification import MAIL_PENDING, MAIL_SENT, MAIL_SKIPPED, unread_of

# What a notification says, by kind: filled with its values, translated where it is read.
TEXTS = {
    "urging.issued": N_("Urging notice %(number)s on task %(code)s: %(text)s"),
    "task.sent_back": N_("Task %(code)s was sent back: %(reason)s"),
    "extension.approved": N_("Extension of task %(code)s approved: new deadline %(deadline)s."),
    "extension.rejected": N_("Extension of task %(code)s to %(deadline)s rejected: %(reason)s"),
    "obstacle.answered": N_("Your difficulty on task %(code)s was answered: %(answer)s"),
    "task.assigned": N_("Task %(code)s was assigned to you (deadline %(deadline)s)."),
    "task.taken_from_you": N_("Task %(code)s is no longer given to you."),
    "task.given_to_unit": N_(
        "Task %(code)s was given to your unit %(unit)s (deadline %(deadline)s)."
    ),
    "tasks.imported": N_(
        "An import gave your unit %(unit)s new tasks of %(directives)s: %(count)s."
    ),
    "deadline.changed": N_("The deadline of task %(code)s moved: %(old)s → %(new)s."),
}
PAGE_SIZE = 50


def text_of(notification: Notification) -> Text:
    """What the notification says (a Text: translate it where it is shown)."""
    return TEXTS[notification.kind].fill(**notification.values)


def unit_leaders(task: Task) -> list[User]:
    """The active leaders of the task's lead unit."""
    return leaders_of_units([task.lead_unit_id]).get(task.lead_unit_id, [])


def leaders_of_units(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active leaders of each of the units, in one statement (an import tells
    thousands of units)."""
    leaders: dict[int, list[User]] = {}
    found = db.session.scalars(
        select(User).where(User.unit_id.in_(set(unit_ids)), User.role == UNIT_LEADER, User.active)
    )
    for leader in found:
        leaders.setdefault(leader.unit_id, []).append(leader)
    return leaders


def concerned(task: Task) -> list[User]:
    """The people a change to `task` concerns: its owner and the lead unit's leaders."""
    leaders = unit_leaders(task)
    return [task.owner, *leaders] if task.owner is not None else leaders


def notify(
    kind: str,
    task: Task | None,
    actor: User | None,
    people: Iterable[User | None],
    **values: object,
) -> list[Notification]:
    """Add one notification per person (not the actor, nobody twice, only active accounts);
    flush only: it commits with the change that caused it."""
    values = {"code": task.code, **values} if task is not None else values
    written: list[Notification] = []
    seen = {actor.id} if actor is not None else set()
    for person in people:
        if person is None or person.id in seen or not person.active:
            continue
        seen.add(person.id)
        notification = Notification(
            recipient=person,
            task=task,
            actor=actor,
            kind=kind,
            values={key: str(value) for key, value in values.items()},
            mail_state=MAIL_PENDING if _mailable(person) else MAIL_SKIPPED,
        )
        db.session.add(notification)
        written.append(notification)
    return written


def unread_count(user: User) -> int:
    """The bell's count for `user`, as the database holds it now."""
    return db.session.execute(select(unread_of(user.id))).scalar_one()


def page_for(user: User, page: int) -> Pagination:
    """A page of the user's notifications, newest first."""
    return db.paginate(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )


def open_notification(user: User, notification: Notification) -> None:
    """The recipient opened it: mark it read (commits)."""
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()


def mark_all_read(user: User) -> int:
    marked = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .returning(Notification.id)
    ).all()
    db.session.commit()
    return len(marked)


def _mailable(person: User) -> bool:
    """Whether `person`'s notifications are e-mailed: an active account with an address
    that has not turned them off."""
    return bool(person.email) and person.email_notifications and person.active


@dataclass
class MailRun:
    sent: int = 0
    failed: list[str] = field(default_factory=list)


def place_of(notification: Notification) -> str | None:
    """Where a notification leads (a path from the app's root), opened or mailed: its task's
    page; for an import's, the unit's tasks waiting to be given (most of an import's come
    without an owner, and giving them is the leader's next step); else nowhere."""
    if notification.task_id is not None:
        return page_paths.task_page(notification.task_id)
    if notification.kind == "tasks.imported":
        return page_paths.waiting_tasks_page()
    return None


def _mail(notification: Notification) -> tuple[str, str]:
    """Subject and body of a notification's e-mail, in the recipient's language."""
    person = notification.recipient
    with mail.in_language(person):
        said = translated(text_of(notification))
        subject = gettext("[Directive Tracker] %(text)s", text=said.splitlines()[0][:120])
        place = place_of(notification)
        link = mail.page_link(place) if place else ""
        body = "\n\n".join(
            part
            for part in (
                gettext("Hello %(name)s,", name=person.name),
                said,
                link,
                gettext("You can turn these e-mails off on the Reminders page."),
            )
            if part
        )
    return subject, body


def send_pending() -> MailRun:
    """Mail every pending notification once. Each is marked sent and committed as soon as
    the server accepts it; at the first failure the run stops, and what is left is sent by
    the next run (a server that is down loses nothing)."""
    run = MailRun()
    query = (
        select(Notification.id)
        .where(Notification.mail_state == MAIL_PENDING)
        .order_by(Notification.id)
    )
    with mail.Mailer() as mailer:
        for notification_id in db.session.scalars(query).all():
            notification = db.session.get_one(Notification, notification_id)
            person = notification.recipient
            address = person.email if _mailable(person) else None
            if address is None:
                notification.mail_state = MAIL_SKIPPED
                db.session.commit()
                continue
            subject, body = _mail(notification)
            try:
                mailer.send(address, subject, body)
            except OSError as error:
                notification.mail_attempts += 1
                notification.mail_error = str(error)[:300]
                db.session.commit()
                run.failed.append(f"{person.email}: {error}")
                metrics.MAILS.labels("notification", "failed").inc()
                break
            notification.mail_state = MAIL_SENT
            notification.mailed_at = clock.now()
            notification.mail_attempts += 1
            notification.mail_error = None
            db.session.commit()
            run.sent += 1
            metrics.MAILS.labels("notification", "sent").inc()
    return run

"""Period closes as jobs: a national close copies every task of its scope (1.6 million at 3
million tasks), longer than a request should wait. The close page checks what it can refuse
at once (reporting.closings.check_closable: a 4xx, nothing queued), then queues the close;
the job closes the period and records itself done in the close's own transaction, so a
worker that dies after the commit cannot close twice. Its page sends the person on to the
closed report once it is there."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from ..domain import periods
from ..domain.errors import Conflict
from ..domain.text import N_, Text
from ..infra import clock, i18n
from ..models import Job, PeriodClosing, User
from ..reporting import closings, report_orders
from ..reporting.task_queries import TaskFilters
from . import queue, records
from .work import Permanent, Progress

ON_ITS_WAY = N_(
    "A close of this period for this scope is on its way, asked by %(person)s at %(time)s; "
    "its closed report will be listed in Closed periods."
)
CLOSED = N_("Closed %(period)s: its figures are frozen (%(count)s tasks).")


def _print(scope: str, start: date, end: date) -> str:
    """What identifies a close, whoever asks for it: its scope and days."""
    return records.fingerprint("close", scope, start.isoformat(), end.isoformat())


def on_its_way(user: User, filters: TaskFilters, start: date, end: date) -> Job | None:
    """Anyone's close of this period for the scope `user` would close, queued or running."""
    scope = closings.scope_key(closings.effective_scope(user, filters))
    return records.on_its_way(_print(scope, start, end))


def on_its_way_words(job: Job) -> Text:
    """What the period report says of a close on its way, and a second close is refused
    with: who asked for it, and when."""
    asker = job.requested_by
    return ON_ITS_WAY.fill(
        person=asker.name if asker else "—", time=clock.moment_text(job.created_at)
    )


def ask(user: User, filters: TaskFilters, start: date, end: date) -> Job:
    """The job closing this period for this scope: the person's own, already on its way
    (a second press of the button), or a new one, queued. Refused at once (DomainError)
    when the close itself would be, or when someone else's close of it is on its way."""
    closable = closings.check_closable(user, filters, start, end)
    scope = closings.scope_key(closable.filters)
    print_ = _print(scope, start, end)
    job = records.reusable(user, print_)
    if job is not None:
        return job
    if (elsewhere := records.on_its_way(print_)) is not None:
        words = on_its_way_words(elsewhere)
        raise Conflict(ON_ITS_WAY, params=words.values)
    parameters = report_orders.period_parameters(closable.filters, start, end, "unit")
    name = (
        f"{i18n.translated(periods.describe_text(start, end))} · {closings.scope_in_words(scope)}"
    )
    job = records.create(user, "close", parameters, i18n.current_language(), print_, name[:200])
    queue.submit(job.id)
    return job


def run_close(job: Job, asker: User, progress: Progress) -> None:
    """Close the period the job names, as its asker, and record the closing with the job's
    end in the same transaction."""
    filters, start, end, _grouping = report_orders.period_arguments(
        MultiDict(job.parameters), clock.today()
    )

    def finish(closing: PeriodClosing) -> bool:
        return records.claim_completion(
            job.id, result={"closing_id": closing.id, "task_count": closing.task_count}
        )

    try:
        closings.close_period(asker, filters, start, end, before_commit=finish)
    except closings.ClosedElsewhere:
        raise Permanent(gettext("Another attempt at this close finished first.")) from None


def closing_id(job: Job) -> int | None:
    """The closed report a finished close made."""
    result = job.result or {}
    found = result.get("closing_id")
    return int(found) if isinstance(found, int) else None


def closed_words(job: Job) -> Text:
    """What the closed report says first when a finished close's page leads to it: the
    period by its name and how many tasks were frozen (run_close's result)."""
    start, end = (date.fromisoformat(job.parameters[day]) for day in ("from", "to"))
    frozen = (job.result or {}).get("task_count", 0)
    return CLOSED.fill(
        period=periods.describe_text(start, end), count=i18n.format_figure(int(frozen))
    )

"""A report file asked for: which report, in which format, over which arguments.

`order()` checks what a person asks (their rights, the filters, the period) without
building anything, and returns the arguments the file is built from; `build()` builds its
ReportTable from those arguments, later, in a background job. The pages (/board.xlsx …),
the API (POST /api/v1/exports) and the jobs all go through here, so a file made by a job is
the one the page shows. The screens of the same reports parse their arguments with the
same functions (`board_filters`, `period_arguments`, `league_arguments`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..audit import queries as audit_queries
from ..domain import periods, policy
from ..domain.days import parse_day
from ..domain.errors import InvalidInput, NotFound
from ..domain.file_names import download_name
from ..domain.reports import REPORTS
from ..domain.text import N_
from ..models import Directive, PeriodClosing, User
from ..org import lookups
from . import closings, league, report_builders, task_queries
from .report_files import FORMATS
from .report_tables import ReportTable
from .task_queries import TaskFilters

# The reports the API offers (a closed period's file is asked for from its page).
API_REPORTS = ("tasks", "board", "directive", "period", "league")


@dataclass(frozen=True)
class ReportOrder:
    """A report file to make: `parameters` are what its manifest records and what `build()`
    reads back; `name` is the file's name without its extension."""

    report: str
    file_format: str
    parameters: dict[str, str] = field(default_factory=dict)
    name: str = "report"

    @property
    def file_name(self) -> str:
        """The name the file is saved under (Vietnamese letters kept, slashes replaced)."""
        return download_name(f"{self.name}.{self.file_format}")


def board_filters(user: User, args: Mapping[str, str], today: date) -> TaskFilters:
    """The board's filters, held within the reader's subtree (NotFound for an unknown unit)."""
    policy.require(policy.can_view_board(user), N_("The overdue board is for supervisors."))
    root = policy.board_root(user)
    filters = TaskFilters.from_args(args, today)
    if filters.scope:
        chosen = lookups.unit_by_code(filters.scope)
        if chosen is None:
            raise NotFound(N_("There is no unit %(code)s."), params={"code": filters.scope})
        policy.require(
            root is None or chosen.is_within(root), N_("That unit is outside your units.")
        )
    filters = task_queries.counted_scope(user, filters)
    return filters.of_anyone().with_(timeliness=None, status=None, unit=None)


def period_arguments(args: Mapping[str, str], today: date) -> tuple[TaskFilters, date, date, str]:
    """Filters, first and last day, and grouping of a period report from the query string
    (or a form). A period report is of a scope — directive, units under, key tasks, deadline
    basis — as its page offers and as a closing freezes it; the task list's other
    narrowings (one unit alone, a status, an owner, the tasks waiting, words) are read, so a
    bad one is refused, and left out: the figures shown are the figures closing freezes."""
    filters = closings.scope_filters(TaskFilters.from_args(args, today))
    given, first, last = args.get("period"), args.get("from"), args.get("to")
    if args.get("year"):  # the choosers: a year and a part of it
        given = periods.chosen_period(args.get("year"), args.get("part"))
    try:
        if first or last:
            start, end = parse_day(first or ""), parse_day(last or "")
        elif given:
            start, end = periods.parse_period(given)
        else:
            start, end = periods.period_of(today, periods.QUARTERLY)
    except ValueError as error:
        if isinstance(error, periods.PeriodError):
            refusal = error.args[0]  # a filled catalogue entry
            raise InvalidInput(
                refusal.template, params=refusal.values, field_errors={"period": [refusal]}
            ) from None
        raise InvalidInput(
            N_("Give both from and to as dates (YYYY-MM-DD): %(help)s."),
            params={"help": periods.PERIOD_HELP},
            field_errors={"period": [N_("invalid dates")]},
        ) from None
    if end < start:
        raise InvalidInput(
            N_("The period ends before it starts."), field_errors={"to": [N_("too early")]}
        )
    group = args.get("group", "unit")
    if group not in ("unit", "directive"):
        raise InvalidInput(
            N_("Group by unit or directive."), field_errors={"group": [N_("invalid")]}
        )
    return filters, start, end, group


def period_parameters(filters: TaskFilters, start: date, end: date, group: str) -> dict[str, str]:
    """What a period report's link and manifest carry."""
    parameters = {**filters.as_args(), "from": start.isoformat(), "to": end.isoformat()}
    parameters.pop("as_of", None)
    if group != "unit":
        parameters["group"] = group
    return parameters


@dataclass(frozen=True)
class LeagueArguments:
    filters: TaskFilters
    subtree: bool
    sort: str
    descending: bool

    @property
    def parameters(self) -> dict[str, str]:
        parameters = {
            **self.filters.as_args(),
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }
        if self.subtree:
            parameters["subtree"] = "1"
        return parameters


def league_arguments(user: User, args: Mapping[str, str], today: date) -> LeagueArguments:
    """Units ranked: with sub-units or alone, by which column, which way."""
    policy.require(policy.can_view_reports(user), N_("Reports are for supervisors and auditors."))
    filters = TaskFilters.from_args(args, today).with_(timeliness=None, status=None, unit=None)
    filters = task_queries.counted_scope(user, filters)
    sort = args.get("sort") or league.DEFAULT_SORT
    if sort not in league.SORT_KEYS:
        raise InvalidInput(
            N_("Sort by one of: %(keys)s."),
            params={"keys": ", ".join(league.SORT_KEYS)},
            field_errors={"sort": [N_("invalid")]},
        )
    return LeagueArguments(
        filters, args.get("subtree") == "1", sort, args.get("dir", "desc") != "asc"
    )


def directive_filters(directive: Directive, args: Mapping[str, str], today: date) -> TaskFilters:
    return (
        TaskFilters.from_args(args, today)
        .of_anyone()
        .with_(directive=directive.code, timeliness=None, status=None)
    )


def _directive(code: str | None) -> Directive:
    directive = lookups.directive_by_code(code) if code else None
    if directive is None:
        raise lookups.no_such("directive")
    return directive


def _closing(user: User, closing_id: object) -> PeriodClosing:
    policy.require(policy.can_view_reports(user), N_("Reports are for supervisors and auditors."))
    try:
        number = int(str(closing_id))
    except ValueError:
        number = 0
    closing = lookups.closing_by_id(number) if 0 < number < 2**31 else None
    if closing is None:
        raise lookups.no_such("closed period")
    policy.require(closings.may_view(user, closing), N_("That closing is outside your units."))
    return closing


def _file_stem(report: str, directive: str | None, scope: str | None, *rest: object) -> str:
    """A period file's name before its extension: what it covers (the directive, or "all";
    the unit when it is one unit's), then its days, so that the files of two directives'
    quarters saved side by side are told apart."""
    parts = (report, directive or "all", scope, *rest)
    return "-".join(str(part) for part in parts if part is not None)


def order(
    user: User,
    report: str,
    file_format: str,
    args: Mapping[str, str],
    today: date,
) -> ReportOrder:
    """Check a request for a report file and return what to make; raises Forbidden,
    NotFound or InvalidInput (naming the field) and builds nothing."""
    if report not in REPORTS:
        raise InvalidInput(
            N_("Ask for one of these reports: %(choices)s."),
            params={"choices": ", ".join(REPORTS)},
            field_errors={"report": [N_("unknown")]},
        )
    if file_format not in FORMATS:
        raise InvalidInput(
            N_("Ask for one of these formats: %(choices)s."),
            params={"choices": ", ".join(FORMATS)},
            field_errors={"format": [N_("unknown")]},
        )
    if report == "board":
        filters = board_filters(user, args, today)
        name = f"overdue-board-{filters.scope or 'all'}-{filters.report_date}"
        return ReportOrder(report, file_format, filters.as_args(), name)
    if report == "league":
        league = league_arguments(user, args, today)
        name = f"league-{league.filters.report_date}"
        return ReportOrder(report, file_format, league.parameters, name)
    if report == "audit":
        policy.require(policy.can_view_audit(user), N_("The audit trail is for auditors."))
        trail = audit_queries.AuditFilters.from_args(args)
        return ReportOrder(report, file_format, trail.as_args(), f"audit-trail-{today}")
    if report == "closing":
        closing = _closing(user, args.get("closing"))
        directive_code = closing.directive.code if closing.directive is not None else None
        scope = closing.scope_unit.code if closing.scope_unit is not None else None
        name = _file_stem(
            "closed", directive_code, scope, closing.period_start, closing.period_end, closing.id
        )
        return ReportOrder(report, file_format, {"closing": str(closing.id)}, name)
    policy.require(policy.can_export(user), N_("Exports are for supervisors and auditors."))
    if report == "tasks":
        filters = TaskFilters.from_args(args, today)
        name = f"tasks-{filters.directive or 'all'}-{filters.report_date}"
        return ReportOrder(report, file_format, filters.as_args(), name)
    if report == "directive":
        directive = _directive(args.get("directive"))
        filters = directive_filters(directive, args, today)
        name = f"progress-{directive.code}-{filters.report_date}"
        return ReportOrder(report, file_format, filters.as_args(), name)
    filters, start, end, group = period_arguments(args, today)
    filters = task_queries.counted_scope(user, filters)
    name = _file_stem("period", filters.directive, filters.scope, start, end)
    return ReportOrder(report, file_format, period_parameters(filters, start, end, group), name)


def build(user: User, made: ReportOrder, today: date) -> ReportTable:
    """The table of a report file, from the arguments `order()` returned (the asker's
    rights are checked again: they may have changed since)."""
    again = order(user, made.report, made.file_format, made.parameters, today)
    arguments = again.parameters
    if made.report == "board":
        return report_builders.board(user, board_filters(user, arguments, today))
    if made.report == "league":
        chosen = league_arguments(user, arguments, today)
        return report_builders.league_table(
            user, chosen.filters, chosen.subtree, chosen.sort, chosen.descending
        )
    if made.report == "closing":
        return closings.frozen_table(_closing(user, arguments.get("closing")))
    if made.report == "audit":
        return report_builders.audit_trail(audit_queries.AuditFilters.from_args(arguments))
    if made.report == "tasks":
        return report_builders.task_list(user, TaskFilters.from_args(arguments, today))
    if made.report == "directive":
        directive = _directive(arguments.get("directive"))
        filters = directive_filters(directive, arguments, today)
        return report_builders.directive_progress(user, directive, filters)
    filters, start, end, group = period_arguments(arguments, today)
    filters = task_queries.counted_scope(user, filters)
    return report_builders.period_report(user, filters, start, end, group)[0]

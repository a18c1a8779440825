"""A page of a report's rows per lead unit or per directive — each group's label and its four
counts — ranked worst first (most overdue, then code) or by code, with how many groups there
are and the totals over all of them.

Where the kept counts answer the selection (task_queries.kept_selection) the database sorts,
cuts and labels the groups in one statement (kept_counts.ranked), so a national board builds
a page of rows instead of 30,000; otherwise the groups are counted from the tasks and ranked
here, in the same order. tests/reporting/test_group_rows.py proves both give the same pages.
"""

from __future__ import annotations

import math
from typing import Any

from ..domain import timeliness as tl
from ..models import Task, User
from ..org import lookups
from . import kept_counts, task_queries
from .kept_counts import GroupCounts
from .pagination import FetchedPage
from .task_queries import TaskFilters

# A page of (label, counts) rows, and the totals over every group of the selection.
RankedPage = tuple[FetchedPage, tl.TimelinessCounts]


def _label_kind(group_column: Any) -> tuple[tuple[Any, ...], Any]:
    """What a row shows of its group: the columns it is read from (id and code first, see
    kept_counts.ranked) and the label they make."""
    if group_column is Task.lead_unit_id:
        return lookups.UNIT_LABEL_COLUMNS, lookups.UnitLabel
    return lookups.DIRECTIVE_LABEL_COLUMNS, lookups.DirectiveLabel


def _from_kept(
    selection: kept_counts.KeptSelection,
    group_column: Any,
    worst_first: bool,
    page: int,
    per_page: int,
) -> RankedPage:
    columns, label = _label_kind(group_column)
    page = max(page, 1)
    ranked = kept_counts.ranked(selection, columns, worst_first, (page - 1) * per_page, per_page)
    if not ranked.rows and page > 1:  # past the end: the last page, as ListPage shows it
        groups = kept_counts.ranked(selection, columns, worst_first, 0, 1).groups
        page = max(math.ceil(groups / per_page), 1)
        ranked = kept_counts.ranked(
            selection, columns, worst_first, (page - 1) * per_page, per_page
        )
    rows = [(label(*shown), counts) for shown, counts in ranked.rows]
    return FetchedPage(rows, ranked.groups, page, per_page), ranked.totals


def _from_counted(
    counts: GroupCounts, group_column: Any, worst_first: bool, page: int, per_page: int
) -> RankedPage:
    labels = lookups.labels(*_label_kind(group_column), counts.keys())
    rows = [(labels[group], group_counts) for group, group_counts in counts.items()]
    if worst_first:
        rows.sort(key=lambda row: (-row[1].overdue, row[0].code, row[0].id))
    else:
        rows.sort(key=lambda row: (row[0].code, row[0].id))
    pages = max(math.ceil(len(rows) / per_page), 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    totals = tl.TimelinessCounts.summed(group_counts for _, group_counts in rows)
    return FetchedPage(rows[start : start + per_page], len(rows), page, per_page), totals


def ranked_page(
    user: User,
    filters: TaskFilters,
    group_column: Any,
    worst_first: bool,
    page: int,
    per_page: int,
) -> RankedPage:
    """Page `page` of the groups (Task.lead_unit_id or Task.directive_id) of what `filters`
    select for `user`, ranked worst first or by code, and the totals over every group."""
    kept = task_queries.kept_selection(user, filters, grouped_by=group_column)
    if kept is not None:
        return _from_kept(kept, group_column, worst_first, page, per_page)
    counts = task_queries.grouped_counts(user, filters, group_column)
    return _from_counted(counts, group_column, worst_first, page, per_page)


def board_pages(
    user: User, filters: TaskFilters, units_page: int, directives_page: int, per_page: int
) -> tuple[RankedPage, RankedPage]:
    """The board's two tables: lead units worst first, directives by code. Counted from the
    tasks, both come from one pass (task_queries.grouped_counts_by_two)."""
    kept = [
        task_queries.kept_selection(user, filters, grouped_by=column)
        for column in (Task.lead_unit_id, Task.directive_id)
    ]
    if kept[0] is not None and kept[1] is not None:
        return (
            _from_kept(kept[0], Task.lead_unit_id, True, units_page, per_page),
            _from_kept(kept[1], Task.directive_id, False, directives_page, per_page),
        )
    per_unit, per_directive = task_queries.grouped_counts_by_two(
        user, filters, Task.lead_unit_id, Task.directive_id
    )
    return (
        _from_counted(per_unit, Task.lead_unit_id, True, units_page, per_page),
        _from_counted(per_directive, Task.directive_id, False, directives_page, per_page),
    )

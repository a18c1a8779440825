"""Quick search: directives and tasks found by code or words of their title (every word
typed, in any order), with or without Vietnamese diacritics, among what the reader may
see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..infra import clock
from ..models import Directive, User
from ..models._types import matching_words
from . import task_queries
from .pagination import FetchedPage
from .task_queries import TaskFilters

RESULTS_SHOWN = 20  # of each kind; the task list shows the rest


@dataclass
class SearchResults:
    query: str
    directives: list[Directive]
    more_directives: bool
    tasks: FetchedPage


def quick_search(user: User, query: str) -> SearchResults:
    """Directives (everyone may read them) and the tasks `user` may see matching `query`."""
    statement = select(Directive).where(*matching_words(Directive.search_key, query))
    directives = list(
        db.session.scalars(statement.order_by(Directive.code).limit(RESULTS_SHOWN + 1))
    )
    filters = TaskFilters(q=query, report_date=clock.today())
    tasks = task_queries.paginate_tasks(user, filters, 1, RESULTS_SHOWN)
    return SearchResults(
        query=query,
        directives=directives[:RESULTS_SHOWN],
        more_directives=len(directives) > RESULTS_SHOWN,
        tasks=tasks,
    )

"""Pages of lists, with the attributes the `pager` macro reads (those of a Flask-SQLAlchemy
pagination): a page of an already computed list (aggregate rows), or a page fetched from the
database with the total it is part of."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class PageNumbers:
    """The pager's arithmetic over `page`, `per_page` and `total`."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class FetchedPage(PageNumbers):
    """One page of rows fetched from the database, and how many rows there are in all."""

    items: Sequence[Any]
    total: int
    page: int
    per_page: int


@dataclass
class ListPage(PageNumbers):
    rows: Sequence[Any]
    page: int
    per_page: int
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = len(self.rows)
        self.page = min(max(self.page, 1), max(self.pages, 1))

    @property
    def items(self) -> Sequence[Any]:
        start = (self.page - 1) * self.per_page
        return self.rows[start : start + self.per_page]

"""Paging an already computed list (aggregate rows), with the attributes the `pager` macro
reads from a Flask-SQLAlchemy pagination."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class ListPage:
    rows: Sequence[Any]
    page: int
    per_page: int

    def __post_init__(self) -> None:
        self.page = min(max(self.page, 1), max(self.pages, 1))

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def items(self) -> Sequence[Any]:
        start = (self.page - 1) * self.per_page
        return self.rows[start : start + self.per_page]

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

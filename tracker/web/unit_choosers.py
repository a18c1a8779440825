"""The admin forms' unit choosers: a task's lead and coordinating units, a recurring task's
lead unit, a person's unit, a unit's parent.

While the tree is small (fewer than UNIT_SEARCH_FROM units) a chooser offers every unit. A
national tree (30,000 units at 3 million tasks) made each of them a select of 30,000
options — two on the task form: 5 MB, 0.4 s to draw, and no one reads such a list. From
that size on, a chooser offers the units it holds (the record's, the ones posted) and the
units found by a search box beside it (code and name, with or without diacritics): in the
browser the box asks `admin.unit_choices` as one types (static/app.js); without scripts its
Find button posts the form back, everything typed kept and nothing saved."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from wtforms import Field

from ..domain.search_text import typed
from ..infra import context
from ..org import lookups
from .formkit import options
from .templating import unit_choice_label

# The most units one search offers (the rest: type more of the code or name).
FOUND_AT_MOST = 50
# The name of the Find buttons (their value: the field searched for).
FIND = "find_unit"


@dataclass(frozen=True)
class UnitSearch:
    """A chooser's search box, as the field macro draws it."""

    name: str  # the box's field name: "<field>_find"
    typed: str  # what was typed, shown again
    found: int  # how many units it found (at most FOUND_AT_MOST)
    more: bool  # more units matched than are offered
    url: str  # where the browser asks as one types


def finding() -> bool:
    """Whether this request is a Find button's: show the form again, save nothing."""
    return request.method == "POST" and FIND in request.form


def offer(*fields: Field, none: str | None = None) -> list[tuple[int, str]]:
    """Give each unit chooser of a form its choices (after `none`, when a chooser may be
    left empty), and return the first chooser's units as (id, label)."""
    if lookups.unit_count() < context.setting("UNIT_SEARCH_FROM"):
        every = _labelled(lookups.every_unit_choice())
        for field in fields:
            field.choices = _with_none(every, none)
        return every
    first: list[tuple[int, str]] = []
    for field in fields:
        words = typed(request.form.get(f"{field.name}_find")) if finding() else ""
        rows, found, more = lookups.unit_choices_found(words, FOUND_AT_MOST, _chosen_ids(field))
        units = _labelled(rows)
        field.choices = _with_none(units, none)
        field.unit_search = UnitSearch(
            f"{field.name}_find", words, found, more, url_for("admin.unit_choices")
        )
        first = first or units
    return first


def _chosen_ids(field: Field) -> list[int]:
    data = field.data if isinstance(field.data, list) else [field.data]
    return [value for value in data if isinstance(value, int) and not isinstance(value, bool)]


def _labelled(rows: list[tuple[int, str, str, int]]) -> list[tuple[int, str]]:
    return [(id_, unit_choice_label(code, name, depth)) for id_, code, name, depth in rows]


def _with_none(units: list[tuple[int, str]], none: str | None) -> list:
    return options([(None, none), *units] if none is not None else units)


def found_json(query: str) -> dict:
    """The units a search box finds, for the browser: what `offer` would offer."""
    rows, _, more = lookups.unit_choices_found(typed(query), FOUND_AT_MOST)
    return {"items": [{"id": id_, "label": label} for id_, label in _labelled(rows)], "more": more}

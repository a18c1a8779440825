"""The one rule for codes, titles and names, wherever they come from (forms, API, import,
the command line): one line of printable text, no control characters (a line break in a
task code once ended up in a mail header), within the column's length. The models apply
it when a value is set (models/_types.one_line), so no path can skip it."""

from __future__ import annotations

import unicodedata

from .errors import first_problem
from .text import N_

# Unicode categories refused: control (Cc: line breaks, NUL, tab), format (Cf: bidi
# overrides, zero-width), surrogates and unassigned, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"}


def line_problem(value: str, max_length: int) -> str | None:
    """What is wrong with `value` as a one-line code, title or name, or None."""
    if len(value) > max_length:
        return N_("at most %(count)s characters").fill(count=max_length)
    if any(unicodedata.category(ch) in _REFUSED for ch in value):
        return N_("one line of printable characters (no line breaks or control characters)")
    return None


def check_line(field: str, value: str | None, max_length: int) -> str | None:
    """`value` when it passes the rule; InvalidInput naming the field when it does not."""
    if value is None:
        return value
    problem = line_problem(value, max_length)
    if problem:
        raise first_problem({field: [problem]})
    return value

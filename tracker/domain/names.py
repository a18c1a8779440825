"""The two rules for what people write, wherever it comes from (forms, API, import, the
command line); the models apply them when a value is set (models/_types.one_line and
prose), so no path can skip them.

Codes, titles and names: one line of printable text, no control characters (a line break in
a task code once ended up in a mail header), within the column's length.

Everything else a person writes — a note, a comment, a reason, a description, a file's
name: line breaks and tabs are the text's own, but not the other control characters, nor
the characters that reorder text for right-to-left scripts (embeddings, overrides,
isolates: U+202A–U+202E, U+2066–U+2069), with which a note, a reason or a file's name reads
as something else than it is, on the page, in a PDF and in a spreadsheet
(`report\u202excod.pdf` shows as `reportfdp.docx`). Invisible joiners, soft hyphens and
direction marks, which text pasted from documents carries, are kept."""

from __future__ import annotations

import re
import unicodedata

from .errors import first_problem
from .text import N_

# Unicode categories refused: control (Cc: line breaks, NUL, tab), format (Cf: bidi
# overrides, zero-width), surrogates and unassigned, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"}
_LINE_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]+")
LINE_CHARACTERS = N_("one line of printable characters (no line breaks or control characters)")
PROSE_CHARACTERS = N_("no control characters or characters that reverse the text's direction")


def line_problem(value: str, max_length: int) -> str | None:
    """What is wrong with `value` as a one-line code, title or name, or None."""
    if problem := _too_long(value, max_length):
        return problem
    if any(unicodedata.category(ch) in _REFUSED for ch in value):
        return LINE_CHARACTERS
    return None


def check_line(field: str, value: str | None, max_length: int) -> str | None:
    """`value` when it passes the rule; InvalidInput naming the field when it does not."""
    return value if value is None else _passed(field, value, line_problem(value, max_length))


_NOT_IN_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def prose_problem(value: str, max_length: int | None = None) -> str | None:
    """What is wrong with `value` as text a person wrote, or None."""
    if problem := _too_long(value, max_length):
        return problem
    if _NOT_IN_PROSE.search(value):
        return PROSE_CHARACTERS
    return None


def check_prose(field: str, value: str | None, max_length: int | None = None) -> str | None:
    """`value` when it passes the rule; InvalidInput naming the field when it does not."""
    return value if value is None else _passed(field, value, prose_problem(value, max_length))


def without_refused_characters(value: str, problem: str) -> str | None:
    """`value` with the characters `problem` refuses taken out (a line break in a one-line
    value becomes a space), or None when `problem` is not about characters: what a form
    shows back, so that a character no one can see does not refuse the text again."""
    if problem == LINE_CHARACTERS:
        spaced = _LINE_BREAKS.sub(" ", value)
        return "".join(ch for ch in spaced if unicodedata.category(ch) not in _REFUSED)
    if problem == PROSE_CHARACTERS:
        return _NOT_IN_PROSE.sub("", value)
    return None


def _too_long(value: str, max_length: int | None) -> str | None:
    if max_length is not None and len(value) > max_length:
        return N_("at most %(count)s characters").fill(count=max_length)
    return None


def _passed(field: str, value: str, problem: str | None) -> str:
    if problem:
        raise first_problem({field: [problem]})
    return value

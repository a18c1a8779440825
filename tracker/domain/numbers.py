"""Whole numbers as they come in from query strings, forms and paths: ASCII digits only
(a superscript ² or full-width １２ is not a number here) and within a bound, so that no
number read from a request can overflow a database column or a computation."""

from __future__ import annotations

import re
from decimal import Decimal

from .text import N_, Text

_DIGITS = re.compile(r"[0-9]{1,18}")
# The largest id or count a request may name (the databases' 32-bit integer columns).
LARGEST = 2**31 - 1


def whole_number(text: object, most: int = LARGEST) -> int | None:
    """`text` as a whole number from 0 to `most`, or None when it is anything else (a value
    that did not come in as text, too: a form field the request left out keeps its object's
    value, which must not pass for what the user sent)."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text.strip()):
        return None
    number = int(text.strip())
    return number if number <= most else None


# The largest measured value (baselines, targets, recorded values): NUMERIC(14, 2) columns.
MEASURE_LIMIT = Decimal("1e12")
# The fields that hold a measured value, wherever one is recorded (the audit trail).
MEASURED_FIELDS = frozenset({"baseline_value", "target_value", "value"})


def measure_problem(value: Decimal) -> Text | None:
    """Why `value` cannot be kept as an indicator's value, or None."""
    if not value.is_finite():
        return N_("give a number")
    if abs(value) >= MEASURE_LIMIT:
        return N_("the value is too large")
    return None

"""When the daily work runs: a schedule as a site writes it, "07:00" (every day at that
local time; several times separated by commas) or "every 10 minutes"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EVERY = re.compile(r"^every\s+([0-9]{1,4})\s+minutes?$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class Schedule:
    """Either daily at `times` ((hour, minute) pairs, local) or every `minutes`."""

    times: tuple[tuple[int, int], ...] = ()
    minutes: int | None = None


def parse_schedule(text: str) -> Schedule:
    """Read "HH:MM[, HH:MM…]" or "every N minutes"; ValueError says what is wrong."""
    value = " ".join(text.strip().lower().split())
    every = _EVERY.match(value)
    if every:
        minutes = int(every.group(1))
        if not 1 <= minutes <= 1440:
            raise ValueError("every N minutes needs N from 1 to 1440")
        return Schedule(minutes=minutes)
    times = []
    for part in value.split(","):
        found = _TIME.match(part.strip())
        if found is None:
            raise ValueError(f'write "HH:MM" (00:00 to 23:59) or "every N minutes", not {text!r}')
        times.append((int(found.group(1)), int(found.group(2))))
    return Schedule(times=tuple(sorted(set(times))))

"""Days as people write them: dd/mm/yyyy (as every page shows them) or yyyy-mm-dd (as links
and programs write them). One reader for forms, filters, links and imports."""

from __future__ import annotations

from datetime import date, datetime

DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_day(text: str) -> date:
    """The day `text` names, written dd/mm/yyyy (or d/m/yyyy) or yyyy-mm-dd; ValueError
    otherwise."""
    text = (text or "").strip()
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a day written dd/mm/yyyy or yyyy-mm-dd")

"""Search text: what a code or title is matched by, so that Vietnamese is found with or
without its diacritics ("nghi quyet" finds "Nghị quyết") and in any letter case.

`fold()` is applied both to what is stored (the search_key columns of tasks and
directives, kept by the models) and to what a user types."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_SEPARATE_LETTERS = str.maketrans(
    {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)


def without_marks(text: str) -> str:
    """`text` with its diacritics taken off, letter case kept (Đ → D, ơ → o): for search
    keys and for the ASCII names of downloads."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SEPARATE_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str | None) -> str:
    """Lower case, without diacritics, with runs of whitespace made one space."""
    if not text:
        return ""
    return " ".join(without_marks(text).lower().split())


def search_key(*parts: str | None) -> str:
    """The stored search text of a record made of `parts` (its code and title)."""
    return fold(" ".join(part for part in parts if part))


# What a search box keeps of what was typed: longer text is cut, not refused (no code or
# name is this long).
MOST_TYPED_CHARACTERS = 200


def typed(query: str | None) -> str:
    """What was typed in a search box, as every search reads it: trimmed and cut."""
    return (query or "").strip()[:MOST_TYPED_CHARACTERS]


def query_words(query: str | None, most: int = 8) -> list[str]:
    """The folded words of what a user typed; a record matches when it contains them all."""
    return fold(query).split()[:most]

"""Vietnamese alphabetical order, for the lists of people's names a form offers.

Letter by letter in the Vietnamese alphabet — a ă â b c d đ e ê g h i k l m n o ô ơ p q r s
t u ư v x y (f, j, w, z, of foreign names, where the Latin alphabet puts them) — the tones
(none, huyền, hỏi, ngã, sắc, nặng) deciding only between names spelt alike, then letter
case. A database orders text by its own collation: SQLite by code point, so that *Đặng*,
*Ánh* and *Ưng* came after *Vũ*; PostgreSQL by whatever its database was created with. So
the short lists of one unit's people are ordered here. (ICU knows this order, through
PyICU, which needs ICU's headers and a compiler to install: too much for one order.)"""

from __future__ import annotations

import unicodedata
from typing import Any

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a letter of its own (breve, circumflex, horn), and the tones' marks in
# the order of the tones.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], str]:
    """The key that orders `text` as a Vietnamese reader expects: (the letters, the tones,
    the text itself)."""
    letters: list[str] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif ch in _TONES and tones:
            tones[-1] = _TONES[ch]
        elif not unicodedata.combining(ch):
            letters.append(ch)
            tones.append(0)
    return tuple(_weight(letter) for letter in letters), tuple(tones), text


def by_name(person: Any) -> tuple[Any, str]:
    """The key that orders people (anything with a `name` and a `username`) by name, in
    Vietnamese order, two people of one name by username."""
    return sort_key(person.name), person.username


def _weight(letter: str) -> tuple[int, int]:
    """Spaces first, then digits, then the alphabet's letters, then anything else."""
    if letter.isspace():
        return (0, 0)
    if letter.isdigit():
        return (1, ord(letter))
    if letter in _RANK:
        return (2, _RANK[letter])
    return (3, ord(letter))

"""File names of downloads: what a person sees when a report, an export, evidence, an import
template or a calendar feed is saved.

A name keeps its Vietnamese letters ("tasks-2795_QĐ-BCT-2026-12-02.csv"). HTTP headers carry
only latin-1, so `content_disposition()` sends it as RFC 6266 allows: an ASCII fallback with
the marks folded (Đ → D, ư → u) in `filename`, and the exact name, UTF-8 and percent-encoded,
in `filename*`, which every current browser prefers."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from ..domain.search_text import without_marks

_KEPT_PUNCTUATION = set("-._() ")
_ASCII_KEPT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._() ")
MAX_LENGTH = 150


def download_name(name: str) -> str:
    """`name` made safe to save: letters (any script), digits and `-._()` and single spaces
    kept, everything else (slashes, quotes, control characters) an underscore."""
    cleaned = "".join(
        ch if ch.isalnum() or ch in _KEPT_PUNCTUATION else "_"
        for ch in unicodedata.normalize("NFC", name or "")
    )
    cleaned = " ".join(cleaned.split()).strip(". ")
    if len(cleaned) > MAX_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = stem[: MAX_LENGTH - len(extension) - 1] + dot + extension if dot else cleaned
        cleaned = cleaned[:MAX_LENGTH]
    return cleaned or "download"


def ascii_fallback(name: str) -> str:
    """`name` in plain ASCII: marks folded (Đ → D, ơ → o), anything else an underscore."""
    bare = without_marks(download_name(name))
    return "".join(ch if ch in _ASCII_KEPT else "_" for ch in bare)


def content_disposition(name: str, inline: bool = False) -> str:
    """The Content-Disposition header value for a file saved as `name` (RFC 6266, 8187)."""
    exact = download_name(name)
    fallback = ascii_fallback(exact)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != exact:
        value += f"; filename*=UTF-8''{quote(exact, safe='')}"
    return value

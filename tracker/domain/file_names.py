"""File names people save: a report, an export, evidence, an import template, a calendar
feed. A name keeps its Vietnamese letters ("tasks-2795_QĐ-BCT-2026-12-02.csv"); slashes,
quotes and control characters become underscores; `ascii_fallback` folds the marks for the
part of an HTTP header that must be plain ASCII (web/downloads.py)."""

from __future__ import annotations

import unicodedata

from .search_text import without_marks

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

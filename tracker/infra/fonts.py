"""The fonts PDF reports embed (DejaVu Sans, every Vietnamese letter): their files, in the
folder the PDF_FONT_DIR setting names (Debian's fonts-dejavu-core puts them there)."""

from __future__ import annotations

from pathlib import Path

from . import context

# Style ("" regular, "B" bold) → file name.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def font_dir() -> Path:
    return Path(str(context.setting("PDF_FONT_DIR")))


def fonts_found() -> bool:
    """Whether every font file PDFs embed is there."""
    return all((font_dir() / name).is_file() for name in FONT_FILES.values())

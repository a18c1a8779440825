"""`make translations`: extract the strings to translate and update the catalogues.

Extracts every `_()`, `gettext()`, `ngettext()`, `lazy_gettext()` and `N_()` from
tracker/**.py and tracker/templates/**.html (babel.cfg), merges them into
tracker/translations/{vi,en}/LC_MESSAGES/messages.po (new strings empty, gone ones dropped),
fills the English catalogue with the English source text, and lists the Vietnamese strings
still untranslated (exit 1 if there are any). Translate those in vi/.../messages.po; the
test suite fails while any is missing.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"
PYBABEL = str(Path(sys.executable).parent / "pybabel")
KEYWORDS = ["-k", "N_", "-k", "NP_:1c,2", "-k", "lazy_gettext", "-k", "_l"]


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "messages.pot"
        subprocess.run(
            [
                PYBABEL,
                "extract",
                "-F",
                "babel.cfg",
                *KEYWORDS,
                "--no-location",
                "--sort-output",
                "-o",
                str(template),
                ".",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for language in ("vi", "en"):
            catalogue = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
            command = "update" if catalogue.exists() else "init"
            extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []
            subprocess.run(
                [
                    PYBABEL,
                    command,
                    "-i",
                    str(template),
                    "-d",
                    str(TRANSLATIONS),
                    "-l",
                    language,
                    *extra,
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    english = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as source:
        catalogue = read_po(source, locale="en")
    for message in catalogue:
        if message.id:
            message.string = message.id
    with english.open("wb") as target:
        write_po(target, catalogue, width=100, omit_header=False)
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        vietnamese = read_po(source, locale="vi")
    missing = [m.id for m in vietnamese if m.id and _untranslated(m)]
    for message_id in missing:
        print(f"untranslated (vi): {message_id!r}")
    print(f"{len(vietnamese) - 1} strings; {len(missing)} without a Vietnamese translation.")
    return 1 if missing else 0


def _untranslated(message: Message) -> bool:
    """Empty, fuzzy, or (a message with a plural, its strings a tuple) any form empty."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(strings)


if __name__ == "__main__":
    sys.exit(main())

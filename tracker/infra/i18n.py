"""Languages: Vietnamese and English (Flask-Babel): messages in the language of the page or
mail being made, stored words' labels, figures, and the catalogues.

Which language a request is served in is the web layer's choice (web/language.py).
Templates translate with `_()`; the catalogues are tracker/translations/<lang>/LC_MESSAGES/
messages.po, compiled to .mo by `make` (scripts/i18n.py extracts and updates them).
Dates are written dd/mm/yyyy in both languages; numbers follow the language (50,0% in
Vietnamese, 50.0% in English)."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import force_locale, format_decimal, get_locale, gettext, pgettext

from ..domain.errors import DomainError
from ..domain.lifecycle import CONFIDENTIALITY_LABELS, STATUS_LABELS
from ..domain.periods import FREQUENCY_LABELS
from ..domain.reports import REPORT_TITLES
from ..domain.roles import ROLE_LABELS
from ..domain.text import N_, NP_, Text

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

# Stored words shown to people (kinds of directives and tasks, extension request states):
# `{{ value|label }}` in a template shows the translation.
WORD_LABELS = {
    "resolution": N_("Resolution"),
    "directive": NP_("kind", "Directive"),
    "decision": N_("Decision"),
    "conclusion": N_("Conclusion"),
    "plan": N_("Plan"),
    "regulation": N_("Regulation"),
    "task": N_("Task"),
    "milestone": N_("Milestone"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "lapsed": N_("Lapsed"),
    "comment": N_("Comment"),
    "obstacle": N_("Difficulty"),
    "internal": N_("Internal"),
    "public": N_("Public"),
    **FREQUENCY_LABELS,
}


def translated(message: str | None) -> str:
    """A message written in English by the rules or services, in the page's language when
    the catalogue has it (those marked N_() where they are written); else as it is."""
    if not message:
        return ""
    if isinstance(message, Text) and message.values and message.template:
        return str(gettext(message.template, **_translated_values(message.values)))
    if isinstance(message, Text) and message.context:
        return str(pgettext(message.context, message))
    return str(gettext(message))


def codes_by_word(labels: dict[str, Text]) -> dict[str, str]:
    """Each stored code by its label as each of LANGUAGES writes it, lower-cased: a file
    written in Vietnamese says *Đang thực hiện* or *nhiệm vụ* where the tracker stores
    in_progress or task. Made once per set of labels (an import reads it for every row)."""
    return _codes_by_word(tuple(labels.items()))


@functools.cache
def _codes_by_word(labels: tuple[tuple[str, Text], ...]) -> dict[str, str]:
    words: dict[str, str] = {}
    for language in LANGUAGES:
        with force_locale(language):
            words.update({translated(label).lower(): code for code, label in labels})
    return words


def _translated_values(values: dict[str, object]) -> dict[str, object]:
    return {k: translated(v) if isinstance(v, Text) else v for k, v in values.items()}


def describe(error: DomainError) -> str:
    """A DomainError's message in the page's language: its template translated, then filled
    with its values (English when the catalogue does not have it)."""
    if error.params:
        return str(gettext(error.template, **_translated_values(error.params)))
    return translated(error.message)


def label(value: str | None) -> str:
    """A stored word (see WORD_LABELS) in the page's language; unknown words as they are."""
    if not value:
        return ""
    return translated(WORD_LABELS[value]) if value in WORD_LABELS else value


# Stored words of one field only, in the reader's language where a recorded value is shown
# (the audit trail): "admin" is a role in the field `role`, an account's name elsewhere.
FIELD_WORDS = {
    "status": STATUS_LABELS,
    "role": ROLE_LABELS,
    "confidentiality": CONFIDENTIALITY_LABELS,
    "report": REPORT_TITLES,  # an export's report, by its title
}


def recorded_word(field: str, value: str) -> str:
    """A recorded value of `field` in the page's language when it is a stored word of that
    field (FIELD_WORDS) or any field (WORD_LABELS); else as it was recorded."""
    words = FIELD_WORDS.get(field)
    if words is not None and value in words:
        return translated(words[value])
    return label(value)


def current_language() -> str:
    return str(get_locale() or "en")


def format_share(value: float | None) -> str:
    """A rate as a percentage with one decimal, in the page's language: rounded as Babel's
    "0.0" rounds (the float's shortest text as a Decimal, half to even) without its pattern
    engine — a national board writes a thousand of them (tested equal to Babel)."""
    if value is None:
        return "—"
    rounded = Decimal(str(value * 100)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_EVEN)
    return str(rounded).replace(".", _decimal_symbol(str(get_locale() or "en"))) + "%"


def format_amount(value: Decimal | float | int | None) -> str:
    """An indicator's value in the page's language, without trailing zeros (63 bodies,
    1.234,5 tỷ đồng); "—" when there is none."""
    if value is None:
        return "—"
    return str(format_decimal(value, format="#,##0.##"))


ONE_DECIMAL = Decimal("0.1")


@functools.cache
def _decimal_symbol(locale: str) -> str:
    """The language's decimal mark ("," in Vietnamese, "." in English)."""
    return str(get_decimal_symbol(locale))


@functools.cache
def _group_symbol(locale: str) -> str:
    """The language's thousands separator ("." in Vietnamese, "," in English)."""
    return str(get_group_symbol(locale))


def format_figure(value: object, decimals: str | None = None) -> str:
    """A report figure in the page's language, the one rule for pages and PDFs: a rate
    (a float from 0 to 1, or None when nothing fell due) as a percentage, a whole number
    with the language's grouping, a number with `decimals` (e.g. "0.0"); text as it is."""
    if value is None or isinstance(value, float) and decimals is None:
        return format_share(value)
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int) and decimals is None:
        # Grouped by threes as "#,##0" groups them, without Babel's pattern engine: a
        # national board formats a thousand figures.
        return f"{value:,}".replace(",", _group_symbol(str(get_locale() or "en")))
    if isinstance(value, int | float | Decimal):
        return str(format_decimal(value, format=decimals or "#,##0"))
    return str(value)


TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues() -> list[Path]:
    """Compile every messages.po to messages.mo when the .mo is missing or older (make run,
    make test and the test suite call this; the .mo files are not committed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as target:
            write_mo(target, catalogue)
        written.append(mo_path)
    return written

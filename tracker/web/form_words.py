"""WTForms' own messages (a required field, a text too long, a number out of range, a choice
not offered) in the asker's language: read from the app's catalogue, where they are listed
below. WTForms ships no Vietnamese catalogue, and Flask-WTF looks only in WTForms' own, so
a Vietnamese page said "This field is required." in English. Every form of the app takes
its words from `FORM_WORDS` (formkit.Form)."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_translations

from ..domain.text import N_


class CatalogueWords:
    """The translations a WTForms form asks for its messages (Meta.get_translations): the
    app's catalogue in the page's language. The message is returned unformatted: WTForms
    fills in its values (%(max)d, %(min)s) itself."""

    def gettext(self, string: str) -> str:
        if not has_request_context():
            return string
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        if not has_request_context():
            return singular if count == 1 else plural
        return str(get_translations().ungettext(singular, plural, count))


FORM_WORDS = CatalogueWords()


def ngettext(singular: str, plural: str, count: int) -> tuple[str, str]:
    """Marks a message with a plural for the catalogue (its extraction looks for the name)."""
    return singular, plural


# WTForms' messages for the validators and fields the forms use, word for word as WTForms
# writes them (wtforms/validators.py, wtforms/fields): the catalogue translates these.
MESSAGES = (
    N_("This field is required."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Invalid input."),
    N_("Field must be equal to %(other_name)s."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid date value."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
)
PLURAL_MESSAGES = (
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        2,
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        2,
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        2,
    ),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        2,
    ),
)

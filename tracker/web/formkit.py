"""Helpers shared by the forms of every blueprint."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from flask import flash
from flask_babel import get_locale, lazy_gettext, lazy_pgettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, DecimalField, SelectChoice, ValidationError
from wtforms.validators import Length, StopValidation
from wtforms.widgets import Select, TextInput, html_params

from ..domain.days import DAY_FORMATS, day_problem, not_a_day
from ..domain.errors import DomainError
from ..domain.names import without_refused_characters
from ..domain.numbers import whole_number
from ..domain.text import N_, Text
from ..infra.i18n import describe, format_amount, translated
from .form_words import FORM_WORDS


class DayField(DateField):
    """A day typed dd/mm/yyyy (yyyy-mm-dd is read too) and shown dd/mm/yyyy whatever the
    browser's language: a text box, not the browser's own date picker (which shows
    mm/dd/yyyy to many)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(DAY_FORMATS))
        kwargs["render_kw"] = {
            "placeholder": lazy_gettext("dd/mm/yyyy"),
            "inputmode": "numeric",
            "autocomplete": "off",
            **(kwargs.get("render_kw") or {}),
        }
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        if valuelist and not " ".join(valuelist).strip():
            self.data = None  # left empty: Optional or DataRequired says what that means
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(translated(not_a_day(" ".join(valuelist)))) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            # a day typed wrong is said as such, not as a missing one: DataRequired would
            # put "give the deadline" in place of why 31/02/2027 was refused
            raise StopValidation()
        if problem := day_problem(self.data):
            raise ValidationError(translated(problem))


class AmountField(DecimalField):
    """A measured value typed as the page's language writes numbers (45,5 and 1.234,5 in
    Vietnamese; 45.5 and 1,234.5 in English) and shown back the same way. A text box, not
    the browser's number box: Chromium's dropped the decimal comma a Vietnamese reader
    types, and 45,5 was saved as 455. A number written the other language's way (45.5 on a
    Vietnamese page) is refused with the reading it probably meant, never guessed."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs["render_kw"] = {
            "inputmode": "decimal",
            "autocomplete": "off",
            **(kwargs.get("render_kw") or {}),
        }
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_amount(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return  # empty: Optional or InputRequired says what that means
        example = format_amount(Decimal("1234.5"))
        unreadable_words = _("Write a number, for example %(example)s.", example=example)
        try:
            number = parse_decimal(str(valuelist[0]), locale=get_locale(), strict=True)
        except NumberFormatError as unreadable:
            if unreadable.suggestions:
                raise ValueError(
                    _(
                        "Not a number as written here: did you mean %(number)s? (For example"
                        " %(example)s.)",
                        number=unreadable.suggestions[-1],
                        example=example,
                    )
                ) from None
            raise ValueError(unreadable_words) from None
        if not number.is_finite():
            raise ValueError(unreadable_words)
        self.data = number


class Form(FlaskForm):
    """Every form of the app: WTForms' own messages in the page's language (form_words)."""

    class Meta:
        def get_translations(self, form):
            return FORM_WORDS


class PageForm(Form):
    """A form on a page that holds several (the task page has seven): the ids of its fields,
    its CSRF token's included, start with `id_prefix`, so that every id on the page is
    unique and every label names its own field. The fields' names do not change."""

    id_prefix = ""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if form.id_prefix and "id" not in unbound_field.kwargs:
                options = {**options, "id": f"{form.id_prefix}-{options['name']}"}
            return unbound_field.bind(form=form, **options)


class LongSelect(Select):
    """A select of thousands of options (units, directives, people of a national tree),
    drawn as WTForms' own draws it, option by option, but in one pass of plain string
    formatting: WTForms' widget builds each option's attributes with `html_params` and
    converts each value back with the field's `coerce` to see whether it is chosen — 3,000
    units in two choosers took 120 ms of every admin task form, 30,000 over a second. An
    option is chosen when its value reads as the field's data does (ids and None, the only
    values these choosers hold)."""

    def __call__(self, field, **kwargs):
        if field.has_groups() or any(choice.render_kw for choice in field.choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        for flag in self.validation_attrs:  # required, disabled: as WTForms' widget sets them
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        data = field.data if self.multiple else [field.data]
        chosen = {str(value) for value in data or ()}
        return Markup(
            f"<select {html_params(name=field.name, **kwargs)}>"
            + "".join(
                f'<option value="{escape(choice.value)}"'
                f"{' selected' if str(choice.value) in chosen else ''}>"
                f"{escape(choice.label)}</option>"
                for choice in field.choices
            )
            + "</select>"
        )


def person_label(person) -> str:
    """A person as a chooser names them: the name, then the username."""
    return f"{person.name} ({person.username})"


def people_options(nobody: str, people: Iterable, *also) -> list[SelectChoice]:
    """A people chooser's options: `nobody` first, then `people` (a unit's, in their order),
    then each of `also` (a current or posted owner; None for none) not among them."""
    offered = list(people)
    for person in also:
        if person is not None and person.id not in {p.id for p in offered}:
            offered.append(person)
    return options([(None, nobody), *((p.id, person_label(p)) for p in offered)])


def record_id(value) -> int:
    """A chosen record's id as a request may name one (ASCII digits, within the databases'
    integer columns; domain.numbers): anything else is no choice (the form says so), never
    a lookup the database refuses. A chooser's `coerce`."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    number = whole_number(value)
    if number is None:
        raise ValueError("not a record's id")
    return number


def optional_record_id(value) -> int | None:
    """record_id, or None for a chooser's "none" option."""
    return record_id(value) if value not in (None, "", "None") else None


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates plain tuples). A label
    marked for the catalogue (a domain.text.Text, from N_) is shown in the page's language;
    any other (a unit's code and name) as it is."""
    return [SelectChoice(value, _lazy(label)) for value, label in pairs]


def _lazy(label: str):
    if not isinstance(label, Text):
        return label
    return lazy_pgettext(label.context, label) if label.context else lazy_gettext(label)


def show_refusal(
    form: FlaskForm, error: DomainError, aliases: dict[str, str] | None = None
) -> None:
    """A capability's refusal shown on the form that asked: a flash saying why, and each
    field's reasons under the field (a service's field name, or `name_id` for a form that
    picks a record, or the form field `aliases` names for it). The one mapping of domain
    field errors to WTForms fields."""
    flash(describe(error), "error")
    for name, messages in error.field_errors.items():
        field = getattr(form, (aliases or {}).get(name, name), None) or getattr(
            form, f"{name}_id", None
        )
        if field is not None:
            field.errors = [translated(message) for message in messages]
            _take_out_refused_characters(field, messages)


def _take_out_refused_characters(field, messages: list[str]) -> None:
    """A text refused for characters its rule does not take (often invisible: a direction
    override, a zero-width space pasted with it) is shown back without them, and the field
    says so: sent again as shown, it passes."""
    if not isinstance(field.data, str):
        return
    for message in messages:
        shown = without_refused_characters(field.data, message)
        if shown is not None and shown != field.data:
            field.data = shown
            field.errors.append(
                translated(N_("They are taken out of the text above: read it, then send it again."))
            )
            return


def password_length() -> Length:
    """A new password's length on a form (the service also refuses common and short ones:
    accounts.passwords)."""
    return Length(
        min=12,
        max=128,
        message=lazy_gettext("The password must have at least 12 characters (and at most 128)."),
    )

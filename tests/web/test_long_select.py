"""The admin forms' choosers of thousands of options (web.formkit.LongSelect) show exactly
what WTForms' own select shows: the same options, labels and chosen ones, in the same
order, with the same attributes on the select; only faster."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.validators import DataRequired
from wtforms.widgets import Select

from tracker.web.formkit import LongSelect, optional_record_id, options, record_id

UNITS = [
    (1, "BCĐTW — Ban Chỉ đạo Trung ương"),
    (2, "· Bộ CT — Bộ Công Thương"),
    (3, '· · Vụ PC&TT — Vụ Pháp chế & Thanh tra <"mới">'),
    (40, "· · Cục ĐTĐL — Cục Điều tiết điện lực"),
]


class Shown(HTMLParser):
    """A select as a reader's browser takes it: its attributes, and each option's value,
    label and whether it is chosen."""

    def __init__(self, html: str):
        super().__init__()
        self.select: dict = {}
        self.options: list[list] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "select":
            self.select = dict(attrs)
        elif tag == "option":
            found = dict(attrs)
            self.options.append([found.get("value"), "selected" in found, ""])

    def handle_data(self, data):
        if self.options:
            self.options[-1][2] += data


def forms(field_class, coerce, **field_options):
    """The same field drawn by WTForms' widget and by LongSelect."""
    multiple = field_class is SelectMultipleField

    class Theirs(Form):
        field = field_class(
            "Đơn vị", coerce=coerce, widget=Select(multiple=multiple), **field_options
        )

    class Ours(Form):
        field = field_class(
            "Đơn vị", coerce=coerce, widget=LongSelect(multiple=multiple), **field_options
        )

    return Theirs, Ours


@pytest.mark.parametrize(
    ("field_class", "coerce", "choices", "data"),
    [
        (SelectField, record_id, UNITS, 3),
        (SelectField, record_id, UNITS, None),
        (SelectField, optional_record_id, [(None, "— không có —"), *UNITS], None),
        (SelectField, optional_record_id, [(None, "— không có —"), *UNITS], 40),
        (SelectMultipleField, record_id, UNITS, [2, 40]),
        (SelectMultipleField, record_id, UNITS, []),
        (SelectMultipleField, record_id, UNITS, None),
    ],
)
def test_the_long_select_shows_what_wtforms_shows(field_class, coerce, choices, data):
    theirs_class, ours_class = forms(field_class, coerce, validators=[DataRequired()])
    theirs, ours = theirs_class(data={"field": data}), ours_class(data={"field": data})
    for form in (theirs, ours):
        form.field.choices = options(choices)
    drawn_theirs = Shown(str(theirs.field(class_="wide")))
    drawn_ours = Shown(str(ours.field(class_="wide")))
    assert drawn_ours.options == drawn_theirs.options
    assert drawn_ours.select == drawn_theirs.select
    assert drawn_ours.select["name"] == "field" and "required" in drawn_ours.select
    assert [label for _, _, label in drawn_ours.options] == [label for _, label in choices]
    assert '<"mới">' not in str(ours.field())  # a unit's name is text, never markup


def test_a_posted_choice_is_shown_chosen_again():
    """A form shown again after a refusal keeps what was posted."""
    from werkzeug.datastructures import MultiDict

    _, ours_class = forms(SelectMultipleField, record_id)
    form = ours_class(formdata=MultiDict([("field", "2"), ("field", "40")]))
    form.field.choices = options(UNITS)
    chosen = [value for value, selected, _ in Shown(str(form.field())).options if selected]
    assert chosen == ["2", "40"]

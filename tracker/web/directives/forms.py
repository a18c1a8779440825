"""Directive-side forms: recording a measured value of a target's indicator."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from ..formkit import AmountField, DayField, Form


class TargetValueForm(Form):
    recorded_on = DayField(_l("Measured on"), validators=[InputRequired(_l("Give the date."))])
    value = AmountField(_l("Value"), validators=[InputRequired(_l("Give the value."))])
    source_note = StringField(
        _l("Source"),
        validators=[Optional(), Length(max=500)],
        description=_l("Where the figure comes from, e.g. the quarterly report of the ministry."),
    )

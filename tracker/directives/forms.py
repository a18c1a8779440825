"""Directive-side forms: recording a measured value of a target's indicator."""

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, StringField
from wtforms.validators import InputRequired, Length, Optional


class TargetValueForm(FlaskForm):
    recorded_on = DateField("Measured on", validators=[InputRequired("Give the date.")])
    value = DecimalField("Value", places=2, validators=[InputRequired("Give the value.")])
    source_note = StringField(
        "Source",
        validators=[Optional(), Length(max=500)],
        description="Where the figure comes from, e.g. the quarterly report of the ministry.",
    )

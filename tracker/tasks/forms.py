"""The progress form: status, percent done, note, evidence link, and the version seen."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional


class ProgressForm(FlaskForm):
    status = SelectField("Status", validators=[DataRequired()])
    percent_done = IntegerField(
        "Percent done",
        validators=[InputRequired("Give a whole number from 0 to 100."), NumberRange(0, 100)],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=5000)])
    evidence = StringField(
        "Evidence (link to the output document)",
        validators=[Optional(), URL(message="Give a full link, e.g. https://…"), Length(max=500)],
    )
    version = HiddenField(validators=[DataRequired()])

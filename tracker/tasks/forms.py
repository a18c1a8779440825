"""The progress form: status, percent done, note, evidence link, and the version seen."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional


class ProgressForm(FlaskForm):
    # Any status is accepted here: the lifecycle (422) and the policy (403) judge the move, so a
    # refused move gets the right answer instead of a generic "not a valid choice".
    status = SelectField("Status", validators=[DataRequired()], validate_choice=False)
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

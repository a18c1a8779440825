"""Admin forms. They validate input; the services save it."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..domain.lifecycle import TASK_KINDS
from ..domain.periods import FREQUENCY_LABELS
from ..domain.roles import ROLE_LABELS, ROLES
from ..formkit import options
from ..models.directive import DIRECTIVE_KINDS, VISIBILITIES

CODE = Regexp(r"^[\w./\-Đđ]+$", message="Use letters, digits, and . / - _ only.")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class UnitForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40), CODE])
    name = StringField("Name", validators=[DataRequired(), Length(max=255)])
    parent_id = SelectField("Parent unit", coerce=_optional_int, validate_choice=True)


class UserForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(r"^[A-Za-z0-9._]+$", message="Letters, digits, dots and underscores only."),
        ],
    )
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = StringField("E-mail", validators=[Optional(), Email(), Length(max=254)])
    role = SelectField("Role", choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    unit_id = SelectField("Unit", coerce=int)
    active = BooleanField("Active", default=True)
    password = PasswordField(
        "Password",
        validators=[
            Optional(),
            Length(
                min=12,
                max=128,
                message="The password must have at least 12 characters (and at most 128).",
            ),
        ],
        description="At least 12 characters. Leave empty to keep the current password.",
    )


class DirectiveForm(FlaskForm):
    code = StringField("Number / code", validators=[DataRequired(), Length(max=60), CODE])
    kind = SelectField("Kind", choices=options((k, k.capitalize()) for k in DIRECTIVE_KINDS))
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    issuing_body = StringField("Issuing body", validators=[Optional(), Length(max=255)])
    signer = StringField("Signer", validators=[Optional(), Length(max=255)])
    issued_on = DateField("Issued on", validators=[Optional()])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=10000)])
    source_url = StringField("Source link", validators=[Optional(), URL(), Length(max=500)])
    visibility = SelectField(
        "Visibility", choices=options((v, v.capitalize()) for v in VISIBILITIES)
    )


class TargetForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40), CODE])
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    indicator = StringField("Indicator", validators=[Optional(), Length(max=255)])
    baseline_value = DecimalField("Baseline", validators=[Optional()], places=2)
    target_value = DecimalField("Target value", validators=[Optional()], places=2)
    unit_of_measure = StringField("Unit of measure", validators=[Optional(), Length(max=40)])
    due_on = DateField("Due on", validators=[Optional()])


class TaskForm(FlaskForm):
    directive_id = SelectField("Directive", coerce=int)
    code = StringField("Code", validators=[DataRequired(), Length(max=60), CODE])
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10000)])
    source_clause = StringField("Source clause", validators=[Optional(), Length(max=120)])
    kind = SelectField("Kind", choices=options((k, k.capitalize()) for k in TASK_KINDS))
    target_id = SelectField("Target", coerce=_optional_int)
    parent_id = SelectField("Parent task", coerce=_optional_int)
    lead_unit_id = SelectField("Lead unit", coerce=int)
    coordinating_unit_ids = SelectMultipleField("Coordinating units", coerce=int)
    owner_id = SelectField("Owner", coerce=_optional_int)
    start_date = DateField("Start date", validators=[Optional()])
    deadline = DateField("Deadline", validators=[DataRequired("Give the deadline.")])
    original_deadline = DateField("Original deadline", validators=[Optional()])
    is_key = BooleanField("Key task")
    confidentiality = SelectField(
        "Confidentiality",
        default="normal",
        choices=options(
            [
                ("normal", "Normal (may be public)"),
                ("confidential", "Confidential"),
                ("secret", "Secret"),
            ]
        ),
        description="Only normal tasks of public directives appear on the public pages.",
    )
    weight = IntegerField(
        "Weight in the parent's progress",
        default=1,
        validators=[Optional(), NumberRange(1, 1000)],
        description="Subtasks count by weight in their parent's percent done (default 1).",
    )
    version = HiddenField()

    def validate_deadline(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The deadline cannot be before the start date.")


class RecurringForm(FlaskForm):
    directive_id = SelectField("Directive", coerce=int)
    code_prefix = StringField(
        "Code prefix",
        validators=[DataRequired(), Length(max=40), CODE],
        description="Each occurrence is coded PREFIX-2026Q1, PREFIX-2026-03 or PREFIX-2026H1.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    lead_unit_id = SelectField("Lead unit", coerce=int)
    owner_id = SelectField("Owner", coerce=_optional_int)
    frequency = SelectField("Repeats", choices=options(FREQUENCY_LABELS.items()))
    days_after_period_end = IntegerField(
        "Deadline: days after the end of the period",
        default=0,
        validators=[Optional(), NumberRange(-27, 365)],
        description="0 = the last day of the month, quarter or half-year; 10 = ten days later.",
    )
    starts_on = DateField("First period starts on", validators=[DataRequired()])
    is_key = BooleanField("Key task")

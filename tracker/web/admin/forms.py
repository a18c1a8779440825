"""Admin forms. They validate input; the services save it."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
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

from ...domain.lifecycle import CONFIDENTIALITY_LABELS, TASK_KINDS
from ...domain.periods import FREQUENCY_LABELS
from ...domain.roles import ROLE_LABELS, ROLES
from ...infra.i18n import WORD_LABELS
from ...models.directive import DIRECTIVE_KINDS, VISIBILITIES
from ...work import recurring
from ..formkit import (
    AmountField,
    DayField,
    Form,
    LongSelect,
    optional_record_id,
    options,
    password_length,
    record_id,
)

# A code as the ministries write them ("NV 01/QĐ", "Vụ KHCN"): letters (Vietnamese too),
# digits, . / - _ and single spaces between them.
CODE = Regexp(
    r"^[\w./\-Đđ]+(?: [\w./\-Đđ]+)*\Z",
    message=_l("Use letters, digits, single spaces and . / - _ only."),
)


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    parent_id = SelectField(
        _l("Parent unit"), coerce=optional_record_id, validate_choice=True, widget=LongSelect()
    )


# A new user has no current password to keep: the form says what it asks of them instead.
NEW_USER_PASSWORD_HINT = _l("At least 12 characters; or send an invitation instead (below).")


class UserForm(Form):
    # Which usernames are allowed (Vietnamese letters too) is the service's rule
    # (accounts.users._validate), the same for the form, the import and the command line.
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    unit_id = SelectField(_l("Unit"), coerce=record_id, widget=LongSelect())
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[
            Optional(),
            password_length(),
        ],
        description=_l("At least 12 characters. Leave empty to keep the current password."),
    )
    invite = BooleanField(
        _l("Send an invitation instead"),
        description=_l(
            "A new user gets a link by e-mail to choose their own password (it works once, "
            "for a few days); no password is typed here."
        ),
    )


class DirectiveForm(Form):
    code = StringField(_l("Number / code"), validators=[DataRequired(), Length(max=60), CODE])
    kind = SelectField(_l("Kind"), choices=options((k, WORD_LABELS[k]) for k in DIRECTIVE_KINDS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    issuing_body = StringField(_l("Issuing body"), validators=[Optional(), Length(max=255)])
    signer = StringField(_l("Signer"), validators=[Optional(), Length(max=255)])
    issued_on = DayField(_l("Issued on"), validators=[Optional()])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=10000)])
    source_url = StringField(_l("Source link"), validators=[Optional(), URL(), Length(max=500)])
    visibility = SelectField(
        _l("Visibility"), choices=options((v, WORD_LABELS[v]) for v in VISIBILITIES)
    )


class TargetForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    indicator = StringField(_l("Indicator"), validators=[Optional(), Length(max=255)])
    baseline_value = AmountField(_l("Baseline"), validators=[Optional()])
    target_value = AmountField(_l("Target value"), validators=[Optional()])
    unit_of_measure = StringField(_l("Unit of measure"), validators=[Optional(), Length(max=40)])
    due_on = DayField(_l("Due on"), validators=[Optional()])


class TaskForm(Form):
    directive_id = SelectField(_l("Directive"), coerce=record_id, widget=LongSelect())
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=60), CODE])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    source_clause = StringField(_l("Source clause"), validators=[Optional(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=options((k, WORD_LABELS[k]) for k in TASK_KINDS))
    target_id = SelectField(_l("Target"), coerce=optional_record_id, widget=LongSelect())
    parent_id = SelectField(_l("Parent task"), coerce=optional_record_id, widget=LongSelect())
    lead_unit_id = SelectField(_l("Lead unit"), coerce=record_id, widget=LongSelect())
    coordinating_unit_ids = SelectMultipleField(
        _l("Coordinating units"), coerce=record_id, widget=LongSelect(multiple=True)
    )
    owner_id = SelectField(_l("Owner"), coerce=optional_record_id, widget=LongSelect())
    start_date = DayField(_l("Start date"), validators=[Optional()])
    deadline = DayField(_l("Deadline"), validators=[DataRequired(_l("Give the deadline."))])
    original_deadline = DayField(_l("Original deadline"), validators=[Optional()])
    is_key = BooleanField(_l("Key task"))
    confidentiality = SelectField(
        _l("Confidentiality"),
        default="normal",
        choices=options(CONFIDENTIALITY_LABELS.items()),
        description=_l("Only normal tasks of public directives appear on the public pages."),
    )
    weight = IntegerField(
        _l("Weight in the parent's progress"),
        default=1,
        validators=[Optional(), NumberRange(1, 1000)],
        description=_l("Subtasks count by weight in their parent's percent done (default 1)."),
    )
    version = HiddenField()

    def validate_deadline(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The deadline cannot be before the start date."))


class RecurringForm(Form):
    directive_id = SelectField(_l("Directive"), coerce=record_id, widget=LongSelect())
    code_prefix = StringField(
        _l("Code prefix"),
        validators=[DataRequired(), Length(max=40), CODE],
        description=_l("Each occurrence is coded PREFIX-2026Q1, PREFIX-2026-03 or PREFIX-2026H1."),
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=recurring.MOST_TITLE_LENGTH)]
    )
    lead_unit_id = SelectField(_l("Lead unit"), coerce=record_id, widget=LongSelect())
    owner_id = SelectField(_l("Owner"), coerce=optional_record_id, widget=LongSelect())
    frequency = SelectField(_l("Repeats"), choices=options(FREQUENCY_LABELS.items()))
    days_after_period_end = IntegerField(
        _l("Deadline: days after the end of the period"),
        default=0,
        validators=[Optional(), NumberRange(-27, 365)],
        description=_l("0 = the last day of the month, quarter or half-year; 10 = ten days later."),
    )
    starts_on = DayField(_l("First period starts on"), validators=[DataRequired()])
    is_key = BooleanField(_l("Key task"))

"""Task forms: the progress report (status, percent, note, evidence, version seen),
attaching evidence on its own, and asking for and deciding deadline extensions."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...domain.text import N_
from ..formkit import DayField, Form, PageForm, optional_record_id, options

EVIDENCE_HINT = N_("PDF, DOCX, XLSX, ODT, PNG or JPEG.")


class ProgressForm(PageForm):
    id_prefix = "progress"
    # Any status is accepted here: the lifecycle (422) and the policy (403) judge the move, so a
    # refused move gets the right answer instead of a generic "not a valid choice".
    # Always has a value (the current status is chosen): no `required`, which HTML allows on
    # a select only when its first option is an empty placeholder.
    status = SelectField(
        _l("Status"),
        validators=[DataRequired()],
        validate_choice=False,
        render_kw={"required": False},
    )
    percent_done = IntegerField(
        _l("Percent done"),
        validators=[InputRequired(_l("Give a whole number from 0 to 100.")), NumberRange(0, 100)],
    )
    note = TextAreaField(
        _l("Note (the result, when submitting)"), validators=[Optional(), Length(max=5000)]
    )
    evidence_url = StringField(
        _l("Evidence: link to the output document"), validators=[Optional(), Length(max=500)]
    )
    evidence_file = FileField(_l("Evidence: file"), description=_l(EVIDENCE_HINT))
    version = HiddenField(validators=[DataRequired()])


class SeveralProgressForm(PageForm):
    """The page that reports several of a unit's tasks at once: it carries the CSRF token;
    each row's fields are named by its task (`percent-<id>`, `note-<id>`, `version-<id>`,
    and `task_id` listing the rows), as many as the page shows, and read by the route."""

    id_prefix = "several"


class SeveralGivingForm(PageForm):
    """The page that gives several of a unit's open tasks at once: it carries the CSRF
    token; each row's chooser is named by its task (`owner-<id>`, `version-<id>`, and
    `task_id` listing the rows), read by the route."""

    id_prefix = "giving"


class VerificationForm(PageForm):
    """A supervisor's decision on a submitted task: the *Verify* and *Send back* buttons."""

    id_prefix = "verify"
    note = TextAreaField(
        _l("Note (required when sending back)"), validators=[Optional(), Length(max=5000)]
    )
    version = HiddenField(validators=[DataRequired()])


class EvidenceForm(PageForm):
    id_prefix = "evidence"
    file = FileField(_l("File"), description=_l(EVIDENCE_HINT))
    url = StringField(_l("or a link"), validators=[Optional(), Length(max=500)])
    note = StringField(_l("What it is"), validators=[Optional(), Length(max=500)])


class ExtensionRequestForm(PageForm):
    id_prefix = "extension"
    deadline = DayField(
        _l("New deadline"), validators=[InputRequired(_l("Give the new deadline."))]
    )
    reason = TextAreaField(
        _l("Reason (difficulties, what the extra time is for)"),
        validators=[InputRequired(_l("Say why the task needs more time.")), Length(max=2000)],
    )


class ExtensionDecisionForm(PageForm):
    id_prefix = "decision"
    decision = SelectField(
        _l("Decision"),
        choices=options([("approve", N_("Approve the new deadline")), ("reject", N_("Reject"))]),
    )
    comment = TextAreaField(_l("Comment (required when rejecting)"), validators=[Length(max=2000)])


class CommentForm(PageForm):
    id_prefix = "comment"
    kind = SelectField(
        _l("Type"),
        choices=options(
            [
                ("comment", N_("Comment")),
                ("obstacle", N_("Difficulty or recommendation (to be answered)")),
            ]
        ),
    )
    body = TextAreaField(
        _l("Message"), validators=[InputRequired(_l("Write the message first.")), Length(max=5000)]
    )


class AnswerForm(PageForm):
    id_prefix = "answer"
    answer = TextAreaField(
        _l("Answer"), validators=[InputRequired(_l("Write the answer first.")), Length(max=5000)]
    )


class GiveForm(PageForm):
    """Who of the lead unit works on the task: its owner (or nobody)."""

    id_prefix = "give"
    owner_id = SelectField(_l("Give it to"), coerce=optional_record_id)
    version = HiddenField()


class UrgingForm(PageForm):
    id_prefix = "urging"
    text = TextAreaField(
        _l("Text of the notice"),
        validators=[InputRequired(_l("Write the notice.")), Length(max=5000)],
        description=_l("Say what is late, what is expected, and by when."),
    )


class DigestForm(Form):
    daily_digest = BooleanField(
        _l("Send me a daily e-mail of my unit's overdue and due-soon tasks")
    )
    email_notifications = BooleanField(
        _l("E-mail me my notifications (urging notices, send-backs, extension decisions …)")
    )

"""Login, second-factor code, forgotten-password and new-password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formkit import Form, password_length


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in on this computer"))


class ForgotPasswordForm(Form):
    identifier = StringField(_l("Username or e-mail"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            password_length(),
        ],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The six digits the authenticator app shows now, or a recovery code."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )

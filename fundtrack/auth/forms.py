"""Login and account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from fundtrack.forms import Form, choices


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class LanguageForm(Form):
    language = SelectField(_l("Language"), choices=choices([("da", "Dansk"), ("en", "English")]))
    next = HiddenField()


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])


class UserForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[])
    organisation = SelectField(_l("Organisation"), choices=[], validators=[Optional()])
    language = SelectField(_l("Language"), choices=choices([("da", "Dansk"), ("en", "English")]))
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])

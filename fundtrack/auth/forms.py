"""Login and account forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[("da", "Dansk"), ("en", "English")])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[])
    organisation = SelectField(_l("Organisation"), choices=[], validators=[Optional()])
    language = SelectField(_l("Language"), choices=[("da", "Dansk"), ("en", "English")])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])

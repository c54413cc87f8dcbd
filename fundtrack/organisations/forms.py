"""Organisation and contact forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fundtrack.forms import Form, TagsField


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])
    cvr_number = StringField(_l("CVR number"), validators=[Length(max=20)])
    website = StringField(_l("Website"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"))
    interests = TagsField(_l("Interests (tags, separated by commas)"))
    keywords = TagsField(_l("Keywords for open calls (separated by commas)"))
    excluded_words = TagsField(_l("Words that keep a call away (separated by commas)"))
    un_goals = StringField(_l("UN goals (numbers 1-17)"), validators=[Length(max=100)])

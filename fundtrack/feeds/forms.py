"""Feed source and call forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from fundtrack.forms import Form, OptionalIntegerField


class SourceForm(Form):
    url = StringField(_l("Feed address (RSS or Atom)"), validators=[DataRequired(), Length(max=1000)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    interval_minutes = OptionalIntegerField(_l("Fetch every (minutes)"))


class ConvertForm(Form):
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    funder = SelectField(_l("Funder"), choices=[], validate_choice=False)

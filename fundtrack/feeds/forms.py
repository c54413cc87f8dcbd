"""Feed source and call forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from fundtrack.feeds.models import DATE_ORDERS
from fundtrack.forms import ClockField, DayField, Form, OptionalIntegerField, choices
from fundtrack.i18n import translate_label


class SourceForm(Form):
    url = StringField(_l("Feed address (RSS or Atom)"), validators=[DataRequired(), Length(max=1000)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    interval_minutes = OptionalIntegerField(_l("Fetch every (minutes)"))
    date_order = SelectField(_l("Numeric dates such as 03/04/2027"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_order.choices = choices((key, translate_label(label)) for key, label in DATE_ORDERS.items())


CORRECTION_ROWS = 3


class CorrectionForm(Form):
    """A call's deadlines as the fundraiser reads them: up to three days, each with a time or none."""

    due_on_0 = DayField(_l("Deadline"))
    at_0 = ClockField(_l("Time (optional)"))
    due_on_1 = DayField(_l("Another deadline"))
    at_1 = ClockField(_l("Time (optional)"))
    due_on_2 = DayField(_l("Another deadline"))
    at_2 = ClockField(_l("Time (optional)"))
    rolling = BooleanField(_l("Rolling: no deadline, applications are read as they arrive"))

    def rows(self):
        return [(getattr(self, f"due_on_{i}"), getattr(self, f"at_{i}")) for i in range(CORRECTION_ROWS)]


class ConvertForm(Form):
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    funder = SelectField(_l("Funder"), choices=[], validate_choice=False)

"""The deadline form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from fundtrack.deadlines.models import DEADLINE_KINDS, MANAGED_KINDS
from fundtrack.forms import ClockField, DayField, Form, choices
from fundtrack.i18n import translate_label


class DeadlineForm(Form):
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    due_on = DayField(_l("Date"), validators=[InputRequired()])
    due_time = ClockField(_l("Time (optional, e.g. 12:00)"))
    notes = TextAreaField(_l("Notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            (key, translate_label(label)) for key, label in DEADLINE_KINDS.items() if key not in MANAGED_KINDS
        )

"""Relationship forms: stewardship and the interaction log."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from fundtrack.forms import DayField, Form, choices
from fundtrack.i18n import translate_label
from fundtrack.relationships.models import INTERACTION_KINDS


class StewardshipForm(Form):
    steward = SelectField(_l("Steward"), choices=[], validate_choice=False)
    next_step = StringField(_l("Next step"), validators=[Length(max=500)])
    next_step_on = DayField(_l("Next step by"))
    notes = TextAreaField(_l("Notes"))


class InteractionForm(Form):
    kind = SelectField(_l("Kind"), choices=[])
    happened_on = DayField(_l("Date"), validators=[InputRequired()])
    text = TextAreaField(_l("What happened"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k, translate_label(v)) for k, v in INTERACTION_KINDS.items())

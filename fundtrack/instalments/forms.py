"""The payment schedule's forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from fundtrack.forms import AmountField, DayField, Form, choices
from fundtrack.i18n import translate_label
from fundtrack.instalments.services import PLANS


class InstalmentForm(Form):
    planned_on = DayField(_l("Planned date"), validators=[InputRequired()])
    planned_ore = AmountField(_l("Planned amount (DKK)"), validators=[InputRequired()])
    condition = StringField(_l("Condition (e.g. after the interim report)"), validators=[Length(max=200)])
    received_on = DayField(_l("Received on"))
    received_ore = AmountField(_l("Amount received (DKK, if not as planned)"))


class ReceiveForm(Form):
    received_on = DayField(_l("Received on"), validators=[InputRequired()])
    received_ore = AmountField(_l("Amount received (DKK, if not as planned)"))


class PlanForm(Form):
    plan = SelectField(_l("Schedule"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan.choices = choices((key, translate_label(label)) for key, label in PLANS.items())
